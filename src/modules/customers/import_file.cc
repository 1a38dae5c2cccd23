#include "modules/customers/import_file.h"

#include <expat.h>
#include <unicode/ucnv.h>
#include <unicode/unistr.h>
#include <zlib.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <map>
#include <memory>
#include <optional>

#include "core/error.h"

namespace tuoke::customers {
namespace {

constexpr size_t kMaxXmlBytes = 100 * 1024 * 1024;
constexpr size_t kMaxColumns = 200;

[[noreturn]] void FileError(const std::string& message) {
  throw Error(ErrorKind::kValidation, "customers.import_file", message);
}

bool IsValidUtf8(std::string_view text) {
  size_t i = 0;
  while (i < text.size()) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    size_t length = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
    if (length == 0 || i + length > text.size()) return false;
    uint32_t code = length == 1 ? c : c & (0xFF >> (length + 1));
    for (size_t k = 1; k < length; ++k) {
      unsigned char next = static_cast<unsigned char>(text[i + k]);
      if ((next & 0xC0) != 0x80) return false;
      code = (code << 6) | (next & 0x3F);
    }
    // Overlong forms, surrogates and beyond U+10FFFF are not UTF-8.
    if ((length == 2 && code < 0x80) || (length == 3 && code < 0x800) || (length == 4 && code < 0x10000) ||
        (code >= 0xD800 && code <= 0xDFFF) || code > 0x10FFFF)
      return false;
    i += length;
  }
  return true;
}

// ---- zip (the container of XLSX): central directory, stored or deflated entries -----------

uint32_t Le32(std::string_view data, size_t at) {
  if (at + 4 > data.size()) FileError("the XLSX file is truncated");
  const auto* p = reinterpret_cast<const unsigned char*>(data.data() + at);
  return p[0] | (p[1] << 8) | (p[2] << 16) | (static_cast<uint32_t>(p[3]) << 24);
}
uint16_t Le16(std::string_view data, size_t at) {
  if (at + 2 > data.size()) FileError("the XLSX file is truncated");
  const auto* p = reinterpret_cast<const unsigned char*>(data.data() + at);
  return static_cast<uint16_t>(p[0] | (p[1] << 8));
}

struct ZipEntry {
  uint16_t method;
  uint32_t compressed_size, size, local_offset;
};

std::map<std::string, ZipEntry> ReadCentralDirectory(std::string_view zip) {
  if (zip.size() < 22) FileError("not an XLSX file");
  size_t floor = zip.size() > 22 + 65535 ? zip.size() - 22 - 65535 : 0;
  std::optional<size_t> end;
  for (size_t at = zip.size() - 22 + 1; at-- > floor;)
    if (Le32(zip, at) == 0x06054b50) {
      end = at;
      break;
    }
  if (!end) FileError("not an XLSX file (no zip directory)");
  size_t count = Le16(zip, *end + 10);
  size_t at = Le32(zip, *end + 16);
  std::map<std::string, ZipEntry> entries;
  for (size_t i = 0; i < count; ++i) {
    if (Le32(zip, at) != 0x02014b50) FileError("the XLSX zip directory is damaged");
    ZipEntry entry{Le16(zip, at + 10), Le32(zip, at + 20), Le32(zip, at + 24), Le32(zip, at + 42)};
    size_t name_length = Le16(zip, at + 28), extra = Le16(zip, at + 30), comment = Le16(zip, at + 32);
    if (at + 46 + name_length > zip.size()) FileError("the XLSX file is truncated");
    entries.emplace(std::string(zip.substr(at + 46, name_length)), entry);
    at += 46 + name_length + extra + comment;
  }
  return entries;
}

std::string ReadEntry(std::string_view zip, const ZipEntry& entry) {
  size_t at = entry.local_offset;
  if (Le32(zip, at) != 0x04034b50) FileError("the XLSX zip entry is damaged");
  size_t data = at + 30 + Le16(zip, at + 26) + Le16(zip, at + 28);
  if (data + entry.compressed_size > zip.size()) FileError("the XLSX file is truncated");
  std::string_view compressed = zip.substr(data, entry.compressed_size);
  if (entry.size > kMaxXmlBytes) FileError("the XLSX worksheet is too large");
  if (entry.method == 0) return std::string(compressed);
  if (entry.method != 8) FileError("the XLSX file uses an unsupported compression");
  std::string out(entry.size, '\0');
  z_stream stream{};
  // Raw deflate (no zlib header), as zip stores it.
  if (inflateInit2(&stream, -MAX_WBITS) != Z_OK) FileError("cannot decompress the XLSX file");
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(compressed.data()));
  stream.avail_in = static_cast<uInt>(compressed.size());
  stream.next_out = reinterpret_cast<Bytef*>(out.data());
  stream.avail_out = static_cast<uInt>(out.size());
  int result = inflate(&stream, Z_FINISH);
  size_t produced = stream.total_out;
  inflateEnd(&stream);
  if (result != Z_STREAM_END || produced != entry.size) FileError("the XLSX file is damaged");
  return out;
}

// ---- XML with expat -----------------------------------------------------------------------

class XmlParser {
 public:
  using Start = std::function<void(std::string_view name, const char** attributes)>;
  using End = std::function<void(std::string_view name)>;
  using Text = std::function<void(std::string_view text)>;
  XmlParser(Start start, End end, Text text) : start_(std::move(start)), end_(std::move(end)), text_(std::move(text)) {}

  void Parse(const std::string& xml) {
    std::unique_ptr<XML_ParserStruct, decltype(&XML_ParserFree)> parser(XML_ParserCreate("UTF-8"), XML_ParserFree);
    XML_SetUserData(parser.get(), this);
    XML_SetElementHandler(
        parser.get(),
        [](void* self, const XML_Char* name, const XML_Char** attributes) {
          static_cast<XmlParser*>(self)->start_(LocalName(name), attributes);
        },
        [](void* self, const XML_Char* name) { static_cast<XmlParser*>(self)->end_(LocalName(name)); });
    XML_SetCharacterDataHandler(parser.get(), [](void* self, const XML_Char* text, int length) {
      static_cast<XmlParser*>(self)->text_(std::string_view(text, static_cast<size_t>(length)));
    });
    if (XML_Parse(parser.get(), xml.data(), static_cast<int>(xml.size()), 1) == XML_STATUS_ERROR)
      FileError(std::string("the XLSX file has broken XML: ") + XML_ErrorString(XML_GetErrorCode(parser.get())));
  }

 private:
  static std::string_view LocalName(const char* name) {
    std::string_view view(name);
    size_t colon = view.find(':');
    return colon == std::string_view::npos ? view : view.substr(colon + 1);
  }
  Start start_;
  End end_;
  Text text_;
};

// The attribute `wanted`; "r:id" matches any prefix bound to the relationships namespace
// (parsed without namespace processing, writers choose the prefix).
const char* Attribute(const char** attributes, std::string_view wanted) {
  for (size_t i = 0; attributes[i]; i += 2) {
    std::string_view name(attributes[i]);
    if (name == wanted) return attributes[i + 1];
    if (wanted == "r:id" && name.size() > 3 && name.substr(name.size() - 3) == ":id") return attributes[i + 1];
  }
  return nullptr;
}

// "BC12" → 54 (zero-based column of the cell reference).
std::optional<size_t> ColumnOf(const char* reference) {
  if (!reference) return std::nullopt;
  size_t column = 0;
  size_t letters = 0;
  for (const char* p = reference; *p >= 'A' && *p <= 'Z'; ++p, ++letters) column = column * 26 + (*p - 'A' + 1);
  if (letters == 0 || letters > 3) return std::nullopt;
  return column - 1;
}

std::string FirstSheetPath(const std::map<std::string, ZipEntry>& entries, std::string_view zip) {
  auto workbook = entries.find("xl/workbook.xml");
  auto rels = entries.find("xl/_rels/workbook.xml.rels");
  if (workbook == entries.end()) FileError("not an XLSX workbook (no xl/workbook.xml)");
  std::string first_id;
  XmlParser(
      [&](std::string_view name, const char** attributes) {
        if (name == "sheet" && first_id.empty())
          if (const char* id = Attribute(attributes, "r:id")) first_id = id;
      },
      [](std::string_view) {}, [](std::string_view) {})
      .Parse(ReadEntry(zip, workbook->second));
  std::string target;
  if (rels != entries.end() && !first_id.empty())
    XmlParser(
        [&](std::string_view name, const char** attributes) {
          const char* id = Attribute(attributes, "Id");
          const char* path = Attribute(attributes, "Target");
          if (name == "Relationship" && id && path && first_id == id) target = path;
        },
        [](std::string_view) {}, [](std::string_view) {})
        .Parse(ReadEntry(zip, rels->second));
  if (target.empty()) return "xl/worksheets/sheet1.xml";
  if (target.front() == '/') return target.substr(1);
  return "xl/" + target;
}

}  // namespace

ImportEncoding ParseImportEncoding(std::string_view text) {
  if (text.empty() || text == "auto") return ImportEncoding::kAuto;
  if (text == "utf-8" || text == "utf8" || text == "UTF-8") return ImportEncoding::kUtf8;
  if (text == "gbk" || text == "gb18030" || text == "GBK" || text == "GB18030") return ImportEncoding::kGbk;
  ThrowValidation("encoding", "must be auto, utf-8 or gbk");
}

DecodedText DecodeImportText(std::string_view bytes, ImportEncoding encoding) {
  DecodedText decoded;
  std::string_view text = DecodeImportTextInPlace(bytes, encoding, decoded.text, decoded.encoding);
  if (decoded.encoding == "utf-8") decoded.text.assign(text);
  return decoded;
}

std::string_view DecodeImportTextInPlace(std::string_view bytes, ImportEncoding encoding, std::string& converted,
                                         std::string& used_encoding) {
  bool bom = bytes.size() >= 3 && bytes.substr(0, 3) == "\xEF\xBB\xBF";
  if (bom) bytes.remove_prefix(3);
  // Auto without a BOM: valid UTF-8 is UTF-8 (checked once, not again below).
  bool valid = encoding == ImportEncoding::kAuto && !bom && IsValidUtf8(bytes);
  if (encoding == ImportEncoding::kUtf8 || (encoding == ImportEncoding::kAuto && (bom || valid))) {
    if (!valid && !IsValidUtf8(bytes)) FileError("the file is not valid UTF-8; choose the GBK encoding");
    used_encoding = "utf-8";
    return bytes;
  }
  if (bom) bytes = std::string_view(bytes.data() - 3, bytes.size() + 3);
  // GB18030 decodes every GBK and GB2312 file, and fails loudly on bytes that are not text.
  UErrorCode status = U_ZERO_ERROR;
  std::unique_ptr<UConverter, decltype(&ucnv_close)> converter(ucnv_open("GB18030", &status), ucnv_close);
  if (U_FAILURE(status)) throw std::runtime_error("ICU has no GB18030 converter");
  ucnv_setToUCallBack(converter.get(), UCNV_TO_U_CALLBACK_STOP, nullptr, nullptr, nullptr, &status);
  icu::UnicodeString text;
  const char* source = bytes.data();
  const char* limit = bytes.data() + bytes.size();
  std::vector<UChar> buffer(std::max<size_t>(bytes.size() + 16, 64));
  UChar* target = buffer.data();
  ucnv_toUnicode(converter.get(), &target, buffer.data() + buffer.size(), &source, limit, nullptr, true, &status);
  if (U_FAILURE(status))
    FileError("the file is neither UTF-8 nor GBK text (byte " + std::to_string(source - bytes.data()) + ")");
  text.setTo(buffer.data(), static_cast<int32_t>(target - buffer.data()));
  converted.clear();
  text.toUTF8String(converted);
  used_encoding = "gb18030";
  return converted;
}

ImportFormat SniffImportFormat(std::string_view bytes) {
  return bytes.size() >= 4 && bytes.substr(0, 4) == std::string_view("PK\3\4", 4) ? ImportFormat::kXlsx
                                                                                 : ImportFormat::kCsv;
}

std::vector<std::vector<std::string>> ReadXlsx(std::string_view zip, size_t max_rows) {
  auto entries = ReadCentralDirectory(zip);
  std::vector<std::string> shared;
  if (auto found = entries.find("xl/sharedStrings.xml"); found != entries.end()) {
    std::string current;
    bool in_item = false, in_text = false, in_phonetic = false;
    XmlParser(
        [&](std::string_view name, const char**) {
          if (name == "si") in_item = true, current.clear();
          else if (name == "rPh") in_phonetic = true;  // furigana-style hints are not the text
          else if (name == "t" && in_item && !in_phonetic) in_text = true;
        },
        [&](std::string_view name) {
          if (name == "si") shared.push_back(std::move(current)), in_item = false;
          else if (name == "rPh") in_phonetic = false;
          else if (name == "t") in_text = false;
        },
        [&](std::string_view text) {
          if (in_text) current.append(text);
        })
        .Parse(ReadEntry(zip, found->second));
  }
  std::string sheet_path = FirstSheetPath(entries, zip);
  auto sheet = entries.find(sheet_path);
  if (sheet == entries.end()) FileError("the XLSX workbook has no worksheet");

  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> row;
  std::string type, value;
  std::optional<size_t> column;
  bool in_value = false, in_inline = false, in_cell = false, too_many = false;
  XmlParser(
      [&](std::string_view name, const char** attributes) {
        if (name == "row") {
          row.clear();
          // Rows may skip numbers (empty rows are not written): keep the positions.
          if (const char* number = Attribute(attributes, "r")) {
            size_t wanted = static_cast<size_t>(std::strtoul(number, nullptr, 10));
            while (wanted > 1 && rows.size() < wanted - 1 && rows.size() < max_rows + 1) rows.emplace_back();
          }
        } else if (name == "c") {
          in_cell = true;
          const char* t = Attribute(attributes, "t");
          type = t ? t : "n";
          value.clear();
          column = ColumnOf(Attribute(attributes, "r"));
        } else if (name == "v" && in_cell) {
          in_value = true;
        } else if (name == "is" && in_cell) {
          in_inline = true;
        } else if (name == "t" && in_inline) {
          in_value = true;
        }
      },
      [&](std::string_view name) {
        if (name == "v" || name == "t") {
          in_value = false;
        } else if (name == "is") {
          in_inline = false;
        } else if (name == "c") {
          in_cell = false;
          std::string cell;
          if (type == "s") {
            size_t index = static_cast<size_t>(std::strtoul(value.c_str(), nullptr, 10));
            if (index >= shared.size()) FileError("the XLSX file refers to a missing shared string");
            cell = shared[index];
          } else if (type == "b") {
            cell = value == "1" ? "true" : "false";
          } else if (type != "e") {
            cell = value;
          }
          size_t at = column.value_or(row.size());
          if (at >= kMaxColumns) {
            too_many = true;
            return;
          }
          if (row.size() <= at) row.resize(at + 1);
          row[at] = std::move(cell);
        } else if (name == "row") {
          if (rows.size() <= max_rows) rows.push_back(std::move(row));
        }
      },
      [&](std::string_view text) {
        if (in_value) value.append(text);
      })
      .Parse(ReadEntry(zip, sheet->second));
  if (too_many) FileError("the worksheet has more than " + std::to_string(kMaxColumns) + " columns");
  auto blank = [](const std::vector<std::string>& cells) {
    for (const auto& cell : cells)
      if (!cell.empty()) return false;
    return true;
  };
  while (!rows.empty() && blank(rows.back())) rows.pop_back();
  return rows;
}

}  // namespace tuoke::customers
