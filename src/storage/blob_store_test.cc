// The blob store of attachments and check-in photos on both backends: the disk store on
// each, the database store on PostgreSQL (refused on SQLite), deduplication by hash, the
// checks against a module's limits, and bytes changed behind the store's back.
#include "storage/blob_store.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "storage/migrator.h"
#include "storage/testing/test_database.h"

namespace tuoke::storage {
namespace {

using testing::TestBackend;

const std::string kPng = std::string("\x89PNG\r\n\x1A\n", 8) + std::string("\0\0\0\rIHDR fake image", 20);
const std::string kJpeg = "\xFF\xD8\xFF\xE0 jfif body";

const Sql kCountBlobs{"test.count_blobs", "SELECT 0", "SELECT COUNT(*) FROM stored_blobs"};
const Instant kNow = std::chrono::sys_days{std::chrono::year{2026} / 11 / 24} + std::chrono::hours{8};
using namespace std::chrono_literals;

class BlobStoreTest : public ::testing::TestWithParam<TestBackend> {
 protected:
  void SetUp() override {
    database_ = testing::OpenFreshDatabase(GetParam());
    if (!database_) GTEST_SKIP() << "TUOKE_TEST_PG_URL is not set (make test sets it)";
    Migrate(*database_);
    directory_ = testing::ScratchDirectory("blobs");
  }
  void TearDown() override {
    std::error_code error;
    std::filesystem::remove_all(directory_, error);
  }
  StoredBlob Put(const BlobStore& store, std::string_view bytes, Instant at = kNow) {
    StoredBlob stored;
    database_->InTransaction([&](Connection& connection) { stored = store.Put(connection, bytes, at); });
    return stored;
  }
  // A removal in a transaction of its own, as the purge runs it; whether the bytes went.
  bool Remove(const BlobStore& store, const StoredBlob& stored, Instant untouched_since) {
    BlobRemoval removal(store, stored.sha256, stored.storage, untouched_since);
    bool removed = false;
    database_->InTransaction([&](Connection& connection) { removed = removal.RemoveIn(connection); });
    if (removed) removal.Finish();
    return removed;
  }
  size_t FilesOnDisk() {
    size_t files = 0;
    for (const auto& entry : std::filesystem::recursive_directory_iterator(directory_))
      if (entry.is_regular_file()) ++files;
    return files;
  }
  std::string Get(const BlobStore& store, const StoredBlob& stored) {
    auto connection = database_->Acquire();
    return store.Get(*connection, stored.sha256, stored.storage);
  }

  std::unique_ptr<Database> database_;
  std::filesystem::path directory_;
};

TEST(BlobStoreOptionsTest, AutoFollowsTheBackend) {
  auto sqlite = ResolveBlobStoreOptions("auto", "", "sqlite:/srv/tuoke/tuoke.db");
  EXPECT_EQ(sqlite.store, BlobStoreKind::kDisk);
  EXPECT_EQ(sqlite.directory, "/srv/tuoke/attachments");
  EXPECT_EQ(ResolveBlobStoreOptions("auto", "", "postgresql://x/y").store, BlobStoreKind::kDatabase);
  EXPECT_EQ(ResolveBlobStoreOptions("auto", "/d", "postgresql://x/y").directory, "/d");
  EXPECT_EQ(ResolveBlobStoreOptions("disk", "/a", "postgresql://x/y").directory, "/a");
  EXPECT_THROW(ResolveBlobStoreOptions("database", "", "sqlite:x.db"), std::invalid_argument);
  EXPECT_THROW(ResolveBlobStoreOptions("s3", "", "sqlite:x.db"), std::invalid_argument);
}

TEST(BlobCheckTest, SizeAndTypeByContent) {
  std::vector<std::string> images = {"image/jpeg", "image/png"};
  EXPECT_EQ(CheckBlob(kPng, 1024, images).check, BlobCheck::kOk);
  EXPECT_EQ(CheckBlob(kPng, 1024, images).content_type, "image/png");
  EXPECT_EQ(CheckBlob("", 1024, images).check, BlobCheck::kEmpty);
  EXPECT_EQ(CheckBlob(kPng, static_cast<int64_t>(kPng.size()) - 1, images).check, BlobCheck::kTooLarge);
  EXPECT_EQ(CheckBlob(kPng, static_cast<int64_t>(kPng.size()), images).check, BlobCheck::kOk);
  // A PDF is a known type, but not one this caller allows; a script is no type at all.
  BlobVerdict pdf = CheckBlob("%PDF-1.7\n", 1024, images);
  EXPECT_EQ(pdf.check, BlobCheck::kTypeNotAllowed);
  EXPECT_EQ(pdf.content_type, "application/pdf");
  EXPECT_EQ(CheckBlob("<script>alert(1)</script>", 1024, images).check, BlobCheck::kTypeNotAllowed);
  EXPECT_EQ(Sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST_P(BlobStoreTest, DiskStoreKeepsEachContentOnceAndServesItBack) {
  BlobStore store({BlobStoreKind::kDisk, directory_.string()}, database_->dialect());
  StoredBlob first = Put(store, kPng);
  EXPECT_EQ(first.storage, "disk");
  EXPECT_EQ(first.sha256, Sha256Hex(kPng));
  std::filesystem::path file = directory_ / first.sha256.substr(0, 2) / first.sha256;
  EXPECT_TRUE(std::filesystem::exists(file));
  EXPECT_EQ(Get(store, first), kPng);
  // The same bytes again: the same name, one file, no temporary left behind.
  StoredBlob again = Put(store, kPng);
  EXPECT_EQ(again.sha256, first.sha256);
  size_t files = 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(directory_))
    if (entry.is_regular_file()) ++files;
  EXPECT_EQ(files, 1u);
  // Bytes changed behind the store's back are not served; a name that is not a hash is not
  // a path.
  std::ofstream(file, std::ios::binary | std::ios::trunc) << "tampered";
  EXPECT_THROW(Get(store, first), std::runtime_error);
  EXPECT_THROW(Get(store, {"../../etc/passwd", "disk"}), std::runtime_error);
  EXPECT_THROW(Get(store, {Sha256Hex(kJpeg), "disk"}), std::runtime_error);  // never stored
}

TEST_P(BlobStoreTest, DatabaseStoreOnPostgresOnly) {
  if (GetParam() != TestBackend::kPostgres) {
    EXPECT_THROW(BlobStore({BlobStoreKind::kDatabase, ""}, database_->dialect()), std::invalid_argument);
    return;
  }
  BlobStore store({BlobStoreKind::kDatabase, ""}, database_->dialect());
  std::string binary = kJpeg + std::string("\0\xff\x00\x7f", 4);
  StoredBlob stored = Put(store, binary);
  EXPECT_EQ(stored.storage, "database");
  EXPECT_EQ(Get(store, stored), binary);
  Put(store, binary);
  EXPECT_EQ(database_->Acquire()->QueryOne(kCountBlobs)->Int(0), 1) << "one row per content";
  // A rolled-back transaction leaves no row.
  EXPECT_THROW(database_->InTransaction([&](Connection& connection) {
    store.Put(connection, kPng, kNow);
    throw std::runtime_error("rolled back");
  }),
               std::runtime_error);
  EXPECT_EQ(database_->Acquire()->QueryOne(kCountBlobs)->Int(0), 1);
  EXPECT_THROW(Get(store, {Sha256Hex(kPng), "database"}), std::runtime_error);
  // Either store reads what a row says is in the other (the configuration changed).
  BlobStore disk({BlobStoreKind::kDisk, directory_.string()}, database_->dialect());
  EXPECT_EQ(Get(disk, stored), binary);
  StoredBlob on_disk = Put(disk, kPng);
  EXPECT_EQ(Get(BlobStore({BlobStoreKind::kDatabase, directory_.string()}, database_->dialect()), on_disk), kPng);
  EXPECT_THROW(Get(store, on_disk), std::runtime_error) << "no directory given";
}

// R-CUST-51: bytes no row needs are removed in step with the caller's transaction, and an
// upload that stored or reused them since the cut-off keeps them.
TEST_P(BlobStoreTest, DiskRemovalLeavesBytesAnUploadTouched) {
  BlobStore store({BlobStoreKind::kDisk, directory_.string()}, database_->dialect());
  std::filesystem::path file = store.DiskPath(Sha256Hex(kPng));
  // Stored an hour ago: removed.
  StoredBlob stored = Put(store, kPng, kNow - 1h);
  EXPECT_TRUE(Remove(store, stored, kNow - 10min));
  EXPECT_FALSE(std::filesystem::exists(file));
  EXPECT_EQ(FilesOnDisk(), 0u);
  EXPECT_THROW(Get(store, stored), std::runtime_error);
  EXPECT_TRUE(Remove(store, stored, kNow - 10min)) << "missing already counts as removed";

  // Reused by an upload after the cut-off (Put touches the file): kept.
  Put(store, kPng, kNow - 1h);
  Put(store, kPng, kNow - 1min);
  EXPECT_FALSE(Remove(store, stored, kNow - 10min));
  EXPECT_EQ(Get(store, stored), kPng);
  EXPECT_EQ(FilesOnDisk(), 1u) << "put back under its name";

  // Set aside, then read meanwhile (a live row's download), then the transaction rolls back.
  Put(store, kPng, kNow - 1h);
  {
    BlobRemoval removal(store, stored.sha256, stored.storage, kNow - 10min);
    EXPECT_FALSE(std::filesystem::exists(file));
    EXPECT_EQ(Get(store, stored), kPng) << "read where the removal set it aside";
    EXPECT_THROW(database_->InTransaction([&](Connection& connection) {
      EXPECT_TRUE(removal.RemoveIn(connection));
      throw std::runtime_error("rolled back");
    }),
                 std::runtime_error);
  }
  EXPECT_TRUE(std::filesystem::exists(file)) << "no Finish: back under its name";

  // Set aside, written anew by an upload, then rolled back: the upload's file, with its
  // touch, stays; the old one does not replace it.
  Put(store, kPng, kNow - 1h);
  {
    BlobRemoval removal(store, stored.sha256, stored.storage, kNow - 10min);
    Put(store, kPng, kNow);
  }
  EXPECT_EQ(FilesOnDisk(), 1u);
  EXPECT_FALSE(Remove(store, stored, kNow - 10min)) << "the upload's touch was kept";

  // An upload of the same bytes after the file was set aside writes it anew, and keeps it.
  Put(store, kPng, kNow - 1h);
  {
    BlobRemoval removal(store, stored.sha256, stored.storage, kNow - 10min);
    Put(store, kPng, kNow);
    database_->InTransaction([&](Connection& connection) { EXPECT_TRUE(removal.RemoveIn(connection)); });
    removal.Finish();
  }
  EXPECT_EQ(Get(store, stored), kPng);
  EXPECT_EQ(FilesOnDisk(), 1u);
}

TEST_P(BlobStoreTest, DatabaseRemovalLeavesBytesAnUploadTouched) {
  if (GetParam() != TestBackend::kPostgres) {
    BlobStore disk({BlobStoreKind::kDisk, directory_.string()}, database_->dialect());
    BlobRemoval removal(disk, Sha256Hex(kPng), "database", kNow);
    auto connection = database_->Acquire();
    EXPECT_THROW(removal.RemoveIn(*connection), std::runtime_error) << "no database store on SQLite";
    return;
  }
  BlobStore store({BlobStoreKind::kDatabase, ""}, database_->dialect());
  StoredBlob stored = Put(store, kJpeg, kNow - 1h);
  EXPECT_TRUE(Remove(store, stored, kNow - 10min));
  EXPECT_EQ(database_->Acquire()->QueryOne(kCountBlobs)->Int(0), 0);
  EXPECT_THROW(Get(store, stored), std::runtime_error);
  EXPECT_TRUE(Remove(store, stored, kNow - 10min)) << "missing already counts as removed";

  Put(store, kJpeg, kNow - 1h);
  Put(store, kJpeg, kNow - 1min);  // reused: touched
  EXPECT_FALSE(Remove(store, stored, kNow - 10min));
  EXPECT_EQ(Get(store, stored), kJpeg);
  EXPECT_TRUE(Remove(store, stored, kNow + 1min));

  // Rolled back: the row stays.
  Put(store, kJpeg, kNow - 1h);
  BlobRemoval removal(store, stored.sha256, stored.storage, kNow);
  EXPECT_THROW(database_->InTransaction([&](Connection& connection) {
    EXPECT_TRUE(removal.RemoveIn(connection));
    throw std::runtime_error("rolled back");
  }),
               std::runtime_error);
  EXPECT_EQ(Get(store, stored), kJpeg);
}

INSTANTIATE_TEST_SUITE_P(Backends, BlobStoreTest, ::testing::ValuesIn(testing::AllTestBackends()),
                         [](const auto& param_info) { return testing::BackendName(param_info.param); });

}  // namespace
}  // namespace tuoke::storage
