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
  StoredBlob Put(const BlobStore& store, std::string_view bytes) {
    StoredBlob stored;
    database_->InTransaction([&](Connection& connection) { stored = store.Put(connection, bytes); });
    return stored;
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
    store.Put(connection, kPng);
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

INSTANTIATE_TEST_SUITE_P(Backends, BlobStoreTest, ::testing::ValuesIn(testing::AllTestBackends()),
                         [](const auto& param_info) { return testing::BackendName(param_info.param); });

}  // namespace
}  // namespace tuoke::storage
