// Uploaded bytes by their SHA-256, for every module that keeps files: customer attachments
// (R-CUST-26..28) and check-in photos (R-VISIT-39). The bytes live either on disk in a
// content-addressed directory beside the database (written to a temporary file, fsynced
// and renamed, so a crash never leaves half a file under its final name) or in PostgreSQL
// (table stored_blobs, migration 0011), as the server is configured (--attachments). The
// row that refers to a blob names its sha256 and its storage ("disk" / "database"), so a
// blob stays readable when the configuration changes later. The same bytes are stored
// once. Each module applies its own policies (size, allowed types) with CheckBlob before
// it stores. Thread-safe: no mutable state.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

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
  StoredBlob Put(Connection& connection, std::string_view bytes) const;

  // The bytes of a blob that a row names by sha256 and storage. Throws std::runtime_error
  // when they are missing or no longer match their hash.
  std::string Get(Connection& connection, const std::string& sha256, std::string_view storage) const;

  const BlobStoreOptions& options() const { return options_; }

 private:
  void StoreOnDisk(const std::string& sha256, std::string_view bytes) const;
  std::string ReadFromDisk(const std::string& sha256) const;

  BlobStoreOptions options_;
};

// Hex of bytes and back (bytea travels as hex text through the storage layer).
std::string HexOfBytes(std::string_view bytes);
std::string BytesOfHex(const std::string& hex);

}  // namespace tuoke::storage
