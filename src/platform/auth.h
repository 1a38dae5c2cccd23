// Authentication: argon2id password hashes (libsodium), browser sessions with a CSRF
// token, bearer tokens for API clients, lock-out after repeated failures, idle and
// absolute session expiry. Secrets are random 256-bit tokens; only their BLAKE2b
// hashes are stored, so a database leak does not leak live sessions.
#pragma once

#include <chrono>
#include <mutex>
#include <optional>
#include <unordered_map>
#include <string>
#include <string_view>

#include "core/json_util.h"
#include "core/time.h"
#include "platform/access.h"
#include "platform/policy.h"
#include "storage/database.h"

namespace tuoke::platform {

// argon2id cost. The default follows OWASP's minimum (t=2, m=19 MiB); tests lower it.
struct PasswordHashCost {
  unsigned long long operations = 2;
  size_t memory_bytes = 19 * 1024 * 1024;
};
void SetPasswordHashCost(PasswordHashCost cost);
std::string HashPassword(std::string_view password);
bool VerifyPassword(const std::string& hash, std::string_view password);
// Empty when acceptable, otherwise the reason (8..128 characters, a letter and a digit).
std::string CheckPasswordStrength(std::string_view password);

std::string RandomToken(std::string_view prefix);
std::string HashToken(std::string_view token);

enum class SessionKind : uint8_t { kBrowser, kApi };

struct LoginResult {
  std::string token;
  std::string csrf_token;
  int64_t user_id = 0;
  Instant expires_at;
};

class AuthService {
 public:
  // `cache_lifetime`: the bound within which a change made by another process (logout,
  // revocation, password, deactivation, roles, grants, a unit moved) takes effect here.
  // Changes made through this process clear the cache at once. A verified session is
  // reused for up to kCacheMaxAge while the authentication epoch (migration 0014, bumped by
  // triggers in the transaction of every such change, whoever makes it) is unchanged; the
  // epoch is read at most once per `cache_lifetime` (ADR 0011). Zero disables the cache.
  AuthService(storage::Database& database, PolicyService& policies, const Clock& clock,
              std::chrono::milliseconds cache_lifetime = std::chrono::milliseconds(0))
      : database_(database), policies_(policies), clock_(clock), cache_lifetime_(cache_lifetime) {}
  // Writes the last-seen times still pending (best effort).
  ~AuthService();

  // Drops every cached session (call after any change to users, roles or grants).
  void ForgetCachedSessions();

  // R-AUTH-5 (ADR 0009): a session's last-seen time is written at most once a minute, and
  // not by the request that uses it: uses are noted in memory and written together, one
  // statement per 100 sessions, by the first authentication at least a second after the
  // previous write (and at destruction). Returns the number of sessions written.
  size_t FlushSessionTouches();

  // Login by phone or username. Throws auth.invalid_credentials (with remaining
  // attempts), auth.account_locked (with lockedUntil) or auth.account_inactive.
  LoginResult Login(std::string_view login, std::string_view password,
                    const RequestContext& request);

  // The caller behind a session or API token; nullopt when unknown, revoked or expired.
  std::optional<Caller> Authenticate(std::string_view token, SessionKind kind,
                                     const RequestContext& request);
  // Constant-time check of the X-CSRF-Token header for cookie sessions.
  bool CheckCsrf(const Caller& caller, std::string_view header_value);
  std::string CsrfTokenOf(const Caller& caller);

  void Logout(const Caller& caller);
  // Verifies the current password; ends the user's other sessions.
  void ChangePassword(const Caller& caller, std::string_view current_password,
                      std::string_view new_password);

  Json ListTokens(const Caller& caller);
  Json CreateToken(const Caller& caller, const std::string& name, int64_t expires_in_days);
  void RevokeToken(const Caller& caller, int64_t token_id);

 private:
  // What a session read from the database says besides its Caller.
  struct SessionFacts {
    int64_t epoch = 0;     // the authentication epoch of the same snapshot
    Instant expires_at{};  // the session's absolute expiry
    Instant touched_at{};  // the use that the last-seen time (written or noted) accounts for
  };
  // A session as the database has it now.
  std::optional<Caller> LoadSession(const std::string& token_hash, SessionKind kind, Instant now,
                                    SessionFacts& facts);
  // Reads the authentication epoch when the last read is `cache_lifetime_` old, and drops
  // the cache when another process has bumped it since.
  void RefreshEpochIfDue(Instant now);
  // Moves the known epoch forward to `epoch`, dropping what was cached under an older one.
  void AdvanceEpochLocked(int64_t epoch);
  // Notes a use of the session to be written by FlushSessionTouches.
  void NoteTouch(int64_t session_id, Instant now);
  // The latest use noted but not yet written, if any.
  std::optional<Instant> PendingTouch(int64_t session_id);

  struct CachedSession {
    Caller caller;
    SessionKind kind;
    Instant verified_at;         // read from the database
    Instant session_expires_at;  // the session's own absolute expiry
    Instant last_used;           // the latest use through this process (idle expiry)
    Instant touched_at;          // the latest use written or noted for writing (R-AUTH-5)
  };
  // How long a cached session is reused while the epoch stands still (re-read then anyway).
  static constexpr std::chrono::minutes kCacheMaxAge{10};

  storage::Database& database_;
  PolicyService& policies_;
  const Clock& clock_;
  const std::chrono::milliseconds cache_lifetime_;
  std::mutex cache_mutex_;
  std::unordered_map<std::string, CachedSession> cache_;  // guarded by cache_mutex_; key: token hash
  // Bumped by ForgetCachedSessions: a session read from the database before a change is
  // not cached after it (the change's clear would otherwise be undone).
  uint64_t cache_generation_ = 0;  // guarded by cache_mutex_
  // The authentication epoch every cached session was read under (-1: not read yet), and
  // when this process last read it.
  int64_t known_epoch_ = -1;       // guarded by cache_mutex_
  Instant epoch_checked_at_{};     // guarded by cache_mutex_

  std::mutex touch_mutex_;
  std::unordered_map<int64_t, Instant> pending_touches_;  // guarded by touch_mutex_; session id → use
  Instant last_touch_flush_{};                            // guarded by touch_mutex_
  std::mutex flush_mutex_;                                // one writer of touches at a time
};

}  // namespace tuoke::platform
