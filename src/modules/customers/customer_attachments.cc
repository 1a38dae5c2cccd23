#include "modules/customers/customer_attachments.h"

#include <fcntl.h>
#include <sodium.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <random>
#include <set>
#include <stdexcept>

#include "core/text.h"
#include "modules/customers/customer_io.h"
#include "platform/audit.h"

namespace tuoke::customers {
namespace {

using platform::Actor;
using platform::Caller;

const std::set<std::string> kKinds = {"floor_plan", "business_card", "licence", "other"};
constexpr size_t kMaxFileNameLength = 200;
constexpr size_t kMaxNoteLength = 500;

#define TUOKE_ATTACHMENT_COLUMNS                                                               \
  "a.id, a.customer_id, a.kind, a.file_name, a.content_type, a.size_bytes, a.sha256, a.storage, " \
  "a.note, u.name, a.uploaded_at "
enum AttachmentColumn : size_t {
  kId, kCustomerId, kKind, kFileName, kContentType, kSize, kSha, kStorage, kNote, kUploaderName,
  kUploadedAt,
};

const storage::Sql kSelectAttachments{
    "customer_attachments.select_for_customer",
    "SELECT " TUOKE_ATTACHMENT_COLUMNS "FROM customer_attachments a LEFT JOIN users u ON u.id = a.uploaded_by "
    "WHERE a.customer_id = ? AND a.deleted_at IS NULL ORDER BY a.id"};
const storage::Sql kSelectAttachment{
    "customer_attachments.select",
    "SELECT " TUOKE_ATTACHMENT_COLUMNS "FROM customer_attachments a LEFT JOIN users u ON u.id = a.uploaded_by "
    "WHERE a.id = ? AND a.deleted_at IS NULL"};
const storage::Sql kCountAttachments{
    "customer_attachments.count",
    "SELECT COUNT(*) FROM customer_attachments WHERE customer_id = ? AND deleted_at IS NULL"};
// The content column exists on PostgreSQL only (0004_*.postgres.sql); bytea travels as hex
// because the storage layer passes text.
const storage::Sql kInsertAttachment{
    "customer_attachments.insert",
    "INSERT INTO customer_attachments (customer_id, kind, file_name, content_type, size_bytes, sha256, "
    "storage, note, uploaded_by, uploaded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
    "INSERT INTO customer_attachments (customer_id, kind, file_name, content_type, size_bytes, sha256, "
    "storage, note, uploaded_by, uploaded_at, content) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
    "decode(?, 'hex')) RETURNING id"};
const storage::Sql kSelectContent{"customer_attachments.content", "SELECT NULL",
                                  "SELECT encode(content, 'hex') FROM customer_attachments WHERE id = ?"};
const storage::Sql kMarkDeleted{
    "customer_attachments.delete",
    "UPDATE customer_attachments SET deleted_at = ?, deleted_by = ? WHERE id = ? AND deleted_at IS NULL"};

void WriteAttachment(JsonWriter& out, const storage::Row& row) {
  out.BeginObject();
  out.Key("id"), out.Id(row.Int(kId));
  out.Key("customerId"), out.Id(row.Int(kCustomerId));
  out.Key("kind"), out.String(row.Text(kKind));
  out.Key("fileName"), out.String(row.Text(kFileName));
  out.Key("contentType"), out.String(row.Text(kContentType));
  out.Key("sizeBytes"), out.Int(row.Int(kSize));
  out.Key("sha256"), out.String(row.Text(kSha));
  out.Key("note"), out.OptionalString(row.OptionalText(kNote));
  out.Key("uploadedByName"), out.OptionalString(row.OptionalText(kUploaderName));
  out.Key("uploadedAt"), out.String(row.Text(kUploadedAt));
  out.Key("downloadUrl"), out.String("/api/v1/customer-attachments/" + IdString(row.Int(kId)) + "/content");
  out.EndObject();
}

Json AttachmentJson(const storage::Row& row) {
  JsonWriter out;
  WriteAttachment(out, row);
  return Json::parse(out.Take());
}

std::string Sha256Hex(std::string_view bytes) {
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size());
  char hex[crypto_hash_sha256_BYTES * 2 + 1];
  sodium_bin2hex(hex, sizeof hex, digest, sizeof digest);
  return hex;
}

std::string HexOf(std::string_view bytes) {
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
    throw std::runtime_error("attachment content is not hex");
  bytes.resize(length);
  return bytes;
}

std::string_view Trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

// The last path component, so a name like "C:\\scan\\营业执照.pdf" or "../x" names a file only.
std::string BaseName(std::string_view name) {
  size_t slash = name.find_last_of("/\\");
  return std::string(slash == std::string_view::npos ? name : name.substr(slash + 1));
}

// An ASCII stand-in for the quoted filename= of old clients: non-ASCII bytes, quotes and
// backslashes become '_'.
std::string AsciiFileName(std::string_view name) {
  std::string out;
  for (unsigned char c : name) out.push_back(c < 0x20 || c >= 0x7f || c == '"' || c == '\\' ? '_' : char(c));
  return out;
}

void FsyncPath(const std::filesystem::path& path, int flags) {
  int fd = ::open(path.c_str(), flags | O_CLOEXEC);
  if (fd < 0) throw std::runtime_error("cannot open " + path.string() + ": " + std::strerror(errno));
  int result = ::fsync(fd);
  ::close(fd);
  if (result != 0) throw std::runtime_error("cannot fsync " + path.string() + ": " + std::strerror(errno));
}

}  // namespace

AttachmentOptions ResolveAttachmentOptions(std::string_view store, const std::string& directory,
                                           const std::string& database_url) {
  bool postgres = database_url.rfind("postgres", 0) == 0;
  AttachmentOptions options;
  if (store == "auto") store = postgres ? "database" : "disk";
  if (store == "database") {
    if (!postgres) throw std::invalid_argument("the attachment store 'database' needs PostgreSQL; use 'disk'");
    options.store = AttachmentStore::kDatabase;
    return options;
  }
  if (store != "disk") throw std::invalid_argument("attachment store must be auto, disk or database");
  options.store = AttachmentStore::kDisk;
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

std::optional<std::string> SniffAttachmentType(std::string_view bytes) {
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

CustomerAttachmentService::CustomerAttachmentService(CustomerService& customers, AttachmentOptions options)
    : customers_(customers), options_(std::move(options)) {
  if (sodium_init() < 0) throw std::runtime_error("libsodium failed to initialise");
  if (options_.store == AttachmentStore::kDatabase &&
      customers_.database().dialect() != storage::Dialect::kPostgres)
    throw std::invalid_argument("the attachment store 'database' needs PostgreSQL");
  if (options_.store == AttachmentStore::kDisk) std::filesystem::create_directories(options_.directory);
}

void CustomerAttachmentService::StoreOnDisk(const std::string& sha256, std::string_view bytes) {
  namespace fs = std::filesystem;
  fs::path folder = fs::path(options_.directory) / sha256.substr(0, 2);
  fs::path target = folder / sha256;
  std::error_code error;
  // Content-addressed: the same bytes are already there, complete (they were renamed in).
  if (fs::exists(target, error)) return;
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
  bool synced = ::fsync(fd) == 0;
  ::close(fd);
  if (!synced || ::rename(temporary.c_str(), target.c_str()) != 0) {
    fs::remove(temporary, error);
    throw std::runtime_error("cannot store attachment " + sha256);
  }
  FsyncPath(folder, O_RDONLY | O_DIRECTORY);
}

std::string CustomerAttachmentService::ReadFromDisk(const std::string& sha256) {
  std::filesystem::path file = std::filesystem::path(options_.directory) / sha256.substr(0, 2) / sha256;
  int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw std::runtime_error("attachment file missing: " + file.string());
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
  // A file changed behind our back is not served as the uploaded one.
  if (Sha256Hex(bytes) != sha256) throw std::runtime_error("attachment file corrupt: " + file.string());
  return bytes;
}

Json CustomerAttachmentService::Upload(const Caller& caller, int64_t customer_id, const AttachmentUpload& upload) {
  platform::Require(caller, "customers.write");
  auto& policies = customers_.policies();
  Date today = policies.Today();
  // R-CUST-26: the size and the count are company policies.
  int64_t max_bytes = policies.IntOn("customers.attachment_max_bytes", today);
  int64_t max_count = policies.IntOn("customers.attachments_per_customer", today);

  FieldErrors errors;
  if (!kKinds.count(upload.kind)) errors.Add("kind", "must be floor_plan, business_card, licence or other");
  std::string file_name = BaseName(Trim(upload.file_name));
  if (file_name.empty() || !IsCleanText(file_name) || file_name.find('\n') != std::string::npos ||
      file_name.find('\t') != std::string::npos || Utf8Length(file_name) > kMaxFileNameLength)
    errors.Add("fileName", "must be a file name of 1 to 200 characters");
  if (upload.note && (!IsCleanText(*upload.note) || Utf8Length(*upload.note) > kMaxNoteLength))
    errors.Add("note", "must be at most 500 characters of text");
  errors.ThrowIfAny();
  if (upload.bytes.empty()) ThrowValidation("body", "the file is empty");
  if (static_cast<int64_t>(upload.bytes.size()) > max_bytes)
    throw Error(ErrorKind::kPayloadTooLarge, "customers.attachment_too_large",
                "the file exceeds " + std::to_string(max_bytes) + " bytes",
                {{"limit", max_bytes}, {"size", upload.bytes.size()}});
  // R-CUST-26: the content decides the type; a declared type must agree with it.
  auto type = SniffAttachmentType(upload.bytes);
  if (!type)
    throw Error(ErrorKind::kValidation, "customers.attachment_type",
                "only JPEG, PNG, GIF, WebP images and PDF files are accepted",
                {{"allowed", {"image/jpeg", "image/png", "image/gif", "image/webp", "application/pdf"}}});
  if (upload.declared_type) {
    std::string declared = ToLowerAscii(Trim(upload.declared_type->substr(0, upload.declared_type->find(';'))));
    if (!declared.empty() && declared != "application/octet-stream" && declared != *type)
      throw Error(ErrorKind::kValidation, "customers.attachment_type_mismatch",
                  "the file's content is " + *type + ", not " + declared,
                  {{"declared", declared}, {"detected", *type}});
  }

  std::string sha = Sha256Hex(upload.bytes);
  bool in_database = options_.store == AttachmentStore::kDatabase;
  Instant now = customers_.clock().Now();
  std::string now_text = FormatInstant(now);
  Actor actor = Actor::From(caller);
  Json result;
  customers_.database().InTransaction([&](storage::Connection& connection) {
    customers_.RequireWritable(connection, caller, customer_id);
    int64_t count = connection.QueryOne(kCountAttachments, {customer_id})->Int(0);
    if (count >= max_count)
      throw Error(ErrorKind::kConflict, "customers.attachment_limit",
                  "the customer has the maximum number of attachments", {{"limit", max_count}});
    // Written before the row: a rolled-back upload leaves at most an unreferenced file,
    // which the next upload of the same bytes reuses; never a row without its file.
    if (!in_database) StoreOnDisk(sha, upload.bytes);
    storage::Params params{customer_id, upload.kind, file_name, *type, static_cast<int64_t>(upload.bytes.size()),
                           sha, std::string(in_database ? "database" : "disk"), storage::Nullable(upload.note),
                           caller.user_id, now_text};
    // The PostgreSQL statement always has the content parameter: NULL for the disk store.
    if (customers_.database().dialect() == storage::Dialect::kPostgres)
      params.push_back(in_database ? storage::Value(HexOf(upload.bytes)) : storage::Value(nullptr));
    int64_t id = connection.QueryOne(kInsertAttachment, params)->Int(0);
    result = AttachmentJson(*connection.QueryOne(kSelectAttachment, {id}));
    Json data = {{"attachmentId", IdString(id)}, {"kind", upload.kind}, {"fileName", file_name},
                 {"sizeBytes", upload.bytes.size()}};
    customers_.AppendEvent(connection, customer_id, "attachment_added", actor, "added attachment " + file_name,
                           data);
    platform::RecordAudit(connection, actor,
                          {"customer.attachment_add", "customer", IdString(customer_id), Json(), result}, now);
  });
  return result;
}

Json CustomerAttachmentService::List(const Caller& caller, int64_t customer_id) {
  auto connection = customers_.database().Acquire();
  customers_.CheckReadable(*connection, caller, customer_id);
  JsonWriter out;
  out.BeginObject();
  out.Key("items");
  WriteAttachments(out, *connection, customer_id);
  out.EndObject();
  return Json::parse(out.Take());
}

AttachmentContent CustomerAttachmentService::Download(const Caller& caller, int64_t attachment_id) {
  auto connection = customers_.database().Acquire();
  platform::Require(caller, "customers.read");
  auto row = connection->QueryOne(kSelectAttachment, {attachment_id});
  if (!row) ThrowNotFound("customers", "attachment");
  // R-CUST-28: the customer's scope decides; outside it the attachment does not exist.
  try {
    customers_.CheckReadable(*connection, caller, row->Int(kCustomerId));
  } catch (const Error& error) {
    if (error.kind() == ErrorKind::kNotFound) ThrowNotFound("customers", "attachment");
    throw;
  }
  AttachmentContent content{row->Text(kFileName), row->Text(kContentType), {}};
  if (row->Text(kStorage) == "database") {
    auto hex = connection->QueryOne(kSelectContent, {attachment_id});
    if (!hex || !hex->OptionalText(0)) throw std::runtime_error("attachment content missing");
    content.bytes = BytesOfHex(*hex->OptionalText(0));
  } else {
    content.bytes = ReadFromDisk(row->Text(kSha));
  }
  return content;
}

void CustomerAttachmentService::Delete(const Caller& caller, int64_t attachment_id) {
  Instant now = customers_.clock().Now();
  Actor actor = Actor::From(caller);
  customers_.database().InTransaction([&](storage::Connection& connection) {
    platform::Require(caller, "customers.write");
    auto row = connection.QueryOne(kSelectAttachment, {attachment_id});
    if (!row) ThrowNotFound("customers", "attachment");
    int64_t customer_id = row->Int(kCustomerId);
    try {
      customers_.RequireWritable(connection, caller, customer_id);
    } catch (const Error& error) {
      if (error.kind() == ErrorKind::kNotFound) ThrowNotFound("customers", "attachment");
      throw;
    }
    if (connection.Execute(kMarkDeleted, {FormatInstant(now), caller.user_id, attachment_id}) != 1)
      ThrowNotFound("customers", "attachment");
    Json before = AttachmentJson(*row);
    customers_.AppendEvent(connection, customer_id, "attachment_deleted", actor,
                           "deleted attachment " + row->Text(kFileName),
                           {{"attachmentId", IdString(attachment_id)}, {"fileName", row->Text(kFileName)}});
    platform::RecordAudit(connection, actor,
                          {"customer.attachment_delete", "customer", IdString(customer_id), before, Json()}, now);
  });
}

std::string AttachmentDisposition(const std::string& file_name, bool as_inline) {
  std::string header = ContentDisposition(file_name, AsciiFileName(file_name));
  if (as_inline) header.replace(0, std::string("attachment").size(), "inline");
  return header;
}

void WriteAttachments(JsonWriter& out, storage::Connection& connection, int64_t customer_id) {
  out.BeginArray();
  for (const auto& row : connection.Query(kSelectAttachments, {customer_id}).rows) WriteAttachment(out, row);
  out.EndArray();
}

}  // namespace tuoke::customers

