// Import and export of customers against both backends, with the demo company.
#include "modules/customers/customer_io.h"

#include <gtest/gtest.h>

#include "platform/auth.h"
#include "platform/audit.h"
#include "platform/demo_seed.h"
#include "platform/org.h"
#include "storage/migrator.h"
#include "platform/testing/demo_company_test.h"
#include "storage/testing/test_database.h"

namespace tuoke::customers {
namespace {

using platform::Caller;
using storage::testing::TestBackend;

TEST(CsvTest, QuotesOnlyWhatRfc4180Needs) {
  EXPECT_EQ(CsvField("北京凌天"), "北京凌天");
  EXPECT_EQ(CsvField("a,b"), "\"a,b\"");
  EXPECT_EQ(CsvField("say \"hi\""), "\"say \"\"hi\"\"\"");
  EXPECT_EQ(CsvField("two\nlines"), "\"two\nlines\"");
  EXPECT_EQ(CsvField(""), "");
  // Formula injection: the cell is shown as text.
  EXPECT_EQ(CsvField("=SUM(A1)"), "'=SUM(A1)");
  EXPECT_EQ(CsvField("-1,2"), "\"'-1,2\"");
}

TEST(CsvTest, ParsesWhatItWrites) {
  std::string text = CsvField("a,b") + "," + CsvField("say \"hi\"") + "," + CsvField("两\r\n行") + "\r\nx,,y\n";
  auto rows = ParseCsv(text);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0], (std::vector<std::string>{"a,b", "say \"hi\"", "两\r\n行"}));
  EXPECT_EQ(rows[1], (std::vector<std::string>{"x", "", "y"}));
}

class CustomerIoTest : public platform::testing::DemoCompanyTest {
 protected:
  void SetUp() override {
    DemoCompanyTest::SetUp();
    if (IsSkipped()) return;
    customers_ = std::make_unique<CustomerService>(*database_, *policies_, clock_);
    io_ = std::make_unique<CustomerIo>(*customers_);
  }
  void Create(const Caller& caller, const std::string& name, const std::string& phone) {
    customers_->Create(caller, {{"name", name}, {"type", "distributor"}, {"phone", phone},
                                {"acknowledgeDuplicates", true}});
  }
  int64_t Count(const Caller& caller) {
    int64_t rows = 0;
    customers_->ForEachListed(caller, {}, kMaxExportRows, [&](const auto&) { ++rows; });
    return rows;
  }
  // Good, bad and duplicate rows: row 2 good, 3 bad type and no name, 4 a duplicate of
  // an existing customer, 5 a duplicate of row 2 within the file.
  Json Rows() {
    return {{"columns", {"name", "type", "phone", "tags"}},
            {"rows",
             {{"上海远航贸易有限公司", "经销商", "021-5555 0101", "华东，重点"},
              {"", "shop", nullptr, nullptr},
              {"北京凌天贸易公司", "distributor", "010-6666 0202", nullptr},
              {"上海 远航商贸", "agent", nullptr, nullptr}}}};
  }

  std::unique_ptr<CustomerService> customers_;
  std::unique_ptr<CustomerIo> io_;
};

TEST_P(CustomerIoTest, CsvExportFollowsTheListScopeWithChineseLabels) {
  Caller rep1 = SignIn("rep1"), rep2 = SignIn("rep2"), gm = SignIn("gm");
  Create(rep1, "北京凌天商贸有限公司", "010-1234 5678");
  Create(rep2, "广州\"南方\",建材", "020-8765 4321");
  ExportFile file = io_->ExportCsv(rep1, {}, ExportLanguage::kChinese);
  EXPECT_EQ(file.rows, 1);
  EXPECT_EQ(file.body.rfind("\xEF\xBB\xBF客户名称,类型,等级,状态,", 0), 0u);
  EXPECT_NE(file.body.find("北京凌天商贸有限公司,经销商,"), std::string::npos);
  EXPECT_EQ(file.body.find("南方"), std::string::npos);
  EXPECT_EQ(file.file_name, "客户导出-2026-11-22.csv");

  ExportFile all = io_->ExportCsv(gm, {}, ExportLanguage::kEnglish);
  EXPECT_EQ(all.rows, 2);
  EXPECT_NE(all.body.find("Name,Type,Grade,Status"), std::string::npos);
  EXPECT_NE(all.body.find("\"广州\"\"南方\"\",建材\",distributor,"), std::string::npos);
  auto rows = ParseCsv(std::string_view(all.body).substr(3));
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[1][0], "广州\"南方\",建材");  // newest first, as the list
}

TEST_P(CustomerIoTest, XlsxExportIsAZipWorkbook) {
  Caller rep1 = SignIn("rep1");
  Create(rep1, "北京凌天商贸有限公司", "010-1234 5678");
  ExportFile file = io_->ExportXlsx(rep1, {}, ExportLanguage::kChinese);
  EXPECT_EQ(file.rows, 1);
  ASSERT_GT(file.body.size(), 1000u);
  EXPECT_EQ(file.body.substr(0, 2), "PK");
}

TEST_P(CustomerIoTest, DryRunReportsGoodBadAndDuplicateRowsAndWritesNothing) {
  Caller rep1 = SignIn("rep1");
  Create(rep1, "北京凌天商贸有限公司", "010-1234 5678");
  Json body = Rows();
  body["mode"] = "dry_run";
  Json report = io_->Import(rep1, body);
  EXPECT_EQ(report["total"], 4);
  EXPECT_EQ(report["valid"], 3);
  EXPECT_EQ(report["invalid"], 1);
  EXPECT_EQ(report["duplicates"], 2);
  EXPECT_EQ(report["created"], 0);
  EXPECT_EQ(report["rows"][0]["status"], "ok");
  EXPECT_EQ(report["rows"][1]["status"], "invalid");
  EXPECT_TRUE(report["rows"][1]["errors"].contains("name"));
  EXPECT_TRUE(report["rows"][1]["errors"].contains("type"));
  EXPECT_EQ(report["rows"][2]["status"], "duplicate");
  EXPECT_EQ(report["rows"][2]["matches"][0]["name"], "北京凌天商贸有限公司");
  EXPECT_EQ(report["rows"][3]["status"], "duplicate");
  EXPECT_EQ(report["rows"][3]["matches"][0]["row"], 2);
  EXPECT_EQ(Count(rep1), 1);
}

TEST_P(CustomerIoTest, AllOrNothingWritesNothingWhenARowIsBad) {
  Caller rep1 = SignIn("rep1");
  Json body = Rows();
  body["mode"] = "all_or_nothing";
  Json report = io_->Import(rep1, body);
  EXPECT_EQ(report["created"], 0);
  EXPECT_EQ(report["rows"][0]["status"], "skipped");
  EXPECT_EQ(Count(rep1), 0);

  // Without the bad row, acknowledged duplicates are written, all in one go.
  body["rows"].erase(1);
  body["acknowledgeDuplicates"] = true;
  report = io_->Import(rep1, body);
  EXPECT_EQ(report["created"], 3);
  EXPECT_EQ(report["rows"][0]["status"], "created");
  EXPECT_EQ(Count(rep1), 3);
}

TEST_P(CustomerIoTest, SkipBadCreatesTheValidRowsOwnedByTheImporter) {
  Caller rep1 = SignIn("rep1"), rep2 = SignIn("rep2"), mgr1 = SignIn("mgr1");
  Create(rep2, "北京凌天商贸有限公司", "010-1234 5678");
  Json body = Rows();
  body["mode"] = "skip_bad";
  Json report = io_->Import(rep1, body);
  EXPECT_EQ(report["created"], 1);
  EXPECT_EQ(report["rows"][0]["status"], "created");
  EXPECT_EQ(report["rows"][1]["status"], "invalid");
  // R-CUST-13: rep2's customer is outside rep1's scope: no id.
  EXPECT_TRUE(report["rows"][2]["matches"][0]["id"].is_null());
  EXPECT_EQ(report["rows"][2]["status"], "duplicate");
  EXPECT_EQ(Count(rep1), 1);
  Json created = Json::parse(customers_->Get(rep1, *ParseId(report["rows"][0]["id"].get<std::string>())));
  EXPECT_EQ(created["tags"], Json({"华东", "重点"}));
  EXPECT_EQ(created["ownerName"], "张伟");

  // Importing for someone else needs customers.assign over them.
  body["ownerId"] = IdString(rep2.user_id);
  EXPECT_THROW(io_->Import(rep1, body), Error);
  body["rows"] = {{"杭州新客户", "终端", nullptr, nullptr}};
  body["ownerId"] = IdString(rep1.user_id);
  report = io_->Import(mgr1, body);
  EXPECT_EQ(report["created"], 1);
  EXPECT_EQ(Count(rep1), 2);
}

// R-CUST-38: the bulk path leaves what one create per row leaves. 250 rows: two full
// multi-row statements and a one-row-per-statement remainder.
// R-CUST-22: the export reads the list's ids in one query and its rows by id in batches
// of 500; over several batches (the last one padded) it must give exactly the pages of
// the list, in their order, for each scope and with filters.
TEST_P(CustomerIoTest, ExportIsTheListInItsOrderAcrossBatches) {
  Caller rep1 = SignIn("rep1"), rep2 = SignIn("rep2"), mgr1 = SignIn("mgr1");
  // R-CUST-32: room for the 1,100 imported customers.
  policies_->AddVersion(SignIn("gm"), "customers.max_held_per_rep", 2000, FormatDate(policies_->Today()), "test");
  Json rows = Json::array();
  for (int i = 0; i < 1100; ++i)
    rows.push_back({"导出" + std::to_string(i) + "号机电有限公司", "经销商", i % 3 ? "" : "重点"});
  Json report = io_->Import(rep1, {{"columns", {"name", "type", "tags"}}, {"rows", rows}, {"mode", "all_or_nothing"}});
  ASSERT_EQ(report["created"], 1100) << report.dump().substr(0, 300);
  Create(rep2, "广州南方建材", "020-8765 4321");

  auto listed = [&](const Caller& caller, CustomerFilter filter) {
    std::vector<std::string> names;
    filter.limit = 200;
    for (;;) {
      Json page = Json::parse(customers_->List(caller, filter));
      for (const auto& item : page["items"]) names.push_back(item["name"]);
      if (page["nextCursor"].is_null()) return names;
      filter.cursor = page["nextCursor"].get<std::string>();
    }
  };
  auto exported = [&](const Caller& caller, const CustomerFilter& filter) {
    std::vector<std::string> names;
    customers_->ForEachListed(caller, filter, kMaxExportRows, [&](const auto& row) { names.push_back(row.name); });
    return names;
  };
  CustomerFilter by_name;
  by_name.sort = CustomerSort::kName;
  CustomerFilter key_tag;
  key_tag.tag = "重点";
  for (const Caller* caller : {&rep1, &mgr1}) {
    for (const CustomerFilter& filter : {CustomerFilter{}, by_name, key_tag}) {
      auto expected = listed(*caller, filter);
      EXPECT_EQ(exported(*caller, filter), expected);
    }
  }
  EXPECT_EQ(exported(rep1, key_tag).size(), 367u);
  EXPECT_GE(exported(mgr1, {}).size(), 1100u);
  // rep2 sees none of rep1's customers, in any batch.
  for (const auto& name : exported(rep2, {})) EXPECT_EQ(name.find("导出"), std::string::npos) << name;
  EXPECT_THROW(customers_->ForEachListed(rep1, {}, 1000, [](const auto&) {}), Error);
}

TEST_P(CustomerIoTest, BulkImportLeavesWhatCreateLeaves) {
  Caller rep1 = SignIn("rep1");
  Json rows = Json::array();
  for (int i = 0; i < 250; ++i)
    rows.push_back({"批量" + std::to_string(i) + "号建材有限公司", "经销商", "within_1_month",
                    "0571-" + std::to_string(80000000 + i), i % 2 ? "重点" : "", "联系人" + std::to_string(i)});
  // Row 252 repeats row 2's customer: its contact joins that customer (R-CUST-37).
  rows.push_back({"批量0号建材有限公司", nullptr, nullptr, nullptr, nullptr, "第二联系人"});
  Json body = {{"columns", {"name", "type", "purchaseHorizon", "phone", "tags", "contact.name"}},
               {"rows", rows},
               {"mode", "all_or_nothing"}};
  Json report = io_->Import(rep1, body);
  ASSERT_EQ(report["created"], 250) << report.dump().substr(0, 500);
  EXPECT_EQ(report["contactsCreated"], 251);
  EXPECT_EQ(report["rows"][250]["status"], "contact_added");

  // The same grade, history, timeline and tags as a customer created through the API.
  std::string first_id = report["rows"][0]["id"].get<std::string>();
  std::string last_id = report["rows"][249]["id"].get<std::string>();
  Json imported = Json::parse(customers_->Get(rep1, *ParseId(first_id)));
  std::string created_id = Json::parse(customers_->Create(
      rep1, {{"name", "对照建材有限公司"}, {"type", "distributor"}, {"purchaseHorizon", "within_1_month"}}))["id"];
  Json created = Json::parse(customers_->Get(rep1, *ParseId(created_id)));
  EXPECT_EQ(imported["grade"], created["grade"]);
  EXPECT_EQ(imported["ownerName"], created["ownerName"]);
  EXPECT_EQ(imported["contacts"].size(), 2u);
  EXPECT_GT(*ParseId(created_id), *ParseId(last_id)) << "ids taken by the import are not handed out again";
  Json odd = Json::parse(customers_->Get(rep1, *ParseId(report["rows"][1]["id"].get<std::string>())));
  EXPECT_EQ(odd["tags"], Json({"重点"}));
  EXPECT_EQ(customers_->GradeHistory(rep1, *ParseId(first_id))["items"].size(), 1u);
  Json timeline = customers_->Timeline(rep1, *ParseId(last_id), 10, std::nullopt);
  ASSERT_EQ(timeline["items"].size(), 1u);
  EXPECT_EQ(timeline["items"][0]["kind"], "created");

  // Found by the search index through the contact's name (the trigger path on SQLite).
  CustomerFilter filter;
  filter.query = "第二联系人";
  Json found = Json::parse(customers_->List(rep1, filter));
  ASSERT_EQ(found["items"].size(), 1u);
  EXPECT_EQ(found["items"][0]["id"], first_id);

  // One audit entry per customer and per contact, by the importer.
  auto connection = database_->Acquire();
  const storage::Sql kAudits{"test.import_audits",
                             "SELECT action, COUNT(*) FROM audit_log WHERE actor_id = ? AND action IN "
                             "('customer.create', 'contact.create') GROUP BY action ORDER BY action"};
  auto audits = connection->Query(kAudits, {rep1.user_id});
  ASSERT_EQ(audits.rows.size(), 2u);
  EXPECT_EQ(audits.rows[0].Int(1), 251);  // contacts
  EXPECT_EQ(audits.rows[1].Int(1), 251);  // 250 imported + 1 created
}

INSTANTIATE_TEST_SUITE_P(Backends, CustomerIoTest, ::testing::ValuesIn(storage::testing::AllTestBackends()),
                         platform::testing::BackendTestName);

}  // namespace
}  // namespace tuoke::customers
