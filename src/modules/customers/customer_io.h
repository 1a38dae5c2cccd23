// Import and export of the customer archive (issue #3 item 7; rules R-CUST-22..25 in
// README.md of this folder, HTTP contract in docs/api-customers.md).
//
// Export walks the list of CustomerService::ForEachListed (the list's scope, filters and
// order) into CSV (UTF-8 with BOM, RFC 4180) or XLSX (written directly). Import takes rows
// the browser has already parsed, maps columns to the create body, validates each row as
// create does, flags duplicates, and writes in one transaction. Thread-safe: no state.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "core/json_util.h"
#include "core/time.h"
#include "modules/customers/customer_service.h"

namespace tuoke::customers {

// Technical bounds, not company policy: one export answer is built in memory, and one
// import request is one transaction.
inline constexpr int64_t kMaxExportRows = 200000;
inline constexpr size_t kMaxImportRows = 5000;

enum class ExportLanguage : uint8_t { kChinese, kEnglish };

// A file import: one transaction for the whole file, so bounded (a technical bound).
inline constexpr size_t kMaxImportFileRows = 200000;

struct ImportFileOptions {
  std::string mode;                       // dry_run / all_or_nothing / skip_bad
  std::string encoding = "auto";          // auto / utf-8 / gbk (CSV only)
  std::string format = "auto";            // auto (by content) / csv / xlsx
  std::optional<Json> mapping;            // {"file header": "field" | null}
  std::optional<int64_t> owner_id;
  bool acknowledge_duplicates = false;
};

// One RFC 4180 field: quoted when it holds a comma, quote, CR or LF (quotes doubled).
// A leading =, +, - or @ is prefixed with ' so spreadsheets do not run it as a formula.
std::string CsvField(std::string_view text);

// Parses RFC 4180 text (CRLF or LF, quoted fields may span lines) into rows.
std::vector<std::vector<std::string>> ParseCsv(std::string_view text);

// ParseCsv one row at a time, so an import holds the file's text and where each row
// starts, not every cell of 200,000 rows; a row is read again from its offset.
class CsvReader {
 public:
  explicit CsvReader(std::string_view text, size_t offset = 0) : text_(text), offset_(offset) {}
  // The next row into `row` (its strings are reused); false at the end of the text.
  bool Next(std::vector<std::string>& row);
  // Where the next row starts.
  size_t offset() const { return offset_; }

 private:
  std::string_view text_;
  size_t offset_;
};

// RFC 6266 attachment with the RFC 5987 UTF-8 name (客户导出-…) and an ASCII fallback.
std::string ContentDisposition(const std::string& file_name, std::string_view ascii_name);

struct ExportFile {
  std::string content_type;
  std::string file_name;        // 客户导出-YYYY-MM-DD.csv
  std::string ascii_file_name;  // customers-YYYY-MM-DD.csv
  std::string body;
  int64_t rows = 0;
};

class CustomerIo {
 public:
  explicit CustomerIo(CustomerService& customers)
      : database_(customers.database()), policies_(customers.policies()), clock_(customers.clock()),
        customers_(customers) {}

  // R-CUST-22, 23: needs customers.read; audited as customers.export.
  ExportFile ExportCsv(const platform::Caller& caller, const CustomerFilter& filter, ExportLanguage language);
  ExportFile ExportXlsx(const platform::Caller& caller, const CustomerFilter& filter, ExportLanguage language);

  // R-CUST-24, 25: needs customers.write; the report of docs/api-customers.md.
  Json Import(const platform::Caller& caller, const Json& body);

  // R-CUST-35..37: the file itself (CSV in UTF-8 or GBK, or XLSX), its first row naming
  // the columns (mapped by `mapping` {"header": "field" | null} or by the known field
  // names and zh-CN/English headers); otherwise as Import, up to kMaxImportFileRows rows.
  // The report adds "encoding", "format" and "ignoredColumns".
  Json ImportFile(const platform::Caller& caller, std::string_view bytes, const ImportFileOptions& options);
  // The same report as JSON text, written row by row from compact per-row states (what
  // the route answers: a 100,000-row report as a JSON tree alone took hundreds of MB).
  std::string ImportFileText(const platform::Caller& caller, std::string_view bytes,
                             const ImportFileOptions& options);

  struct ImportCells;
  struct ImportRequest;

 private:
  // The report as JSON text; `file_fields` (format, encoding, ignoredColumns) join its keys.
  std::string ImportRows(const platform::Caller& caller, const ImportRequest& request, size_t row_count,
                         const std::function<ImportCells(size_t)>& row_at, const Json& file_fields);
  void AuditExport(const platform::Caller& caller, const CustomerFilter& filter, std::string_view format,
                   int64_t rows);

  storage::Database& database_;
  platform::PolicyService& policies_;
  const Clock& clock_;
  CustomerService& customers_;
};

}  // namespace tuoke::customers
