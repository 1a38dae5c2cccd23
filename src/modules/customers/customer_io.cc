#include "modules/customers/customer_io.h"

#include <zlib.h>

#include <algorithm>
#include <array>
#include <bit>
#include <cctype>
#include <condition_variable>
#include <cstdio>
#include <deque>
#include <exception>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <thread>
#include <tuple>
#include <unordered_map>
#include <variant>

#include "core/error.h"
#include "core/json_writer.h"
#include "modules/customers/customer.h"
#include "modules/customers/customer_rules.h"
#include "modules/customers/import_file.h"
#include "platform/access.h"
#include "platform/audit.h"
#include "storage/bulk_insert.h"
#include "storage/sqlite/sqlite_bulk.h"

namespace tuoke::customers {

// One row's cells as text (nullopt: empty), with errors for cells that are not text.
struct CustomerIo::ImportCells {
  std::vector<std::optional<std::string>> cells;
  std::optional<std::string> row_error;
  std::map<size_t, std::string> cell_errors;
};

namespace {

using platform::Actor;
using platform::Caller;
using platform::Scope;

// ---- labels (the zh-CN labels of web/src/locales/zh-CN/customers.json) -------------------

using Labels = std::vector<std::pair<std::string, std::string>>;  // code, zh-CN label

const Labels kTypeLabels = {{"terminal", "终端"}, {"agent", "代理商"},      {"distributor", "经销商"},
                            {"retailer", "零售点"}, {"partner", "合作伙伴"}, {"peer", "同行"}};
const Labels kStatusLabels = {{"prospect", "潜在客户"}, {"target", "目标客户"}, {"active", "业务往来客户"},
                              {"peer", "同行业"},       {"lost", "流失"}};
const Labels kGradeLabels = {{"key", "关键客户"}, {"important", "重要客户"}, {"general", "一般客户"},
                             {"watch", "观察客户"}, {"A", "A 类"}, {"B", "B 类"}, {"C", "C 类"}, {"D", "D 类"}};
const Labels kSourceLabels = {{"cold_visit", "陌生拜访"}, {"flyer", "发送传单"}, {"referral", "转介绍"},
                              {"trade_fair", "展会"},     {"online", "网络平台"}, {"phone", "电话"},
                              {"other", "其他"}};
const Labels kPowerLabels = {{"clear", "意向明确且有能力"}, {"some", "有一定可能"}, {"doubtful", "可能性存疑"}};
const Labels kHorizonLabels = {{"within_1_month", "1 个月内"}, {"within_3_months", "3 个月内"},
                               {"within_6_months", "6 个月内"}, {"later", "更久以后"}, {"unknown", "不确定"}};
const Labels kLevelLabels = {{"high", "高"}, {"medium", "中"}, {"low", "低"}};

std::string LabelOf(const Labels& labels, const std::string& code, ExportLanguage language) {
  if (language == ExportLanguage::kEnglish) return code;
  for (const auto& [known, label] : labels)
    if (known == code) return label;
  return code;
}

// ---- export -----------------------------------------------------------------------------

struct ExportColumn {
  const char* zh;
  const char* en;
  double width;  // XLSX column width in characters
};
// R-CUST-66: the headers of the columns an import reads are the import's own (kImportFields),
// so an export imports again with its mapping guessed.
const ExportColumn kExportColumns[] = {
    {"客户名称", "Name", 32},       {"客户编码", "Code", 14},
    {"类型", "Type", 10},           {"等级", "Grade", 10},
    {"状态", "Status", 12},         {"行业", "Industry", 12},
    {"来源", "Source", 10},         {"省", "Province", 10},
    {"市", "City", 10},             {"区县", "District", 10},
    {"地址", "Address", 36},        {"电话", "Phone", 16},
    {"邮箱", "Email", 20},          {"联系人", "Contact", 10},
    {"联系人职务", "Contact title", 12}, {"联系人手机", "Contact mobile", 14},
    {"负责人", "Owner", 12},        {"最近跟进", "Last follow-up", 12},
    {"标签", "Tags", 20},           {"备注", "Notes", 30},
    {"创建日期", "Created", 12},
};
static_assert(std::size(kExportColumns) <= 26, "an XLSX cell reference has one column letter (AppendCellRef)");

std::vector<std::string> ExportCells(const CustomerService::ExportRow& row, ExportLanguage language,
                                     const std::string& time_zone) {
  auto date_of = [&](const std::optional<std::string>& instant) -> std::string {
    if (!instant) return "";
    auto parsed = ParseInstant(*instant);
    return parsed ? FormatDate(BusinessDate(*parsed, time_zone)) : *instant;
  };
  std::string tags;
  for (const auto& tag : row.tags) tags += (tags.empty() ? "" : language == ExportLanguage::kEnglish ? ", " : "、") + tag;
  std::string owner = row.owner_name ? *row.owner_name : language == ExportLanguage::kEnglish ? "(pool)" : "公海";
  return {row.name,
          row.code.value_or(""),
          LabelOf(kTypeLabels, row.type, language),
          LabelOf(kGradeLabels, row.grade, language),
          LabelOf(kStatusLabels, row.status, language),
          row.industry.value_or(""),
          LabelOf(kSourceLabels, row.source, language),
          row.province.value_or(""),
          row.city.value_or(""),
          row.district.value_or(""),
          row.address.value_or(""),
          row.phone.value_or(""),
          row.email.value_or(""),
          row.contact_name.value_or(""),
          row.contact_title.value_or(""),
          row.contact_mobile.value_or(""),
          owner,
          date_of(row.last_follow_up_at),
          tags,
          row.notes.value_or(""),
          date_of(row.created_at)};
}

std::string PercentEncode(std::string_view text) {
  static const char* kHex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

Json FilterJson(const CustomerFilter& filter) {
  Json out = Json::object();
  auto text = [&](const char* key, const std::optional<std::string>& value) {
    if (value) out[key] = *value;
  };
  text("q", filter.query);
  text("grade", filter.grade);
  text("status", filter.status);
  text("type", filter.type);
  text("province", filter.province);
  text("city", filter.city);
  text("tag", filter.tag);
  if (filter.owner_id) out["ownerId"] = IdString(*filter.owner_id);
  if (filter.unit_id) out["unitId"] = IdString(*filter.unit_id);
  if (filter.in_pool) out["inPool"] = *filter.in_pool;
  if (filter.follow_up_before) out["followUpBefore"] = FormatDate(*filter.follow_up_before);
  if (filter.follow_up_after) out["followUpAfter"] = FormatDate(*filter.follow_up_after);
  if (filter.idle_days) out["idleDays"] = *filter.idle_days;
  if (filter.never_followed_up) out["neverFollowedUp"] = true;
  return out;
}

// ---- XLSX ---------------------------------------------------------------------------------

// The smallest workbook Excel, LibreOffice and the import's reader (ReadXlsx) open: one
// worksheet of inline strings, a bold header row frozen at the top, column widths. It is
// written straight into the answer: the worksheet's XML is deflated as rows come
// (zlib level 1: an export is read once; level 6 cost twice the time for 25 % less), so
// neither the XML nor a temporary file is held. libxlsxwriter took 2.4 s of the 5.9 s of
// a 97,852-row export (docs/benchmarks.md, "Import and export, session 6").
class XlsxWriter {
 public:
  explicit XlsxWriter(std::string& out) : out_(out) {}
  XlsxWriter(const XlsxWriter&) = delete;
  XlsxWriter& operator=(const XlsxWriter&) = delete;
  ~XlsxWriter() {
    if (open_) deflateEnd(&stream_);  // an export that failed half-way
  }

  // A whole part at once.
  void Part(const std::string& name, std::string_view content) {
    Begin(name);
    Write(content);
    End();
  }
  void Begin(const std::string& name) {
    entry_ = {name, static_cast<uint32_t>(out_.size()), 0, 0, 0};
    // Local header; CRC and sizes are patched by End (no data descriptor needed).
    Le32(0x04034b50), Le16(20), Le16(0), Le16(8), Le16(0), Le16(0x21);  // 1980-01-01 00:00
    Le32(0), Le32(0), Le32(0), Le16(static_cast<uint16_t>(name.size())), Le16(0);
    out_ += name;
    stream_ = {};
    if (deflateInit2(&stream_, 1, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) != Z_OK)
      throw Error(ErrorKind::kInternal, "internal", "cannot start deflating the workbook");
    open_ = true;
  }
  void Write(std::string_view data) {
    if (data.empty()) return;
    entry_.crc = static_cast<uint32_t>(crc32(entry_.crc, reinterpret_cast<const Bytef*>(data.data()),
                                             static_cast<uInt>(data.size())));
    entry_.size += static_cast<uint32_t>(data.size());
    Deflate(data, Z_NO_FLUSH);
  }
  void End() {
    Deflate({}, Z_FINISH);
    deflateEnd(&stream_);
    open_ = false;
    entry_.compressed = static_cast<uint32_t>(out_.size() - entry_.offset - 30 - entry_.name.size());
    Patch32(entry_.offset + 14, entry_.crc);
    Patch32(entry_.offset + 18, entry_.compressed);
    Patch32(entry_.offset + 22, entry_.size);
    entries_.push_back(entry_);
  }
  // The central directory: the zip is complete afterwards.
  void Finish() {
    uint32_t start = static_cast<uint32_t>(out_.size());
    for (const auto& entry : entries_) {
      Le32(0x02014b50), Le16(20), Le16(20), Le16(0), Le16(8), Le16(0), Le16(0x21);
      Le32(entry.crc), Le32(entry.compressed), Le32(entry.size);
      Le16(static_cast<uint16_t>(entry.name.size())), Le16(0), Le16(0), Le16(0), Le16(0), Le32(0);
      Le32(entry.offset);
      out_ += entry.name;
    }
    uint32_t size = static_cast<uint32_t>(out_.size()) - start;
    Le32(0x06054b50), Le16(0), Le16(0), Le16(static_cast<uint16_t>(entries_.size()));
    Le16(static_cast<uint16_t>(entries_.size())), Le32(size), Le32(start), Le16(0);
    if (out_.size() > UINT32_MAX) throw Error(ErrorKind::kInternal, "internal", "the workbook exceeds 4 GB");
  }

 private:
  struct Entry {
    std::string name;
    uint32_t offset, crc, size, compressed;
  };
  void Deflate(std::string_view data, int flush) {
    stream_.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
    stream_.avail_in = static_cast<uInt>(data.size());
    do {
      size_t used = out_.size();
      out_.resize(used + 65536);
      stream_.next_out = reinterpret_cast<Bytef*>(out_.data() + used);
      stream_.avail_out = 65536;
      deflate(&stream_, flush);
      out_.resize(used + 65536 - stream_.avail_out);
    } while (stream_.avail_out == 0 || (flush == Z_FINISH && stream_.avail_in > 0));
  }
  void Le16(uint16_t value) { out_.push_back(static_cast<char>(value & 0xFF)), out_.push_back(static_cast<char>(value >> 8)); }
  void Le32(uint32_t value) { Le16(static_cast<uint16_t>(value & 0xFFFF)), Le16(static_cast<uint16_t>(value >> 16)); }
  void Patch32(size_t at, uint32_t value) {
    for (int i = 0; i < 4; ++i) out_[at + i] = static_cast<char>((value >> (8 * i)) & 0xFF);
  }

  std::string& out_;
  z_stream stream_{};
  bool open_ = false;
  Entry entry_{};
  std::vector<Entry> entries_;
};

// Cell text as XML character data: markup escaped; control characters XML 1.0 cannot
// carry are written as Excel's _xHHHH_ escapes (as libxlsxwriter did).
void AppendXmlText(std::string& out, std::string_view text) {
  size_t run = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    const char* replacement = nullptr;
    char escape[8];
    if (c == '&') replacement = "&amp;";
    else if (c == '<') replacement = "&lt;";
    else if (c == '>') replacement = "&gt;";
    else if (c < 0x20 && c != '\t' && c != '\n') {
      std::snprintf(escape, sizeof escape, "_x%04X_", c);
      replacement = escape;
    }
    if (!replacement) continue;
    out.append(text.data() + run, i - run);
    out += replacement;
    run = i + 1;
  }
  out.append(text.data() + run, text.size() - run);
}

void AppendCellRef(std::string& out, size_t column, size_t row) {
  // At most 26 export columns: one letter.
  out.push_back(static_cast<char>('A' + column));
  out += std::to_string(row);
}

const char kXlsxContentTypes[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
    "<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">"
    "<Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>"
    "<Default Extension=\"xml\" ContentType=\"application/xml\"/>"
    "<Override PartName=\"/xl/workbook.xml\" "
    "ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml\"/>"
    "<Override PartName=\"/xl/worksheets/sheet1.xml\" "
    "ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml\"/>"
    "<Override PartName=\"/xl/styles.xml\" "
    "ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml\"/>"
    "</Types>";
const char kXlsxRootRels[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
    "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
    "<Relationship Id=\"rId1\" "
    "Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument\" "
    "Target=\"xl/workbook.xml\"/></Relationships>";
const char kXlsxWorkbookRels[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
    "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
    "<Relationship Id=\"rId1\" "
    "Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet\" "
    "Target=\"worksheets/sheet1.xml\"/>"
    "<Relationship Id=\"rId2\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles\" "
    "Target=\"styles.xml\"/></Relationships>";
// Style 0: the default font; style 1: bold (the header row).
const char kXlsxStyles[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
    "<styleSheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\">"
    "<fonts count=\"2\"><font><sz val=\"11\"/><name val=\"Calibri\"/><family val=\"2\"/></font>"
    "<font><b/><sz val=\"11\"/><name val=\"Calibri\"/><family val=\"2\"/></font></fonts>"
    "<fills count=\"2\"><fill><patternFill patternType=\"none\"/></fill>"
    "<fill><patternFill patternType=\"gray125\"/></fill></fills>"
    "<borders count=\"1\"><border><left/><right/><top/><bottom/><diagonal/></border></borders>"
    "<cellStyleXfs count=\"1\"><xf numFmtId=\"0\" fontId=\"0\" fillId=\"0\" borderId=\"0\"/></cellStyleXfs>"
    "<cellXfs count=\"2\"><xf numFmtId=\"0\" fontId=\"0\" fillId=\"0\" borderId=\"0\" xfId=\"0\"/>"
    "<xf numFmtId=\"0\" fontId=\"1\" fillId=\"0\" borderId=\"0\" xfId=\"0\" applyFont=\"1\"/></cellXfs>"
    "<cellStyles count=\"1\"><cellStyle name=\"Normal\" xfId=\"0\" builtinId=\"0\"/></cellStyles>"
    "</styleSheet>";

// ---- import -----------------------------------------------------------------------------

enum class FieldKind : uint8_t { kText, kEnum, kTags, kContact, kOwner };
struct ImportField {
  const char* field;  // the create body's field
  const char* zh;     // the export's zh-CN header, also accepted as a column name
  const char* en;
  FieldKind kind;
  const Labels* labels;
};
const ImportField kImportFields[] = {
    {"name", "客户名称", "Name", FieldKind::kText, nullptr},
    // R-CUST-48: a stored customer's code makes the row add its contact to that customer.
    {"code", "客户编码", "Code", FieldKind::kText, nullptr},
    {"type", "类型", "Type", FieldKind::kEnum, &kTypeLabels},
    {"status", "状态", "Status", FieldKind::kEnum, &kStatusLabels},
    {"source", "来源", "Source", FieldKind::kEnum, &kSourceLabels},
    {"industry", "行业", "Industry", FieldKind::kText, nullptr},
    {"province", "省", "Province", FieldKind::kText, nullptr},
    {"city", "市", "City", FieldKind::kText, nullptr},
    {"district", "区县", "District", FieldKind::kText, nullptr},
    {"address", "地址", "Address", FieldKind::kText, nullptr},
    {"phone", "电话", "Phone", FieldKind::kText, nullptr},
    {"fax", "传真", "Fax", FieldKind::kText, nullptr},
    {"email", "邮箱", "Email", FieldKind::kText, nullptr},
    {"website", "网址", "Website", FieldKind::kText, nullptr},
    {"purchasePower", "购买力", "Purchase power", FieldKind::kEnum, &kPowerLabels},
    {"purchaseHorizon", "采购时间", "Purchase horizon", FieldKind::kEnum, &kHorizonLabels},
    {"importance", "重要性", "Importance", FieldKind::kEnum, &kLevelLabels},
    {"potential", "潜力", "Potential", FieldKind::kEnum, &kLevelLabels},
    {"tags", "标签", "Tags", FieldKind::kTags, nullptr},
    {"notes", "备注", "Notes", FieldKind::kText, nullptr},
    // R-CUST-65: the row's owner, by login name or name; the request's owner when empty.
    {"owner", "负责人", "Owner", FieldKind::kOwner, nullptr},
    // R-CUST-37: contact columns; "contact.name" names the contact of the row.
    {"contact.name", "联系人", "Contact", FieldKind::kContact, nullptr},
    {"contact.title", "联系人职务", "Contact title", FieldKind::kContact, nullptr},
    {"contact.mobile", "联系人手机", "Contact mobile", FieldKind::kContact, nullptr},
    {"contact.phone", "联系人电话", "Contact phone", FieldKind::kContact, nullptr},
    {"contact.email", "联系人邮箱", "Contact email", FieldKind::kContact, nullptr},
    {"contact.wechat", "联系人微信", "Contact WeChat", FieldKind::kContact, nullptr},
    {"contact.qq", "联系人QQ", "Contact QQ", FieldKind::kContact, nullptr},
    {"contact.notes", "联系人备注", "Contact notes", FieldKind::kContact, nullptr},
};

const ImportField* FindImportField(const std::string& column) {
  for (const auto& field : kImportFields)
    if (column == field.field || column == field.zh || column == field.en) return &field;
  return nullptr;
}

std::string Trim(std::string_view text) {
  auto is_space = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
  while (!text.empty() && is_space(text.front())) text.remove_prefix(1);
  while (!text.empty() && is_space(text.back())) text.remove_suffix(1);
  // The ideographic space of Chinese input methods.
  while (text.size() >= 3 && text.substr(0, 3) == "\u3000") text.remove_prefix(3);
  while (text.size() >= 3 && text.substr(text.size() - 3) == "\u3000") text.remove_suffix(3);
  return std::string(text);
}

std::vector<std::string> SplitTagCell(const std::string& text) {
  std::vector<std::string> tags;
  std::string current;
  auto flush = [&] {
    std::string tag = Trim(current);
    if (!tag.empty()) tags.push_back(tag);
    current.clear();
  };
  for (size_t i = 0; i < text.size();) {
    // Separators: , ; and their full-width forms ， ； and the enumeration comma 、.
    if (text[i] == ',' || text[i] == ';') {
      flush(), ++i;
    } else if (text.compare(i, 3, "，") == 0 || text.compare(i, 3, "；") == 0 || text.compare(i, 3, "、") == 0) {
      flush(), i += 3;
    } else {
      current.push_back(text[i++]);
    }
  }
  flush();
  return tags;
}

// One row mapped to the create body; held only while its chunk is validated or written.
struct ImportRow {
  Json body = Json::object();
  Json contact = Json::object();  // R-CUST-37: the contact columns of the row
  Json errors = Json::object();
  Json matches = Json::array();
  std::optional<std::string> owner;  // R-CUST-65: the owner cell, as written
};

// What the report needs of a row once its chunk is done: 16 bytes, so a 200,000-row
// import does not hold 200,000 JSON trees. Errors and matches (rare) are kept as JSON text.
enum class RowStatus : uint8_t { kOk, kInvalid, kDuplicate, kContact, kCreated, kSkipped, kContactAdded, kExisting };
constexpr uint32_t kNoRow = UINT32_MAX;
struct RowState {
  int64_t id = 0;            // the customer created, or stored (R-CUST-48), or the one a contact row went to
  uint32_t parent = kNoRow;  // R-CUST-37: a later row naming an earlier row's customer
  RowStatus status = RowStatus::kOk;
  bool adds_contact = false;  // R-CUST-48: a stored customer's row whose contact it lacks
  uint16_t owner = 0;         // R-CUST-65: the new customer's owner, an index into ImportOwners
};

// R-CUST-65: the owners an import's rows name, by index (0: the request's owner), resolved
// against the users once: by login name, else by name among the active users; another user
// than the importer needs customers.assign over them, as an assignment (R-CUST-8).
class ImportOwners {
 public:
  static constexpr size_t kMaxOwners = UINT16_MAX;
  ImportOwners(storage::Connection& connection, const Caller& caller, int64_t default_owner)
      : caller_(caller), ids_{default_owner}, names_(1) {
    static const storage::Sql kUsers{
        "customers.import_owners",
        "SELECT u.id, u.username, u.name, u.active, o.path FROM users u JOIN org_units o ON o.id = u.unit_id"};
    for (const auto& row : connection.Query(kUsers).rows) {
      size_t at = users_.size();
      users_.push_back({row.Int(0), row.Text(2), row.Text(4), row.Bool(3)});
      by_login_.emplace(row.Text(1), at);
      by_name_.emplace(row.Text(2), at);
      if (row.Int(0) == default_owner) names_[0] = row.Text(2);
    }
  }
  // The owner's index, or the row's error for the cell.
  std::variant<uint16_t, std::string> Resolve(const std::string& cell) {
    const User* user = nullptr;
    if (std::string refusal = OwnerCellRefusal(cell, user); !refusal.empty()) return refusal;
    for (size_t i = 0; i < ids_.size(); ++i)
      if (ids_[i] == user->id) return static_cast<uint16_t>(i);
    ids_.push_back(user->id);
    names_.push_back(user->name);
    return static_cast<uint16_t>(ids_.size() - 1);
  }
  int64_t Id(uint16_t index) const { return ids_[index]; }
  size_t size() const { return ids_.size(); }
  // The customers each owner gets, as the answer and the audit list them: [{ownerId,
  // ownerName, customers}] for the owners with any.
  Json Counts(const std::vector<int64_t>& rows) const {
    Json out = Json::array();
    for (size_t i = 0; i < ids_.size(); ++i)
      if (rows[i] > 0) out.push_back({{"ownerId", IdString(ids_[i])}, {"ownerName", names_[i]}, {"customers", rows[i]}});
    return out;
  }

 private:
  struct User {
    int64_t id;
    std::string name, path;
    bool active;
  };
  // Why the cell names no owner the row may have (its field message; web/src/utils reads the
  // messages returned here), or an empty text with `user` set.
  std::string OwnerCellRefusal(const std::string& cell, const User*& user) const {
    // What the export writes for a pool customer: an import gives every customer an owner.
    if (cell == "公海" || cell == "(pool)")
      return "is the shared pool: imported customers get an owner; leave the cell empty for the import's owner";
    std::string login = cell;
    std::transform(login.begin(), login.end(), login.begin(), [](unsigned char c) { return std::tolower(c); });
    if (auto found = by_login_.find(login); found != by_login_.end()) {
      user = &users_[found->second];
    } else {
      auto [first, last] = by_name_.equal_range(cell);
      int active = 0;
      for (auto it = first; it != last; ++it)
        if (users_[it->second].active) user = &users_[it->second], ++active;
      if (active > 1) return "names several users: write the login name";
      if (!user && first != last) user = &users_[first->second];
    }
    if (!user) return "is no user's login name or name";
    if (!user->active) return "is not an active user";
    if (user->id != caller_.user_id) {
      auto scope = caller_.ScopeFor("customers.assign");
      if (!scope) return "is another user: importing for others needs the right to assign customers";
      if (!platform::InScope(caller_, *scope, user->id, user->path))
        return "is outside the users you may give customers to";
    }
    if (ids_.size() >= kMaxOwners && std::find(ids_.begin(), ids_.end(), user->id) == ids_.end())
      return "names one owner too many for one file";
    return "";
  }
  const Caller& caller_;
  std::vector<User> users_;
  std::unordered_map<std::string, size_t> by_login_;
  std::unordered_multimap<std::string, size_t> by_name_;
  std::vector<int64_t> ids_;
  std::vector<std::string> names_;
};

// Keys met in the file → the first row with each, by the key's 64-bit hash: open
// addressing in one array, with no allocation per key (as std::unordered_map nodes, the
// four maps' inserts were a fifth of the checks' CPU at 100,000 rows; docs/benchmarks.md,
// "Import, session 16"). At most one key per row is inserted, and the table has twice as
// many slots as rows, so a probe meets a free slot within a few steps.
class FirstRowByHash {
 public:
  explicit FirstRowByHash(size_t rows) : slots_(std::bit_ceil(std::max<size_t>(16, rows * 2))) {}
  // The first row that had `hash`, and whether that is `row` (the hash is new).
  std::pair<uint32_t, bool> Emplace(uint64_t hash, uint32_t row) {
    const size_t mask = slots_.size() - 1;
    for (size_t i = hash & mask;; i = (i + 1) & mask) {
      Slot& slot = slots_[i];
      if (slot.row == kNoRow) {
        slot = {hash, row};
        return {row, true};
      }
      if (slot.hash == hash) return {slot.row, false};
    }
  }

 private:
  struct Slot {
    uint64_t hash = 0;
    uint32_t row = kNoRow;
  };
  std::vector<Slot> slots_;
};

const char* StatusName(RowStatus status) {
  switch (status) {
    case RowStatus::kOk: return "ok";
    case RowStatus::kInvalid: return "invalid";
    case RowStatus::kDuplicate: return "duplicate";
    case RowStatus::kContact: return "contact";
    case RowStatus::kCreated: return "created";
    case RowStatus::kSkipped: return "skipped";
    case RowStatus::kContactAdded: return "contact_added";
    case RowStatus::kExisting: return "existing";
  }
  return "ok";
}

// Rows mapped, validated and checked against the archive per chunk, and written per
// chunk (PrepareMany, WriteManyIn): only a few chunks' rows are held at a time. A write
// chunk is four full customer statements (storage::BulkInsert: 585 rows each), so no
// customer goes into the smaller statements of a remainder but at the file's end; with
// a chunk being prepared while one is written, 2,380 rows held less memory than 4,096
// (docs/benchmarks.md, "Import, session 8").
constexpr size_t kImportChunk = 1000;
constexpr size_t kWriteChunk = 4 * storage::BulkInsert::RowsPerStatement(CustomerService::kBulkCustomerValues);
// SQLite: the page cache of the import's transaction (the connections' own is 16 MB). Each
// row goes into five indexes at random places (names, name, phone and address keys,
// contact names: ~220 MB of leaf pages at 1M customers); with 16 MB nearly every such
// insert missed the cache and its page was written to the WAL before the commit, then read
// and written again. 48 MB: 278,000 → 71,000 misses and 339,000 → 155,000 pages written for
// 100,000 rows, within the import's 200 MB RSS target (docs/benchmarks.md, "Import, session
// 12 (helper-28)").
constexpr int kImportCacheKib = 48 * 1024;

// R-CUST-44: an import writes its customers in the order of their names, so their ids
// follow the names, and the name indexes (customers_name, customers_name_key), two of the
// five that take each row at a random place, take the rows in their own order: a leaf
// page is filled while it is in the cache instead of being spilled to the WAL and read
// back for the next row that falls on it. At 1M customers the 100,000-row import missed
// the cache 52,000 → 32,000 times and wrote 136,000 → 112,000 pages (docs/benchmarks.md,
// "Import in name order, session 14"). The first 24 bytes of the name (8 characters of
// CJK) order the rows well enough; ties keep the file's order.
using NamePrefix = std::array<unsigned char, 24>;
NamePrefix NamePrefixOf(std::string_view name) {
  NamePrefix prefix{};  // zeros after a shorter name: it sorts first, as in SQLite's order
  std::copy_n(name.begin(), std::min(name.size(), prefix.size()), prefix.begin());
  return prefix;
}

// R-CUST-38: the write batches of an import are prepared (mapped again from the file,
// read, graded, keys, search words and audit text computed: CustomerService::PrepareMany)
// on a thread of their own while the transaction's connection writes the batch before,
// so the second core works while the database steps. At most one prepared batch waits
// (memory stays bounded); the writer stays one transaction on one thread.
class BatchPipeline {
 public:
  struct Batch {
    std::shared_ptr<CustomerService::PreparedCustomers> prepared;
    std::vector<uint32_t> rows;  // the file rows of its customers, in order
    int64_t contacts = 0;
  };
  // `produce` fills the next batch and returns true, or returns false when there is none.
  explicit BatchPipeline(std::function<bool(Batch&)> produce)
      : produce_(std::move(produce)), thread_([this] { Run(); }) {}
  BatchPipeline(const BatchPipeline&) = delete;
  BatchPipeline& operator=(const BatchPipeline&) = delete;
  // Stops the preparing thread between batches (after a write failed) and waits for it.
  ~BatchPipeline() {
    {
      std::lock_guard lock(mutex_);
      stop_ = true;
    }
    changed_.notify_all();
    thread_.join();
  }

  // The next batch in order; false after the last. Rethrows what preparing threw.
  bool Next(Batch& out) {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [&] { return ready_.has_value() || done_; });
    if (ready_) {
      out = std::move(*ready_);
      ready_.reset();
      changed_.notify_all();
      return true;
    }
    if (error_) std::rethrow_exception(error_);
    return false;
  }

 private:
  void Run() {
    try {
      for (;;) {
        {
          // A batch is prepared only once the one before has been taken: two batches
          // at most (one written, one prepared) instead of a third prepared and
          // waiting for the slot (~7 MB of statement parameters at 2,380 rows).
          std::unique_lock lock(mutex_);
          changed_.wait(lock, [&] { return !ready_ || stop_; });
          if (stop_) break;
        }
        Batch batch;
        if (!produce_(batch)) break;
        std::unique_lock lock(mutex_);
        if (stop_) break;
        ready_ = std::move(batch);
        changed_.notify_all();
      }
    } catch (...) {
      std::lock_guard lock(mutex_);
      error_ = std::current_exception();
    }
    {
      std::lock_guard lock(mutex_);
      done_ = true;
    }
    changed_.notify_all();
  }

  std::function<bool(Batch&)> produce_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::optional<Batch> ready_;  // guarded by mutex_, like the flags
  bool done_ = false, stop_ = false;
  std::exception_ptr error_;
  std::thread thread_;  // last: it starts once the members above exist
};

CustomerIo::ImportCells CellsOfJson(const Json& cells) {
  CustomerIo::ImportCells out;
  if (!cells.is_array()) {
    out.row_error = "must be an array of cells";
    return out;
  }
  for (size_t i = 0; i < cells.size(); ++i) {
    const Json& cell = cells[i];
    if (cell.is_null()) out.cells.emplace_back();
    else if (cell.is_string()) out.cells.emplace_back(cell.get<std::string>());
    else if (cell.is_number_integer()) out.cells.emplace_back(std::to_string(cell.get<int64_t>()));
    else if (cell.is_number()) out.cells.emplace_back(cell.dump());
    else if (cell.is_boolean()) out.cells.emplace_back(cell.get<bool>() ? "true" : "false");
    else {
      out.cells.emplace_back();
      out.cell_errors[i] = "must be text";
    }
  }
  return out;
}

// The create body of one row; errors for cells that cannot be mapped.
// The keys a row is checked by within its file (R-CUST-4..6, 37); nullopt: none.
std::optional<std::string> BodyText(const Json& body, const char* field) {
  auto found = body.find(field);
  if (found == body.end() || !found->is_string()) return std::nullopt;
  return found->get<std::string>();
}
std::optional<std::string> ExactName(const Json& body) { return BodyText(body, "name"); }
// R-CUST-48: the code as stored; nullopt when absent or malformed (the create check says why).
std::optional<std::string> CodeOf(const Json& body) {
  auto code = BodyText(body, "code");
  return code ? CustomerCode(*code) : std::nullopt;
}
std::optional<std::string> NameKeyOf(const Json& body) {
  auto name = BodyText(body, "name");
  if (!name) return std::nullopt;
  std::string key = NameKey(*name);
  if (key.empty()) return std::nullopt;
  return key;
}
std::optional<std::string> PhoneKeyOf(const Json& body) {
  auto phone = BodyText(body, "phone");
  auto key = phone ? PhoneKey(*phone) : std::nullopt;
  if (key && key->empty()) return std::nullopt;
  return key;
}
std::optional<std::string> AddressKeyOf(const Json& body) {
  auto address = BodyText(body, "address");
  auto key = address ? AddressKey(*address) : std::nullopt;
  if (key && key->empty()) return std::nullopt;
  return key;
}

ImportRow MapRow(const std::vector<const ImportField*>& columns, const CustomerIo::ImportCells& cells) {
  ImportRow row;
  if (cells.row_error) {
    row.errors["row"] = *cells.row_error;
    return row;
  }
  if (cells.cells.size() > columns.size()) row.errors["row"] = "has more cells than there are columns";
  for (size_t i = 0; i < cells.cells.size() && i < columns.size(); ++i) {
    const ImportField* field = columns[i];
    if (!field) continue;
    if (auto error = cells.cell_errors.find(i); error != cells.cell_errors.end()) {
      row.errors[field->field] = error->second;
      continue;
    }
    if (!cells.cells[i]) continue;
    std::string text = Trim(*cells.cells[i]);
    if (text.empty()) continue;
    switch (field->kind) {
      case FieldKind::kContact: row.contact[std::string(field->field).substr(8)] = text; break;
      case FieldKind::kOwner: row.owner = text; break;
      case FieldKind::kText: row.body[field->field] = text; break;
      case FieldKind::kTags: row.body[field->field] = SplitTagCell(text); break;
      case FieldKind::kEnum: {
        std::string code = text;
        for (const auto& [known, label] : *field->labels)
          if (text == label || text == known) code = known;
        row.body[field->field] = code;  // an unknown value fails validation with the create message
        break;
      }
    }
  }
  return row;
}

}  // namespace

std::string CsvField(std::string_view text) {
  std::string value;
  // Formula injection (CWE-1236): spreadsheets run cells starting with these.
  if (!text.empty() && (text[0] == '=' || text[0] == '+' || text[0] == '-' || text[0] == '@')) value = "'";
  value += text;
  if (value.find_first_of(",\"\r\n") == std::string::npos) return value;
  std::string quoted = "\"";
  for (char c : value) {
    if (c == '"') quoted.push_back('"');
    quoted.push_back(c);
  }
  quoted.push_back('"');
  return quoted;
}

std::string ContentDisposition(const std::string& file_name, std::string_view ascii_name) {
  return "attachment; filename=\"" + std::string(ascii_name) + "\"; filename*=UTF-8''" + PercentEncode(file_name);
}

bool CsvReader::Next(std::vector<std::string>& row) {
  if (offset_ >= text_.size()) return false;
  size_t count = 0;
  auto next_field = [&]() -> std::string& {
    if (count == row.size()) row.emplace_back();
    std::string& field = row[count++];
    field.clear();
    return field;
  };
  std::string* field = &next_field();
  bool quoted = false;
  const char* data = text_.data();
  size_t size = text_.size(), i = offset_;
  while (i < size) {
    if (quoted) {
      // A run up to the next quote at once: most quoted fields hold no quote at all.
      size_t quote = text_.find('"', i);
      if (quote == std::string_view::npos) quote = size;
      field->append(data + i, quote - i);
      i = quote;
      if (i == size) break;
      if (i + 1 < size && data[i + 1] == '"') field->push_back('"'), i += 2;
      else quoted = false, ++i;
      continue;
    }
    char c = data[i];
    if (c == '"' && field->empty()) {
      quoted = true, ++i;
    } else if (c == ',') {
      field = &next_field(), ++i;
    } else if (c == '\n' || c == '\r') {
      ++i;
      if (c == '\r' && i < size && data[i] == '\n') ++i;
      offset_ = i;
      row.resize(count);
      return true;
    } else {
      size_t stop = i + 1;
      while (stop < size && data[stop] != ',' && data[stop] != '\n' && data[stop] != '\r' && data[stop] != '"') ++stop;
      field->append(data + i, stop - i);
      i = stop;
    }
  }
  // The last row without a line break (it holds at least one character).
  offset_ = size;
  row.resize(count);
  return true;
}

std::vector<std::vector<std::string>> ParseCsv(std::string_view text) {
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> row;
  CsvReader reader(text);
  while (reader.Next(row)) rows.push_back(row);
  return rows;
}

// ---- export -----------------------------------------------------------------------------

void CustomerIo::AuditExport(const Caller& caller, const CustomerFilter& filter, std::string_view format,
                             int64_t rows) {
  // §1: customer data leaving the system is recorded with what was taken.
  database_.InTransaction([&](storage::Connection& connection) {
    platform::RecordAudit(connection, Actor::From(caller),
                          {"customers.export", "customer", "", Json(),
                           {{"format", std::string(format)}, {"filter", FilterJson(filter)}, {"rows", rows}}},
                          clock_.Now());
  });
}

ExportFile CustomerIo::ExportCsv(const Caller& caller, const CustomerFilter& filter, ExportLanguage language) {
  platform::Require(caller, "customers.read");
  std::string time_zone = policies_.TimeZone();
  ExportFile file;
  file.content_type = "text/csv; charset=utf-8";
  file.file_name = "客户导出-" + FormatDate(policies_.Today()) + ".csv";
  file.ascii_file_name = "customers-" + FormatDate(policies_.Today()) + ".csv";
  file.body = "\xEF\xBB\xBF";  // the BOM: Excel reads the file as UTF-8, not the ANSI code page
  auto write_line = [&](const std::vector<std::string>& cells) {
    for (size_t i = 0; i < cells.size(); ++i) {
      if (i) file.body.push_back(',');
      file.body += CsvField(cells[i]);
    }
    file.body += "\r\n";  // RFC 4180
  };
  std::vector<std::string> header;
  for (const auto& column : kExportColumns) header.push_back(language == ExportLanguage::kEnglish ? column.en : column.zh);
  write_line(header);
  customers_.ForEachListed(caller, filter, kMaxExportRows, [&](const CustomerService::ExportRow& row) {
    write_line(ExportCells(row, language, time_zone));
    ++file.rows;
  });
  AuditExport(caller, filter, "csv", file.rows);
  return file;
}

ExportFile CustomerIo::ExportXlsx(const Caller& caller, const CustomerFilter& filter, ExportLanguage language) {
  platform::Require(caller, "customers.read");
  std::string time_zone = policies_.TimeZone();
  bool english = language == ExportLanguage::kEnglish;
  ExportFile file;
  file.content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
  file.file_name = "客户导出-" + FormatDate(policies_.Today()) + ".xlsx";
  file.ascii_file_name = "customers-" + FormatDate(policies_.Today()) + ".xlsx";

  XlsxWriter zip(file.body);
  zip.Part("[Content_Types].xml", kXlsxContentTypes);
  zip.Part("_rels/.rels", kXlsxRootRels);
  zip.Part("xl/workbook.xml",
           std::string("<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
                       "<workbook xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" "
                       "xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\">"
                       "<sheets><sheet name=\"") +
               (english ? "Customers" : "客户") + "\" sheetId=\"1\" r:id=\"rId1\"/></sheets></workbook>");
  zip.Part("xl/_rels/workbook.xml.rels", kXlsxWorkbookRels);
  zip.Part("xl/styles.xml", kXlsxStyles);

  zip.Begin("xl/worksheets/sheet1.xml");
  std::string xml =
      "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
      "<worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" "
      "xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\">"
      "<sheetViews><sheetView tabSelected=\"1\" workbookViewId=\"0\">"
      "<pane ySplit=\"1\" topLeftCell=\"A2\" activePane=\"bottomLeft\" state=\"frozen\"/>"
      "<selection pane=\"bottomLeft\"/></sheetView></sheetViews><sheetFormatPr defaultRowHeight=\"15\"/><cols>";
  size_t column = 0;
  for (const auto& spec : kExportColumns) {
    ++column;
    char col[96];
    std::snprintf(col, sizeof col, "<col min=\"%zu\" max=\"%zu\" width=\"%.2f\" customWidth=\"1\"/>", column, column,
                  spec.width + 0.71);  // Excel's cell padding, as libxlsxwriter adds it
    xml += col;
  }
  xml += "</cols><sheetData>";
  size_t line = 1;
  // One row of inline strings; empty cells are left out.
  auto write_row = [&](const auto& cells, const char* style) {
    xml += "<row r=\"" + std::to_string(line) + "\">";
    for (size_t i = 0; i < cells.size(); ++i) {
      std::string_view text = cells[i];
      if (text.empty()) continue;
      xml += "<c r=\"";
      AppendCellRef(xml, i, line);
      xml += style;
      // Leading or trailing spaces and line breaks survive only with xml:space.
      bool preserve = text.front() == ' ' || text.back() == ' ' || text.find('\n') != std::string_view::npos;
      xml += preserve ? "\" t=\"inlineStr\"><is><t xml:space=\"preserve\">" : "\" t=\"inlineStr\"><is><t>";
      AppendXmlText(xml, text);
      xml += "</t></is></c>";
    }
    xml += "</row>";
    ++line;
    if (xml.size() >= 256 * 1024) zip.Write(xml), xml.clear();
  };
  std::vector<std::string_view> header;
  for (const auto& spec : kExportColumns) header.push_back(english ? spec.en : spec.zh);
  write_row(header, "\" s=\"1");
  customers_.ForEachListed(caller, filter, kMaxExportRows, [&](const CustomerService::ExportRow& row) {
    write_row(ExportCells(row, language, time_zone), "");
    ++file.rows;
  });
  xml += "</sheetData></worksheet>";
  zip.Write(xml);
  zip.End();
  zip.Finish();
  AuditExport(caller, filter, "xlsx", file.rows);
  return file;
}

// ---- import -----------------------------------------------------------------------------

namespace {

// Maps column names to import fields; `columns` null or "" entries are skipped columns.
std::vector<const ImportField*> ImportColumns(JsonReader& reader, const Json* columns_json) {
  std::vector<const ImportField*> columns;
  if (!columns_json || !columns_json->is_array() || columns_json->empty() || columns_json->size() > 100) {
    reader.Fail("columns", "must be a list of 1 to 100 column names");
    return columns;
  }
  bool has_name = false;
  std::set<std::string> seen;
  for (const auto& column : *columns_json) {
    // null or "": a column of the file the user chose not to import.
    if (column.is_null() || (column.is_string() && column.get<std::string>().empty())) {
      columns.push_back(nullptr);
      continue;
    }
    const ImportField* field = column.is_string() ? FindImportField(column.get<std::string>()) : nullptr;
    if (!field) {
      reader.Fail("columns", "unknown column " + column.dump());
      continue;
    }
    if (!seen.insert(field->field).second) reader.Fail("columns", std::string("two columns map to ") + field->field);
    has_name |= std::string_view(field->field) == "name";
    columns.push_back(field);
  }
  if (!has_name) reader.Fail("columns", "must include name");
  return columns;
}

}  // namespace

struct CustomerIo::ImportRequest {
  std::string mode;  // dry_run / all_or_nothing / skip_bad
  bool acknowledge_duplicates = false;
  std::optional<int64_t> owner_id;
  std::vector<const ImportField*> columns;  // null: a skipped column
};

Json CustomerIo::Import(const Caller& caller, const Json& body) {
  platform::Require(caller, "customers.write");
  JsonReader reader(body);
  ImportRequest request;
  auto mode = reader.Enum("mode", {"dry_run", "all_or_nothing", "skip_bad"});
  if (!reader.Has("mode")) reader.Fail("mode", "is required");
  request.acknowledge_duplicates = reader.Bool("acknowledgeDuplicates").value_or(false);
  request.owner_id = reader.Id("ownerId");
  const Json* columns_json = reader.Raw("columns");
  const Json* rows_json = reader.Raw("rows");
  request.columns = ImportColumns(reader, columns_json);
  if (!rows_json || !rows_json->is_array() || rows_json->empty())
    reader.Fail("rows", "must be a non-empty list of rows");
  else if (rows_json->size() > kMaxImportRows)
    reader.Fail("rows", "at most " + std::to_string(kMaxImportRows) + " rows per request");
  reader.Finish();
  request.mode = *mode;
  return Json::parse(ImportRows(
      caller, request, rows_json->size(), [&](size_t index) { return CellsOfJson((*rows_json)[index]); },
      Json::object()));
}

std::string CustomerIo::ImportRows(const Caller& caller, const ImportRequest& request, size_t row_count,
                                   const std::function<ImportCells(size_t)>& row_at, const Json& file_fields) {
  const std::string& mode = request.mode;
  bool acknowledged = request.acknowledge_duplicates;
  const auto& owner_id = request.owner_id;
  const auto& columns = request.columns;
  if (row_count >= kNoRow) ThrowValidation("rows", "too many rows");
  int64_t owner = caller.user_id;
  if (owner_id && *owner_id != caller.user_id) {
    // R-CUST-25: importing for someone else is an assignment.
    Scope scope = platform::Require(caller, "customers.assign");
    auto connection = database_.Acquire();
    const storage::Sql kUser{"customers.import_owner",
                             "SELECT u.active, o.path FROM users u JOIN org_units o ON o.id = u.unit_id WHERE u.id = ?"};
    auto user = connection->QueryOne(kUser, {*owner_id});
    if (!user || !user->Bool(0) || !platform::InScope(caller, scope, *owner_id, user->Text(1)))
      ThrowValidation("ownerId", "must be an active user in your scope");
    owner = *owner_id;
  }
  // R-CUST-65: rows may name their own owners.
  bool has_owners = std::any_of(columns.begin(), columns.end(),
                                [](const ImportField* field) { return field && field->kind == FieldKind::kOwner; });
  std::optional<ImportOwners> owners;
  if (has_owners) owners.emplace(*database_.Acquire(), caller, owner);

  // Validate every row as create does, and flag duplicates in the file and the archive,
  // a chunk at a time: what is kept of a row afterwards is its RowState (and its errors
  // and matches as JSON text when it has any).
  std::vector<RowState> states(row_count);
  std::unordered_map<uint32_t, std::string> error_text, match_text;
  // R-CUST-37: a customer row → the later rows adding their contacts to it.
  std::unordered_map<uint32_t, std::vector<uint32_t>> contact_rows;
  // R-CUST-48: the names of the stored customers rows matched by code, for the report (the
  // file may name them otherwise: the importer sees which customer a code reached).
  std::unordered_map<int64_t, std::string> stored_names;
  // … and the rows among them with a contact: row, customer, contact name.
  std::vector<std::tuple<uint32_t, int64_t, std::string>> stored_contacts;
  int64_t invalid = 0, duplicates = 0;
  // R-CUST-44: the valid customer rows by the first bytes of their names (the order they
  // are written in), then by row.
  std::vector<std::pair<NamePrefix, uint32_t>> by_name;
  {
    // Keys met in the file → the first row with each (names, phones, addresses by their
    // duplicate keys; customer_rows by the exact name). Kept as 64-bit hashes, and only
    // until the checks are done: as strings the four maps of 100,000 rows took tens of MB
    // through the write (docs/benchmarks.md, "Import, session 8"). A hash met again is
    // confirmed against the earlier row's own key, read again from the file (repeats only:
    // duplicates and contact rows), so a collision never joins two different keys.
    FirstRowByHash names(row_count), phones(row_count), addresses(row_count), customer_rows(row_count),
        codes(row_count);
    using KeyOf = std::optional<std::string> (*)(const Json& body);
    auto earlier_row = [&](FirstRowByHash& seen, const std::string& key, uint32_t index,
                           KeyOf key_of) -> std::optional<uint32_t> {
      auto [first, inserted] = seen.Emplace(std::hash<std::string>{}(key), index);
      if (inserted || key_of(MapRow(columns, row_at(first)).body) != key) return std::nullopt;
      return first;
    };
    auto connection = database_.Acquire();
    // R-CUST-48: stored customers are looked up by code on a connection of their own (the
    // one above may be reading the chunk before's duplicates on the other thread).
    bool has_codes = std::any_of(columns.begin(), columns.end(), [](const ImportField* field) {
      return field && std::string_view(field->field) == "code";
    });
    std::optional<decltype(database_.Acquire())> codes_connection;
    if (has_codes) codes_connection.emplace(database_.Acquire());
    std::vector<ImportRow> chunk_rows;
    std::unordered_map<std::string, std::optional<CustomerService::CodeMatch>> stored_codes;
    std::vector<std::string> chunk_codes;
    std::vector<CustomerService::DuplicateProbe> probes;  // the chunk's valid customer rows'
    std::vector<uint32_t> probed_rows;                    // … their row indexes
    std::vector<Json> probed_matches;                     // … and their matches in the file
    // R-CUST-38: a chunk's archive matches are read on another thread while this one maps
    // and validates the next chunk (the lookups wait on index pages, the mapping on the
    // CPU); one chunk's lookups at a time, on the connection above.
    struct Probed {
      std::vector<uint32_t> rows;
      std::vector<Json> matches;
      std::future<std::vector<Json>> archive;
    };
    std::optional<Probed> in_flight;
    auto take_archive_matches = [&](Probed& probed) {
      std::vector<Json> archive_matches = probed.archive.get();
      for (size_t p = 0; p < probed.rows.size(); ++p) {
        Json& matches = probed.matches[p];
        for (auto& match : archive_matches[p]) matches.push_back(std::move(match));
        if (matches.empty()) continue;
        states[probed.rows[p]].status = RowStatus::kDuplicate;
        ++duplicates;
        match_text[probed.rows[p]] = EncodeJson(matches);
      }
    };
    for (size_t start = 0; start < row_count; start += kImportChunk) {
      size_t end = std::min(row_count, start + kImportChunk);
      probes.clear(), probed_rows.clear(), probed_matches.clear();
      chunk_rows.clear();
      for (size_t i = start; i < end; ++i) chunk_rows.push_back(MapRow(columns, row_at(i)));
      if (has_codes) {
        // R-CUST-48: the chunk's codes against the archive in one go. Only the first row with
        // a code reads its match (later ones join that row), so a chunk's matches are kept
        // until the chunk is done, not for the whole file.
        stored_codes.clear(), chunk_codes.clear();
        for (const ImportRow& row : chunk_rows)
          if (auto code = row.errors.empty() ? CodeOf(row.body) : std::nullopt)
            if (stored_codes.emplace(*code, std::nullopt).second) chunk_codes.push_back(*code);
        auto found = customers_.MatchCodesMany(**codes_connection, caller, chunk_codes);
        for (size_t c = 0; c < chunk_codes.size(); ++c) stored_codes[chunk_codes[c]] = std::move(found[c]);
      }
      for (size_t i = start; i < end; ++i) {
        uint32_t index = static_cast<uint32_t>(i);
        RowState& state = states[i];
        ImportRow& row = chunk_rows[i - start];
        auto code = row.errors.empty() ? CodeOf(row.body) : std::nullopt;
        // A code cell that is no code: the row cannot be matched by it, whatever else it joins.
        if (!code && row.errors.empty() && BodyText(row.body, "code"))
          row.errors["code"] = "must be 1–" + std::to_string(kMaxCustomerCodeLength) + " characters without spaces";
        auto repeats = [&](uint32_t first, const char* what) {
          state.parent = first;
          if (row.contact.empty())
            row.errors["contact.name"] =
                std::string("repeats the ") + what + " of row " + std::to_string(first + 2) + " without a contact";
        };
        if (code) {
          // R-CUST-48: a later row with the same code only adds its contact; the first row
          // with the code of a stored customer adds its contact to that customer.
          if (auto first = earlier_row(codes, *code, index, CodeOf)) {
            repeats(*first, "customer code");
          } else if (const auto& match = stored_codes[*code]) {
            if (!match->refused) {
              state.status = RowStatus::kExisting;
              state.id = match->id;
              stored_names.emplace(match->id, match->name);
            } else if (*match->refused == "customers.not_found") {
              row.errors["code"] = "is the code of a customer outside your scope";
            } else {
              row.errors["code"] = "is the code of " + match->name +
                                   (*match->refused == "customers.in_pool"
                                        ? ", which is in the shared pool: claim it first"
                                        : ", which is outside your write scope");
            }
          }
          // Later rows naming this customer without a code join it (R-CUST-37).
          if (state.parent == kNoRow && row.body.contains("name"))
            customer_rows.Emplace(std::hash<std::string>{}(row.body["name"].get<std::string>()), index);
        } else if (row.errors.empty() && row.body.contains("name")) {
          // R-CUST-37: a later row with the same customer name only adds its contact.
          if (auto first = earlier_row(customer_rows, row.body["name"].get<std::string>(), index, ExactName))
            repeats(*first, "customer");
        }
        // R-CUST-65: a new customer's owner named by the row.
        if (row.errors.empty() && row.owner && state.parent == kNoRow && state.status != RowStatus::kExisting) {
          auto resolved = owners->Resolve(*row.owner);
          if (auto* error = std::get_if<std::string>(&resolved)) row.errors["owner"] = *error;
          else state.owner = std::get<uint16_t>(resolved);
        }
        if (row.errors.empty() && !row.contact.empty()) {
          try {
            customers_.ValidateContact(row.contact);
          } catch (const Error& error) {
            if (error.kind() != ErrorKind::kValidation) throw;
            for (const auto& [field, message] : error.details().value("fields", Json::object()).items())
              row.errors["contact." + field] = message;
          }
        }
        // R-CUST-48: a stored customer's row creates nothing; its other cells are not used.
        if (state.parent == kNoRow && state.status != RowStatus::kExisting && row.errors.empty()) {
          try {
            customers_.ValidateCreate(row.body);
          } catch (const Error& error) {
            if (error.kind() != ErrorKind::kValidation) throw;
            row.errors = error.details().value("fields", Json::object());
            if (row.errors.empty()) row.errors["row"] = error.what();
          }
        }
        if (!row.errors.empty()) {
          state.status = RowStatus::kInvalid;
          ++invalid;
          error_text[index] = EncodeJson(row.errors);
          continue;
        }
        if (state.parent != kNoRow) {
          // The contact goes where its customer's row goes: a new customer, or a stored one.
          if (const RowState& customer = states[state.parent]; customer.status == RowStatus::kExisting) {
            state.status = RowStatus::kExisting;
            state.id = customer.id;
            if (row.contact.contains("name"))
              stored_contacts.emplace_back(index, state.id, row.contact["name"].get<std::string>());
          } else {
            state.status = RowStatus::kContact;
          }
          contact_rows[state.parent].push_back(index);
          continue;
        }
        if (state.status == RowStatus::kExisting) {
          if (row.contact.contains("name"))
            stored_contacts.emplace_back(index, state.id, row.contact["name"].get<std::string>());
          continue;
        }
        auto text = [&](const char* field) -> std::optional<std::string> {
          auto found = row.body.find(field);
          if (found == row.body.end()) return std::nullopt;
          return found->get<std::string>();
        };
        auto name = text("name"), phone = text("phone"), address = text("address");
        // R-CUST-4..6 within the file: the same keys as against the archive.
        std::map<uint32_t, Json> in_file;
        auto check = [&](FirstRowByHash& seen, KeyOf key_of, const char* reason) {
          auto key = key_of(row.body);
          if (!key) return;
          if (auto earlier = earlier_row(seen, *key, index, key_of)) in_file[*earlier].push_back(reason);
        };
        check(names, NameKeyOf, "name");
        check(phones, PhoneKeyOf, "phone");
        check(addresses, AddressKeyOf, "address");
        for (auto& [earlier, reasons] : in_file)
          row.matches.push_back({{"row", static_cast<int64_t>(earlier) + 2}, {"reasons", reasons}});
        by_name.emplace_back(NamePrefixOf(name.value_or("")), index);
        probes.push_back({std::move(name), std::move(phone), std::move(address)});
        probed_rows.push_back(index);
        probed_matches.push_back(std::move(row.matches));
      }
      // R-CUST-38: the archive's matches for the chunk's rows, a hundred rows per query.
      std::optional<Probed> before = std::move(in_flight);
      if (before) before->archive.wait();  // the connection is free again
      in_flight.emplace(Probed{std::move(probed_rows), std::move(probed_matches), {}});
      in_flight->archive = std::async(std::launch::async, [&, chunk = std::move(probes)] {
        return customers_.MatchDuplicatesMany(*connection, caller, chunk);
      });
      if (before) take_archive_matches(*before);
    }
    if (in_flight) take_archive_matches(*in_flight);
    // R-CUST-48: which contacts of rows naming stored customers those customers lack, so a
    // dry run tells the rows that will add a contact from those that will write nothing
    // (the write decides again, in its transaction). The customers' contact names, 100
    // customers per query.
    if (!stored_contacts.empty()) {
      constexpr size_t kPerQuery = 100;
      static const std::string sql = [] {
        std::string text = "SELECT customer_id, name FROM contacts WHERE customer_id IN (?";
        for (size_t i = 1; i < kPerQuery; ++i) text += ", ?";
        return text + ")";
      }();
      static const storage::Sql kContactNames{"customers.import_contact_names", sql.c_str()};
      std::set<int64_t> ids;
      for (const auto& [index, id, name] : stored_contacts) ids.insert(id);
      std::set<std::pair<int64_t, std::string>> known;
      std::vector<int64_t> batch(ids.begin(), ids.end());
      for (size_t start = 0; start < batch.size(); start += kPerQuery) {
        storage::Params params;
        for (size_t i = start; i < start + kPerQuery; ++i) params.push_back(i < batch.size() ? batch[i] : int64_t{0});
        for (const auto& found : connection->Query(kContactNames, params).rows)
          known.emplace(found.Int(0), found.Text(1));
      }
      for (const auto& [index, id, name] : stored_contacts) states[index].adds_contact = known.emplace(id, name).second;
      stored_contacts = {};
    }
  }

  // R-CUST-24: duplicates are written only when acknowledged.
  // R-CUST-48: rows of stored customers write their contacts.
  auto writable = [&](const RowState& state) {
    if (state.status == RowStatus::kExisting) return true;
    if (state.parent != kNoRow) return state.status == RowStatus::kContact;
    return state.status == RowStatus::kOk || (state.status == RowStatus::kDuplicate && acknowledged);
  };
  int64_t existing = std::count_if(states.begin(), states.end(),
                                   [](const RowState& state) { return state.status == RowStatus::kExisting; });
  std::sort(by_name.begin(), by_name.end());
  std::vector<uint32_t> write_order(by_name.size());
  for (size_t i = 0; i < by_name.size(); ++i) write_order[i] = by_name[i].second;
  by_name = {};
  // R-CUST-65: a write batch has one owner: the rows by owner, each owner's in name order.
  if (owners)
    std::stable_sort(write_order.begin(), write_order.end(),
                     [&](uint32_t a, uint32_t b) { return states[a].owner < states[b].owner; });
  // The customers each owner gets (R-CUST-32 counts them; the answer and the audit say them).
  std::vector<int64_t> owner_rows(owners ? owners->size() : 1, 0);
  for (const RowState& state : states)
    if (state.parent == kNoRow && state.status != RowStatus::kExisting && writable(state)) ++owner_rows[state.owner];
  bool blocked = mode == "all_or_nothing" && std::any_of(states.begin(), states.end(),
                                                         [&](const RowState& state) { return !writable(state); });
  int64_t created = 0, contacts = 0;
  std::vector<uint32_t> added_rows;  // R-CUST-48: rows whose contact went to a stored customer
  if (mode != "dry_run" && !blocked) {
    Actor actor = Actor::From(caller);
    // One transaction for the whole file (all or nothing even in skip_bad: bad rows are
    // left out, but what is written is written together). Rows are mapped again from the
    // file a chunk at a time; the ids land in `states` and count once the commit is done
    // (a busy first attempt is retried from the start). R-CUST-38: on SQLite in a
    // transaction of its own, not in a savepoint of the writer thread's group
    // (storage::InBulkTransaction).
    try {
      storage::InBulkTransaction(database_, [&](storage::Connection& connection) {
        created = contacts = 0;
        added_rows.clear();
        // R-CUST-32: each owner's hold limit counts every row to be written for them, the
        // owners in id order (their rows are locked in turn).
        std::vector<std::pair<int64_t, int64_t>> holds;
        for (size_t o = 0; o < owner_rows.size(); ++o)
          if (owner_rows[o] > 0 || o == 0)
            holds.emplace_back(owners ? owners->Id(static_cast<uint16_t>(o)) : owner, owner_rows[o]);
        std::sort(holds.begin(), holds.end());
        for (const auto& [holder, rows] : holds) customers_.RequireRoomToHold(connection, holder, rows);
        // Rows are mapped and prepared on the pipeline's thread (which alone calls row_at
        // now) and written here, in name order (R-CUST-44).
        size_t next_row = 0;
        auto produce = [&](BatchPipeline::Batch& out) {
          std::deque<ImportRow> mapped;  // stable addresses for the batch's pointers
          std::vector<CustomerService::NewCustomer> batch;
          uint16_t batch_owner = 0;
          for (; next_row < write_order.size() && batch.size() < kWriteChunk; ++next_row) {
            size_t i = write_order[next_row];
            if (states[i].parent != kNoRow || !writable(states[i])) continue;
            // R-CUST-65: the next owner's rows go in the next batch.
            if (batch.empty()) batch_owner = states[i].owner;
            else if (states[i].owner != batch_owner) break;
            ImportRow& row = mapped.emplace_back(MapRow(columns, row_at(i)));
            CustomerService::NewCustomer& customer = batch.emplace_back();
            customer.body = &row.body;
            // R-CUST-37: the row's own contact, then those of the rows naming this customer.
            if (!row.contact.empty()) customer.contacts.push_back(&row.contact);
            if (auto found = contact_rows.find(static_cast<uint32_t>(i)); found != contact_rows.end())
              for (uint32_t index : found->second)
                customer.contacts.push_back(&mapped.emplace_back(MapRow(columns, row_at(index))).contact);
            out.rows.push_back(static_cast<uint32_t>(i));
            out.contacts += static_cast<int64_t>(customer.contacts.size());
          }
          if (batch.empty()) return false;
          out.prepared = customers_.PrepareMany(caller, batch, owners ? owners->Id(batch_owner) : owner);
          return true;
        };
        std::vector<int> automerge = customers_.BeginBulkSearchFill(connection);
        {
          BatchPipeline pipeline(produce);
          BatchPipeline::Batch batch;
          while (pipeline.Next(batch)) {
            // R-CUST-38: the batch's customers and contacts in multi-row statements.
            std::vector<int64_t> ids = customers_.WriteManyIn(connection, caller, *batch.prepared);
            for (size_t b = 0; b < batch.rows.size(); ++b) states[batch.rows[b]].id = ids[b];
            created += static_cast<int64_t>(batch.rows.size());
            contacts += batch.contacts;
            batch.prepared.reset();
          }
        }  // the pipeline's thread has stopped: row_at is this thread's again
        customers_.EndBulkSearchFill(connection, automerge);
        // R-CUST-48: the contacts of the rows naming stored customers, customer by customer in
        // the file's order, each left out when the customer has a contact of that name.
        for (size_t i = 0; i < row_count; ++i) {
          if (states[i].parent != kNoRow || states[i].status != RowStatus::kExisting) continue;
          std::deque<ImportRow> mapped;
          std::vector<const Json*> bodies;
          std::vector<uint32_t> body_rows;
          auto add = [&](uint32_t index) {
            ImportRow& row = mapped.emplace_back(MapRow(columns, row_at(index)));
            if (row.contact.empty()) return;
            bodies.push_back(&row.contact);
            body_rows.push_back(index);
          };
          add(static_cast<uint32_t>(i));
          if (auto found = contact_rows.find(static_cast<uint32_t>(i)); found != contact_rows.end())
            for (uint32_t index : found->second) add(index);
          if (bodies.empty()) continue;
          std::vector<bool> added = customers_.AddContactsIn(connection, caller, states[i].id, bodies);
          for (size_t b = 0; b < added.size(); ++b)
            if (added[b]) added_rows.push_back(body_rows[b]), ++contacts;
        }
        Json audited = {{"mode", mode},         {"ownerId", IdString(owner)}, {"total", row_count},
                        {"invalid", invalid},   {"duplicates", duplicates},   {"existing", existing},
                        {"created", created},   {"contacts", contacts}};
        if (owners) audited["owners"] = owners->Counts(owner_rows);  // R-CUST-65
        platform::RecordAudit(connection, actor, {"customers.import", "customer", "", Json(), audited},
                              clock_.Now());
      }, kImportCacheKib);
    } catch (const storage::DatabaseError& error) {
      // R-CUST-48: a new row's code taken by another write after the checks.
      CustomerService::ThrowIfCodeTaken(error);
      throw;
    }
    for (RowState& state : states) {
      if (state.status == RowStatus::kExisting) continue;
      if (state.parent == kNoRow) {
        if (writable(state)) state.status = RowStatus::kCreated;
      } else if (state.status == RowStatus::kContact) {
        const RowState& customer = states[state.parent];
        if (customer.status == RowStatus::kCreated) {
          state.status = RowStatus::kContactAdded;
          state.id = customer.id;
        }
      }
    }
    for (uint32_t index : added_rows) states[index].status = RowStatus::kContactAdded;
  } else if (blocked) {
    for (RowState& state : states)
      if (writable(state)) state.status = RowStatus::kSkipped;
  }
  if (mode != "dry_run")
    for (RowState& state : states)
      if (state.parent != kNoRow && state.status == RowStatus::kContact) state.status = RowStatus::kSkipped;

  // The answer, keys in the order EncodeJson gives a JSON object (sorted), rows written
  // one by one from their states.
  Json summary = file_fields;
  summary.update({{"mode", mode},
                  {"total", static_cast<int64_t>(row_count)},
                  {"valid", static_cast<int64_t>(row_count) - invalid},
                  {"invalid", invalid},
                  {"duplicates", duplicates},
                  {"existing", existing},
                  {"created", created},
                  {"contactsCreated", contacts}});
  // R-CUST-65: with an owner column, how many customers each owner gets (or got).
  if (owners) summary["owners"] = owners->Counts(owner_rows);
  std::string out;
  out.reserve(row_count * 48 + 256);
  auto write_rows = [&] {
    out += "\"rows\":[";
    for (size_t i = 0; i < row_count; ++i) {
      const RowState& state = states[i];
      uint32_t index = static_cast<uint32_t>(i);
      out += i ? ",{" : "{";
      if (state.status == RowStatus::kExisting || state.status == RowStatus::kContactAdded)
        if (auto found = stored_names.find(state.id); found != stored_names.end())
          out += "\"customerName\":" + EncodeJson(found->second) + ",";
      if (auto found = error_text.find(index); found != error_text.end()) out += "\"errors\":" + found->second + ",";
      if (state.status == RowStatus::kCreated || state.status == RowStatus::kContactAdded ||
          state.status == RowStatus::kExisting)
        out += "\"id\":\"" + std::to_string(state.id) + "\",";
      if (auto found = match_text.find(index); found != match_text.end())
        out += "\"matches\":" + found->second + ",";
      // R-CUST-48: in a dry run a stored customer's row that will add its contact says so.
      const char* status = mode == "dry_run" && state.status == RowStatus::kExisting && state.adds_contact
                               ? StatusName(RowStatus::kContact)
                               : StatusName(state.status);
      out += "\"row\":" + std::to_string(i + 2) + ",\"status\":\"" + status + "\"}";
    }
    out += "]";
  };
  out += "{";
  bool rows_written = false, first = true;
  for (const auto& [key, value] : summary.items()) {
    if (!first) out += ",";
    first = false;
    if (!rows_written && key > "rows") {
      write_rows();
      rows_written = true;
      out += ",";
    }
    out += EncodeJson(key) + ":" + EncodeJson(value);
  }
  if (!rows_written) out += first ? "" : ",", write_rows();
  out += "}";
  return out;
}

Json CustomerIo::ImportFile(const Caller& caller, std::string_view bytes, const ImportFileOptions& options) {
  return Json::parse(ImportFileText(caller, bytes, options));
}

std::string CustomerIo::ImportFileText(const Caller& caller, std::string_view bytes,
                                       const ImportFileOptions& options) {
  platform::Require(caller, "customers.write");
  if (options.mode != "dry_run" && options.mode != "all_or_nothing" && options.mode != "skip_bad")
    ThrowValidation("mode", "must be dry_run, all_or_nothing or skip_bad");
  ImportEncoding encoding = ParseImportEncoding(options.encoding);
  ImportFormat format = SniffImportFormat(bytes);
  if (options.format == "csv") format = ImportFormat::kCsv;
  else if (options.format == "xlsx") format = ImportFormat::kXlsx;
  else if (options.format != "auto") ThrowValidation("format", "must be auto, csv or xlsx");
  if (bytes.empty()) ThrowValidation("body", "the file is empty");

  // R-CUST-35, 36: the rows of the file; one row more than allowed tells it is too long.
  // XLSX: the worksheet's cells. CSV: the text (the upload itself when it is UTF-8) and
  // where each row starts; a row's cells are read when the import needs them.
  std::vector<std::vector<std::string>> table;
  std::string converted, used_encoding;
  std::string_view text;
  std::vector<size_t> offsets;
  std::vector<std::string> header;
  size_t rows = 0;  // with the header row
  if (format == ImportFormat::kXlsx) {
    table = ReadXlsx(bytes, kMaxImportFileRows + 1);
    rows = table.size();
    if (rows) header = table[0];
  } else {
    text = DecodeImportTextInPlace(bytes, encoding, converted, used_encoding);
    CsvReader reader(text);
    std::vector<std::string> cells;
    size_t kept = 0;
    for (size_t start = reader.offset(); reader.Next(cells); start = reader.offset()) {
      offsets.push_back(start);
      if (offsets.size() == 1) header = cells;
      if (!std::all_of(cells.begin(), cells.end(), [](const std::string& cell) { return cell.empty(); }))
        kept = offsets.size();
    }
    offsets.resize(kept);  // trailing rows of empty cells are not rows
    rows = kept;
  }
  if (rows < 2) ThrowValidation("body", "the file needs a header row and at least one row");
  if (rows - 1 > kMaxImportFileRows)
    ThrowValidation("body", "at most " + std::to_string(kMaxImportFileRows) + " rows per file");

  // Columns: the mapping decides; without one, headers naming a known field are taken.
  Json columns = Json::array();
  Json ignored = Json::array();
  for (const auto& cell : header) {
    std::string name = Trim(cell);
    Json column;
    if (options.mapping) {
      if (!options.mapping->is_object()) ThrowValidation("mapping", "must be an object of header to field");
      if (options.mapping->contains(name)) column = (*options.mapping)[name];
    } else if (FindImportField(name)) {
      column = name;
    }
    if (column.is_null() || (column.is_string() && column.get<std::string>().empty())) ignored.push_back(name);
    columns.push_back(std::move(column));
  }
  JsonReader reader(Json{{"columns", columns}});
  ImportRequest request;
  request.columns = ImportColumns(reader, reader.Raw("columns"));
  reader.Finish();
  request.mode = options.mode;
  request.owner_id = options.owner_id;
  request.acknowledge_duplicates = options.acknowledge_duplicates;
  Json file_fields = {{"format", format == ImportFormat::kXlsx ? "xlsx" : "csv"},
                      {"encoding", used_encoding.empty() ? Json() : Json(used_encoding)},
                      {"ignoredColumns", std::move(ignored)}};
  std::vector<std::string> cells;
  return ImportRows(
      caller, request, rows - 1,
      [&](size_t index) {
        ImportCells out;
        const std::vector<std::string>* row = &cells;
        if (format == ImportFormat::kXlsx) {
          row = &table[index + 1];
        } else {
          CsvReader row_reader(text, offsets[index + 1]);
          row_reader.Next(cells);
        }
        out.cells.assign(row->begin(), row->end());
        return out;
      },
      file_fields);
}

}  // namespace tuoke::customers
