// Customer attachments (R-CUST-26..30) on both backends: disk store on each, and the
// database store on PostgreSQL; scope, type sniffing, size policy, merge and reversal.
#include "modules/customers/customer_attachments.h"

#include <gtest/gtest.h>

#include <unistd.h>

#include <fcntl.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <thread>

#include "modules/customers/customer_merge.h"
#include "modules/customers/pool_reclaim_job.h"
#include "platform/testing/demo_company_test.h"
#include "storage/testing/test_database.h"

namespace tuoke::customers {
namespace {

using platform::Caller;
using namespace std::chrono_literals;

const std::string kPng = std::string("\x89PNG\r\n\x1A\n", 8) + std::string("\0\0\0\rIHDR fake image", 20);
const std::string kPdf = "%PDF-1.7\n1 0 obj << >> endobj\n%%EOF\n";

class CustomerAttachmentTest : public platform::testing::DemoCompanyTest {
 protected:
  void SetUp() override {
    DemoCompanyTest::SetUp();
    if (IsSkipped()) return;
    directory_ = storage::testing::ScratchDirectory("attachments");
    customers_ = std::make_unique<CustomerService>(*database_, *policies_, clock_);
    attachments_ = std::make_unique<CustomerAttachmentService>(
        *customers_, AttachmentOptions{AttachmentStore::kDisk, directory_.string()});
  }
  void TearDown() override {
    std::error_code error;
    std::filesystem::remove_all(directory_, error);
    DemoCompanyTest::TearDown();
  }
  int64_t Create(const Caller& caller, const std::string& name) {
    Json body = {{"name", name}, {"type", "distributor"}, {"acknowledgeDuplicates", true}};
    return *ParseId(Json::parse(customers_->Create(caller, body))["id"].get<std::string>());
  }
  Json Upload(CustomerAttachmentService& service, const Caller& caller, int64_t customer, const std::string& bytes,
              const std::string& name = "平面图.png", std::optional<std::string> type = std::nullopt) {
    return service.Upload(caller, customer, AttachmentUpload{"floor_plan", name, type, std::nullopt, bytes});
  }

  int64_t Id(const Json& attachment) { return *ParseId(attachment["id"].get<std::string>()); }
  std::filesystem::path FileOf(const std::string& bytes) {
    std::string sha = storage::Sha256Hex(bytes);
    return directory_ / sha.substr(0, 2) / sha;
  }
  size_t FilesOnDisk() {
    size_t files = 0;
    for (const auto& entry : std::filesystem::recursive_directory_iterator(directory_))
      if (entry.is_regular_file()) ++files;
    return files;
  }
  // The purge's audit entries: whether each removed the bytes, by attachment id.
  std::map<std::string, bool> PurgeAudit() {
    static const storage::Sql kAudit{"test.purge_audit",
                                     "SELECT before_json, after_json FROM audit_log WHERE action = "
                                     "'customer.attachment_purge' ORDER BY id"};
    std::map<std::string, bool> entries;
    for (const auto& row : database_->Acquire()->Query(kAudit).rows)
      entries[Json::parse(row.Text(0))["attachmentId"].get<std::string>()] =
          Json::parse(row.Text(1))["bytesRemoved"].get<bool>();
    return entries;
  }

  // Another process holds the purge's job lease until `until`.
  void HoldPurgeLeaseElsewhere(Instant until) {
    static const storage::Sql kForeignLease{
        "test.foreign_lease",
        "INSERT INTO job_leases (job, holder, expires_at) VALUES ('customers.attachment_purge', 'other', ?) "
        "ON CONFLICT (job) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at"};
    database_->InTransaction(
        [&](storage::Connection& connection) { connection.Execute(kForeignLease, {FormatInstant(until)}); });
  }
  // A check-in of `rep` with a photo of `bytes` in `storage` (R-VISIT-39), as rows only.
  void NamePhoto(const Caller& rep, const std::string& bytes, const std::string& storage = "disk") {
    static const storage::Sql kCheckIn{
        "test.check_in",
        "INSERT INTO check_ins (client_id, rep_id, kind, place, at, business_date, received_at, device_at, lat, lng, "
        "accuracy_m, geofence, created_at) VALUES (?, ?, 'in', 'office', ?, ?, ?, ?, 0, 0, 10, 'none', ?) "
        "RETURNING id"};
    static const storage::Sql kPhoto{"test.check_in_photo",
                                     "INSERT INTO check_in_photos (check_in_id, content_type, bytes, storage, sha256) "
                                     "VALUES (?, 'image/png', ?, ?, ?)"};
    std::string sha = storage::Sha256Hex(bytes);
    database_->InTransaction([&](storage::Connection& connection) {
      std::string now = FormatInstant(clock_.Now());
      int64_t check_in = connection
                             .QueryOne(kCheckIn, {"photo-" + sha.substr(0, 12), rep.user_id, now,
                                                  FormatDate(policies_->Today()), now, now, now})
                             ->Int(0);
      connection.Execute(kPhoto, {check_in, static_cast<int64_t>(bytes.size()), storage, sha});
    });
  }

  std::filesystem::path directory_;
  std::unique_ptr<CustomerService> customers_;
  std::unique_ptr<CustomerAttachmentService> attachments_;
};

TEST(AttachmentSniffing, RecognisesAllowedTypesByContentOnly) {
  EXPECT_EQ(SniffAttachmentType(kPng), "image/png");
  EXPECT_EQ(SniffAttachmentType(kPdf), "application/pdf");
  EXPECT_EQ(SniffAttachmentType("\xFF\xD8\xFF\xE0 jfif"), "image/jpeg");
  EXPECT_EQ(SniffAttachmentType("GIF89a...."), "image/gif");
  EXPECT_EQ(SniffAttachmentType(std::string("RIFF\x10\0\0\0WEBPVP8 ", 16)), "image/webp");
  EXPECT_EQ(SniffAttachmentType("RIFF\x10\0\0\0AVI "), std::nullopt);
  EXPECT_EQ(SniffAttachmentType("<html><script>alert(1)</script>"), std::nullopt);
  EXPECT_EQ(SniffAttachmentType("MZ\x90\0 executable"), std::nullopt);
  EXPECT_EQ(SniffAttachmentType(""), std::nullopt);
}

TEST(AttachmentOptionsTest, AutoFollowsTheBackend) {
  auto sqlite = ResolveAttachmentOptions("auto", "", "sqlite:/srv/tuoke/tuoke.db");
  EXPECT_EQ(sqlite.store, AttachmentStore::kDisk);
  EXPECT_EQ(sqlite.directory, "/srv/tuoke/attachments");
  EXPECT_EQ(ResolveAttachmentOptions("auto", "", "postgresql://x/y").store, AttachmentStore::kDatabase);
  EXPECT_EQ(ResolveAttachmentOptions("disk", "/a", "postgresql://x/y").directory, "/a");
  EXPECT_THROW(ResolveAttachmentOptions("database", "", "sqlite:x.db"), std::invalid_argument);
  EXPECT_THROW(ResolveAttachmentOptions("s3", "", "sqlite:x.db"), std::invalid_argument);
}

TEST(AttachmentDispositionTest, CarriesTheUtf8NameAndAnAsciiFallback) {
  EXPECT_EQ(AttachmentDisposition("营业执照 \"1\".pdf", false),
            "attachment; filename=\"____________ _1_.pdf\"; filename*=UTF-8''%E8%90%A5%E4%B8%9A%E6%89%A7%E7%85%A7%20%221%22.pdf");
  EXPECT_EQ(AttachmentDisposition("a.png", true).rfind("inline; filename=\"a.png\"", 0), 0u);
}

TEST_P(CustomerAttachmentTest, UploadListDownloadDeleteOnDisk) {
  Caller rep1 = SignIn("rep1");
  int64_t customer = Create(rep1, "北京凌天商贸有限公司");
  clock_.Advance(std::chrono::minutes(1));
  Json added = Upload(*attachments_, rep1, customer, kPng, "C:\\scans\\平面图.png", "image/png");
  EXPECT_EQ(added["fileName"], "平面图.png");  // the path is dropped
  EXPECT_EQ(added["contentType"], "image/png");
  EXPECT_EQ(added["sizeBytes"], kPng.size());
  EXPECT_EQ(added["uploadedByName"], "张伟");
  std::string sha = added["sha256"];
  EXPECT_TRUE(std::filesystem::is_regular_file(directory_ / sha.substr(0, 2) / sha));

  int64_t id = *ParseId(added["id"].get<std::string>());
  AttachmentContent content = attachments_->Download(rep1, id);
  EXPECT_EQ(content.bytes, kPng);
  EXPECT_EQ(content.content_type, "image/png");

  Json detail = Json::parse(customers_->Get(rep1, customer));
  ASSERT_EQ(detail["attachments"].size(), 1u);
  EXPECT_EQ(detail["attachments"][0]["id"], added["id"]);
  Json timeline = customers_->Timeline(rep1, customer, 10, std::nullopt);
  EXPECT_EQ(timeline["items"][0]["kind"], "attachment_added");

  // The same bytes again share the file; both rows list.
  Upload(*attachments_, rep1, customer, kPng, "copy.png");
  EXPECT_EQ(attachments_->List(rep1, customer)["items"].size(), 2u);

  attachments_->Delete(rep1, id);
  EXPECT_EQ(attachments_->List(rep1, customer)["items"].size(), 1u);
  EXPECT_EQ(ErrorCode([&] { attachments_->Download(rep1, id); }), "customers.not_found");
  EXPECT_EQ(ErrorCode([&] { attachments_->Delete(rep1, id); }), "customers.not_found");
  EXPECT_EQ(customers_->Timeline(rep1, customer, 10, std::nullopt)["items"][0]["kind"], "attachment_deleted");
}

TEST_P(CustomerAttachmentTest, TypeSizeAndCountAreChecked) {
  Caller rep1 = SignIn("rep1"), admin = SignIn("gm");
  int64_t customer = Create(rep1, "上海东方建材");
  Json details;
  EXPECT_EQ(ErrorCode([&] { Upload(*attachments_, rep1, customer, "<svg onload=alert(1)>", "x.png"); }, &details),
            "customers.attachment_type");
  EXPECT_EQ(ErrorCode([&] { Upload(*attachments_, rep1, customer, kPdf, "x.png", "image/png"); }, &details),
            "customers.attachment_type_mismatch");
  EXPECT_EQ(details["detected"], "application/pdf");
  EXPECT_EQ(Upload(*attachments_, rep1, customer, kPdf, "licence.pdf", "application/octet-stream")["contentType"],
            "application/pdf");
  EXPECT_EQ(ErrorCode([&] { Upload(*attachments_, rep1, customer, ""); }), "validation.failed");
  EXPECT_EQ(ErrorCode([&] { Upload(*attachments_, rep1, customer, kPng, "../"); }), "validation.failed");
  EXPECT_EQ(ErrorCode([&] {
              attachments_->Upload(rep1, customer, AttachmentUpload{"selfie", "a.png", std::nullopt, std::nullopt, kPng});
            }),
            "validation.failed");

  // The size and count limits are policies.
  policies_->AddVersion(admin, "customers.attachment_max_bytes", Json(1024), FormatDate(policies_->Today()), "test");
  std::string big = kPng + std::string(2000, 'x');
  EXPECT_EQ(ErrorCode([&] { Upload(*attachments_, rep1, customer, big); }, &details),
            "customers.attachment_too_large");
  EXPECT_EQ(details["limit"], 1024);
  policies_->AddVersion(admin, "customers.attachments_per_customer", Json(2), FormatDate(policies_->Today()), "test");
  Upload(*attachments_, rep1, customer, kPng);
  EXPECT_EQ(ErrorCode([&] { Upload(*attachments_, rep1, customer, kPng); }), "customers.attachment_limit");
}

TEST_P(CustomerAttachmentTest, ScopeLikeTheCustomer) {
  Caller rep1 = SignIn("rep1"), rep2 = SignIn("rep2"), rep4 = SignIn("rep4"), mgr1 = SignIn("mgr1"),
         mgr2 = SignIn("mgr2");
  int64_t customer = Create(rep1, "广州南方五金");
  int64_t id = *ParseId(Upload(*attachments_, rep1, customer, kPng)["id"].get<std::string>());
  // Another rep, and another team's manager: it does not exist for them.
  for (const Caller* outsider : {&rep2, &rep4, &mgr2}) {
    EXPECT_EQ(ErrorCode([&] { attachments_->Download(*outsider, id); }), "customers.not_found");
    EXPECT_EQ(ErrorCode([&] { attachments_->List(*outsider, customer); }), "customers.not_found");
    EXPECT_EQ(ErrorCode([&] { attachments_->Delete(*outsider, id); }), "customers.not_found");
    EXPECT_EQ(ErrorCode([&] { Upload(*attachments_, *outsider, customer, kPng); }), "customers.not_found");
  }
  EXPECT_EQ(attachments_->Download(mgr1, id).bytes, kPng);
  EXPECT_EQ(ErrorCode([&] { attachments_->Download(rep1, 999999); }), "customers.not_found");
}

TEST_P(CustomerAttachmentTest, MergeMovesAttachmentsAndReversalMovesThemBack) {
  Caller rep1 = SignIn("rep1"), mgr1 = SignIn("mgr1");
  int64_t survivor = Create(rep1, "北京凌天商贸有限公司");
  int64_t merged = Create(rep1, "北京凌天贸易公司");
  Upload(*attachments_, rep1, merged, kPdf, "执照.pdf");
  CustomerMergeService merges(*database_, *customers_, clock_);
  Json record = merges.Merge(mgr1, {{"survivorId", IdString(survivor)}, {"mergedId", IdString(merged)},
                                    {"reason", "same"}});
  EXPECT_EQ(record["moved"]["attachments"].size(), 1u);
  EXPECT_EQ(attachments_->List(rep1, survivor)["items"].size(), 1u);
  merges.Reverse(mgr1, *ParseId(record["id"].get<std::string>()), {{"reason", "not the same"}});
  EXPECT_EQ(attachments_->List(rep1, survivor)["items"].size(), 0u);
  EXPECT_EQ(attachments_->List(rep1, merged)["items"][0]["fileName"], "执照.pdf");
}

TEST_P(CustomerAttachmentTest, DatabaseStoreKeepsTheBytesInPostgres) {
  if (GetParam() != storage::testing::TestBackend::kPostgres) {
    EXPECT_THROW((void)CustomerAttachmentService(*customers_, AttachmentOptions{AttachmentStore::kDatabase, ""}),
                 std::invalid_argument);
    return;
  }
  CustomerAttachmentService in_database(*customers_, AttachmentOptions{AttachmentStore::kDatabase, ""});
  Caller rep1 = SignIn("rep1");
  int64_t customer = Create(rep1, "深圳华强电子");
  std::string binary = kPng + std::string("\0\xff\x00\x7f", 4);
  int64_t id = *ParseId(Upload(in_database, rep1, customer, binary)["id"].get<std::string>());
  EXPECT_EQ(in_database.Download(rep1, id).bytes, binary);
  EXPECT_FALSE(std::filesystem::exists(directory_ / "00"));
  // R-CUST-51: deleted, and past the retention, the row of stored_blobs goes.
  static const storage::Sql kBlobs{"test.blobs", "SELECT COUNT(*) FROM stored_blobs"};
  in_database.Delete(rep1, id);
  clock_.Advance(24h * 31);
  AttachmentPurge run = in_database.PurgeDeleted(clock_.Now());
  EXPECT_EQ(run.attachments, 1);
  EXPECT_EQ(run.blobs, 1);
  EXPECT_EQ(database_->Acquire()->QueryOne(kBlobs)->Int(0), 0);
}

// R-CUST-51: the bytes of a deleted attachment go once the retention has passed, unless
// another attachment still needs them; the rows stay, marked, and each purge is audited.
TEST_P(CustomerAttachmentTest, PurgeRemovesTheBytesOnceTheRetentionHasPassed) {
  Caller rep1 = SignIn("rep1");
  int64_t first = Create(rep1, "北京凌天商贸有限公司"), second = Create(rep1, "上海东方建材");
  int64_t plan = Id(Upload(*attachments_, rep1, first, kPng, "a.png"));
  int64_t licence = Id(Upload(*attachments_, rep1, first, kPdf, "licence.pdf"));
  int64_t copy = Id(Upload(*attachments_, rep1, second, kPng, "copy.png"));  // the same bytes
  attachments_->Delete(rep1, plan);
  attachments_->Delete(rep1, licence);

  clock_.Advance(24h * 30 - 1min);  // the default retention is 30 days
  AttachmentPurge run = attachments_->PurgeDeleted(clock_.Now());
  EXPECT_TRUE(run.ran);
  EXPECT_EQ(run.attachments, 0);
  EXPECT_TRUE(std::filesystem::exists(FileOf(kPdf)));

  clock_.Advance(2min);
  run = attachments_->PurgeDeleted(clock_.Now());
  EXPECT_EQ(run.attachments, 2);
  EXPECT_EQ(run.blobs, 1);
  EXPECT_FALSE(run.more);
  EXPECT_FALSE(std::filesystem::exists(FileOf(kPdf)));
  EXPECT_TRUE(std::filesystem::exists(FileOf(kPng))) << "the copy still needs them";
  EXPECT_EQ(attachments_->Download(rep1, copy).bytes, kPng);
  EXPECT_EQ(PurgeAudit(), (std::map<std::string, bool>{{IdString(plan), false}, {IdString(licence), true}}));
  static const storage::Sql kPurged{"test.purged", "SELECT id FROM customer_attachments WHERE purged_at IS NOT NULL "
                                                   "ORDER BY id"};
  EXPECT_EQ(database_->Acquire()->Query(kPurged).rows.size(), 2u);
  EXPECT_EQ(attachments_->PurgeDeleted(clock_.Now()).attachments, 0) << "each row once";

  // The copy deleted in turn: its retention, then the last file goes.
  attachments_->Delete(rep1, copy);
  clock_.Advance(24h * 30 + 1min);
  run = attachments_->PurgeDeleted(clock_.Now());
  EXPECT_EQ(run.attachments, 1);
  EXPECT_EQ(run.blobs, 1);
  EXPECT_EQ(FilesOnDisk(), 0u);
  EXPECT_EQ(PurgeAudit().at(IdString(copy)), true);
  EXPECT_EQ(customers_->Timeline(rep1, second, 1, std::nullopt)["items"][0]["kind"], "attachment_deleted");
}

// The retention is a company policy; a check-in photo of the same bytes keeps them (the
// blob store is shared, R-VISIT-39); an upload of the same bytes that has not committed yet
// keeps them too (storage::BlobRemoval).
TEST_P(CustomerAttachmentTest, PurgeFollowsThePolicyAndKeepsBytesOthersNeed) {
  Caller rep1 = SignIn("rep1"), gm = SignIn("gm");
  policies_->AddVersion(gm, "customers.deleted_attachment_retention_days", 0, FormatDate(policies_->Today()), "test");
  int64_t customer = Create(rep1, "深圳华强电子");
  std::string photo_bytes = kPng + "photo";
  int64_t photo = Id(Upload(*attachments_, rep1, customer, photo_bytes, "photo.png"));
  int64_t licence = Id(Upload(*attachments_, rep1, customer, kPdf, "licence.pdf"));
  NamePhoto(rep1, photo_bytes);
  attachments_->Delete(rep1, photo);
  attachments_->Delete(rep1, licence);
  clock_.Advance(20min);  // the uploads are past the touch's grace
  // An upload of the licence's bytes stored them a minute ago and has not written its row.
  {
    storage::BlobStore blobs(attachments_->options(), database_->dialect());
    blobs.Put(*database_->Acquire(), kPdf, clock_.Now());
  }
  clock_.Advance(1min);
  AttachmentPurge run = attachments_->PurgeDeleted(clock_.Now());
  EXPECT_EQ(run.attachments, 1) << "the photo's attachment only: the licence's bytes were touched";
  EXPECT_EQ(run.blobs, 0);
  EXPECT_TRUE(std::filesystem::exists(FileOf(photo_bytes)));
  EXPECT_TRUE(std::filesystem::exists(FileOf(kPdf)));
  EXPECT_EQ(PurgeAudit(), (std::map<std::string, bool>{{IdString(photo), false}}));
  // That upload never committed: past the touch's grace the bytes go.
  clock_.Advance(10min);
  run = attachments_->PurgeDeleted(clock_.Now());
  EXPECT_EQ(run.attachments, 1);
  EXPECT_EQ(run.blobs, 1);
  EXPECT_FALSE(std::filesystem::exists(FileOf(kPdf)));
  EXPECT_TRUE(std::filesystem::exists(FileOf(photo_bytes)));
}

// Many deleted files: a run takes a bounded batch and says there is more; the server's
// background job runs the purge at its start until none is left; a lease held by another
// process makes a run skip.
TEST_P(CustomerAttachmentTest, PurgeRunsInBatchesFromTheBackgroundJob) {
  Caller rep1 = SignIn("rep1");
  int64_t customer = Create(rep1, "杭州西湖茶业");
  for (int i = 0; i < 5; ++i)
    attachments_->Delete(rep1, Id(Upload(*attachments_, rep1, customer, kPng + std::to_string(i), "p.png")));
  clock_.Advance(24h * 31);
  AttachmentPurge run = attachments_->PurgeDeleted(clock_.Now(), 2);
  EXPECT_EQ(run.blobs, 2);
  EXPECT_TRUE(run.more);
  EXPECT_EQ(FilesOnDisk(), 3u);

  HoldPurgeLeaseElsewhere(clock_.Now() + 1min);
  EXPECT_FALSE(attachments_->PurgeDeleted(clock_.Now()).ran);
  EXPECT_EQ(FilesOnDisk(), 3u);
  clock_.Advance(2min);  // the other process's lease has expired
  {
    PoolReclaimJob job(*customers_, *attachments_, clock_, 1h);
    for (int attempt = 0; attempt < 200 && FilesOnDisk() > 0; ++attempt) std::this_thread::sleep_for(10ms);
  }
  EXPECT_EQ(FilesOnDisk(), 0u);
}

// Bytes the purge cannot reach (here their folder is gone: a directory that is not the
// store's) hold up only their own rows; the run says so, and the others are purged.
TEST_P(CustomerAttachmentTest, PurgeGoesOnPastBytesItCannotReach) {
  Caller rep1 = SignIn("rep1");
  int64_t customer = Create(rep1, "苏州园区物流");
  std::string lost = kPng + "lost", kept = kPng + "kept";
  for (int i = 0; FileOf(kept).parent_path() == FileOf(lost).parent_path(); ++i) kept = kPng + std::to_string(i);
  int64_t lost_id = Id(Upload(*attachments_, rep1, customer, lost, "lost.png"));
  int64_t kept_id = Id(Upload(*attachments_, rep1, customer, kept, "kept.png"));
  attachments_->Delete(rep1, lost_id);
  attachments_->Delete(rep1, kept_id);
  std::filesystem::remove_all(FileOf(lost).parent_path());
  clock_.Advance(24h * 31);
  AttachmentPurge run = attachments_->PurgeDeleted(clock_.Now());
  EXPECT_EQ(run.failed, 1);
  EXPECT_NE(run.first_error.find("no folder for blob"), std::string::npos) << run.first_error;
  EXPECT_EQ(run.attachments, 1);
  EXPECT_EQ(run.blobs, 1);
  EXPECT_FALSE(std::filesystem::exists(FileOf(kept)));
  EXPECT_EQ(PurgeAudit(), (std::map<std::string, bool>{{IdString(kept_id), true}}));
  EXPECT_EQ(attachments_->PurgeDeleted(clock_.Now()).failed, 1) << "left, tried again";
}

// R-CUST-60: the stored bytes that no row names (an upload or a check-in rolled back after
// its bytes were stored) go once untouched for a day, each audited; bytes an attachment
// (deleted or not, until purged) or a photo names stay. What a crash left is finished
// first: a file a purge set aside is put back, an unfinished write removed once old. Other
// files in the directory are not the store's.
TEST_P(CustomerAttachmentTest, SweepRemovesTheBytesNoRowNames) {
  Caller rep1 = SignIn("rep1");
  int64_t customer = Create(rep1, "宁波港城物流");
  std::string named = kPng + "named", deleted = kPng + "deleted", photo = kPng + "photo";
  std::string orphan = kPng + "orphan", aside_orphan = kPdf + "aside";
  int64_t named_id = Id(Upload(*attachments_, rep1, customer, named, "named.png"));
  attachments_->Delete(rep1, Id(Upload(*attachments_, rep1, customer, deleted, "deleted.png")));
  NamePhoto(rep1, photo);
  storage::BlobStore blobs(attachments_->options(), database_->dialect());
  for (const std::string* bytes : {&photo, &orphan, &aside_orphan})
    blobs.Put(*database_->Acquire(), *bytes, clock_.Now());
  // A purge that crashed with two files set aside: one an attachment still names.
  auto aside = [&](const std::string& bytes) {
    return FileOf(bytes).parent_path() / (".purge-" + FileOf(bytes).filename().string());
  };
  std::filesystem::rename(FileOf(named), aside(named));
  std::filesystem::rename(FileOf(aside_orphan), aside(aside_orphan));
  EXPECT_EQ(attachments_->Download(rep1, named_id).bytes, named) << "read where it was set aside";
  // An upload that died while writing, and files that are not the store's.
  std::filesystem::path unfinished =
      FileOf(orphan).parent_path() / (".tmp-" + FileOf(orphan).filename().string() + "-7");
  { std::ofstream(unfinished) << "half"; }
  time_t written_at = std::chrono::duration_cast<std::chrono::seconds>(clock_.Now().time_since_epoch()).count();
  struct timespec times[2] = {{0, UTIME_OMIT}, {written_at, 0}};  // its mtime: the write, now
  ASSERT_EQ(::utimensat(AT_FDCWD, unfinished.c_str(), times, 0), 0);
  std::filesystem::path foreign = directory_ / "README", foreign_in_folder = FileOf(orphan).parent_path() / "notes.txt";
  { std::ofstream(foreign) << "not ours"; }
  { std::ofstream(foreign_in_folder) << "not ours"; }

  // Within the day nothing is examined; the files set aside are put back at once.
  clock_.Advance(23h);
  BlobSweep run = attachments_->SweepUnnamed(clock_.Now());
  EXPECT_TRUE(run.ran);
  EXPECT_EQ(run.examined, 0);
  EXPECT_EQ(run.restored, 2);
  EXPECT_EQ(run.unfinished, 0);
  EXPECT_TRUE(std::filesystem::exists(FileOf(named)));
  EXPECT_TRUE(std::filesystem::exists(FileOf(aside_orphan)));
  EXPECT_FALSE(std::filesystem::exists(aside(named)));
  EXPECT_TRUE(std::filesystem::exists(unfinished));

  clock_.Advance(2h);
  run = attachments_->SweepUnnamed(clock_.Now());
  EXPECT_EQ(run.examined, 5);
  EXPECT_EQ(run.removed, 2);
  EXPECT_EQ(run.bytes_removed, static_cast<int64_t>(orphan.size() + aside_orphan.size()));
  EXPECT_EQ(run.unfinished, 1);
  EXPECT_EQ(run.failed, 0) << run.first_error;
  for (const std::string* bytes : {&named, &deleted, &photo}) EXPECT_TRUE(std::filesystem::exists(FileOf(*bytes)));
  for (const std::string* bytes : {&orphan, &aside_orphan}) EXPECT_FALSE(std::filesystem::exists(FileOf(*bytes)));
  EXPECT_FALSE(std::filesystem::exists(unfinished));
  EXPECT_TRUE(std::filesystem::exists(foreign));
  EXPECT_TRUE(std::filesystem::exists(foreign_in_folder));
  EXPECT_EQ(attachments_->Download(rep1, named_id).bytes, named);
  static const storage::Sql kAudit{"test.sweep_audit",
                                   "SELECT entity_id, before_json FROM audit_log WHERE action = 'blob.sweep' ORDER BY "
                                   "entity_id"};
  std::map<std::string, int64_t> audited;
  for (const auto& row : database_->Acquire()->Query(kAudit).rows) {
    Json before = Json::parse(row.Text(1));
    EXPECT_EQ(before["storage"], "disk");
    audited[row.Text(0)] = before["sizeBytes"].get<int64_t>();
  }
  EXPECT_EQ(audited, (std::map<std::string, int64_t>{{storage::Sha256Hex(orphan), static_cast<int64_t>(orphan.size())},
                                                     {storage::Sha256Hex(aside_orphan),
                                                      static_cast<int64_t>(aside_orphan.size())}}));
  // Nothing more to remove.
  EXPECT_EQ(attachments_->SweepUnnamed(clock_.Now()).removed, 0);

  // Another process's run holds the lease: skipped.
  HoldPurgeLeaseElsewhere(clock_.Now() + 1min);
  EXPECT_FALSE(attachments_->SweepUnnamed(clock_.Now()).ran);
}

// R-CUST-60: a batch mostly of contents no row names is refused (a directory paired with
// another database), unless the operator says so; a few orphans among named bytes are not.
TEST_P(CustomerAttachmentTest, SweepRefusesADirectoryMostlyUnnamed) {
  Caller rep1 = SignIn("rep1");
  int64_t customer = Create(rep1, "佛山顺德家电");
  storage::BlobStore blobs(attachments_->options(), database_->dialect());
  for (int i = 0; i < 10; ++i) Upload(*attachments_, rep1, customer, kPng + "named" + std::to_string(i));
  for (int i = 0; i < 11; ++i) blobs.Put(*database_->Acquire(), kPng + "orphan" + std::to_string(i), clock_.Now());
  clock_.Advance(25h);
  BlobSweep run = attachments_->SweepUnnamed(clock_.Now());
  EXPECT_TRUE(run.ran);
  EXPECT_EQ(run.removed, 0);
  EXPECT_EQ(run.failed, 1);
  EXPECT_NE(run.first_error.find("refused: 11 of 21 stored contents (disk) are named by no row"), std::string::npos)
      << run.first_error;
  EXPECT_EQ(FilesOnDisk(), 21u);
  run = attachments_->SweepUnnamed(clock_.Now(), 24h, 10000, true);
  EXPECT_EQ(run.removed, 11);
  EXPECT_EQ(run.failed, 0);
  EXPECT_EQ(FilesOnDisk(), 10u);
  // Half unnamed is not most: 10 named and 10 unnamed are swept.
  for (int i = 0; i < 10; ++i) blobs.Put(*database_->Acquire(), kPdf + std::to_string(i), clock_.Now());
  clock_.Advance(25h);
  run = attachments_->SweepUnnamed(clock_.Now());
  EXPECT_EQ(run.removed, 10);
  EXPECT_EQ(FilesOnDisk(), 10u);
}

// R-CUST-60 in PostgreSQL's stored_blobs: a check-in's photo stored before its transaction
// failed leaves a row that nothing names; it goes, named ones stay. The server's job sweeps
// at its start.
TEST_P(CustomerAttachmentTest, SweepRemovesUnnamedBytesFromTheDatabaseAndFromTheJob) {
  Caller rep1 = SignIn("rep1");
  int64_t customer = Create(rep1, "温州鹿城鞋业");
  std::string orphan = kPng + "lost check-in";
  if (GetParam() == storage::testing::TestBackend::kPostgres) {
    CustomerAttachmentService in_database(*customers_, AttachmentOptions{AttachmentStore::kDatabase, ""});
    std::string named = kPng + "named", photo = kPng + "photo";
    Upload(in_database, rep1, customer, named);
    NamePhoto(rep1, photo, "database");
    storage::BlobStore blobs(in_database.options(), database_->dialect());
    for (const std::string* bytes : {&photo, &orphan}) blobs.Put(*database_->Acquire(), *bytes, clock_.Now());
    static const storage::Sql kStored{"test.stored", "SELECT sha256 FROM stored_blobs ORDER BY sha256"};
    auto stored = [&] {
      std::set<std::string> hashes;
      for (const auto& row : database_->Acquire()->Query(kStored).rows) hashes.insert(row.Text(0));
      return hashes;
    };
    EXPECT_EQ(in_database.SweepUnnamed(clock_.Now()).examined, 0);
    clock_.Advance(25h);
    BlobSweep run = in_database.SweepUnnamed(clock_.Now(), 24h, 2);  // batches of 2
    EXPECT_EQ(run.examined, 3);
    EXPECT_EQ(run.removed, 1);
    EXPECT_EQ(run.bytes_removed, static_cast<int64_t>(orphan.size()));
    EXPECT_EQ(stored(), (std::set<std::string>{storage::Sha256Hex(named), storage::Sha256Hex(photo)}));
  }
  // On disk, from the server's job.
  storage::BlobStore blobs(attachments_->options(), database_->dialect());
  blobs.Put(*database_->Acquire(), orphan, clock_.Now());
  Upload(*attachments_, rep1, customer, kPdf, "licence.pdf");
  clock_.Advance(25h);
  {
    PoolReclaimJob job(*customers_, *attachments_, clock_, 1h);
    for (int attempt = 0; attempt < 200 && std::filesystem::exists(FileOf(orphan)); ++attempt)
      std::this_thread::sleep_for(10ms);
  }
  EXPECT_FALSE(std::filesystem::exists(FileOf(orphan)));
  EXPECT_TRUE(std::filesystem::exists(FileOf(kPdf)));
}

INSTANTIATE_TEST_SUITE_P(Backends, CustomerAttachmentTest, ::testing::ValuesIn(storage::testing::AllTestBackends()),
                         platform::testing::BackendTestName);

}  // namespace
}  // namespace tuoke::customers
