#include "modules/customers/customer_attachments.h"

#include <set>
#include <stdexcept>

#include "core/text.h"
#include "modules/customers/customer_io.h"
#include "platform/audit.h"
#include "platform/job_lease.h"

namespace tuoke::customers {
namespace {

using platform::Actor;
using platform::Caller;
using namespace std::chrono_literals;

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
// The bytes go to the blob store (storage/blob_store.h), which the row names by sha256 and
// storage.
const storage::Sql kInsertAttachment{
    "customer_attachments.insert",
    "INSERT INTO customer_attachments (customer_id, kind, file_name, content_type, size_bytes, sha256, "
    "storage, note, uploaded_by, uploaded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id"};
// Uploads to the database store before migration 0011 kept their bytes in the row (the
// content column of 0004_*.postgres.sql, PostgreSQL only); bytea travels as hex because
// the storage layer passes text. NULL for later uploads, which are in stored_blobs.
const storage::Sql kSelectContent{"customer_attachments.content", "SELECT NULL",
                                  "SELECT encode(content, 'hex') FROM customer_attachments WHERE id = ?"};
const storage::Sql kMarkDeleted{
    "customer_attachments.delete",
    "UPDATE customer_attachments SET deleted_at = ?, deleted_by = ? WHERE id = ? AND deleted_at IS NULL"};

// ---- R-CUST-51: the purge of deleted attachments' bytes ------------------------------------

constexpr const char* kPurgeJob = "customers.attachment_purge";
constexpr auto kPurgeLease = 5min;
// An upload stores its bytes (Put) seconds before its row commits: bytes touched this
// recently stay, whatever the rows say (storage::BlobRemoval).
constexpr auto kTouchGrace = 10min;
// R-CUST-60: a batch of at least this many contents, most of them unnamed, is refused.
constexpr size_t kMassRemovalFrom = 20;
struct SweepRefused : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// The bytes of attachments deleted before the cut-off and not purged yet, the oldest
// deletion first (the partial index of migration 0024).
const storage::Sql kPurgeCandidates{
    "customer_attachments.purge_candidates",
    "SELECT sha256, storage FROM customer_attachments WHERE deleted_at IS NOT NULL AND purged_at IS NULL AND "
    "deleted_at < ? GROUP BY sha256, storage ORDER BY MIN(deleted_at), sha256 LIMIT ?"};
// Another attachment still needs the bytes: not deleted, or deleted within the retention.
const storage::Sql kAttachmentNeedsBytes{
    "customer_attachments.needs_bytes",
    "SELECT 1 FROM customer_attachments WHERE sha256 = ? AND storage = ? AND purged_at IS NULL AND "
    "(deleted_at IS NULL OR deleted_at >= ?) LIMIT 1"};
// Which of the candidates check-in photos name (R-VISIT-39: the same store; photos are
// never deleted). One pass over check_in_photos for a whole run: it has no index by hash,
// which every check-in would pay for. A photo stored after this pass touched the bytes.
const storage::Sql kPhotosNaming{
    "customer_attachments.photos_naming",
    "SELECT DISTINCT sha256, storage FROM check_in_photos WHERE sha256 IN (SELECT value FROM json_each(?))",
    "SELECT DISTINCT sha256, storage FROM check_in_photos WHERE sha256 IN "
    "(SELECT jsonb_array_elements_text(CAST(? AS jsonb)))"};
// The rows whose retention ended; on PostgreSQL the bytes that uploads before migration
// 0011 kept in the row go with them.
const storage::Sql kMarkPurged{
    "customer_attachments.mark_purged",
    "UPDATE customer_attachments SET purged_at = ? WHERE sha256 = ? AND storage = ? AND deleted_at IS NOT NULL "
    "AND purged_at IS NULL AND deleted_at < ? RETURNING id, customer_id, file_name, deleted_at",
    "UPDATE customer_attachments SET purged_at = ?, content = NULL WHERE sha256 = ? AND storage = ? AND "
    "deleted_at IS NOT NULL AND purged_at IS NULL AND deleted_at < ? RETURNING id, customer_id, file_name, deleted_at"};

// R-CUST-60: which of a batch of contents the rows name. An attachment names its bytes until
// it is purged; a check-in photo always (never deleted). The photos are read in one pass per
// batch, as by the purge.
const storage::Sql kAttachmentsNaming{
    "customer_attachments.attachments_naming",
    "SELECT DISTINCT sha256, storage FROM customer_attachments WHERE purged_at IS NULL AND sha256 IN "
    "(SELECT value FROM json_each(?))",
    "SELECT DISTINCT sha256, storage FROM customer_attachments WHERE purged_at IS NULL AND sha256 IN "
    "(SELECT jsonb_array_elements_text(CAST(? AS jsonb)))"};
const storage::Sql kAttachmentNamesBytes{
    "customer_attachments.names_bytes",
    "SELECT 1 FROM customer_attachments WHERE sha256 = ? AND storage = ? AND purged_at IS NULL LIMIT 1"};

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

}  // namespace

AttachmentOptions ResolveAttachmentOptions(std::string_view store, const std::string& directory,
                                           const std::string& database_url) {
  return storage::ResolveBlobStoreOptions(store, directory, database_url);
}

std::optional<std::string> SniffAttachmentType(std::string_view bytes) { return storage::SniffContentType(bytes); }

CustomerAttachmentService::CustomerAttachmentService(CustomerService& customers, AttachmentOptions options)
    : customers_(customers), blobs_(std::move(options), customers.database().dialect()) {}

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
    // Stored before the row: a rolled-back upload leaves at most an unreferenced file,
    // which the next upload of the same bytes reuses; never a row without its bytes.
    storage::StoredBlob stored = blobs_.Put(connection, upload.bytes, now);
    storage::Params params{customer_id, upload.kind, file_name, *type, static_cast<int64_t>(upload.bytes.size()),
                           stored.sha256, stored.storage, storage::Nullable(upload.note),
                           caller.user_id, now_text};
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
  std::optional<std::string> in_row;
  if (row->Text(kStorage) == "database") {
    auto hex = connection->QueryOne(kSelectContent, {attachment_id});
    if (hex) in_row = hex->OptionalText(0);
  }
  content.bytes = in_row ? storage::BytesOfHex(*in_row) : blobs_.Get(*connection, row->Text(kSha), row->Text(kStorage));
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

AttachmentPurge CustomerAttachmentService::PurgeDeleted(Instant now, int max_blobs) {
  AttachmentPurge outcome;
  auto& database = customers_.database();
  Date today = BusinessDate(now, customers_.policies().TimeZone());
  int64_t retention_days = customers_.policies().IntOn("customers.deleted_attachment_retention_days", today);
  std::string cutoff = FormatInstant(now - std::chrono::days(retention_days));
  std::string now_text = FormatInstant(now);
  bool leased = false;
  database.InTransaction([&](storage::Connection& connection) {
    leased = platform::TakeJobLease(connection, kPurgeJob, now, kPurgeLease);
  });
  if (!leased) return outcome;
  outcome.ran = true;
  try {
    std::vector<std::pair<std::string, std::string>> candidates;
    std::set<std::pair<std::string, std::string>> photos;
    {
      auto connection = database.Acquire();
      for (const auto& row : connection->Query(kPurgeCandidates, {cutoff, int64_t{max_blobs} + 1}).rows)
        candidates.emplace_back(row.Text(0), row.Text(1));
      outcome.more = static_cast<int>(candidates.size()) > max_blobs;
      if (outcome.more) candidates.pop_back();
      if (!candidates.empty()) {
        Json hashes = Json::array();
        for (const auto& candidate : candidates) hashes.push_back(candidate.first);
        for (const auto& row : connection->Query(kPhotosNaming, {hashes.dump()}).rows)
          photos.emplace(row.Text(0), row.Text(1));
      }
    }
    Actor actor = Actor::System("attachment-purge");
    for (const auto& [sha256, storage] : candidates) {
      bool photo = photos.count({sha256, storage}) > 0;
      // Set aside only bytes that no row needed a moment ago: a live attachment's download
      // never looks for them while they are aside.
      std::optional<storage::BlobRemoval> removal;
      try {
        if (!photo && !database.Acquire()->QueryOne(kAttachmentNeedsBytes, {sha256, storage, cutoff}))
          removal.emplace(blobs_, sha256, storage, now - kTouchGrace);
      } catch (const std::runtime_error& error) {
        // Bytes out of reach (a directory that is not the store's, a file system error) hold
        // up only their own rows: the others are purged, and the caller reports the failure.
        if (outcome.failed++ == 0) outcome.first_error = error.what();
        continue;
      }
      bool removed = false;
      int64_t purged = 0;
      database.InTransaction([&](storage::Connection& connection) {
        removed = false;
        purged = 0;
        bool needed = !removal || connection.QueryOne(kAttachmentNeedsBytes, {sha256, storage, cutoff});
        if (!needed) {
          // An upload of the same bytes since the cut-off of the touch: retried next run.
          if (!removal->RemoveIn(connection)) return;
          removed = true;
        }
        // The rows' retention ended either way; the bytes went only when nothing needs them.
        for (const auto& row : connection.Query(kMarkPurged, {now_text, sha256, storage, cutoff}).rows) {
          platform::RecordAudit(connection, actor,
                                {"customer.attachment_purge", "customer", IdString(row.Int(1)),
                                 {{"attachmentId", IdString(row.Int(0))},
                                  {"fileName", row.Text(2)},
                                  {"deletedAt", row.Text(3)},
                                  {"sha256", sha256}},
                                 {{"bytesRemoved", removed}}},
                                now);
          ++purged;
        }
      });
      if (removed && removal) removal->Finish();
      outcome.attachments += purged;
      if (removed) ++outcome.blobs;
    }
  } catch (...) {
    database.InTransaction(
        [&](storage::Connection& connection) { platform::ReleaseJobLease(connection, kPurgeJob, now); });
    throw;
  }
  database.InTransaction([&](storage::Connection& connection) { platform::ReleaseJobLease(connection, kPurgeJob, now); });
  // More only after progress: candidates an upload touched stay first until the next run.
  outcome.more = outcome.more && outcome.attachments > 0;
  return outcome;
}

BlobSweep CustomerAttachmentService::SweepUnnamed(Instant now, std::chrono::seconds grace, int batch,
                                                  bool mass_removal) {
  BlobSweep outcome;
  auto& database = customers_.database();
  // The purge's lease: a file set aside while it is held is the purge's own, and one found
  // while this holds it is a crash's leftover (storage::BlobStore::WalkDisk). Taken again at
  // each batch, so a long sweep keeps it.
  auto keep_lease = [&] {
    bool leased = false;
    database.InTransaction([&](storage::Connection& connection) {
      leased = platform::TakeJobLease(connection, kPurgeJob, customers_.clock().Now(), kPurgeLease);
    });
    return leased;
  };
  if (!keep_lease()) return outcome;
  outcome.ran = true;
  Instant untouched_since = now - grace;
  Actor actor = Actor::System("blob-sweep");
  auto fail = [&](const std::string& why) {
    if (outcome.failed++ == 0) outcome.first_error = why;
  };
  // The contents of one storage that no row names are removed, each in a transaction that
  // looks at the attachments once more. Bytes a row names are always touched by its Put before
  // the row commits, seconds before: so a content untouched for the grace that no row named
  // when the batch was read is no row's, unless an upload touches it now, which the removal
  // sees (storage::BlobRemoval).
  auto sweep = [&](std::vector<storage::StoredContent>& contents, const std::string& storage) {
    if (contents.empty()) return;
    if (!keep_lease()) throw std::runtime_error("the job lease of the attachment purge was lost");
    outcome.examined += static_cast<int64_t>(contents.size());
    Json hashes = Json::array();
    for (const auto& content : contents) hashes.push_back(content.sha256);
    std::set<std::string> named;
    {
      auto connection = database.Acquire();
      for (const storage::Sql* naming : {&kAttachmentsNaming, &kPhotosNaming})
        for (const auto& row : connection->Query(*naming, {hashes.dump()}).rows)
          if (row.Text(1) == storage) named.insert(row.Text(0));
    }
    // Bytes no row names are rare (a failed upload or check-in). Most of a batch unnamed is a
    // directory paired with the wrong database (`--attachments-dir`, a restored backup).
    size_t unnamed = contents.size() - named.size();
    if (!mass_removal && contents.size() >= kMassRemovalFrom && unnamed * 2 > contents.size())
      throw SweepRefused("refused: " + std::to_string(unnamed) + " of " + std::to_string(contents.size()) +
                         " stored contents (" + storage +
                         ") are named by no row; is it this database's attachment directory? (--force)");
    for (const auto& content : contents) {
      if (named.count(content.sha256)) continue;
      try {
        storage::BlobRemoval removal(blobs_, content.sha256, storage, untouched_since);
        bool removed = false;
        database.InTransaction([&](storage::Connection& connection) {
          removed = false;
          if (connection.QueryOne(kAttachmentNamesBytes, {content.sha256, storage})) return;
          if (!removal.RemoveIn(connection)) return;
          removed = true;
          platform::RecordAudit(connection, actor,
                                {"blob.sweep", "blob", content.sha256,
                                 {{"storage", storage}, {"sizeBytes", content.size_bytes}}, Json()},
                                now);
        });
        if (!removed) continue;
        removal.Finish();
        ++outcome.removed;
        outcome.bytes_removed += content.size_bytes;
      } catch (const std::runtime_error& error) {
        fail(error.what());
      }
    }
    contents.clear();
  };
  storage::DiskTidy tidy;
  try {
    std::vector<storage::StoredContent> contents;
    blobs_.WalkDisk(
        untouched_since,
        [&](const storage::StoredContent& content) {
          contents.push_back(content);
          if (static_cast<int>(contents.size()) >= batch) sweep(contents, "disk");
        },
        tidy);
    sweep(contents, "disk");
    // PostgreSQL's stored_blobs, in the hashes' order.
    for (std::string after;;) {
      contents = blobs_.UntouchedInDatabase(*database.Acquire(), after, untouched_since, batch);
      if (contents.empty()) break;
      after = contents.back().sha256;
      bool last = static_cast<int>(contents.size()) < batch;
      sweep(contents, "database");
      if (last) break;
    }
  } catch (const SweepRefused& refused) {
    fail(refused.what());  // the sweep ends there; the lease is given back below
  } catch (...) {
    database.InTransaction(
        [&](storage::Connection& connection) { platform::ReleaseJobLease(connection, kPurgeJob, now); });
    throw;
  }
  database.InTransaction(
      [&](storage::Connection& connection) { platform::ReleaseJobLease(connection, kPurgeJob, now); });
  outcome.unfinished = tidy.unfinished;
  outcome.restored = tidy.restored;
  if (outcome.failed == 0) outcome.first_error = tidy.first_error;
  outcome.failed += tidy.failed;
  return outcome;
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

