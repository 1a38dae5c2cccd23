#include "storage/blob_store.h"

#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <random>
#include <stdexcept>

namespace tuoke::storage {
namespace {

// The table exists on PostgreSQL only (0011_*.postgres.sql): the database store needs it.
const Sql kInsertBlob{"blobs.insert", "SELECT NULL",
                      "INSERT INTO stored_blobs (sha256, size_bytes, content, touched_at) "
                      "VALUES (?, ?, decode(?, 'hex'), ?) "
                      "ON CONFLICT (sha256) DO UPDATE SET touched_at = excluded.touched_at"};
const Sql kSelectBlob{"blobs.select", "SELECT NULL",
                      "SELECT encode(content, 'hex') FROM stored_blobs WHERE sha256 = ?"};
// R-CUST-51: the bytes no row needs, unless an upload touched them since the cut-off (its
// Put locks the row until it commits; this waits, then sees the new touched_at).
const Sql kDeleteBlob{"blobs.delete", "SELECT NULL",
                      "DELETE FROM stored_blobs WHERE sha256 = ? AND (touched_at IS NULL OR touched_at < ?)"};
const Sql kBlobExists{"blobs.exists", "SELECT NULL", "SELECT 1 FROM stored_blobs WHERE sha256 = ?"};
// R-CUST-60: the contents untouched since a time, in the hashes' order (the primary key).
const Sql kUntouchedBlobs{"blobs.untouched", "SELECT NULL",
                          "SELECT sha256, size_bytes FROM stored_blobs WHERE sha256 > ? AND "
                          "(touched_at IS NULL OR touched_at < ?) ORDER BY sha256 LIMIT ?"};

// `now` as a file time.
struct timespec TimespecOf(Instant now) {
  auto ms = now.time_since_epoch().count();
  struct timespec time {};
  time.tv_sec = static_cast<time_t>(ms / 1000);
  time.tv_nsec = static_cast<long>(ms % 1000) * 1000000;
  return time;
}

void FsyncPath(const std::filesystem::path& path, int flags) {
  int fd = ::open(path.c_str(), flags | O_CLOEXEC);
  if (fd < 0) throw std::runtime_error("cannot open " + path.string() + ": " + std::strerror(errno));
  int result = ::fsync(fd);
  ::close(fd);
  if (result != 0) throw std::runtime_error("cannot fsync " + path.string() + ": " + std::strerror(errno));
}

// A file's modification time as an instant.
Instant MtimeOf(const struct stat& status) {
  return std::chrono::sys_seconds(std::chrono::seconds(status.st_mtim.tv_sec)) +
         std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::nanoseconds(status.st_mtim.tv_nsec));
}

// Puts a file set aside back under its name, unless the same bytes have been written there
// again since: that file carries its writer's touch, which this one must not overwrite.
void PutBack(const std::string& aside, const std::string& file) {
  if (::link(aside.c_str(), file.c_str()) == 0 || errno == EEXIST) ::unlink(aside.c_str());
  else ::rename(aside.c_str(), file.c_str());  // a file system without hard links
}

// Lower-case hex digits only.
bool IsHexDigits(std::string_view text) {
  return std::all_of(text.begin(), text.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

// A sha256 from a row names a file: it must be 64 hex digits, never a path.
bool IsSha256Hex(std::string_view text) { return text.size() == 64 && IsHexDigits(text); }

}  // namespace

BlobStoreOptions ResolveBlobStoreOptions(std::string_view store, const std::string& directory,
                                         const std::string& database_url) {
  bool postgres = database_url.rfind("postgres", 0) == 0;
  BlobStoreOptions options;
  if (store == "auto") store = postgres ? "database" : "disk";
  if (store == "database") {
    if (!postgres) throw std::invalid_argument("the attachment store 'database' needs PostgreSQL; use 'disk'");
    options.store = BlobStoreKind::kDatabase;
  } else if (store == "disk") {
    options.store = BlobStoreKind::kDisk;
  } else {
    throw std::invalid_argument("attachment store must be auto, disk or database");
  }
  // The directory in both cases: the database store still reads the files of rows stored
  // on disk before the configuration changed.
  options.directory = directory;
  if (options.directory.empty()) {
    // Beside the SQLite file; on PostgreSQL the working directory's data/attachments.
    std::string path = database_url.rfind("sqlite:", 0) == 0 ? database_url.substr(7) : "";
    std::filesystem::path base = path.empty() || path == ":memory:" ? std::filesystem::path("data")
                                                                     : std::filesystem::path(path).parent_path();
    options.directory = (base / "attachments").string();
  }
  return options;
}

std::optional<std::string> SniffContentType(std::string_view bytes) {
  auto starts = [&](std::string_view magic, size_t at = 0) {
    return bytes.size() >= at + magic.size() && bytes.substr(at, magic.size()) == magic;
  };
  if (starts("\xFF\xD8\xFF")) return "image/jpeg";
  if (starts(std::string_view("\x89PNG\r\n\x1A\n", 8))) return "image/png";
  if (starts("GIF87a") || starts("GIF89a")) return "image/gif";
  if (starts("RIFF") && starts("WEBP", 8)) return "image/webp";
  if (starts("%PDF-")) return "application/pdf";
  return std::nullopt;
}

std::string Sha256Hex(std::string_view bytes) {
  if (sodium_init() < 0) throw std::runtime_error("libsodium failed to initialise");
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size());
  char hex[crypto_hash_sha256_BYTES * 2 + 1];
  sodium_bin2hex(hex, sizeof hex, digest, sizeof digest);
  return hex;
}

BlobVerdict CheckBlob(std::string_view bytes, int64_t max_bytes, const std::vector<std::string>& allowed_types) {
  if (bytes.empty()) return {BlobCheck::kEmpty, std::nullopt};
  if (static_cast<int64_t>(bytes.size()) > max_bytes) return {BlobCheck::kTooLarge, std::nullopt};
  auto type = SniffContentType(bytes);
  if (!type || std::find(allowed_types.begin(), allowed_types.end(), *type) == allowed_types.end())
    return {BlobCheck::kTypeNotAllowed, type};
  return {BlobCheck::kOk, type};
}

std::string HexOfBytes(std::string_view bytes) {
  std::string hex(bytes.size() * 2 + 1, '\0');
  sodium_bin2hex(hex.data(), hex.size(), reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size());
  hex.pop_back();
  return hex;
}

std::string BytesOfHex(const std::string& hex) {
  std::string bytes(hex.size() / 2, '\0');
  size_t length = 0;
  if (sodium_hex2bin(reinterpret_cast<unsigned char*>(bytes.data()), bytes.size(), hex.data(), hex.size(), nullptr,
                     &length, nullptr) != 0)
    throw std::runtime_error("blob content is not hex");
  bytes.resize(length);
  return bytes;
}

BlobStore::BlobStore(BlobStoreOptions options, Dialect dialect) : options_(std::move(options)) {
  if (sodium_init() < 0) throw std::runtime_error("libsodium failed to initialise");
  if (options_.store == BlobStoreKind::kDatabase && dialect != Dialect::kPostgres)
    throw std::invalid_argument("the attachment store 'database' needs PostgreSQL");
  if (options_.store == BlobStoreKind::kDisk) std::filesystem::create_directories(options_.directory);
}

StoredBlob BlobStore::Put(Connection& connection, std::string_view bytes, Instant now) const {
  StoredBlob stored{Sha256Hex(bytes), options_.store == BlobStoreKind::kDatabase ? "database" : "disk"};
  if (options_.store == BlobStoreKind::kDatabase)
    connection.Execute(kInsertBlob,
                       {stored.sha256, static_cast<int64_t>(bytes.size()), HexOfBytes(bytes), FormatInstant(now)});
  else
    StoreOnDisk(stored.sha256, bytes, now);
  return stored;
}

std::string BlobStore::DiskPath(const std::string& sha256) const {
  if (!IsSha256Hex(sha256)) throw std::runtime_error("not a sha256: " + sha256);
  if (options_.directory.empty()) throw std::runtime_error("blob " + sha256 + " is on disk, but no directory is set");
  return (std::filesystem::path(options_.directory) / sha256.substr(0, 2) / sha256).string();
}

std::string BlobStore::Get(Connection& connection, const std::string& sha256, std::string_view storage) const {
  if (!IsSha256Hex(sha256)) throw std::runtime_error("not a sha256: " + sha256);
  std::string bytes;
  if (storage == "database") {
    if (connection.dialect() != Dialect::kPostgres) throw std::runtime_error("blob " + sha256 + " is in a database store");
    auto row = connection.QueryOne(kSelectBlob, {sha256});
    if (!row || !row->OptionalText(0)) throw std::runtime_error("blob missing: " + sha256);
    bytes = BytesOfHex(*row->OptionalText(0));
  } else if (storage == "disk") {
    bytes = ReadFromDisk(sha256);
  } else {
    throw std::runtime_error("unknown blob storage " + std::string(storage));
  }
  // Bytes changed behind our back are never served as the uploaded ones.
  if (Sha256Hex(bytes) != sha256) throw std::runtime_error("blob corrupt: " + sha256);
  return bytes;
}

void BlobStore::StoreOnDisk(const std::string& sha256, std::string_view bytes, Instant now) const {
  namespace fs = std::filesystem;
  fs::path folder = fs::path(options_.directory) / sha256.substr(0, 2);
  fs::path target = folder / sha256;
  std::error_code error;
  // Content-addressed: the same bytes are already there, complete (they were renamed in).
  // They are touched (R-CUST-51): a removal started before this leaves them, and one that
  // set them aside already makes this fail with ENOENT and write them anew.
  struct timespec times[2] = {TimespecOf(now), TimespecOf(now)};
  if (::utimensat(AT_FDCWD, target.c_str(), times, 0) == 0) return;
  if (errno != ENOENT) {
    // Not ours to touch (another owner): there, as before; a removal is not expected.
    if (fs::exists(target, error)) return;
  }
  fs::create_directories(folder);
  std::random_device random;
  fs::path temporary = folder / (".tmp-" + sha256 + "-" + std::to_string(random()));
  int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0640);
  if (fd < 0) throw std::runtime_error("cannot create " + temporary.string() + ": " + std::strerror(errno));
  size_t written = 0;
  while (written < bytes.size()) {
    ssize_t n = ::write(fd, bytes.data() + written, bytes.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      int saved = errno;
      ::close(fd);
      fs::remove(temporary, error);
      throw std::runtime_error("cannot write " + temporary.string() + ": " + std::strerror(saved));
    }
    written += static_cast<size_t>(n);
  }
  // The bytes reach the disk before the name does, and the name before the row commits.
  bool synced = ::futimens(fd, times) == 0 && ::fsync(fd) == 0;
  ::close(fd);
  if (!synced || ::rename(temporary.c_str(), target.c_str()) != 0) {
    fs::remove(temporary, error);
    throw std::runtime_error("cannot store blob " + sha256);
  }
  FsyncPath(folder, O_RDONLY | O_DIRECTORY);
}

BlobRemoval::BlobRemoval(const BlobStore& store, std::string sha256, std::string storage, Instant untouched_since)
    : store_(store), sha256_(std::move(sha256)), storage_(std::move(storage)), untouched_since_(untouched_since) {
  if (storage_ != "disk") return;
  std::string file = store_.DiskPath(sha256_);
  std::string aside = (std::filesystem::path(file).parent_path() / (".purge-" + sha256_)).string();
  if (::rename(file.c_str(), aside.c_str()) == 0) {
    aside_ = std::move(aside);
    return;
  }
  if (errno != ENOENT) throw std::runtime_error("cannot set aside " + file + ": " + std::strerror(errno));
  // Put made the folder with the file: without it the directory is not the store's (a
  // wrong --attachments-dir), and "missing already" would be a wrong answer.
  std::error_code error;
  if (!std::filesystem::is_directory(std::filesystem::path(file).parent_path(), error))
    throw std::runtime_error("no folder for blob " + sha256_ + " in " + store_.options().directory +
                             ": is it the directory the server stores attachments in?");
}

BlobRemoval::~BlobRemoval() {
  if (finished_ || aside_.empty()) return;
  // Back under its name, unless an upload has written the same bytes there again since: that
  // file carries the upload's touch, which this one must not overwrite.
  PutBack(aside_, store_.DiskPath(sha256_));
}

bool BlobRemoval::RemoveIn(Connection& connection) {
  if (storage_ == "database") {
    if (connection.dialect() != Dialect::kPostgres) throw std::runtime_error("blob " + sha256_ + " is in a database store");
    if (connection.Execute(kDeleteBlob, {sha256_, FormatInstant(untouched_since_)}) == 1) return true;
    return !connection.QueryOne(kBlobExists, {sha256_});
  }
  if (storage_ != "disk") throw std::runtime_error("unknown blob storage " + storage_);
  if (aside_.empty()) return true;  // missing already
  struct stat status {};
  if (::stat(aside_.c_str(), &status) != 0) throw std::runtime_error("cannot stat " + aside_ + ": " + std::strerror(errno));
  return MtimeOf(status) < untouched_since_;
}

void BlobRemoval::Finish() {
  finished_ = true;
  if (aside_.empty()) return;
  if (::unlink(aside_.c_str()) != 0 && errno != ENOENT)
    throw std::runtime_error("cannot delete " + aside_ + ": " + std::strerror(errno));
  std::string folder = std::filesystem::path(aside_).parent_path().string();
  FsyncPath(folder, O_RDONLY | O_DIRECTORY);
}

void BlobStore::WalkDisk(Instant untouched_since, const std::function<void(const StoredContent&)>& visit,
                         DiskTidy& tidy) const {
  namespace fs = std::filesystem;
  std::error_code error;
  if (options_.directory.empty() || !fs::is_directory(options_.directory, error)) return;
  auto fail = [&](const std::string& why) {
    if (tidy.failed++ == 0) tidy.first_error = why;
  };
  std::vector<std::string> folders;
  for (const auto& entry : fs::directory_iterator(options_.directory)) {
    std::string name = entry.path().filename().string();
    bool hex = name.size() == 2 && IsHexDigits(name);
    if (hex && entry.is_directory(error)) folders.push_back(name);
  }
  std::sort(folders.begin(), folders.end());
  for (const std::string& folder : folders) {
    fs::path path = fs::path(options_.directory) / folder;
    // The names first: the tidying below renames within the folder.
    std::vector<std::string> names;
    for (const auto& entry : fs::directory_iterator(path, error)) names.push_back(entry.path().filename().string());
    if (error) {
      fail("cannot list " + path.string() + ": " + error.message());
      continue;
    }
    std::vector<std::string> contents;
    for (const std::string& name : names) {
      std::string file = (path / name).string();
      if (name.rfind(".purge-", 0) == 0 && IsSha256Hex(std::string_view(name).substr(7)) &&
          name.compare(7, 2, folder) == 0) {
        PutBack(file, (path / name.substr(7)).string());
        if (::access(file.c_str(), F_OK) == 0) fail("cannot put back " + file);
        else ++tidy.restored, contents.push_back(name.substr(7));
      } else if (name.rfind(".tmp-", 0) == 0) {
        struct stat status {};
        if (::lstat(file.c_str(), &status) != 0 || !S_ISREG(status.st_mode) || MtimeOf(status) >= untouched_since)
          continue;
        if (::unlink(file.c_str()) == 0) ++tidy.unfinished;
        else fail("cannot delete " + file + ": " + std::strerror(errno));
      } else if (IsSha256Hex(name) && name.compare(0, 2, folder) == 0) {
        contents.push_back(name);
      }
    }
    std::sort(contents.begin(), contents.end());
    contents.erase(std::unique(contents.begin(), contents.end()), contents.end());
    for (const std::string& sha256 : contents) {
      struct stat status {};
      std::string file = (path / sha256).string();
      if (::lstat(file.c_str(), &status) != 0 || !S_ISREG(status.st_mode) || MtimeOf(status) >= untouched_since)
        continue;
      visit(StoredContent{sha256, static_cast<int64_t>(status.st_size)});
    }
  }
}

std::vector<StoredContent> BlobStore::UntouchedInDatabase(Connection& connection, const std::string& after,
                                                          Instant untouched_since, int limit) const {
  std::vector<StoredContent> contents;
  if (connection.dialect() != Dialect::kPostgres) return contents;
  auto rows = connection.Query(kUntouchedBlobs, {after, FormatInstant(untouched_since), int64_t{limit}}).rows;
  for (const auto& row : rows) contents.push_back(StoredContent{row.Text(0), row.Int(1)});
  return contents;
}

std::string BlobStore::ReadFromDisk(const std::string& sha256) const {
  if (options_.directory.empty()) throw std::runtime_error("blob " + sha256 + " is on disk, but no directory is set");
  std::filesystem::path file = std::filesystem::path(options_.directory) / sha256.substr(0, 2) / sha256;
  int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
  // A removal that has set the file aside while it checks the rows puts it back when a row
  // still needs it (BlobRemoval): read it there meanwhile.
  if (fd < 0 && errno == ENOENT) fd = ::open((file.parent_path() / (".purge-" + sha256)).c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw std::runtime_error("blob file missing: " + file.string());
  std::string bytes;
  char buffer[65536];
  for (;;) {
    ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      ::close(fd);
      throw std::runtime_error("cannot read " + file.string());
    }
    if (n == 0) break;
    bytes.append(buffer, static_cast<size_t>(n));
  }
  ::close(fd);
  return bytes;
}

}  // namespace tuoke::storage
