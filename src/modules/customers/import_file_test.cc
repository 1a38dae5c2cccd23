// Reading import files (R-CUST-35, 36): encodings of Excel CSV files and XLSX workbooks.
#include "modules/customers/import_file.h"

#include <gtest/gtest.h>
#include <unistd.h>
#include <xlsxwriter.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/error.h"

namespace tuoke::customers {
namespace {

// "客户名称,电话\n北京凌天,010\n" as Excel on Chinese Windows saves it (GBK).
const std::string kGbkCsv =
    "\xBF\xCD\xBB\xA7\xC3\xFB\xB3\xC6,\xB5\xE7\xBB\xB0\n\xB1\xB1\xBE\xA9\xC1\xE8\xCC\xEC,010\n";

TEST(ImportFileTest, DetectsUtf8WithAndWithoutBomAndGbk) {
  DecodedText plain = DecodeImportText("客户名称,电话\n北京凌天,010\n", ImportEncoding::kAuto);
  EXPECT_EQ(plain.encoding, "utf-8");
  EXPECT_EQ(plain.text, "客户名称,电话\n北京凌天,010\n");
  DecodedText bom = DecodeImportText("\xEF\xBB\xBF客户名称\n", ImportEncoding::kAuto);
  EXPECT_EQ(bom.encoding, "utf-8");
  EXPECT_EQ(bom.text, "客户名称\n");
  DecodedText gbk = DecodeImportText(kGbkCsv, ImportEncoding::kAuto);
  EXPECT_EQ(gbk.encoding, "gb18030");
  EXPECT_EQ(gbk.text, "客户名称,电话\n北京凌天,010\n");
  // Chosen explicitly: GBK is read as GBK, and UTF-8 refuses GBK bytes instead of guessing.
  EXPECT_EQ(DecodeImportText(kGbkCsv, ImportEncoding::kGbk).text, gbk.text);
  try {
    DecodeImportText(kGbkCsv, ImportEncoding::kUtf8);
    FAIL() << "GBK bytes read as UTF-8";
  } catch (const Error& error) {
    EXPECT_EQ(error.code(), "customers.import_file");
  }
  // A lone lead byte at the end is not GBK text either.
  EXPECT_THROW(DecodeImportText("\xB1\xB1\xBE", ImportEncoding::kGbk), Error);
  EXPECT_EQ(ParseImportEncoding("gbk"), ImportEncoding::kGbk);
  EXPECT_THROW(ParseImportEncoding("latin1"), Error);
}

TEST(ImportFileTest, ReadsTheFirstWorksheetOfAnXlsxWorkbook) {
  std::string path = (std::filesystem::temp_directory_path() / ("tuoke-import-" + std::to_string(::getpid()) + ".xlsx")).string();
  lxw_workbook* workbook = workbook_new(path.c_str());
  lxw_worksheet* sheet = workbook_add_worksheet(workbook, "客户");
  worksheet_write_string(sheet, 0, 0, "客户名称", nullptr);
  worksheet_write_string(sheet, 0, 1, "电话", nullptr);
  worksheet_write_string(sheet, 0, 3, "标签", nullptr);
  worksheet_write_string(sheet, 1, 0, "北京凌天商贸有限公司", nullptr);
  worksheet_write_number(sheet, 1, 1, 13800138000, nullptr);
  worksheet_write_string(sheet, 1, 3, "重点，展会", nullptr);
  worksheet_write_boolean(sheet, 3, 0, 1, nullptr);  // row 3 empty, row 4 a boolean
  lxw_worksheet* second = workbook_add_worksheet(workbook, "其他");
  worksheet_write_string(second, 0, 0, "not this one", nullptr);
  ASSERT_EQ(workbook_close(workbook), LXW_NO_ERROR);
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  std::filesystem::remove(path);
  std::string bytes = buffer.str();

  EXPECT_EQ(SniffImportFormat(bytes), ImportFormat::kXlsx);
  auto rows = ReadXlsx(bytes, 100);
  ASSERT_EQ(rows.size(), 4u);
  EXPECT_EQ(rows[0], (std::vector<std::string>{"客户名称", "电话", "", "标签"}));
  EXPECT_EQ(rows[1], (std::vector<std::string>{"北京凌天商贸有限公司", "13800138000", "", "重点，展会"}));
  EXPECT_TRUE(rows[2].empty());
  EXPECT_EQ(rows[3], (std::vector<std::string>{"true"}));
  // Bounded: one row more than the limit is read, so the caller can tell it was too long.
  EXPECT_EQ(ReadXlsx(bytes, 1).size(), 2u);
}

TEST(ImportFileTest, RefusesBrokenFiles) {
  EXPECT_EQ(SniffImportFormat("name,phone\n"), ImportFormat::kCsv);
  EXPECT_THROW(ReadXlsx("PK\3\4 not really a zip", 10), Error);
  EXPECT_THROW(ReadXlsx("", 10), Error);
}

}  // namespace
}  // namespace tuoke::customers
