#include "modules/customers/customer_io.h"

#include <xlsxwriter.h>

#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <map>
#include <set>

#include "core/error.h"
#include "modules/customers/customer.h"
#include "modules/customers/customer_rules.h"
#include "modules/customers/import_file.h"
#include "platform/access.h"
#include "platform/audit.h"

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
const ExportColumn kExportColumns[] = {
    {"客户名称", "Name", 32}, {"类型", "Type", 10},    {"等级", "Grade", 10},   {"状态", "Status", 12},
    {"省", "Province", 10},   {"市", "City", 10},      {"区县", "District", 10}, {"地址", "Address", 36},
    {"电话", "Phone", 16},    {"负责人", "Owner", 12}, {"最近跟进", "Last follow-up", 12},
    {"标签", "Tags", 20},     {"创建日期", "Created", 12},
};

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
          LabelOf(kTypeLabels, row.type, language),
          LabelOf(kGradeLabels, row.grade, language),
          LabelOf(kStatusLabels, row.status, language),
          row.province.value_or(""),
          row.city.value_or(""),
          row.district.value_or(""),
          row.address.value_or(""),
          row.phone.value_or(""),
          owner,
          date_of(row.last_follow_up_at),
          tags,
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
  return out;
}

// ---- import -----------------------------------------------------------------------------

enum class FieldKind : uint8_t { kText, kEnum, kTags, kContact };
struct ImportField {
  const char* field;  // the create body's field
  const char* zh;     // the export's zh-CN header, also accepted as a column name
  const char* en;
  FieldKind kind;
  const Labels* labels;
};
const ImportField kImportFields[] = {
    {"name", "客户名称", "Name", FieldKind::kText, nullptr},
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

struct ImportRow {
  Json body = Json::object();
  Json contact = Json::object();  // R-CUST-37: the contact columns of the row
  Json errors = Json::object();
  Json matches = Json::array();
  std::string status = "ok";
  // R-CUST-37: rows naming the customer of an earlier row add their contact to it.
  std::optional<size_t> contact_of;
  std::vector<size_t> contact_rows;
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

std::vector<std::vector<std::string>> ParseCsv(std::string_view text) {
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> row;
  std::string field;
  bool quoted = false, field_started = false;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (quoted) {
      if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') field.push_back('"'), ++i;
      else if (c == '"') quoted = false;
      else field.push_back(c);
    } else if (c == '"' && field.empty()) {
      quoted = true, field_started = true;
    } else if (c == ',') {
      row.push_back(std::move(field)), field.clear(), field_started = true;
    } else if (c == '\n' || c == '\r') {
      if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
      row.push_back(std::move(field)), field.clear();
      rows.push_back(std::move(row)), row.clear();
      field_started = false;
    } else {
      field.push_back(c), field_started = true;
    }
  }
  if (field_started || !field.empty() || !row.empty()) {
    row.push_back(std::move(field));
    rows.push_back(std::move(row));
  }
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
  ExportFile file;
  file.content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
  file.file_name = "客户导出-" + FormatDate(policies_.Today()) + ".xlsx";
  file.ascii_file_name = "customers-" + FormatDate(policies_.Today()) + ".xlsx";

  char path[] = "/tmp/tuoke-export-XXXXXX";
  int fd = mkstemp(path);
  if (fd < 0) throw Error(ErrorKind::kInternal, "internal", "cannot create a temporary file");
  close(fd);
  struct Remove {
    const char* path;
    ~Remove() { std::remove(path); }
  } remove{path};

  // constant_memory: rows are flushed as written (inline strings), so RSS stays flat.
  lxw_workbook_options options{};
  options.constant_memory = LXW_TRUE;
  options.tmpdir = const_cast<char*>("/tmp");
  lxw_workbook* workbook = workbook_new_opt(path, &options);
  if (!workbook) throw Error(ErrorKind::kInternal, "internal", "cannot create the workbook");
  lxw_worksheet* sheet = workbook_add_worksheet(workbook, language == ExportLanguage::kEnglish ? "Customers" : "客户");
  lxw_format* bold = workbook_add_format(workbook);
  format_set_bold(bold);
  lxw_col_t column = 0;
  for (const auto& spec : kExportColumns) {
    worksheet_set_column(sheet, column, column, spec.width, nullptr);
    worksheet_write_string(sheet, 0, column, language == ExportLanguage::kEnglish ? spec.en : spec.zh, bold);
    ++column;
  }
  worksheet_freeze_panes(sheet, 1, 0);
  lxw_row_t line = 1;
  try {
    customers_.ForEachListed(caller, filter, kMaxExportRows, [&](const CustomerService::ExportRow& row) {
      auto cells = ExportCells(row, language, time_zone);
      for (lxw_col_t i = 0; i < cells.size(); ++i)
        if (!cells[i].empty()) worksheet_write_string(sheet, line, i, cells[i].c_str(), nullptr);
      ++line;
      ++file.rows;
    });
  } catch (...) {
    workbook_close(workbook);
    throw;
  }
  if (workbook_close(workbook) != LXW_NO_ERROR)
    throw Error(ErrorKind::kInternal, "internal", "cannot write the workbook");
  std::ifstream in(path, std::ios::binary);
  file.body.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
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
  return ImportRows(caller, request, rows_json->size(),
                    [&](size_t index) { return CellsOfJson((*rows_json)[index]); });
}

Json CustomerIo::ImportRows(const Caller& caller, const ImportRequest& request, size_t row_count,
                            const std::function<ImportCells(size_t)>& row_at) {
  const std::string* mode = &request.mode;
  bool acknowledged = request.acknowledge_duplicates;
  const auto& owner_id = request.owner_id;
  const auto& columns = request.columns;
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

  // Validate every row as create does, and flag duplicates in the file and the archive.
  std::vector<ImportRow> rows;
  rows.reserve(row_count);
  std::map<std::string, size_t> names, phones, addresses;  // key → first row index
  std::map<std::string, size_t> customer_rows;              // exact name → its first row
  int64_t invalid = 0, duplicates = 0;
  std::vector<CustomerService::DuplicateProbe> probes;  // the valid customer rows'
  std::vector<size_t> probed_rows;                      // … and their indexes in rows
  {
    auto connection = database_.Acquire();
    for (size_t i = 0; i < row_count; ++i) {
      ImportRow row = MapRow(columns, row_at(i));
      // R-CUST-37: a later row with the same customer name only adds its contact.
      if (row.errors.empty() && row.body.contains("name")) {
        auto [first, inserted] = customer_rows.emplace(row.body["name"].get<std::string>(), i);
        if (!inserted) {
          row.contact_of = first->second;
          if (row.contact.empty()) row.errors["contact.name"] = "repeats the customer of row " + std::to_string(first->second + 2) + " without a contact";
        }
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
      if (row.contact_of) {
        if (!row.errors.empty()) {
          row.status = "invalid";
          ++invalid;
        } else {
          row.status = "contact";
          rows[*row.contact_of].contact_rows.push_back(i);
        }
        rows.push_back(std::move(row));
        continue;
      }
      if (row.errors.empty()) {
        try {
          customers_.ValidateCreate(row.body);
        } catch (const Error& error) {
          if (error.kind() != ErrorKind::kValidation) throw;
          row.errors = error.details().value("fields", Json::object());
          if (row.errors.empty()) row.errors["row"] = error.what();
        }
      }
      if (!row.errors.empty()) {
        row.status = "invalid";
        ++invalid;
        rows.push_back(std::move(row));
        continue;
      }
      auto text = [&](const char* field) -> std::optional<std::string> {
        if (!row.body.contains(field)) return std::nullopt;
        return row.body[field].get<std::string>();
      };
      auto name = text("name"), phone = text("phone"), address = text("address");
      // R-CUST-4..6 within the file: the same keys as against the archive.
      std::map<size_t, Json> in_file;
      auto check = [&](std::map<std::string, size_t>& seen, const std::optional<std::string>& key, const char* reason) {
        if (!key || key->empty()) return;
        auto [it, inserted] = seen.emplace(*key, i);
        if (!inserted) in_file[it->second].push_back(reason);
      };
      check(names, name ? std::optional(NameKey(*name)) : std::nullopt, "name");
      check(phones, phone ? PhoneKey(*phone) : std::nullopt, "phone");
      check(addresses, address ? AddressKey(*address) : std::nullopt, "address");
      for (auto& [index, reasons] : in_file)
        row.matches.push_back({{"row", static_cast<int64_t>(index + 2)}, {"reasons", reasons}});
      probes.push_back({name, phone, address});
      probed_rows.push_back(i);
      rows.push_back(std::move(row));
    }
    // R-CUST-38: the archive's matches for all rows, a hundred rows per query.
    std::vector<Json> archive_matches = customers_.MatchDuplicatesMany(*connection, caller, probes);
    for (size_t p = 0; p < probed_rows.size(); ++p) {
      ImportRow& row = rows[probed_rows[p]];
      for (auto& match : archive_matches[p]) row.matches.push_back(std::move(match));
      if (!row.matches.empty()) {
        row.status = "duplicate";
        ++duplicates;
      }
    }
  }

  // R-CUST-24: duplicates are written only when acknowledged.
  auto writable = [&](const ImportRow& row) {
    if (row.contact_of) return row.status == "contact";
    return row.status == "ok" || (row.status == "duplicate" && acknowledged);
  };
  bool blocked = *mode == "all_or_nothing" &&
                 std::any_of(rows.begin(), rows.end(), [&](const ImportRow& row) { return !writable(row); });
  int64_t created = 0, contacts = 0;
  if (*mode != "dry_run" && !blocked) {
    Actor actor = Actor::From(caller);
    database_.InTransaction([&](storage::Connection& connection) {
      // R-CUST-32: the owner's hold limit counts every row to be written.
      customers_.RequireRoomToHold(connection, owner, std::count_if(rows.begin(), rows.end(), [&](const ImportRow& row) {
                                     return !row.contact_of && writable(row);
                                   }));
      // R-CUST-38: all customers and contacts in multi-row statements.
      std::vector<CustomerService::NewCustomer> batch;
      std::vector<size_t> batch_rows;
      for (size_t i = 0; i < rows.size(); ++i) {
        const ImportRow& row = rows[i];
        if (row.contact_of || !writable(row)) continue;
        CustomerService::NewCustomer& customer = batch.emplace_back();
        customer.body = &row.body;
        // R-CUST-37: the row's own contact, then those of the rows naming this customer.
        if (!row.contact.empty()) customer.contacts.push_back(&row.contact);
        for (size_t index : row.contact_rows) customer.contacts.push_back(&rows[index].contact);
        batch_rows.push_back(i);
      }
      std::vector<int64_t> ids = customers_.CreateManyIn(connection, caller, batch, owner);
      for (size_t b = 0; b < batch.size(); ++b) {
        ImportRow& row = rows[batch_rows[b]];
        row.status = "created";
        row.body["id"] = IdString(ids[b]);
        ++created;
        contacts += static_cast<int64_t>(batch[b].contacts.size());
        for (size_t index : row.contact_rows) {
          rows[index].status = "contact_added";
          rows[index].body["id"] = IdString(ids[b]);
        }
      }
      platform::RecordAudit(connection, actor,
                            {"customers.import", "customer", "", Json(),
                             {{"mode", *mode},
                              {"ownerId", IdString(owner)},
                              {"total", rows.size()},
                              {"invalid", invalid},
                              {"duplicates", duplicates},
                              {"created", created},
                              {"contacts", contacts}}},
                            clock_.Now());
    });
  } else if (blocked) {
    for (auto& row : rows)
      if (writable(row)) row.status = "skipped";
  }
  if (*mode != "dry_run")
    for (auto& row : rows)
      if (row.contact_of && row.status == "contact") row.status = "skipped";

  Json report_rows = Json::array();
  for (size_t i = 0; i < rows.size(); ++i) {
    Json entry = {{"row", static_cast<int64_t>(i + 2)}, {"status", rows[i].status}};
    if (!rows[i].errors.empty()) entry["errors"] = rows[i].errors;
    if (!rows[i].matches.empty()) entry["matches"] = rows[i].matches;
    if (rows[i].body.contains("id")) entry["id"] = rows[i].body["id"];
    report_rows.push_back(std::move(entry));
  }
  return {{"mode", *mode},
          {"total", static_cast<int64_t>(rows.size())},
          {"valid", static_cast<int64_t>(rows.size()) - invalid},
          {"invalid", invalid},
          {"duplicates", duplicates},
          {"created", created},
          {"contactsCreated", contacts},
          {"rows", std::move(report_rows)}};
}

Json CustomerIo::ImportFile(const Caller& caller, std::string_view bytes, const ImportFileOptions& options) {
  platform::Require(caller, "customers.write");
  if (options.mode != "dry_run" && options.mode != "all_or_nothing" && options.mode != "skip_bad")
    ThrowValidation("mode", "must be dry_run, all_or_nothing or skip_bad");
  ImportEncoding encoding = ParseImportEncoding(options.encoding);
  ImportFormat format = SniffImportFormat(bytes);
  if (options.format == "csv") format = ImportFormat::kCsv;
  else if (options.format == "xlsx") format = ImportFormat::kXlsx;
  else if (options.format != "auto") ThrowValidation("format", "must be auto, csv or xlsx");
  if (bytes.empty()) ThrowValidation("body", "the file is empty");

  // R-CUST-35, 36: the table of the file; one row more than allowed tells it is too long.
  std::vector<std::vector<std::string>> table;
  std::string used_encoding;
  if (format == ImportFormat::kXlsx) {
    table = ReadXlsx(bytes, kMaxImportFileRows + 1);
  } else {
    DecodedText text = DecodeImportText(bytes, encoding);
    used_encoding = text.encoding;
    table = ParseCsv(text.text);
    while (!table.empty() && std::all_of(table.back().begin(), table.back().end(),
                                         [](const std::string& cell) { return cell.empty(); }))
      table.pop_back();
  }
  if (table.size() < 2) ThrowValidation("body", "the file needs a header row and at least one row");
  if (table.size() - 1 > kMaxImportFileRows)
    ThrowValidation("body", "at most " + std::to_string(kMaxImportFileRows) + " rows per file");

  // Columns: the mapping decides; without one, headers naming a known field are taken.
  Json columns = Json::array();
  Json ignored = Json::array();
  for (const auto& header : table[0]) {
    std::string name = Trim(header);
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
  Json report = ImportRows(caller, request, table.size() - 1, [&](size_t index) {
    ImportCells cells;
    for (auto& cell : table[index + 1]) cells.cells.emplace_back(std::move(cell));
    return cells;
  });
  report["format"] = format == ImportFormat::kXlsx ? "xlsx" : "csv";
  report["encoding"] = used_encoding.empty() ? Json() : Json(used_encoding);
  report["ignoredColumns"] = std::move(ignored);
  return report;
}

}  // namespace tuoke::customers
