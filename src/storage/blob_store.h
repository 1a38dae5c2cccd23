// Uploaded bytes by their SHA-256, for every module that keeps files: customer attachments
// (R-CUST-26..28) and check-in photos (R-VISIT-39). The bytes live either on disk in a
// content-addressed directory beside the database (written to a temporary file, fsynced
// and renamed, so a crash never leaves half a file under its final name) or in PostgreSQL
// (table stored_blobs, migration 0011), as the server is configured (--attachments). The
// row that refers to a blob names its sha256 and its storage ("disk" / "database"), so a
// blob stays readable when the configuration changes later. The same bytes are stored
// once. Each module applies its own policies (size, allowed types) with CheckBlob before
// it stores, and removes the bytes that no row needs any longer with BlobRemoval
// (R-CUST-51). Thread-safe: no mutable state.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/time.h"
#include "storage/database.h"

namespace tuoke::storage {

enum class BlobStoreKind : uint8_t { kDisk, kDatabase };

struct BlobStoreOptions {
  BlobStoreKind store = BlobStoreKind::kDisk;
  // The directory of kDisk (created when missing); files go to <dir>/<sha[0:2]>/<sha>.
  // kDatabase reads the files of rows stored on disk from there (the store was changed).
  std::string directory;
};

// "disk" / "database" / "auto" with the database URL: auto keeps files on disk beside a
// SQLite database (<dir of the file>/attachments) and in the database on PostgreSQL. The
// directory is resolved for either store. Throws std::invalid_argument for a store the backend cannot hold.
BlobStoreOptions ResolveBlobStoreOptions(std::string_view store, const std::string& directory,
                                         const std::string& database_url);

// The type of the bytes by their first bytes (magic numbers), never by a name or a declared
// type: image/jpeg, image/png, image/webp, image/gif, application/pdf; nullopt otherwise.
std::optional<std::string> SniffContentType(std::string_view bytes);

// Lower-case hex SHA-256 of the bytes.
std::string Sha256Hex(std::string_view bytes);

// An upload against a module's limits: not empty, at most max_bytes, and of one of the
// allowed types by its content (SniffContentType). content_type is set when sniffed.
enum class BlobCheck : uint8_t { kOk, kEmpty, kTooLarge, kTypeNotAllowed };
struct BlobVerdict {
  BlobCheck check = BlobCheck::kOk;
  std::optional<std::string> content_type;
};
BlobVerdict CheckBlob(std::string_view bytes, int64_t max_bytes, const std::vector<std::string>& allowed_types);

// A stored content as a sweep of the store sees it (R-CUST-60).
struct StoredContent {
  std::string sha256;
  int64_t size_bytes = 0;
};

// What a walk of the disk store finished for a crash (R-CUST-60).
struct DiskTidy {
  int64_t unfinished = 0;  // files of writes that never finished (.tmp-*), removed
  int64_t restored = 0;    // files a removal set aside and never finished with, put back
  int64_t failed = 0;      // files that could not be tidied: left
  std::string first_error;
};

// Where Put left the bytes: the row referring to them keeps both.
struct StoredBlob {
  std::string sha256;
  std::string storage;  // "disk" / "database"
};

class BlobStore {
 public:
  // Throws std::invalid_argument for the database store on SQLite; creates the directory.
  BlobStore(BlobStoreOptions options, Dialect dialect);

  // Stores the bytes unless the same are there already. Call it before the referring row
  // is written, inside its transaction or before it: the bytes are complete (on disk:
  // written, fsynced and renamed in; in the database: a stored_blobs row, in the
  // connection's transaction if one is open) before any row names them, and a failed
  // write of the row leaves at most unreferenced bytes that the same upload reuses later.
  // The bytes are marked touched at `now` (the file's mtime, stored_blobs.touched_at), new
  // or reused: a removal leaves bytes touched since its cut-off (BlobRemoval).
  StoredBlob Put(Connection& connection, std::string_view bytes, Instant now) const;

  // The bytes of a blob that a row names by sha256 and storage. Throws std::runtime_error
  // when they are missing or no longer match their hash.
  std::string Get(Connection& connection, const std::string& sha256, std::string_view storage) const;

  const BlobStoreOptions& options() const { return options_; }

  // The file of a blob stored on disk.
  std::string DiskPath(const std::string& sha256) const;

  // R-CUST-60: walks the files of the disk store, folder by folder in the hashes' order,
  // and calls `visit` with each content untouched since `untouched_since` (its file's
  // mtime). Before that it finishes what a crash left in the folder: a file that a removal
  // set aside (".purge-<sha>") is put back under its name, or deleted when the same bytes
  // are there again, so call it only while no removal runs (the purge's job lease); and a
  // write that never finished (".tmp-<sha>-<n>") older than `untouched_since` is deleted.
  // Other files are not the store's and are left. Nothing when the directory is missing.
  void WalkDisk(Instant untouched_since, const std::function<void(const StoredContent&)>& visit,
                DiskTidy& tidy) const;
  // R-CUST-60 (PostgreSQL): up to `limit` contents of stored_blobs after `after` in the
  // hashes' order, untouched since `untouched_since`; none on SQLite.
  std::vector<StoredContent> UntouchedInDatabase(Connection& connection, const std::string& after,
                                                 Instant untouched_since, int limit) const;

 private:
  void StoreOnDisk(const std::string& sha256, std::string_view bytes, Instant now) const;
  std::string ReadFromDisk(const std::string& sha256) const;

  BlobStoreOptions options_;
};

// Removes the bytes of a blob that no row needs any longer (R-CUST-51), in step with the
// caller's transaction that records it:
//
//   BlobRemoval removal(store, sha256, storage, untouched_since);
//   database.InTransaction([&](Connection& c) {
//     if (<no row needs the bytes> && removal.RemoveIn(c)) <record it>;
//   });
//   removal.Finish();  // after the commit; the destructor alone puts the bytes back
//
// An upload of the same bytes may reuse them between the caller's check and its commit:
// Put touches them first, and bytes touched at or after `untouched_since` stay. On disk
// the file is renamed aside (".purge-<sha>") by the constructor, so that an upload after
// that finds no file and writes it anew, and its mtime is read after the rename, so that an
// upload before it is seen; Finish deletes it, the destructor without Finish renames it
// back. In the database the row is deleted in the caller's transaction unless touched (an
// upload's Put holds the row's lock until it commits). Not thread-safe; one per blob.
class BlobRemoval {
 public:
  BlobRemoval(const BlobStore& store, std::string sha256, std::string storage, Instant untouched_since);
  ~BlobRemoval();
  BlobRemoval(const BlobRemoval&) = delete;
  BlobRemoval& operator=(const BlobRemoval&) = delete;

  // In the caller's transaction: true when the bytes are gone (removed now, or missing
  // already), false when an upload touched them since the cut-off (they stay).
  bool RemoveIn(Connection& connection);
  // After the caller's transaction committed: the bytes set aside are deleted for good.
  void Finish();

 private:
  const BlobStore& store_;
  std::string sha256_;
  std::string storage_;
  Instant untouched_since_;
  std::string aside_;  // the renamed file on disk; empty when none
  bool finished_ = false;
};

// Hex of bytes and back (bytea travels as hex text through the storage layer).
std::string HexOfBytes(std::string_view bytes);
std::string BytesOfHex(const std::string& hex);

}  // namespace tuoke::storage
