#include "bench/customers/generator.h"

#include <libpq-fe.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <stdexcept>

#include "core/json_util.h"
#include "core/time.h"
#include "modules/customers/customer_rules.h"
#include "platform/demo_seed.h"
#include "platform/org.h"
#include "platform/policy.h"
#include "storage/migrator.h"

namespace tuoke::bench {
namespace {

using storage::Value;

// ---- deterministic randomness: row i of seed s is always the same row ------------------

uint64_t SplitMix(uint64_t& state) {
  uint64_t z = (state += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

struct Random {
  uint64_t state;
  Random(uint64_t seed, int64_t index) : state(seed * 0x100000001B3ULL ^ static_cast<uint64_t>(index)) {
    SplitMix(state);
  }
  uint64_t Next() { return SplitMix(state); }
  size_t Below(size_t n) { return static_cast<size_t>(Next() % n); }
  bool Chance(int per_mille) { return static_cast<int>(Below(1000)) < per_mille; }
  template <typename T, size_t N>
  const T& Pick(const std::array<T, N>& items) { return items[Below(N)]; }
  std::string Digits(int count) {
    std::string out;
    for (int i = 0; i < count; ++i) out.push_back(static_cast<char>('0' + Below(10)));
    return out;
  }
};

// ---- vocabulary ---------------------------------------------------------------------------

struct City {
  const char* province;
  const char* city;
  const char* short_name;
  const char* area_code;
  std::array<const char*, 4> districts;
};
const std::array<City, 24> kCities = {{
    {"北京市", "北京市", "北京", "010", {"朝阳区", "海淀区", "丰台区", "大兴区"}},
    {"上海市", "上海市", "上海", "021", {"浦东新区", "闵行区", "徐汇区", "嘉定区"}},
    {"天津市", "天津市", "天津", "022", {"滨海新区", "南开区", "河西区", "西青区"}},
    {"重庆市", "重庆市", "重庆", "023", {"渝北区", "江北区", "九龙坡区", "南岸区"}},
    {"广东省", "广州市", "广州", "020", {"天河区", "白云区", "番禺区", "黄埔区"}},
    {"广东省", "深圳市", "深圳", "0755", {"南山区", "宝安区", "龙岗区", "福田区"}},
    {"广东省", "佛山市", "佛山", "0757", {"顺德区", "南海区", "禅城区", "三水区"}},
    {"广东省", "东莞市", "东莞", "0769", {"长安镇", "虎门镇", "塘厦镇", "松山湖"}},
    {"江苏省", "南京市", "南京", "025", {"江宁区", "鼓楼区", "建邺区", "浦口区"}},
    {"江苏省", "苏州市", "苏州", "0512", {"工业园区", "吴中区", "相城区", "昆山市"}},
    {"江苏省", "无锡市", "无锡", "0510", {"滨湖区", "新吴区", "锡山区", "江阴市"}},
    {"浙江省", "杭州市", "杭州", "0571", {"西湖区", "余杭区", "萧山区", "滨江区"}},
    {"浙江省", "宁波市", "宁波", "0574", {"鄞州区", "北仑区", "镇海区", "慈溪市"}},
    {"浙江省", "温州市", "温州", "0577", {"鹿城区", "瓯海区", "乐清市", "瑞安市"}},
    {"山东省", "济南市", "济南", "0531", {"历下区", "槐荫区", "章丘区", "历城区"}},
    {"山东省", "青岛市", "青岛", "0532", {"黄岛区", "城阳区", "李沧区", "即墨区"}},
    {"四川省", "成都市", "成都", "028", {"武侯区", "高新区", "双流区", "郫都区"}},
    {"湖北省", "武汉市", "武汉", "027", {"江汉区", "洪山区", "东西湖区", "江夏区"}},
    {"湖南省", "长沙市", "长沙", "0731", {"岳麓区", "雨花区", "开福区", "长沙县"}},
    {"河南省", "郑州市", "郑州", "0371", {"金水区", "二七区", "中原区", "郑东新区"}},
    {"福建省", "厦门市", "厦门", "0592", {"思明区", "湖里区", "集美区", "同安区"}},
    {"陕西省", "西安市", "西安", "029", {"雁塔区", "未央区", "长安区", "碑林区"}},
    {"河北省", "石家庄市", "石家庄", "0311", {"长安区", "裕华区", "桥西区", "新华区"}},
    {"安徽省", "合肥市", "合肥", "0551", {"蜀山区", "包河区", "庐阳区", "瑶海区"}},
}};
// Characters of trade names (字号): two of them make ~9,000 brands.
const std::array<const char*, 96> kBrandChars = {
    "凌", "天", "华", "盛", "鑫", "源", "达", "通", "恒", "泰", "嘉", "禾", "宏", "远", "金", "银",
    "瑞", "祥", "永", "信", "德", "隆", "昌", "兴", "鼎", "丰", "宇", "航", "新", "创", "博", "睿",
    "中", "和", "安", "康", "东", "方", "海", "川", "明", "辉", "光", "耀", "星", "辰", "晨", "阳",
    "青", "松", "柏", "林", "森", "峰", "山", "河", "江", "湖", "润", "泽", "汇", "聚", "合", "众",
    "优", "品", "尚", "雅", "佳", "美", "锦", "绣", "诚", "立", "正", "荣", "富", "贵", "益", "利",
    "顺", "畅", "联", "网", "云", "智", "达", "邦", "卓", "越", "领", "先", "凯", "旋", "致", "远"};
const std::array<const char*, 20> kTrades = {
    "建材", "五金", "机电", "电子", "科技", "装饰", "机械", "化工", "物流", "家具",
    "照明", "管业", "门窗", "涂料", "石材", "钢构", "电气", "水暖", "陶瓷", "环保"};
const std::array<const char*, 8> kSuffixes = {"有限公司", "有限公司", "有限公司", "股份有限公司",
                                              "商贸有限公司", "贸易有限公司", "集团有限公司", "经营部"};
const std::array<const char*, 24> kRoads = {
    "建国路", "人民路", "解放路", "中山路", "长江路", "黄河路", "新华路", "和平路", "胜利路", "青年路",
    "文化路", "工业大道", "科技路", "创业路", "学府路", "滨江路", "环城路", "东风路", "光明路", "幸福路",
    "朝阳路", "友谊路", "迎宾大道", "振兴路"};
const std::array<const char*, 60> kSurnames = {
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡",
    "郭", "何", "高", "林", "罗", "郑", "梁", "谢", "宋", "唐", "许", "韩", "冯", "邓", "曹",
    "彭", "曾", "肖", "田", "董", "袁", "潘", "于", "蒋", "蔡", "余", "杜", "叶", "程", "苏",
    "魏", "吕", "丁", "任", "沈", "姚", "卢", "姜", "崔", "钟", "谭", "陆", "汪", "范", "欧阳"};
const std::array<const char*, 64> kGivenChars = {
    "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明",
    "超", "秀", "霞", "平", "刚", "桂", "英", "华", "建", "国", "文", "辉", "鹏", "飞", "玲", "婷",
    "雪", "琳", "晶", "燕", "凯", "波", "斌", "宇", "浩", "亮", "俊", "峰", "健", "志", "红", "梅",
    "海", "林", "云", "春", "晓", "欣", "悦", "佳", "子", "思", "雨", "嘉", "博", "成", "龙", "凤"};
const std::array<const char*, 8> kTitles = {"总经理", "采购经理", "工程部经理", "项目经理",
                                            "财务", "老板", "技术总监", "仓库主管"};
const std::array<const char*, 7> kRoles = {"decision_maker", "influencer", "user", "purchaser",
                                           "receiver", "cashier", "accountant"};
const std::array<const char*, 7> kPersonalities = {"know_it_all", "open_minded", "hesitant", "complaining",
                                                   "analytical",  "bargainer",   "intimidating"};
const std::array<const char*, 6> kTypes = {"terminal", "agent", "distributor", "retailer", "partner", "peer"};
const std::array<const char*, 4> kStatuses = {"prospect", "target", "active", "lost"};
const std::array<const char*, 6> kSources = {"cold_visit", "flyer", "referral", "trade_fair", "online", "phone"};
const std::array<const char*, 5> kHorizons = {"within_1_month", "within_3_months", "within_6_months", "later",
                                              "unknown"};
const std::array<const char*, 3> kLevels = {"high", "medium", "low"};
const std::array<const char*, 3> kPowers = {"clear", "some", "doubtful"};
const std::array<const char*, 4> kCredit = {"good", "normal", "poor", "unknown"};
const std::array<const char*, 8> kTags = {"重点", "展会", "老客户", "工程", "零售", "外地", "大单", "回款慢"};

std::string PersonName(Random& random) {
  std::string name = random.Pick(kSurnames);
  name += random.Pick(kGivenChars);
  if (random.Chance(600)) name += random.Pick(kGivenChars);
  return name;
}

std::string CompanyName(Random& random, const City& city) {
  return std::string(city.short_name) + random.Pick(kBrandChars) + random.Pick(kBrandChars) +
         random.Pick(kTrades) + random.Pick(kSuffixes);
}

std::string Mobile(Random& random) {
  static const std::array<const char*, 10> kPrefixes = {"138", "139", "137", "136", "135",
                                                        "158", "159", "186", "188", "177"};
  return std::string(random.Pick(kPrefixes)) + random.Digits(8);
}

// ---- rows -----------------------------------------------------------------------------------

constexpr const char* kCustomerColumns =
    "id, name, type, industry, province, city, district, address, phone, status, source, "
    "man_money, man_authority, man_need, purchase_power, purchase_horizon, importance, potential, "
    "credit_status, tags, grade, grade_reason, grade_source, computed_grade, computed_reason, "
    "grade_reason_json, owner_id, owned_since, previous_owner_id, pool_entered_at, last_follow_up_at, "
    "name_key, phone_key, address_key, search_pinyin, search_initials, search_words, created_by, created_at, "
    "updated_at";
constexpr int kCustomerColumnCount = 40;
constexpr const char* kContactColumns =
    "customer_id, name, title, mobile, purchase_role, personality, created_at, updated_at, search_pinyin, "
    "search_words";
constexpr int kContactColumnCount = 10;

std::string Placeholders(int count) {
  std::string out;
  for (int i = 0; i < count; ++i) out += i ? ", ?" : "?";
  return out;
}

struct Generated {
  std::vector<Value> customer;
  std::vector<std::string> tags;
  std::vector<std::vector<Value>> contacts;
};

// The stored grade reason code, as the service writes it (R-CUST-34).
std::string ReasonJson(const customers::Grade& grade) {
  Json params = Json::object();
  for (const auto& [name, value] : grade.params) params[name] = value;
  return Json{{"code", grade.code}, {"params", params}}.dump();
}

Generated GenerateRow(const GeneratorOptions& options, int64_t index, int64_t id,
                      const std::vector<int64_t>& reps, Instant now, int reclaim_days) {
  Random random(options.seed, index);
  const City& city = random.Pick(kCities);
  std::string name = CompanyName(random, city);
  std::string district = random.Pick(city.districts);
  std::string address = std::string(city.city) + district + random.Pick(kRoads) +
                        std::to_string(1 + random.Below(999)) + "号";
  std::string phone = random.Chance(600) ? std::string(city.area_code) + "-" + random.Digits(8) : Mobile(random);
  std::string type = random.Chance(150) ? "terminal" : random.Pick(kTypes);
  std::string status = random.Pick(kStatuses);
  std::string horizon = random.Pick(kHorizons);
  std::optional<std::string> importance, potential, power;
  if (random.Chance(700)) importance = random.Pick(kLevels);
  if (random.Chance(700)) potential = random.Pick(kLevels);
  if (random.Chance(600)) power = random.Pick(kPowers);
  bool man_money = random.Chance(500), man_authority = random.Chance(500), man_need = random.Chance(600);
  customers::GradingInput input{status, horizon, importance, potential, power, man_money, man_authority, man_need};
  customers::Grade grade = customers::ComputeGrade(customers::GradingRuleSet::kHorizon, input, {});

  std::vector<std::string> tags;
  if (random.Chance(300)) tags.push_back(random.Pick(kTags));
  if (random.Chance(100)) {
    std::string second = random.Pick(kTags);
    if (tags.empty() || second != tags[0]) tags.push_back(second);
  }
  std::string joined;
  for (const auto& tag : tags) joined += (joined.empty() ? "" : "\x1f") + tag;

  // Created within the last two years; followed up since, for most.
  auto created = now - std::chrono::minutes(static_cast<int64_t>(random.Below(2 * 365 * 24 * 60)));
  auto updated = created + (now - created) * static_cast<int64_t>(random.Below(1000)) / 1000;
  std::optional<std::string> follow_up;
  if (random.Chance(800)) follow_up = FormatInstant(updated);
  bool in_pool = random.Chance(options.pool_per_mille);
  // R-CUST-10: an owned customer idle for more than customers.pool_reclaim_days would
  // already be back in the pool, so owned customers were followed up within that window
  // (otherwise the server's reclaim job empties the reps' lists at start).
  if (!in_pool)
    follow_up = FormatInstant(now - std::chrono::minutes(static_cast<int64_t>(
                                        random.Below(static_cast<size_t>(std::max(1, reclaim_days - 1)) * 24 * 60))));
  int64_t owner = reps[random.Below(reps.size())];
  Value owner_value = in_pool ? Value(nullptr) : Value(owner);
  Value previous_owner = in_pool ? Value(owner) : Value(nullptr);
  Value pool_entered = in_pool ? Value(FormatInstant(updated)) : Value(nullptr);

  customers::PinyinKeys keys = customers::PinyinOf(name);
  auto phone_key = customers::PhoneKey(phone);
  auto address_key = customers::AddressKey(address);
  std::string created_text = FormatInstant(created);
  Generated row;
  row.customer = {id, name, type, std::string(random.Pick(kTrades)), std::string(city.province),
                  std::string(city.city), district, address, phone, status, std::string(random.Pick(kSources)),
                  int64_t{man_money}, int64_t{man_authority}, int64_t{man_need}, storage::Nullable(power), horizon,
                  storage::Nullable(importance), storage::Nullable(potential), std::string(random.Pick(kCredit)),
                  joined, grade.value, grade.reason, std::string("computed"), grade.value, grade.reason,
                  ReasonJson(grade), owner_value, in_pool ? Value(nullptr) : Value(created_text), previous_owner,
                  pool_entered, storage::Nullable(follow_up), customers::NameKey(name),
                  storage::Nullable(phone_key), storage::Nullable(address_key), keys.full, keys.initials,
                  customers::CustomerSearchWords(name, keys, phone_key), owner,
                  created_text, FormatInstant(updated)};
  row.tags = tags;
  for (int c = 0; c < options.contacts_per_customer; ++c) {
    std::string person = PersonName(random);
    std::string pinyin = customers::PinyinOf(person).full;
    row.contacts.push_back({id, person, std::string(random.Pick(kTitles)), Mobile(random),
                            std::string(random.Pick(kRoles)), std::string(random.Pick(kPersonalities)),
                            created_text, created_text, pinyin, customers::ContactSearchWords(person)});
  }
  return row;
}

// ---- writers ---------------------------------------------------------------------------------

// COPY text format: \N for NULL; backslash, tab and newlines escaped.
void AppendCopyRow(std::string& out, const std::vector<Value>& row) {
  for (size_t i = 0; i < row.size(); ++i) {
    if (i) out.push_back('\t');
    const Value& value = row[i];
    if (std::holds_alternative<std::nullptr_t>(value)) {
      out += "\\N";
    } else if (auto* number = std::get_if<int64_t>(&value)) {
      out += std::to_string(*number);
    } else if (auto* real = std::get_if<double>(&value)) {
      out += std::to_string(*real);
    } else {
      for (char c : std::get<std::string>(value)) {
        if (c == '\\') out += "\\\\";
        else if (c == '\t') out += "\\t";
        else if (c == '\n') out += "\\n";
        else if (c == '\r') out += "\\r";
        else out.push_back(c);
      }
    }
  }
  out.push_back('\n');
}

class PostgresCopy {
 public:
  explicit PostgresCopy(const std::string& url) : connection_(PQconnectdb(url.c_str())) {
    if (PQstatus(connection_) != CONNECTION_OK)
      throw std::runtime_error(std::string("cannot connect: ") + PQerrorMessage(connection_));
  }
  ~PostgresCopy() { PQfinish(connection_); }
  void Exec(const std::string& sql) {
    PGresult* result = PQexec(connection_, sql.c_str());
    auto status = PQresultStatus(result);
    std::string error = PQerrorMessage(connection_);
    PQclear(result);
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) throw std::runtime_error(sql + ": " + error);
  }
  void Copy(const std::string& table, const std::string& columns, const std::string& data) {
    PGresult* result = PQexec(connection_, ("COPY " + table + " (" + columns + ") FROM STDIN").c_str());
    bool ready = PQresultStatus(result) == PGRES_COPY_IN;
    PQclear(result);
    if (!ready) throw std::runtime_error(std::string("COPY failed: ") + PQerrorMessage(connection_));
    if (PQputCopyData(connection_, data.data(), static_cast<int>(data.size())) != 1 ||
        PQputCopyEnd(connection_, nullptr) != 1)
      throw std::runtime_error(std::string("COPY data failed: ") + PQerrorMessage(connection_));
    result = PQgetResult(connection_);
    bool ok = PQresultStatus(result) == PGRES_COMMAND_OK;
    PQclear(result);
    while ((result = PQgetResult(connection_))) PQclear(result);
    if (!ok) throw std::runtime_error(std::string("COPY failed: ") + PQerrorMessage(connection_));
  }

 private:
  PGconn* connection_;
};

const storage::Sql kMaxCustomerId{"bench.max_customer_id", "SELECT COALESCE(MAX(id), 0) FROM customers"};
const storage::Sql kFindUnit{"bench.find_unit", "SELECT id FROM org_units WHERE name = ?"};
const storage::Sql kSearchTriggers{
    "bench.search_triggers",
    "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'customer\\_search\\_%' ESCAPE '\\'"};
// The rows of the generated customers in the FTS5 index, as the triggers would write them.
const storage::Sql kFillSearch{
    "bench.fill_search",
    "INSERT INTO customer_search (rowid, name, contacts) "
    "SELECT c.id, c.name, COALESCE((SELECT group_concat(k.name, ' ') FROM contacts k WHERE k.customer_id = c.id), '') "
    "FROM customers c WHERE c.id >= ?"};
const storage::Sql kFindUser{"bench.find_user", "SELECT id FROM users WHERE username = ?"};

}  // namespace

std::string GeneratedCompanyName(uint64_t seed, int64_t index) {
  Random random(seed, index);
  const City& city = random.Pick(kCities);
  return CompanyName(random, city);
}

GeneratorReport GenerateCustomerData(storage::Database& database, const std::string& database_url,
                                     const GeneratorOptions& options, bool verbose) {
  auto started = std::chrono::steady_clock::now();
  SystemClock clock;
  storage::Migrate(database);
  platform::PolicyService policies(database, clock);
  policies.EnsureDefaults();
  platform::OrgService org(database, clock);
  if (!org.RootUnitId()) platform::SeedDemo(org);
  GeneratorReport report;

  // 20 teams of a manager and 10 reps under one department (reused when already there).
  platform::Actor actor = platform::Actor::System("bench-generator");
  std::vector<int64_t> reps;
  auto find = [&](const storage::Sql& sql, const std::string& key) -> std::optional<int64_t> {
    auto connection = database.Acquire();
    auto row = connection->QueryOne(sql, {key});
    return row ? std::optional(row->Int(0)) : std::nullopt;
  };
  int64_t department = find(kFindUnit, "基准销售部")
                           .value_or(0);
  if (!department) department = org.CreateUnitAs(actor, *org.RootUnitId(), "基准销售部", "department", std::nullopt);
  int phone_serial = 0;
  auto user = [&](const std::string& username, const std::string& name, const std::string& role, int64_t unit,
                  std::optional<int64_t> manager) {
    if (auto id = find(kFindUser, username)) return *id;
    platform::NewUser added;
    added.username = username;
    added.name = name;
    char phone[16];
    std::snprintf(phone, sizeof phone, "147%08d", phone_serial++);
    added.phone = phone;
    added.roles = {role};
    added.unit_id = unit;
    added.manager_id = manager;
    added.hired_on = "2024-01-02";
    added.regular_on = "2024-04-01";
    added.password = platform::kDemoPassword;
    return org.CreateUserAs(actor, added);
  };
  for (int t = 1; t <= options.teams; ++t) {
    char team_name[48], login[32];
    std::snprintf(team_name, sizeof team_name, "基准%02d组", t);
    int64_t team = find(kFindUnit, team_name).value_or(0);
    if (!team) team = org.CreateUnitAs(actor, department, team_name, "team", std::nullopt);
    std::snprintf(login, sizeof login, "b%02dm", t);
    int64_t manager = user(login, std::string("经理") + team_name, "sales_manager", team, std::nullopt);
    org.SetUnitManagerAs(actor, team, manager);
    report.manager_logins.push_back(login);
    for (int r = 1; r <= options.reps_per_team; ++r) {
      std::snprintf(login, sizeof login, "b%02dr%02d", t, r);
      Random random(options.seed, -(t * 100 + r));
      reps.push_back(user(login, PersonName(random), "rep", team, manager));
      report.rep_logins.push_back(login);
    }
  }
  if (verbose) std::fprintf(stderr, "org: %zu reps in %d teams\n", reps.size(), options.teams);

  int64_t first_id;
  {
    auto connection = database.Acquire();
    first_id = connection->QueryOne(kMaxCustomerId)->Int(0) + 1;
  }
  Instant now = clock.Now();
  int reclaim_days = static_cast<int>(policies.IntOn("customers.pool_reclaim_days", policies.Today()));
  bool postgres = database.dialect() == storage::Dialect::kPostgres;
  std::unique_ptr<PostgresCopy> copy;
  if (postgres) copy = std::make_unique<PostgresCopy>(database_url);
  std::string insert_customer = std::string("INSERT INTO customers (") + kCustomerColumns + ") VALUES (" +
                                Placeholders(kCustomerColumnCount) + ")";
  std::string insert_contact = std::string("INSERT INTO contacts (") + kContactColumns + ") VALUES (" +
                               Placeholders(kContactColumnCount) + ")";
  const storage::Sql customer_sql{"bench.insert_customer", insert_customer.c_str()};
  const storage::Sql contact_sql{"bench.insert_contact", insert_contact.c_str()};
  const storage::Sql tag_sql{"bench.insert_tag", "INSERT INTO customer_tags (customer_id, tag) VALUES (?, ?)"};

  // SQLite: the trigram index's triggers (migration 0013) update a customer's search row once per
  // contact (delete + insert of every trigram), which makes a row-by-row bulk load ~10x
  // slower. The generator drops them for the load, fills the index in one statement
  // afterwards and restores them with their stored SQL, so the schema ends as migrated.
  // Both pooled connections get a big page cache for the load.
  std::vector<std::string> search_triggers;
  if (!postgres) {
    {
      auto first = database.Acquire(), second = database.Acquire();
      first->ExecuteScript("PRAGMA cache_size=-262144");
      second->ExecuteScript("PRAGMA cache_size=-262144");
    }
    auto connection = database.Acquire();
    for (const auto& row : connection->Query(kSearchTriggers).rows) {
      search_triggers.push_back(row.Text(1));
      connection->ExecuteScript("DROP TRIGGER " + row.Text(0));
    }
  }

  for (int64_t start = 0; start < options.customers; start += options.batch_rows) {
    int64_t end = std::min(options.customers, start + options.batch_rows);
    std::vector<Generated> rows;
    rows.reserve(static_cast<size_t>(end - start));
    for (int64_t i = start; i < end; ++i) rows.push_back(GenerateRow(options, i, first_id + i, reps, now, reclaim_days));
    if (postgres) {
      std::string customers_data, contacts_data, tags_data;
      for (const auto& row : rows) {
        AppendCopyRow(customers_data, row.customer);
        for (const auto& contact : row.contacts) AppendCopyRow(contacts_data, contact);
        for (const auto& tag : row.tags) AppendCopyRow(tags_data, {row.customer[0], tag});
      }
      copy->Exec("BEGIN");
      copy->Copy("customers", kCustomerColumns, customers_data);
      copy->Copy("contacts", kContactColumns, contacts_data);
      copy->Copy("customer_tags", "customer_id, tag", tags_data);
      copy->Exec("COMMIT");
    } else {
      database.InTransaction([&](storage::Connection& connection) {
        for (const auto& row : rows) {
          connection.Execute(customer_sql, row.customer);
          for (const auto& contact : row.contacts) connection.Execute(contact_sql, contact);
          for (const auto& tag : row.tags) connection.Execute(tag_sql, {row.customer[0], tag});
        }
      });
    }
    for (const auto& row : rows) report.contacts += static_cast<int64_t>(row.contacts.size());
    report.customers += end - start;
    if (verbose)
      std::fprintf(stderr, "\r%lld customers, %lld contacts (%.0f s)", static_cast<long long>(report.customers),
                   static_cast<long long>(report.contacts),
                   std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
  }
  if (verbose) std::fprintf(stderr, "\n");
  // Rows came with explicit ids: move the identity sequences past them; refresh statistics.
  if (postgres) {
    copy->Exec("SELECT setval(pg_get_serial_sequence('customers', 'id'), (SELECT MAX(id) FROM customers))");
    copy->Exec("SELECT setval(pg_get_serial_sequence('contacts', 'id'), (SELECT MAX(id) FROM contacts))");
    copy->Exec("ANALYZE");
  } else {
    if (verbose) std::fprintf(stderr, "search index …\n");
    auto connection = database.Acquire();
    connection->Execute(kFillSearch, {first_id});
    for (const auto& sql : search_triggers) connection->ExecuteScript(sql);
    // No ANALYZE: nothing runs it on the databases the server makes, and with statistics
    // SQLite's planner hid a plan that only a database without them takes (R-CUST-55).
  }
  report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return report;
}

}  // namespace tuoke::bench
