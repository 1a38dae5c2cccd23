#include "platform/auth.h"

#include <sodium.h>

#include <algorithm>
#include <atomic>
#include <chrono>

#include <spdlog/spdlog.h>

#include "core/text.h"
#include "platform/audit.h"

namespace tuoke::platform {
namespace {

std::atomic<unsigned long long> g_operations{PasswordHashCost{}.operations};
std::atomic<size_t> g_memory_bytes{PasswordHashCost{}.memory_bytes};

const storage::Sql kFindForLogin{
    "auth.find_for_login",
    "SELECT id, name, password_hash, active, failed_logins, locked_until FROM users "
    "WHERE username = ? OR phone = ?"};
const storage::Sql kRecordFailure{"auth.record_failure",
                                  "UPDATE users SET failed_logins = ?, locked_until = ? WHERE id = ?"};
const storage::Sql kResetFailures{
    "auth.reset_failures",
    "UPDATE users SET failed_logins = 0, locked_until = NULL WHERE id = ?"};
const storage::Sql kInsertSession{
    "auth.insert_session",
    "INSERT INTO sessions (token_hash, user_id, kind, name, csrf_token, created_at, last_seen_at, "
    "expires_at, ip, user_agent) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id"};
// The session, its user and unit, and the user's roles with their grants in one round trip:
// one row per grant (the session's columns repeated), a role without grants as one row
// with a NULL permission, a user without roles as one row with a NULL role.
const storage::Sql kFindSession{
    "auth.find_session",
    "SELECT s.id, s.kind, s.last_seen_at, s.expires_at, s.revoked_at, u.id, u.name, u.active, "
    "u.must_change_password, u.unit_id, o.path, r.role, g.permission, g.scope, "
    "(SELECT version FROM auth_epoch WHERE id = 1) FROM sessions s "
    "JOIN users u ON u.id = s.user_id JOIN org_units o ON o.id = u.unit_id "
    "LEFT JOIN user_roles r ON r.user_id = u.id LEFT JOIN role_grants g ON g.role = r.role "
    "WHERE s.token_hash = ? ORDER BY r.role"};
// ADR 0011: bumped by triggers (migration 0014) whenever a session, user, role, grant or
// unit path changes in a way that can end or narrow a cached session.
const storage::Sql kAuthEpoch{"auth.epoch", "SELECT version FROM auth_epoch WHERE id = 1"};
// Touches are written in groups of this many sessions (the last id repeated to fill a
// group), so one prepared statement serves every group.
constexpr size_t kTouchGroup = 100;
const std::string kTouchSessionsText = [] {
  std::string text = "UPDATE sessions SET last_seen_at = ? WHERE id IN (?";
  for (size_t i = 1; i < kTouchGroup; ++i) text += ", ?";
  return text + ")";
}();
const storage::Sql kTouchSessions{"auth.touch_sessions", kTouchSessionsText.c_str()};
// A session's last-seen time is written at most this often (idle expiry needs no finer
// grain), and the noted uses at most every kTouchFlushInterval.
constexpr auto kTouchGrain = std::chrono::minutes(1);
constexpr auto kTouchFlushInterval = std::chrono::seconds(1);
const storage::Sql kCsrfOfSession{"auth.csrf_of_session",
                                  "SELECT csrf_token FROM sessions WHERE id = ?"};
const storage::Sql kRevokeSession{
    "auth.revoke_session",
    "UPDATE sessions SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL"};
const storage::Sql kRevokeOtherSessions{
    "auth.revoke_other_sessions",
    "UPDATE sessions SET revoked_at = ? WHERE user_id = ? AND id <> ? AND revoked_at IS NULL"};
const storage::Sql kPasswordHashOf{"auth.password_hash_of",
                                   "SELECT password_hash FROM users WHERE id = ?"};
const storage::Sql kSetPassword{
    "auth.set_password",
    "UPDATE users SET password_hash = ?, must_change_password = 0, updated_at = ? WHERE id = ?"};
const storage::Sql kListTokens{
    "auth.list_tokens",
    "SELECT id, name, created_at, expires_at, last_seen_at FROM sessions WHERE user_id = ? AND "
    "kind = 'api' AND revoked_at IS NULL AND expires_at > ? ORDER BY id DESC"};
const storage::Sql kFindToken{
    "auth.find_token",
    "SELECT id, name FROM sessions WHERE id = ? AND user_id = ? AND kind = 'api' AND revoked_at IS NULL"};

std::string Base64Url(const unsigned char* data, size_t size) {
  std::string out(sodium_base64_ENCODED_LEN(size, sodium_base64_VARIANT_URLSAFE_NO_PADDING), '\0');
  sodium_bin2base64(out.data(), out.size(), data, size, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  out.resize(std::strlen(out.c_str()));
  return out;
}

Error InvalidCredentials(int64_t remaining) {
  return Error(ErrorKind::kUnauthenticated, "auth.invalid_credentials",
               "wrong login or password", {{"remainingAttempts", remaining}});
}

// A hash to verify against when the login is unknown, so both paths cost the same time
// and do not reveal which logins exist.
const std::string& DummyHash() {
  static const std::string hash = HashPassword("tuoke-dummy-password-1");
  return hash;
}

}  // namespace

void SetPasswordHashCost(PasswordHashCost cost) {
  g_operations = cost.operations;
  g_memory_bytes = cost.memory_bytes;
}

std::string HashPassword(std::string_view password) {
  if (sodium_init() < 0) throw std::runtime_error("libsodium failed to initialise");
  char hash[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str_alg(hash, password.data(), password.size(), g_operations.load(),
                            g_memory_bytes.load(), crypto_pwhash_ALG_ARGON2ID13) != 0)
    throw std::runtime_error("out of memory while hashing a password");
  return hash;
}

bool VerifyPassword(const std::string& hash, std::string_view password) {
  if (sodium_init() < 0) return false;
  return crypto_pwhash_str_verify(hash.c_str(), password.data(), password.size()) == 0;
}

std::string CheckPasswordStrength(std::string_view password) {
  size_t length = Utf8Length(password);
  if (length < 8) return "must be at least 8 characters";
  if (length > 128) return "must be at most 128 characters";
  bool letter = false, digit = false;
  for (char c : password) {
    // Any non-ASCII character (汉字 and other scripts) counts as a letter.
    if (std::isalpha(static_cast<unsigned char>(c)) || static_cast<unsigned char>(c) >= 0x80) letter = true;
    if (std::isdigit(static_cast<unsigned char>(c))) digit = true;
  }
  if (!letter || !digit) return "must contain a letter and a digit";
  return "";
}

std::string RandomToken(std::string_view prefix) {
  if (sodium_init() < 0) throw std::runtime_error("libsodium failed to initialise");
  unsigned char bytes[32];
  randombytes_buf(bytes, sizeof bytes);
  return std::string(prefix) + Base64Url(bytes, sizeof bytes);
}

std::string HashToken(std::string_view token) {
  unsigned char digest[32];
  crypto_generichash(digest, sizeof digest, reinterpret_cast<const unsigned char*>(token.data()),
                     token.size(), nullptr, 0);
  char hex[65];
  sodium_bin2hex(hex, sizeof hex, digest, sizeof digest);
  return hex;
}

LoginResult AuthService::Login(std::string_view login, std::string_view password,
                               const RequestContext& request) {
  Instant now = clock_.Now();
  Date today = BusinessDate(now, policies_.TimeZone());
  const int64_t threshold = policies_.IntOn("auth.lockout_threshold", today);
  const int64_t lock_minutes = policies_.IntOn("auth.lockout_minutes", today);
  const int64_t absolute_hours = policies_.IntOn("auth.session_absolute_hours", today);

  std::optional<storage::Row> user;
  {
    auto connection = database_.Acquire();
    user = connection->QueryOne(kFindForLogin, {ToLowerAscii(login), std::string(login)});
  }
  if (!user) {
    VerifyPassword(DummyHash(), password);
    throw InvalidCredentials(threshold);
  }
  const int64_t user_id = user->Int(0);
  const std::string name = user->Text(1);
  auto locked_until = user->OptionalText(5);
  if (locked_until && *locked_until > FormatInstant(now))
    throw Error(ErrorKind::kLocked, "auth.account_locked", "account locked after failed logins",
                {{"lockedUntil", *locked_until}});

  if (!VerifyPassword(user->Text(2), password)) {
    // R-AUTH-1: lock the account after `auth.lockout_threshold` consecutive failures.
    int64_t failures = (locked_until ? 0 : user->Int(4)) + 1;
    bool lock = failures >= threshold;
    std::string until = FormatInstant(now + std::chrono::minutes(lock_minutes));
    database_.InTransaction([&](storage::Connection& connection) {
      connection.Execute(kRecordFailure, {lock ? int64_t{0} : failures,
                                          lock ? storage::Value(until) : storage::Value(nullptr),
                                          user_id});
      if (lock)
        RecordAudit(connection, Actor{std::nullopt, "system", request.ip, request.request_id},
                    {"user.lock", "user", IdString(user_id), Json(),
                     {{"lockedUntil", until}, {"failedLogins", failures}}},
                    now);
    });
    if (lock)
      throw Error(ErrorKind::kLocked, "auth.account_locked", "account locked after failed logins",
                  {{"lockedUntil", until}});
    throw InvalidCredentials(threshold - failures);
  }
  if (!user->Bool(3))
    throw Error(ErrorKind::kForbidden, "auth.account_inactive", "this account is deactivated");

  LoginResult result;
  result.token = RandomToken("ts_");
  result.csrf_token = RandomToken("");
  result.user_id = user_id;
  // A browser session ends at the absolute limit; idleness is checked on each use.
  result.expires_at = now + std::chrono::hours(absolute_hours);
  database_.InTransaction([&](storage::Connection& connection) {
    connection.Execute(kResetFailures, {user_id});
    auto session = connection.QueryOne(
        kInsertSession, {HashToken(result.token), user_id, std::string("browser"), nullptr,
                         result.csrf_token, FormatInstant(now), FormatInstant(now),
                         FormatInstant(result.expires_at), request.ip,
                         request.user_agent.substr(0, 300)});
    RecordAudit(connection, Actor{user_id, name, request.ip, request.request_id},
                {"session.login", "session", IdString(session->Int(0)), Json(),
                 {{"userAgent", request.user_agent.substr(0, 300)}}},
                now);
  });
  return result;
}

std::optional<Caller> AuthService::Authenticate(std::string_view token, SessionKind kind,
                                                const RequestContext& request) {
  if (token.size() < 16 || token.size() > 128) return std::nullopt;
  Instant now = clock_.Now();
  std::string token_hash = HashToken(token);
  std::optional<Caller> caller;
  uint64_t generation = 0;
  std::optional<int64_t> touch;  // a session whose use is to be noted (R-AUTH-5)
  if (cache_lifetime_.count() > 0) {
    RefreshEpochIfDue(now);
    // A browser session's idle limit is checked on every use of the cache too: a cached
    // session is reused for minutes, not the two seconds of earlier sessions.
    std::optional<std::chrono::minutes> idle;
    if (kind == SessionKind::kBrowser)
      idle = std::chrono::minutes(policies_.IntOn("auth.session_idle_minutes", BusinessDate(now, policies_.TimeZone())));
    std::lock_guard lock(cache_mutex_);
    generation = cache_generation_;
    auto found = cache_.find(token_hash);
    if (found != cache_.end()) {
      CachedSession& cached = found->second;
      if (cached.kind == kind && now - cached.verified_at < kCacheMaxAge && now < cached.session_expires_at &&
          (!idle || now - cached.last_used <= *idle)) {
        caller = cached.caller;
        cached.last_used = std::max(cached.last_used, now);
        if (now - cached.touched_at > kTouchGrain) {
          cached.touched_at = now;
          touch = cached.caller.session_id;
        }
      }
    }
  }
  if (touch) NoteTouch(*touch, now);
  if (!caller) {
    SessionFacts facts;
    caller = LoadSession(token_hash, kind, now, facts);
    if (!caller) return std::nullopt;
    if (cache_lifetime_.count() > 0) {
      std::lock_guard lock(cache_mutex_);
      // Not when a change cleared the cache since the session was read: it may be stale.
      // Nor when the session was read under an older epoch than the one known.
      if (generation == cache_generation_) {
        if (facts.epoch > known_epoch_) AdvanceEpochLocked(facts.epoch);
        if (facts.epoch == known_epoch_) {
          // Bounded: a flood of distinct tokens cannot grow memory without limit.
          if (cache_.size() >= 50000) cache_.clear();
          cache_[token_hash] = CachedSession{*caller, kind, now, facts.expires_at, now, facts.touched_at};
        }
      }
    }
  }
  caller->request = request;
  bool flush_due = false;
  {
    std::lock_guard lock(touch_mutex_);
    flush_due = !pending_touches_.empty() && now - last_touch_flush_ >= kTouchFlushInterval;
  }
  if (flush_due) FlushSessionTouches();
  return caller;
}

void AuthService::RefreshEpochIfDue(Instant now) {
  {
    std::lock_guard lock(cache_mutex_);
    if (known_epoch_ >= 0 && now - epoch_checked_at_ < cache_lifetime_) return;
    epoch_checked_at_ = now;  // one reader per bound; the others go on with the cache as it is
  }
  int64_t epoch = 0;
  {
    auto connection = database_.Acquire();
    epoch = connection->QueryOne(kAuthEpoch)->Int(0);
  }
  std::lock_guard lock(cache_mutex_);
  if (epoch > known_epoch_) AdvanceEpochLocked(epoch);
}

void AuthService::AdvanceEpochLocked(int64_t epoch) {
  // The epoch only grows: whatever was cached under an older one may be stale.
  cache_.clear();
  ++cache_generation_;
  known_epoch_ = epoch;
}

std::optional<Caller> AuthService::LoadSession(const std::string& token_hash, SessionKind kind, Instant now,
                                               SessionFacts& facts) {
  storage::ResultSet rows;
  {
    auto connection = database_.Acquire();
    rows = connection->Query(kFindSession, {token_hash});
  }
  if (rows.empty()) return std::nullopt;
  const storage::Row& session = rows.rows[0];
  facts.epoch = session.Int(14);
  const std::string& session_kind = session.Text(1);
  if (session_kind != (kind == SessionKind::kBrowser ? "browser" : "api")) return std::nullopt;
  if (!session.IsNull(4) || session.Text(3) <= FormatInstant(now) || !session.Bool(7)) return std::nullopt;
  auto last_seen = ParseInstant(session.Text(2));
  // A use noted but not yet written counts (R-AUTH-5).
  int64_t session_id = session.Int(0);
  if (auto pending = PendingTouch(session_id); pending && (!last_seen || *pending > *last_seen)) last_seen = pending;
  if (kind == SessionKind::kBrowser) {
    int64_t idle_minutes =
        policies_.IntOn("auth.session_idle_minutes", BusinessDate(now, policies_.TimeZone()));
    if (!last_seen || now - *last_seen > std::chrono::minutes(idle_minutes)) return std::nullopt;
  }
  Caller caller;
  caller.session_id = session_id;
  facts.expires_at = ParseInstant(session.Text(3)).value_or(now);
  caller.user_id = session.Int(5);
  caller.name = session.Text(6);
  caller.must_change_password = session.Bool(8);
  caller.unit_id = session.Int(9);
  caller.unit_path = session.Text(10);
  caller.via_cookie = kind == SessionKind::kBrowser;
  // Roles in order, each once; the widest scope per permission over them.
  for (const auto& row : rows.rows) {
    if (row.IsNull(11)) continue;
    if (caller.roles.empty() || caller.roles.back() != row.Text(11)) caller.roles.push_back(row.Text(11));
    if (row.IsNull(12)) continue;
    auto scope = ParseScope(row.Text(13)).value_or(Scope::kOwn);
    auto [it, inserted] = caller.grants.emplace(row.Text(12), scope);
    if (!inserted && scope > it->second) it->second = scope;
  }
  if (!last_seen || now - *last_seen > kTouchGrain) {
    NoteTouch(session_id, now);
    facts.touched_at = now;
  } else {
    facts.touched_at = *last_seen;
  }
  return caller;
}

void AuthService::NoteTouch(int64_t session_id, Instant now) {
  std::lock_guard lock(touch_mutex_);
  if (pending_touches_.empty() && now - last_touch_flush_ >= kTouchFlushInterval)
    last_touch_flush_ = now;  // the first use after a quiet spell waits a second for company
  pending_touches_[session_id] = now;
}

std::optional<Instant> AuthService::PendingTouch(int64_t session_id) {
  std::lock_guard lock(touch_mutex_);
  auto found = pending_touches_.find(session_id);
  if (found == pending_touches_.end()) return std::nullopt;
  return found->second;
}

size_t AuthService::FlushSessionTouches() {
  // One flusher at a time; a request that finds another flushing goes on at once.
  std::unique_lock flushing(flush_mutex_, std::try_to_lock);
  if (!flushing.owns_lock()) return 0;
  std::unordered_map<int64_t, Instant> touches;
  {
    std::lock_guard lock(touch_mutex_);
    touches.swap(pending_touches_);
    last_touch_flush_ = clock_.Now();
  }
  if (touches.empty()) return 0;
  // Each group gets the latest use among its sessions (a session's own may be a little
  // earlier: the uses of one flush are mostly within a second of each other, and the
  // grain is a minute).
  std::vector<std::pair<int64_t, Instant>> ordered(touches.begin(), touches.end());
  std::sort(ordered.begin(), ordered.end());  // by id: concurrent flushers of several processes lock rows in one order
  try {
    database_.InTransaction([&](storage::Connection& connection) {
      for (size_t start = 0; start < ordered.size(); start += kTouchGroup) {
        size_t end = std::min(ordered.size(), start + kTouchGroup);
        Instant latest = ordered[start].second;
        for (size_t i = start; i < end; ++i) latest = std::max(latest, ordered[i].second);
        storage::Params params{FormatInstant(latest)};
        for (size_t i = 0; i < kTouchGroup; ++i) params.emplace_back(ordered[std::min(start + i, end - 1)].first);
        connection.Execute(kTouchSessions, params);
      }
    });
  } catch (const std::exception& error) {
    // Only the last-seen times are lost (idle expiry may come up to a minute early).
    spdlog::warn("writing {} session last-seen times failed: {}", ordered.size(), error.what());
    return 0;
  }
  return ordered.size();
}

AuthService::~AuthService() {
  try {
    FlushSessionTouches();
  } catch (...) {
  }
}

void AuthService::ForgetCachedSessions() {
  std::lock_guard lock(cache_mutex_);
  cache_.clear();
  ++cache_generation_;
}

std::string AuthService::CsrfTokenOf(const Caller& caller) {
  if (!caller.via_cookie) return "";
  auto connection = database_.Acquire();
  auto row = connection->QueryOne(kCsrfOfSession, {caller.session_id});
  return row && !row->IsNull(0) ? row->Text(0) : "";
}

bool AuthService::CheckCsrf(const Caller& caller, std::string_view header_value) {
  std::string expected = CsrfTokenOf(caller);
  if (expected.empty() || header_value.size() != expected.size()) return false;
  return sodium_memcmp(expected.data(), header_value.data(), expected.size()) == 0;
}

void AuthService::Logout(const Caller& caller) {
  database_.InTransaction([&](storage::Connection& connection) {
    connection.Execute(kRevokeSession, {FormatInstant(clock_.Now()), caller.session_id});
    RecordAudit(connection, Actor::From(caller),
                {"session.logout", "session", IdString(caller.session_id), Json(), Json()},
                clock_.Now());
  });
  // After the commit, so no request can re-cache the old state.
  ForgetCachedSessions();
}

void AuthService::ChangePassword(const Caller& caller, std::string_view current_password,
                                 std::string_view new_password) {
  std::string problem = CheckPasswordStrength(new_password);
  if (!problem.empty()) ThrowValidation("newPassword", problem);
  if (current_password == new_password)
    ThrowValidation("newPassword", "must differ from the current password");
  std::string hash;
  {
    auto connection = database_.Acquire();
    auto row = connection->QueryOne(kPasswordHashOf, {caller.user_id});
    if (!row) ThrowNotFound("users", "user");
    hash = row->Text(0);
  }
  if (!VerifyPassword(hash, current_password))
    throw Error(ErrorKind::kValidation, "validation.failed", "the current password is wrong",
                {{"fields", {{"currentPassword", "is wrong"}}}});
  std::string new_hash = HashPassword(new_password);
  database_.InTransaction([&](storage::Connection& connection) {
    connection.Execute(kSetPassword, {new_hash, FormatInstant(clock_.Now()), caller.user_id});
    connection.Execute(kRevokeOtherSessions,
                       {FormatInstant(clock_.Now()), caller.user_id, caller.session_id});
    RecordAudit(connection, Actor::From(caller),
                {"user.password_change", "user", IdString(caller.user_id), Json(),
                 {{"password", "changed"}}},
                clock_.Now());
  });
  // After the commit, so no request can re-cache the old state.
  ForgetCachedSessions();
}

Json AuthService::ListTokens(const Caller& caller) {
  auto connection = database_.Acquire();
  Json items = Json::array();
  for (const auto& row :
       connection->Query(kListTokens, {caller.user_id, FormatInstant(clock_.Now())}).rows)
    items.push_back({{"id", IdString(row.Int(0))},
                     {"name", row.OptionalText(1).value_or("")},
                     {"createdAt", row.Text(2)},
                     {"expiresAt", row.Text(3)},
                     {"lastUsedAt", row.Text(4)}});
  return {{"items", items}};
}

Json AuthService::CreateToken(const Caller& caller, const std::string& name,
                              int64_t expires_in_days) {
  Instant now = clock_.Now();
  std::string token = RandomToken("tk_");
  Instant expires = now + std::chrono::days(expires_in_days);
  int64_t id = 0;
  database_.InTransaction([&](storage::Connection& connection) {
    auto row = connection.QueryOne(
        kInsertSession, {HashToken(token), caller.user_id, std::string("api"), name, nullptr,
                         FormatInstant(now), FormatInstant(now), FormatInstant(expires),
                         caller.request.ip, caller.request.user_agent.substr(0, 300)});
    id = row->Int(0);
    RecordAudit(connection, Actor::From(caller),
                {"token.create", "session", IdString(id), Json(),
                 {{"name", name}, {"expiresAt", FormatInstant(expires)}}},
                now);
  });
  return {{"id", IdString(id)}, {"name", name}, {"token", token}, {"expiresAt", FormatInstant(expires)}};
}

void AuthService::RevokeToken(const Caller& caller, int64_t token_id) {
  database_.InTransaction([&](storage::Connection& connection) {
    auto row = connection.QueryOne(kFindToken, {token_id, caller.user_id});
    if (!row) ThrowNotFound("tokens", "token");
    connection.Execute(kRevokeSession, {FormatInstant(clock_.Now()), token_id});
    RecordAudit(connection, Actor::From(caller),
                {"token.revoke", "session", IdString(token_id), {{"name", row->OptionalText(1).value_or("")}},
                 Json()},
                clock_.Now());
  });
  // After the commit, so no request can re-cache the old state.
  ForgetCachedSessions();
}

}  // namespace tuoke::platform
