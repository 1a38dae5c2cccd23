// Customer attachments (issue #3 item 1, §2): floor plans, business-card photos, licences
// and other files of a customer. Rules R-CUST-26..30 in README.md of this folder; HTTP
// contract in docs/api-customers.md.
//
// The bytes are kept by the shared blob store (storage/blob_store.h): on disk in a
// content-addressed directory beside the database, or in PostgreSQL, as the server is
// configured. The row in customer_attachments is written with its audit entry and
// timeline event in one transaction. Thread-safe: no mutable state.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/json_util.h"
#include "core/json_writer.h"
#include "modules/customers/customer_service.h"
#include "storage/blob_store.h"

namespace tuoke::customers {

// The attachment store is the shared blob store (also used by check-in photos).
using AttachmentStore = storage::BlobStoreKind;
using AttachmentOptions = storage::BlobStoreOptions;

// "disk" / "database" / "auto" with the database URL: auto keeps files on disk beside a
// SQLite database (<dir of the file>/attachments) and in the database on PostgreSQL.
// Throws std::invalid_argument for a store the backend cannot hold.
AttachmentOptions ResolveAttachmentOptions(std::string_view store, const std::string& directory,
                                           const std::string& database_url);

// The type of the bytes by their first bytes (magic numbers), never by the name or the
// declared type: image/jpeg, image/png, image/webp, image/gif, application/pdf; nullopt
// for anything else.
std::optional<std::string> SniffAttachmentType(std::string_view bytes);

struct AttachmentUpload {
  std::string kind;                          // floor_plan / business_card / licence / other
  std::string file_name;                     // as the user named it (UTF-8)
  std::optional<std::string> declared_type;  // the request's Content-Type
  std::optional<std::string> note;
  std::string_view bytes;
};

struct AttachmentContent {
  std::string file_name;
  std::string content_type;
  std::string bytes;
};

// What a purge run did (R-CUST-51).
struct AttachmentPurge {
  bool ran = false;          // false: another process holds the job lease
  int64_t attachments = 0;   // rows marked purged (their retention ended)
  int64_t blobs = 0;         // distinct contents whose bytes were removed
  bool more = false;         // candidates beyond max_blobs are left to the next run
  int64_t failed = 0;        // contents whose bytes could not be reached: left, retried next run
  std::string first_error;   // why the first of them failed
};

// What a sweep of the stored bytes did (R-CUST-60).
struct BlobSweep {
  bool ran = false;          // false: another process holds the job lease
  int64_t examined = 0;      // stored contents untouched for the grace, checked against the rows
  int64_t removed = 0;       // of them, the ones no row names: removed, each audited
  int64_t bytes_removed = 0;
  int64_t unfinished = 0;    // files of writes that never finished (.tmp-*), removed
  int64_t restored = 0;      // files a purge set aside and never finished with, put back first
  int64_t failed = 0;        // contents or files that could not be removed: left, retried next run
  std::string first_error;   // why the first of them failed
};

class CustomerAttachmentService {
 public:
  CustomerAttachmentService(CustomerService& customers, AttachmentOptions options);

  // R-CUST-26, 27: customers.write over the customer; answers the Attachment object.
  Json Upload(const platform::Caller& caller, int64_t customer_id, const AttachmentUpload& upload);
  // {"items":[Attachment…]} oldest first; customers.read over the customer.
  Json List(const platform::Caller& caller, int64_t customer_id);
  // R-CUST-28: the bytes of an attachment of a readable customer.
  AttachmentContent Download(const platform::Caller& caller, int64_t attachment_id);
  // R-CUST-29: marks it deleted (audited); customers.write over the customer.
  void Delete(const platform::Caller& caller, int64_t attachment_id);
  // R-CUST-51: the attachments deleted more than customers.deleted_attachment_retention_days
  // before `now` are marked purged (audited), and their bytes removed unless another
  // attachment, deleted later or not at all, or a check-in photo still names them. At most
  // max_blobs distinct contents per run; under a job lease, so one process at a time.
  AttachmentPurge PurgeDeleted(Instant now, int max_blobs = 200);
  // R-CUST-60: removes the stored bytes that no row names, untouched for `grace`: those of
  // an upload or a check-in whose row was rolled back (the bytes are stored before the row),
  // on disk and in PostgreSQL's stored_blobs. Also removes the files of writes that never
  // finished, and puts back the files a purge set aside before a crash (then sweeps them like
  // any other). Under the purge's job lease; `batch` contents are checked against the rows
  // at a time. A batch of 20 or more contents of which most are named by no row is refused,
  // and the sweep stops (a failure): the directory is likely another database's, unless
  // `mass_removal` says the operator knows better.
  BlobSweep SweepUnnamed(Instant now, std::chrono::seconds grace = std::chrono::hours(24), int batch = 10000,
                         bool mass_removal = false);

  const AttachmentOptions& options() const { return blobs_.options(); }

 private:
  CustomerService& customers_;
  storage::BlobStore blobs_;
};

// Content-Disposition of a download: RFC 6266 with the RFC 5987 UTF-8 name and an ASCII
// fallback; `inline` lets the browser show an image or PDF in place.
std::string AttachmentDisposition(const std::string& file_name, bool as_inline);

// The attachments of a customer as an array (for the customer detail, R-CUST-30).
void WriteAttachments(JsonWriter& out, storage::Connection& connection, int64_t customer_id);

}  // namespace tuoke::customers
