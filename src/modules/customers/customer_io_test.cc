// Import and export of customers against both backends, with the demo company.
#include "modules/customers/customer_io.h"

#include <gtest/gtest.h>

#include <map>
#include <set>

#include "core/json_writer.h"
#include "modules/customers/customer_merge.h"
#include "modules/customers/import_file.h"
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

// An import reads the file's rows again from their offsets: every row must come back
// the same, quoted line breaks, doubled quotes, empty lines and a last row without a
// line break included.
TEST(CsvTest, RowsReadAgainFromTheirOffsetsAreTheSame) {
  std::string text = "名称,地址\r\n\"凌天\",\"路,号\n二楼\"\n\n,\r\"say \"\"hi\"\"\",x\"y\n\"\"\"\",\"\"z\nlast,\"open";
  auto rows = ParseCsv(text);
  ASSERT_EQ(rows.size(), 7u);
  EXPECT_EQ(rows[1], (std::vector<std::string>{"凌天", "路,号\n二楼"}));
  EXPECT_EQ(rows[2], (std::vector<std::string>{""}));
  EXPECT_EQ(rows[3], (std::vector<std::string>{"", ""}));
  EXPECT_EQ(rows[4], (std::vector<std::string>{"say \"hi\"", "x\"y"}));
  EXPECT_EQ(rows[5], (std::vector<std::string>{"\"", "z"}));  // the quoted empty field then z
  std::vector<size_t> offsets;
  std::vector<std::string> row;
  CsvReader reader(text);
  for (size_t start = 0; reader.Next(row); start = reader.offset()) offsets.push_back(start);
  ASSERT_EQ(offsets.size(), rows.size());
  EXPECT_EQ(rows[6], (std::vector<std::string>{"last", "open"}));  // a quote left open runs to the end
  for (size_t i = rows.size(); i-- > 0;) {  // backwards: nothing depends on the rows before
    CsvReader again(text, offsets[i]);
    ASSERT_TRUE(again.Next(row));
    EXPECT_EQ(row, rows[i]) << "row " << i;
    EXPECT_EQ(again.offset(), i + 1 < offsets.size() ? offsets[i + 1] : text.size());
  }
  EXPECT_FALSE(reader.Next(row));
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

  void SetPolicy(const std::string& key, const Json& value) {
    policies_->AddVersion(SignIn("gm"), key, value, FormatDate(policies_->Today()), "test");
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
  EXPECT_EQ(file.body.rfind("\xEF\xBB\xBF客户名称,客户编码,类型,等级,状态,", 0), 0u);
  EXPECT_NE(file.body.find("北京凌天商贸有限公司,,经销商,"), std::string::npos);
  EXPECT_EQ(file.body.find("南方"), std::string::npos);
  EXPECT_EQ(file.file_name, "客户导出-2026-11-22.csv");

  ExportFile all = io_->ExportCsv(gm, {}, ExportLanguage::kEnglish);
  EXPECT_EQ(all.rows, 2);
  EXPECT_NE(all.body.find("Name,Code,Type,Grade,Status"), std::string::npos);
  EXPECT_NE(all.body.find("\"广州\"\"南方\"\",建材\",,distributor,"), std::string::npos);
  auto rows = ParseCsv(std::string_view(all.body).substr(3));
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[1][0], "广州\"南方\",建材");  // newest first, as the list
}

// R-CUST-66: an export carries each customer's main contact (its decision maker, else its
// first contact) under the import's headers, so it imports again with its mapping guessed.
TEST_P(CustomerIoTest, ExportCarriesTheMainContactAndImportsAgain) {
  Caller rep1 = SignIn("rep1");
  Json created = Json::parse(customers_->Create(
      rep1, {{"name", "主联系人客户"}, {"type", "distributor"}, {"industry", "建材"}, {"source", "trade_fair"},
             {"email", "buy@lingtian.example"}, {"notes", "展会认识"}, {"acknowledgeDuplicates", true}}));
  int64_t id = *ParseId(created["id"].get<std::string>());
  customers_->AddContact(rep1, id, {{"name", "王收货"}, {"purchaseRole", "receiver"}, {"mobile", "13900001111"}});
  customers_->AddContact(rep1, id, {{"name", "李总"}, {"title", "总经理"}, {"purchaseRole", "decision_maker"},
                                    {"mobile", "13900002222"}});
  customers_->AddContact(rep1, id, {{"name", "赵会计"}, {"purchaseRole", "accountant"}});
  Create(rep1, "无联系人客户", "010-1234 5678");
  ExportFile file = io_->ExportCsv(rep1, {}, ExportLanguage::kChinese);
  auto rows = ParseCsv(std::string_view(file.body).substr(3));
  ASSERT_EQ(rows.size(), 3u);
  std::map<std::string, std::string> main;
  for (size_t c = 0; c < rows[0].size(); ++c) main[rows[0][c]] = rows[2][c];  // the older one, second
  EXPECT_EQ(main["客户名称"], "主联系人客户");
  EXPECT_EQ(main["联系人"], "李总");
  EXPECT_EQ(main["联系人职务"], "总经理");
  EXPECT_EQ(main["联系人手机"], "13900002222");
  EXPECT_EQ(main["行业"], "建材");
  EXPECT_EQ(main["来源"], "展会");
  EXPECT_EQ(main["邮箱"], "buy@lingtian.example");
  EXPECT_EQ(main["备注"], "展会认识");
  EXPECT_EQ(main["负责人"], "张伟");
  std::map<std::string, std::string> none;
  for (size_t c = 0; c < rows[0].size(); ++c) none[rows[0][c]] = rows[1][c];
  EXPECT_EQ(none["联系人"], "");
  EXPECT_EQ(none["联系人手机"], "");
  // The export imports again: every column but the computed ones is the import's.
  ImportFileOptions options;
  options.mode = "dry_run";
  Json report = io_->ImportFile(rep1, file.body, options);
  EXPECT_EQ(report["ignoredColumns"], (Json{"等级", "最近跟进", "创建日期"}));
  EXPECT_EQ(report["invalid"], 0);
}

TEST_P(CustomerIoTest, XlsxExportIsAZipWorkbook) {
  Caller rep1 = SignIn("rep1");
  Create(rep1, "北京凌天商贸有限公司", "010-1234 5678");
  ExportFile file = io_->ExportXlsx(rep1, {}, ExportLanguage::kChinese);
  EXPECT_EQ(file.rows, 1);
  ASSERT_GT(file.body.size(), 1000u);
  EXPECT_EQ(file.body.substr(0, 2), "PK");
}

// The workbook holds exactly the cells of the CSV export (the import's reader opens it):
// markup characters, line breaks and leading spaces included, over
// more rows than one deflate buffer holds.
TEST_P(CustomerIoTest, XlsxExportHoldsTheCellsOfTheCsvExport) {
  Caller rep1 = SignIn("rep1");
  policies_->AddVersion(SignIn("gm"), "customers.max_held_per_rep", 5000, FormatDate(policies_->Today()), "test");
  Json rows = Json::array();
  for (int i = 0; i < 1500; ++i)
    rows.push_back({"表格" + std::to_string(i) + "号<建材>&\"五金\"", "经销商", i % 2 ? "重点" : "",
                    i % 3 ? "杭州市 " + std::to_string(i) + "号\n二楼" : " 前导空格"});
  Json report = io_->Import(rep1, {{"columns", {"name", "type", "tags", "address"}}, {"rows", rows},
                                   {"mode", "all_or_nothing"}, {"acknowledgeDuplicates", true}});
  ASSERT_EQ(report["created"], 1500) << report.dump().substr(0, 300);
  for (ExportLanguage language : {ExportLanguage::kChinese, ExportLanguage::kEnglish}) {
    ExportFile csv = io_->ExportCsv(rep1, {}, language);
    ExportFile xlsx = io_->ExportXlsx(rep1, {}, language);
    EXPECT_EQ(xlsx.rows, 1500);
    auto expected = ParseCsv(std::string_view(csv.body).substr(3));
    auto cells = ReadXlsx(xlsx.body, 10000);
    ASSERT_EQ(cells.size(), expected.size());
    for (size_t r = 0; r < expected.size(); ++r) {
      auto& want = expected[r];
      for (auto& cell : want)
        if (cell.size() > 1 && cell[0] == '\'' && (cell[1] == '=' || cell[1] == '-')) cell.erase(0, 1);  // CSV's formula guard
      auto got = cells[r];
      got.resize(want.size());  // trailing empty cells are not written
      ASSERT_EQ(got, want) << "row " << r;
    }
  }
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

// R-CUST-38: the archive's matches of each 1,000-row chunk are read on another thread while
// the next chunk is checked; every match must land on its own row, in every chunk.
TEST_P(CustomerIoTest, ArchiveMatchesLandOnTheirRowsInEveryChunk) {
  Caller rep1 = SignIn("rep1");
  policies_->AddVersion(SignIn("gm"), "customers.max_held_per_rep", 5000, FormatDate(policies_->Today()), "test");
  const int kRows = 3500, kArchived = 7;
  auto archived_name = [](int k) { return "档案" + std::to_string(k) + "号电气有限公司"; };
  auto archived_phone = [](int k) { return "0571-7000000" + std::to_string(k); };
  for (int k = 0; k < kArchived; ++k) Create(rep1, archived_name(k), archived_phone(k));
  // Rows 250, 750, …, 3250 (two per chunk but the last) repeat archived customer i / 500.
  std::map<int, int> repeats;  // row index → archived customer
  std::string csv = "客户名称,类型,电话\n";
  for (int i = 0; i < kRows; ++i) {
    bool repeat = i % 500 == 250;
    if (repeat) repeats[i] = i / 500;
    csv += "分块" + std::to_string(i) + "号建材有限公司,经销商," +
           (repeat ? archived_phone(i / 500) : "0571-6" + std::to_string(1000000 + i)) + "\n";
  }
  for (const char* mode : {"dry_run", "skip_bad"}) {
    ImportFileOptions options;
    options.mode = mode;
    Json report = io_->ImportFile(rep1, csv, options);
    ASSERT_EQ(report["rows"].size(), static_cast<size_t>(kRows)) << mode;
    EXPECT_EQ(report["duplicates"], kArchived) << mode;
    for (int i = 0; i < kRows; ++i) {
      const Json& row = report["rows"][i];
      auto found = repeats.find(i);
      if (found == repeats.end()) {
        ASSERT_EQ(row["status"], std::string(mode) == "dry_run" ? "ok" : "created") << mode << " row " << i + 2;
        continue;
      }
      ASSERT_EQ(row["status"], "duplicate") << mode << " row " << i + 2;
      ASSERT_EQ(row["matches"].size(), 1u) << row.dump();
      EXPECT_EQ(row["matches"][0]["name"], archived_name(found->second)) << mode << " row " << i + 2;
      EXPECT_EQ(row["matches"][0]["reasons"], Json::array({"phone"})) << row.dump();
    }
  }
  EXPECT_EQ(Count(rep1), kArchived + kRows - kArchived);
}

// R-CUST-48: rows naming stored customers by code add their contacts to them (to the
// survivor of a merge), create nothing, and change none of their fields; codes out of the
// importer's reach are bad rows; a code met again in the file joins the first row's
// customer; and importing the same file again adds nothing.
TEST_P(CustomerIoTest, CodesMatchRowsToStoredCustomers) {
  Caller rep1 = SignIn("rep1"), rep2 = SignIn("rep2"), mgr1 = SignIn("mgr1");
  auto create = [&](const Caller& caller, const std::string& name, const std::string& code) {
    Json body = {{"name", name}, {"type", "distributor"}, {"code", code}, {"acknowledgeDuplicates", true}};
    return *ParseId(Json::parse(customers_->Create(caller, body))["id"].get<std::string>());
  };
  int64_t lingtian = create(rep1, "北京凌天商贸有限公司", "KH-001");
  customers_->AddContact(rep1, lingtian, {{"name", "王经理"}});
  create(rep2, "广州南方建材", "KH-002");
  customers_->Release(rep1, create(rep1, "公海五金", "KH-003"), {{"reason", "test"}});
  int64_t merged = create(rep1, "杭州青禾建材", "KH-004");
  int64_t survivor = create(rep1, "杭州青禾建材有限公司", "KH-005");
  CustomerMergeService(*database_, *customers_, clock_)
      .Merge(mgr1, {{"survivorId", IdString(survivor)}, {"mergedId", IdString(merged)}, {"reason", "same company"}});
  std::string csv =
      "客户名称,客户编码,类型,联系人,联系人手机\n"
      "凌天改名,KH-001,经销商,李四,13900002222\n"  // 2: to 凌天, its name kept
      ",ＫＨ－００１,,王经理,\n"                    // 3: 凌天 has 王经理 already
      "南方,KH-002,经销商,赵六,\n"                  // 4: rep2's, out of rep1's scope
      "公海,KH-003,经销商,钱七,\n"                  // 5: in the pool
      "青禾,KH-004,经销商,孙八,\n"                  // 6: merged: to the survivor
      "新客户甲,NEW-1,终端,周九,\n"                 // 7: a new customer with its code
      "新客户甲分部,NEW-1,,吴十,\n"                 // 8: joins row 7
      "新客户乙,bad code,终端,,\n"                  // 9: a malformed code
      ",KH-001,,,\n"                                // 10: repeats row 2 without a contact
      "凌天,KH-001,,李四,\n"                        // 11: 李四 again
      "新客户甲,N 1,,郑十一,\n";                    // 12: a malformed code, not joining row 7 by name
  ImportFileOptions options;
  options.mode = "dry_run";
  Json report = io_->ImportFile(rep1, csv, options);
  auto statuses = [](const Json& answer) {
    std::vector<std::string> out;
    for (const auto& row : answer["rows"]) out.push_back(row["status"]);
    return out;
  };
  // Rows 2 and 6 will add a contact to a stored customer (`contact`); rows 3 and 11 will
  // write nothing: 凌天 has 王经理, and row 2 gives it 李四 first.
  EXPECT_EQ(statuses(report), (std::vector<std::string>{"contact", "existing", "invalid", "invalid", "contact",
                                                         "ok", "contact", "invalid", "invalid", "existing",
                                                         "invalid"}));
  EXPECT_EQ(report["existing"], 4);
  EXPECT_EQ(report["rows"][0]["id"], IdString(lingtian));
  EXPECT_EQ(report["rows"][0]["customerName"], "北京凌天商贸有限公司");  // the file says 凌天改名
  EXPECT_EQ(report["rows"][4]["id"], IdString(survivor));
  EXPECT_EQ(report["rows"][4]["customerName"], "杭州青禾建材有限公司");
  EXPECT_FALSE(report["rows"][5].contains("customerName"));
  EXPECT_EQ(report["rows"][2]["errors"]["code"], "is the code of a customer outside your scope");
  EXPECT_EQ(report["rows"][3]["errors"]["code"], "is the code of 公海五金, which is in the shared pool: claim it first");
  EXPECT_TRUE(report["rows"][7]["errors"].contains("code"));
  EXPECT_EQ(report["rows"][8]["errors"]["contact.name"], "repeats the customer code of row 2 without a contact");
  EXPECT_EQ(report["rows"][10]["errors"]["code"], "must be 1–64 characters without spaces");

  options.mode = "all_or_nothing";
  report = io_->ImportFile(rep1, csv, options);
  EXPECT_EQ(report["rows"][0]["status"], "skipped");
  EXPECT_EQ(report["contactsCreated"], 0);

  options.mode = "skip_bad";
  report = io_->ImportFile(rep1, csv, options);
  EXPECT_EQ(statuses(report), (std::vector<std::string>{"contact_added", "existing", "invalid", "invalid",
                                                         "contact_added", "created", "contact_added", "invalid",
                                                         "invalid", "existing", "invalid"}));
  EXPECT_EQ(report["created"], 1);
  EXPECT_EQ(report["contactsCreated"], 4);
  Json stored = Json::parse(customers_->Get(rep1, lingtian));
  EXPECT_EQ(stored["name"], "北京凌天商贸有限公司");
  EXPECT_EQ(stored["type"], "distributor");
  ASSERT_EQ(stored["contacts"].size(), 2u);
  EXPECT_EQ(stored["contacts"][1]["name"], "李四");
  EXPECT_EQ(stored["contacts"][1]["mobile"], "13900002222");
  EXPECT_EQ(Json::parse(customers_->Get(rep1, survivor))["contacts"][0]["name"], "孙八");
  EXPECT_EQ(report["rows"][0]["customerName"], "北京凌天商贸有限公司");
  EXPECT_FALSE(report["rows"][6].contains("customerName"));  // a contact of the new customer
  Json created = Json::parse(customers_->Get(rep1, *ParseId(report["rows"][5]["id"].get<std::string>())));
  EXPECT_EQ(created["code"], "NEW-1");
  ASSERT_EQ(created["contacts"].size(), 2u);
  EXPECT_EQ(report["rows"][6]["id"], created["id"]);

  // The same file again: every good row now names a stored customer, and nothing is added.
  report = io_->ImportFile(rep1, csv, options);
  EXPECT_EQ(report["created"], 0);
  EXPECT_EQ(report["contactsCreated"], 0);
  EXPECT_EQ(report["existing"], 6);
  EXPECT_EQ(report["rows"][5]["status"], "existing");
  EXPECT_EQ(report["rows"][5]["id"], created["id"]);
  EXPECT_EQ(Json::parse(customers_->Get(rep1, lingtian))["contacts"].size(), 2u);

  // Across chunks of 1,000 rows: a stored code in the third chunk, a code of the first chunk
  // met again in the second and third.
  policies_->AddVersion(SignIn("gm"), "customers.max_held_per_rep", 5000, FormatDate(policies_->Today()), "test");
  std::string many = "客户名称,客户编码,类型,联系人\n";
  for (int i = 0; i < 2500; ++i) {
    std::string code = i == 2100 ? "KH-001" : i == 1500 || i == 2200 ? "GEN-10" : "GEN-" + std::to_string(i);
    many += "分块" + std::to_string(i) + "号," + code + ",终端,联系人" + std::to_string(i) + "\n";
  }
  report = io_->ImportFile(rep1, many, options);
  EXPECT_EQ(report["created"], 2497);
  EXPECT_EQ(report["existing"], 1);
  EXPECT_EQ(report["rows"][2100]["status"], "contact_added");
  EXPECT_EQ(report["rows"][2100]["id"], IdString(lingtian));
  for (int i : {1500, 2200}) {
    EXPECT_EQ(report["rows"][i]["status"], "contact_added") << i;
    EXPECT_EQ(report["rows"][i]["id"], report["rows"][10]["id"]) << i;
  }
  EXPECT_EQ(Json::parse(customers_->Get(rep1, lingtian))["contacts"].size(), 3u);
  if (GetParam() == TestBackend::kPostgres) {
    // R-CUST-49: the bulk writer's contacts, those added to stored customers, and those the
    // merge moved carry their customer's owner.
    auto mismatched = database_->Acquire()->QueryOne(
        {"test.contact_owners", "SELECT count(*) FROM contacts k JOIN customers c ON c.id = k.customer_id "
                                "WHERE k.owner_id IS DISTINCT FROM c.owner_id"});
    EXPECT_EQ(mismatched->Int(0), 0);
  }
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

// R-CUST-65: rows name their owners by login name or name; a manager gives customers to the
// users of their scope, a rep only to themselves; every owner's hold limit counts their rows.
TEST_P(CustomerIoTest, RowsNameTheirOwners) {
  Caller rep1 = SignIn("rep1"), rep2 = SignIn("rep2"), rep3 = SignIn("rep3"), mgr1 = SignIn("mgr1");
  Json body = {{"mode", "skip_bad"},
               {"columns", {"name", "type", "负责人"}},
               {"rows",
                {{"负责人甲", "终端", "rep2"},
                 {"负责人乙", "终端", "王芳"},
                 {"负责人丙", "终端", nullptr},
                 {"负责人丁", "终端", "刘洋"},
                 {"负责人戊", "终端", "陈静"},
                 {"负责人己", "终端", "没有这个人"},
                 {"负责人庚", "终端", "REP3"},
                 {"负责人辛", "终端", "公海"}}}};
  Json report = io_->Import(mgr1, body);
  std::vector<std::string> statuses;
  for (const auto& row : report["rows"]) statuses.push_back(row["status"]);
  EXPECT_EQ(statuses, (std::vector<std::string>{"created", "created", "created", "created", "invalid", "invalid",
                                                "created", "invalid"}));
  EXPECT_EQ(report["rows"][7]["errors"]["owner"],
            "is the shared pool: imported customers get an owner; leave the cell empty for the import's owner");
  EXPECT_EQ(report["rows"][4]["errors"]["owner"], "is outside the users you may give customers to");
  EXPECT_EQ(report["rows"][5]["errors"]["owner"], "is no user's login name or name");
  // The request's owner (the importer here) for the row without one.
  EXPECT_EQ(report["owners"], (Json{{{"ownerId", IdString(mgr1.user_id)}, {"ownerName", "李明"}, {"customers", 1}},
                                    {{"ownerId", IdString(rep2.user_id)}, {"ownerName", "王芳"}, {"customers", 2}},
                                    {{"ownerId", IdString(rep3.user_id)}, {"ownerName", "刘洋"}, {"customers", 2}}}));
  auto owner_of = [&](size_t row) {
    return Json::parse(customers_->Get(mgr1, *ParseId(report["rows"][row]["id"].get<std::string>())))["ownerName"];
  };
  EXPECT_EQ(owner_of(0), "王芳");
  EXPECT_EQ(owner_of(1), "王芳");
  EXPECT_EQ(owner_of(2), "李明");
  EXPECT_EQ(owner_of(3), "刘洋");
  EXPECT_EQ(owner_of(6), "刘洋");
  EXPECT_EQ(Count(rep2), 2);

  // A rep imports for themselves only.
  body["rows"] = {{"自己的", "终端", "张伟"}, {"别人的", "终端", "rep2"}};
  report = io_->Import(rep1, body);
  EXPECT_EQ(report["rows"][0]["status"], "created");
  EXPECT_EQ(report["rows"][1]["errors"]["owner"],
            "is another user: importing for others needs the right to assign customers");

  // Each owner's hold limit counts the rows written for them: all or nothing refuses.
  SetPolicy("customers.max_held_per_rep", 3);
  body = {{"mode", "all_or_nothing"},
          {"columns", {"name", "type", "owner"}},
          {"rows", {{"限额一", "终端", "rep3"}, {"限额二", "终端", "rep2"}, {"限额三", "终端", "rep2"}}}};
  Json details;
  EXPECT_EQ(ErrorCode([&] { io_->Import(mgr1, body); }, &details), "customers.hold_limit");
  EXPECT_EQ(details["ownerId"], IdString(rep2.user_id));
  EXPECT_EQ(Count(rep3), 2);  // nothing written, rep3's row neither
  body["rows"] = {{"限额一", "终端", "rep3"}, {"限额二", "终端", "rep2"}};
  EXPECT_EQ(io_->Import(mgr1, body)["created"], 2);
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

  // Each entry tells who created which customer with what values: the fields as imported
  // with the id, owner and grade (R-CUST-38), and for a contact its id and customer.
  const storage::Sql kAfter{"test.import_audit_after",
                            "SELECT after_json, before_json, actor_name FROM audit_log WHERE entity = ? AND entity_id = ?"};
  auto customer_entry = connection->QueryOne(kAfter, {std::string("customer"), first_id});
  ASSERT_TRUE(customer_entry);
  Json after = Json::parse(customer_entry->Text(0));
  EXPECT_TRUE(customer_entry->IsNull(1));
  EXPECT_EQ(customer_entry->Text(2), rep1.name);
  EXPECT_EQ(after["id"], first_id);
  EXPECT_EQ(after["name"], "批量0号建材有限公司");
  EXPECT_EQ(after["type"], "distributor");
  EXPECT_EQ(after["purchaseHorizon"], "within_1_month");
  EXPECT_EQ(after["phone"], "0571-80000000");
  EXPECT_EQ(after["ownerId"], IdString(rep1.user_id));
  EXPECT_EQ(after["grade"]["value"], imported["grade"]["value"]);
  EXPECT_EQ(after["grade"]["source"], "computed");
  for (const auto& contact : imported["contacts"]) {
    auto contact_entry = connection->QueryOne(kAfter, {std::string("contact"), contact["id"].get<std::string>()});
    ASSERT_TRUE(contact_entry);
    Json contact_after = Json::parse(contact_entry->Text(0));
    EXPECT_EQ(contact_after["id"], contact["id"]);
    EXPECT_EQ(contact_after["customerId"], first_id);
    EXPECT_EQ(contact_after["name"], contact["name"]);
  }
}

// A file of 2,345 rows: three validation chunks and a remainder, with invalid rows,
// contact rows (R-CUST-37, one naming the customer of row 2 from the last row) and
// duplicates within the file. The report is written row by row from compact states: it
// must hold every row once, in file order, each with its own status, id and matches, and
// the ids must be the customers written from those rows.
struct StreamedFile {
  std::string csv = "客户名称,类型,电话,地址,联系人\n";
  std::vector<std::string> names;  // per row: the customer name (contact rows: their customer's)
  std::vector<char> kind;          // 'o' good, 'i' invalid, 'c' contact of the row before, 'd' duplicate of it
  static std::string Name(size_t i) { return "流式" + std::to_string(i) + "号机电有限公司"; }
  explicit StreamedFile(size_t count) {
    for (size_t i = 0; i < count; ++i) {
      bool last = i + 1 == count;
      char k = last ? 'c' : i % 10 == 3 ? 'i' : i % 10 == 7 ? 'c' : i % 10 == 9 ? 'd' : 'o';
      std::string name = last ? Name(0) : k == 'c' ? Name(i - 1) : Name(i);
      std::string phone = "0571-" + std::to_string(60000000 + (k == 'd' ? i - 1 : i));
      names.push_back(name);
      kind.push_back(k);
      if (k == 'c') {
        csv += name + ",,,,联系人" + std::to_string(i) + "\n";
      } else {
        csv += name + "," + (k == 'i' ? "shop" : "经销商") + "," + phone + "," +
               (i % 10 == 1 ? CsvField("流式路" + std::to_string(i) + "号,\n二楼") : "") + ",\n";
      }
    }
  }
};

// R-CUST-44: the customers of an import are written in the byte order of their names (by
// their first 24 bytes, then in file order), so their ids follow the names; the report
// keeps the file's order and gives each row its own customer, and contacts (the row's own,
// and a later row's for the same customer) go to their customer.
TEST_P(CustomerIoTest, ImportWritesItsCustomersInNameOrder) {
  Caller rep1 = SignIn("rep1");
  const std::vector<std::string> names = {"杭州甲机电有限公司", "Apple 贸易", "杭州乙机电有限公司", "bad row",
                                          "北京丙商贸", "杭州甲机电有限公司", "上海丁"};
  Json rows = Json::array();
  for (size_t i = 0; i < names.size(); ++i) {
    // Row 5 (index 3) is invalid; row 7 (index 5) adds a contact to row 2's customer.
    rows.push_back({names[i], i == 3 ? "shop" : "经销商", "联系人" + std::to_string(i)});
  }
  Json report = io_->Import(rep1, {{"columns", {"name", "type", "contact.name"}}, {"rows", rows}, {"mode", "skip_bad"}});
  ASSERT_EQ(report["created"], 5) << report.dump();
  std::vector<std::pair<int64_t, std::string>> by_id;  // what the report says was written
  for (size_t i = 0; i < names.size(); ++i) {
    const Json& row = report["rows"][i];
    ASSERT_EQ(row["row"], static_cast<int64_t>(i + 2));
    if (i == 3) {
      EXPECT_EQ(row["status"], "invalid");
      continue;
    }
    if (i == 5) {
      EXPECT_EQ(row["status"], "contact_added");
      EXPECT_EQ(row["id"], report["rows"][0]["id"]);
      continue;
    }
    ASSERT_EQ(row["status"], "created") << row.dump();
    int64_t id = *ParseId(row["id"].get<std::string>());
    Json customer = Json::parse(customers_->Get(rep1, id));
    EXPECT_EQ(customer["name"], names[i]) << "row " << i + 2;
    std::vector<std::string> contacts;
    for (const auto& contact : customer["contacts"]) contacts.push_back(contact["name"].get<std::string>());
    std::vector<std::string> expected = {"联系人" + std::to_string(i)};
    if (i == 0) expected.push_back("联系人5");
    EXPECT_EQ(contacts, expected) << "row " << i + 2;
    by_id.emplace_back(id, names[i]);
  }
  std::sort(by_id.begin(), by_id.end());
  std::vector<std::string> in_id_order;
  for (const auto& [id, name] : by_id) in_id_order.push_back(name);
  EXPECT_EQ(in_id_order, (std::vector<std::string>{"Apple 贸易", "上海丁", "北京丙商贸", "杭州乙机电有限公司",
                                                   "杭州甲机电有限公司"}));
}

TEST_P(CustomerIoTest, ImportFileReportHoldsEveryRowOnceInFileOrder) {
  Caller rep1 = SignIn("rep1");
  policies_->AddVersion(SignIn("gm"), "customers.max_held_per_rep", 5000, FormatDate(policies_->Today()), "test");
  const size_t kRows = 2345;
  StreamedFile file(kRows);
  ImportFileOptions options;
  options.mode = "dry_run";
  std::string text = io_->ImportFileText(rep1, file.csv, options);
  Json dry = Json::parse(text);
  // Byte for byte what the JSON tree of the report would have been encoded as.
  EXPECT_EQ(text, EncodeJson(dry));
  ASSERT_EQ(dry["rows"].size(), kRows);
  for (size_t i = 0; i < kRows; ++i) {
    const Json& row = dry["rows"][i];
    ASSERT_EQ(row["row"], static_cast<int64_t>(i + 2));
    const char* expected = file.kind[i] == 'o' ? "ok" : file.kind[i] == 'i' ? "invalid" : file.kind[i] == 'c' ? "contact" : "duplicate";
    ASSERT_EQ(row["status"], expected) << "row " << i + 2;
    EXPECT_FALSE(row.contains("id"));
    if (file.kind[i] == 'i') {
      EXPECT_TRUE(row["errors"].contains("type")) << row.dump();
    }
    if (file.kind[i] == 'd') {
      ASSERT_EQ(row["matches"].size(), 1u) << row.dump();
      EXPECT_EQ(row["matches"][0]["row"], static_cast<int64_t>(i + 1));
      EXPECT_EQ(row["matches"][0]["reasons"], Json({"phone"}));
    }
  }
  EXPECT_EQ(Count(rep1), 0);

  options.mode = "skip_bad";
  Json report = io_->ImportFile(rep1, file.csv, options);
  ASSERT_EQ(report["rows"].size(), kRows);
  // The customers written, by id: each created row's id must name that row's customer.
  std::map<int64_t, std::string> written;
  std::map<int64_t, std::vector<std::string>> contacts_of;
  {
    auto connection = database_->Acquire();
    const storage::Sql kWritten{"test.streamed_customers",
                                "SELECT id, name, address FROM customers WHERE owner_id = ? AND name LIKE ?"};
    for (const auto& row : connection->Query(kWritten, {rep1.user_id, std::string("流式%")}).rows) {
      written[row.Int(0)] = row.Text(1);
      if (row.Int(0) == *ParseId(report["rows"][1]["id"].get<std::string>())) {
        EXPECT_EQ(row.OptionalText(2).value_or(""), "流式路1号,\n二楼");
      }
    }
    const storage::Sql kContacts{"test.streamed_contacts",
                                 "SELECT k.customer_id, k.name FROM contacts k JOIN customers c ON c.id = k.customer_id "
                                 "WHERE c.name LIKE ? ORDER BY k.id"};
    for (const auto& row : connection->Query(kContacts, {std::string("流式%")}).rows)
      contacts_of[row.Int(0)].push_back(row.Text(1));
  }
  std::set<int64_t> ids;
  int64_t created = 0;
  for (size_t i = 0; i < kRows; ++i) {
    const Json& row = report["rows"][i];
    ASSERT_EQ(row["row"], static_cast<int64_t>(i + 2));
    char k = file.kind[i];
    bool parent_written = k == 'c' && i + 1 < kRows ? file.kind[i - 1] == 'o' : k == 'c';
    const char* expected = k == 'o' ? "created" : k == 'i' ? "invalid" : k == 'd' ? "duplicate"
                           : parent_written ? "contact_added" : "skipped";
    ASSERT_EQ(row["status"], expected) << "row " << i + 2;
    if (k == 'o') {
      int64_t id = *ParseId(row["id"].get<std::string>());
      EXPECT_TRUE(ids.insert(id).second) << "id " << id << " given to two rows";
      EXPECT_EQ(written[id], file.names[i]) << "row " << i + 2;
      ++created;
    } else if (k == 'c' && parent_written) {
      size_t parent = i + 1 < kRows ? i - 1 : 0;
      EXPECT_EQ(row["id"], report["rows"][parent]["id"]) << "row " << i + 2;
      const auto& names = contacts_of[*ParseId(row["id"].get<std::string>())];
      EXPECT_NE(std::find(names.begin(), names.end(), "联系人" + std::to_string(i)), names.end()) << "row " << i + 2;
    } else {
      EXPECT_FALSE(row.contains("id")) << row.dump();
    }
  }
  EXPECT_EQ(report["created"], created);
  EXPECT_EQ(static_cast<int64_t>(written.size()), created) << "a customer written twice or from a skipped row";
  // Row 2's customer has the contact of the last row, which came two chunks later.
  EXPECT_EQ(contacts_of[*ParseId(report["rows"][0]["id"].get<std::string>())],
            std::vector<std::string>{"联系人" + std::to_string(kRows - 1)});
}

// All or nothing over several chunks: a bad last row leaves nothing written; and a write
// failing in a later chunk (a trigger refusing one customer) rolls back the chunks
// already written, in either writing mode, because the whole file is one transaction.
TEST_P(CustomerIoTest, AllOrNothingLeavesNoRowBehindAcrossChunks) {
  Caller rep1 = SignIn("rep1");
  policies_->AddVersion(SignIn("gm"), "customers.max_held_per_rep", 5000, FormatDate(policies_->Today()), "test");
  auto count = [&](const char* sql_text, const char* pattern) {
    const storage::Sql sql{"test.left_behind", sql_text};
    return database_->Acquire()->QueryOne(sql, {std::string(pattern)})->Int(0);
  };
  auto left_behind = [&] {
    return count("SELECT COUNT(*) FROM customers WHERE name LIKE ?", "整体%") +
           count("SELECT COUNT(*) FROM contacts WHERE name LIKE ?", "整体%") +
           count("SELECT COUNT(*) FROM audit_log WHERE action IN ('customer.create', 'contact.create', "
                 "'customers.import') AND actor_id IS NOT NULL AND after_json LIKE ?", "%整体%") +
           count("SELECT COUNT(*) FROM audit_log WHERE action = ?", "customers.import");
  };
  std::string csv = "客户名称,类型,联系人\n";
  for (int i = 0; i < 2500; ++i)
    csv += "整体" + std::to_string(i) + "号建材,经销商,整体联系人" + std::to_string(i) + "\n";
  std::string bad_last = csv + "整体末行,shop,\n";
  ImportFileOptions options;
  options.mode = "all_or_nothing";
  Json report = io_->ImportFile(rep1, bad_last, options);
  EXPECT_EQ(report["created"], 0);
  EXPECT_EQ(report["rows"][0]["status"], "skipped");
  EXPECT_EQ(report["rows"][2499]["status"], "skipped");
  EXPECT_EQ(report["rows"][2500]["status"], "invalid");
  EXPECT_EQ(left_behind(), 0);

  // The database refuses one customer of the third chunk.
  std::string refused = csv;
  refused.replace(refused.find("整体2400号建材"), std::string("整体2400号建材").size(), "整体拒收建材");
  {
    auto connection = database_->Acquire();
    if (database_->dialect() == storage::Dialect::kSqlite) {
      connection->ExecuteScript(
          "CREATE TRIGGER test_refuse BEFORE INSERT ON customers WHEN NEW.name = '整体拒收建材' "
          "BEGIN SELECT RAISE(ABORT, 'refused'); END;");
    } else {
      connection->ExecuteScript(
          "CREATE FUNCTION test_refuse() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
          "IF NEW.name = '整体拒收建材' THEN RAISE EXCEPTION 'refused'; END IF; RETURN NEW; END $$; "
          "CREATE TRIGGER test_refuse BEFORE INSERT ON customers FOR EACH ROW EXECUTE FUNCTION test_refuse();");
    }
  }
  for (const char* mode : {"all_or_nothing", "skip_bad"}) {
    options.mode = mode;
    EXPECT_ANY_THROW(io_->ImportFile(rep1, refused, options)) << mode;
    EXPECT_EQ(left_behind(), 0) << mode;
    // The search-index hold of the failed write went with its transaction (SQLite).
    if (database_->dialect() == storage::Dialect::kSqlite) {
      EXPECT_EQ(database_->Acquire()->QueryOne({"test.hold", "SELECT held FROM search_index_hold"})->Int(0), 0);
    }
  }
  // Refused in the first write batch: the next batch is prepared, or being prepared, on
  // the import's other thread (R-CUST-38) when the write fails; it stops, nothing is left.
  std::string refused_first = csv;
  refused_first.replace(refused_first.find("整体100号建材"), std::string("整体100号建材").size(), "整体拒收建材");
  options.mode = "skip_bad";
  EXPECT_ANY_THROW(io_->ImportFile(rep1, refused_first, options));
  EXPECT_EQ(left_behind(), 0);
  // Without the refused row the same file is written whole.
  options.mode = "all_or_nothing";
  refused.replace(refused.find("整体拒收建材"), std::string("整体拒收建材").size(), "整体2400号建材");
  report = io_->ImportFile(rep1, refused, options);
  EXPECT_EQ(report["created"], 2500);
  EXPECT_EQ(report["contactsCreated"], 2500);
  EXPECT_EQ(count("SELECT COUNT(*) FROM customers WHERE name LIKE ?", "整体%"), 2500);
  // What left_behind counts is there once written: one audit entry per customer and contact.
  EXPECT_EQ(left_behind(), 2500 + 2500 + 5000 + 1);
}

// R-CUST-38: on SQLite the import fills the search indexes itself (migration 0015); what
// it leaves must be what the row-by-row triggers leave, and writes after it must be
// indexed by the triggers again.
TEST_P(CustomerIoTest, ImportLeavesTheSearchIndexesOfRowByRowWrites) {
  Caller rep1 = SignIn("rep1"), mgr1 = SignIn("mgr1"), mgr2 = SignIn("mgr2");
  std::string csv = "客户名称,类型,电话,联系人\n";
  for (int i = 0; i < 30; ++i)
    csv += "索引" + std::to_string(i) + "号泽越电气,经销商,0571-" + std::to_string(86000000 + i) + ",联系人" +
           std::to_string(i) + "\n";
  csv += "索引0号泽越电气,,,欧阳锋\n";  // a second contact of row 2's customer (R-CUST-37)
  ImportFileOptions options;
  options.mode = "all_or_nothing";
  Json report = io_->ImportFile(rep1, csv, options);
  ASSERT_EQ(report["created"], 30) << report.dump().substr(0, 300);
  int64_t first = *ParseId(report["rows"][0]["id"].get<std::string>());
  // Written one by one after the import: the triggers index it again.
  int64_t single = *ParseId(Json::parse(customers_->Create(
      rep1, {{"name", "单建泽越电气"}, {"type", "distributor"}, {"phone", "0571-86009999"}}))["id"].get<std::string>());
  customers_->AddContact(rep1, single, {{"name", "欧阳克"}});

  auto names = [&](const Caller& caller, const std::string& query) {
    CustomerFilter filter;
    filter.query = query;
    filter.limit = 100;
    std::set<std::string> out;
    Json page = Json::parse(customers_->List(caller, filter));
    for (const auto& item : page["items"]) out.insert(item["name"].get<std::string>());
    return out;
  };
  EXPECT_EQ(names(rep1, "索引0号泽").size(), 1u);                            // trigram, name
  EXPECT_EQ(names(mgr1, "欧阳锋"), std::set<std::string>{"索引0号泽越电气"});  // trigram, second contact
  EXPECT_EQ(names(mgr1, "联系人7"), std::set<std::string>{"索引7号泽越电气"});
  EXPECT_EQ(names(mgr1, "欧阳").size(), 2u);                                 // contact words
  EXPECT_EQ(names(rep1, "zeyue").size(), 31u);                               // pinyin words
  EXPECT_EQ(names(rep1, "zydq").size(), 31u);                                // initials
  EXPECT_EQ(names(rep1, "86000029"), std::set<std::string>{"索引29号泽越电气"});  // phone digits
  EXPECT_TRUE(names(mgr2, "zeyue").empty());                                 // another team
  EXPECT_TRUE(names(mgr2, "欧阳").empty());

  if (database_->dialect() != storage::Dialect::kSqlite) return;
  auto connection = database_->Acquire();
  EXPECT_EQ(connection->QueryOne({"test.hold", "SELECT held FROM search_index_hold"})->Int(0), 0);
  // The trigram rows hold each name and its contacts in id order, once per customer.
  const storage::Sql kTrigram{"test.trigram", "SELECT name, contacts FROM customer_search WHERE rowid = ?"};
  auto row = connection->QueryOne(kTrigram, {first});
  ASSERT_TRUE(row);
  EXPECT_EQ(row->Text(0), "索引0号泽越电气");
  EXPECT_EQ(row->Text(1), "联系人0 欧阳锋");
  row = connection->QueryOne(kTrigram, {single});
  ASSERT_TRUE(row);
  EXPECT_EQ(row->Text(1), "欧阳克");
  auto count = [&](const std::string& sql) { return connection->QueryOne({"test.count", sql.c_str()})->Int(0); };
  EXPECT_EQ(count("SELECT count(*) FROM customer_search"), count("SELECT count(*) FROM customers"));
  // The contentless indexes: one row per customer and contact, under the owner.
  std::string o = std::to_string(rep1.user_id);
  EXPECT_EQ(count("SELECT count(*) FROM customer_words WHERE customer_words MATCH 'owner : o" + o + "'"),
            count("SELECT count(*) FROM customers WHERE search_words IS NOT NULL AND owner_id = " + o));
  EXPECT_EQ(count("SELECT count(*) FROM contact_words WHERE contact_words MATCH 'owner : o" + o + "'"),
            count("SELECT count(*) FROM contacts k JOIN customers c ON c.id = k.customer_id "
                  "WHERE k.search_words IS NOT NULL AND c.owner_id = " + o));
  EXPECT_EQ(count("SELECT count(*) FROM customer_words WHERE customer_words MATCH 'words : zeyue*'"), 31);
  // FTS5's merging is set back after the import: the default where a table had none, the
  // table's own setting where it had one.
  auto automerge = [&](const std::string& table) {
    auto set = connection->QueryOne({"test.automerge", ("SELECT v FROM " + table + "_config WHERE k = 'automerge'").c_str()});
    return set ? set->Int(0) : int64_t{4};
  };
  for (const char* table : {"customer_search", "customer_words", "contact_words"}) EXPECT_EQ(automerge(table), 4) << table;
  connection->ExecuteScript("INSERT INTO customer_words (customer_words, rank) VALUES ('automerge', 8)");
  report = io_->ImportFile(rep1, "客户名称,类型\n合并设置泽越电气,经销商\n", options);
  ASSERT_EQ(report["created"], 1);
  EXPECT_EQ(automerge("customer_words"), 8);
  EXPECT_EQ(automerge("customer_search"), 4);
  EXPECT_EQ(names(rep1, "合并设置").size(), 1u);
}

INSTANTIATE_TEST_SUITE_P(Backends, CustomerIoTest, ::testing::ValuesIn(storage::testing::AllTestBackends()),
                         platform::testing::BackendTestName);

}  // namespace
}  // namespace tuoke::customers
