// Reading import files (issue #3 item 7; R-CUST-35, 36; docs/adr/0007-xlsx-reading.md):
// CSV in UTF-8 (with or without BOM) or GBK/GB18030 as Excel writes it on Chinese
// Windows, and the first worksheet of an XLSX workbook. Pure functions over bytes: no
// database, no files; errors are tuoke::Error customers.import_file (422).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace tuoke::customers {

enum class ImportEncoding : uint8_t { kAuto, kUtf8, kGbk };
enum class ImportFormat : uint8_t { kCsv, kXlsx };

// "auto" / "utf-8" (also "utf8") / "gbk" (also "gb18030"); throws validation.failed.
ImportEncoding ParseImportEncoding(std::string_view text);

// R-CUST-35: the text as UTF-8 and the encoding it was read in ("utf-8" or "gb18030").
// kAuto: a UTF-8 BOM or valid UTF-8 is UTF-8, anything else is GB18030 (a superset of GBK
// and GB2312). A BOM is dropped. Bytes that are not valid in the chosen encoding are an
// error, never replaced silently.
struct DecodedText {
  std::string text;
  std::string encoding;
};
DecodedText DecodeImportText(std::string_view bytes, ImportEncoding encoding);
// The same without copying UTF-8 input (a 20 MiB upload would otherwise be held twice):
// the text is a view into `bytes` (after its BOM) or, for GB18030, into `converted`.
std::string_view DecodeImportTextInPlace(std::string_view bytes, ImportEncoding encoding, std::string& converted,
                                         std::string& used_encoding);

// R-CUST-36: the cells of the first worksheet, row by row (empty cells as ""; shared and
// inline strings, numbers as written, booleans as true/false; trailing empty rows dropped).
// Bounded: at most `max_rows` rows, 200 columns, 100 MB of uncompressed XML.
std::vector<std::vector<std::string>> ReadXlsx(std::string_view bytes, size_t max_rows);

// XLSX when the bytes are a zip (PK\3\4), CSV otherwise.
ImportFormat SniffImportFormat(std::string_view bytes);

}  // namespace tuoke::customers
