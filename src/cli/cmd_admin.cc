// Administration commands: migrate, user, seed-demo, backup, doctor.
#include <sodium.h>
#include <spdlog/spdlog.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "app/app.h"
#include "cli/cli.h"
#include "modules/customers/customer_io.h"
#include "modules/customers/customer_search.h"
#include "modules/fieldreports/demo_data.h"
#include "modules/visits/plan_demo.h"
#include "modules/visits/visit_demo.h"
#include "platform/demo_seed.h"
#include "storage/migrator.h"

namespace tuoke::cli {
namespace {

SystemClock g_clock;

std::unique_ptr<app::App> OpenApp(const GlobalOptions& options, const std::string& attachments_dir = "") {
  app::AppConfig config;
  config.database_url = options.DatabaseUrl();
  config.attachments_dir = options.AttachmentsDir(attachments_dir);
  config.database_pool_size = 2;
  return std::make_unique<app::App>(config, g_clock);
}

std::string ReadPasswordFromStdin() {
  std::string password;
  std::getline(std::cin, password);
  while (!password.empty() && (password.back() == '\r' || password.back() == '\n')) password.pop_back();
  return password;
}

// A readable temporary password with letters and digits: 12 characters.
std::string TemporaryPassword() {
  static const char kAlphabet[] = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
  std::string password;
  while (true) {
    password.clear();
    for (int i = 0; i < 12; ++i) password.push_back(kAlphabet[randombytes_uniform(sizeof kAlphabet - 1)]);
    if (platform::CheckPasswordStrength(password).empty()) return password;
  }
}

int64_t RequireUser(app::App& application, const std::string& login) {
  auto id = application.org().FindUserId(login);
  if (!id) throw Error(ErrorKind::kNotFound, "users.not_found", "no user with login " + login);
  return *id;
}

void RegisterUser(CLI::App& app, GlobalOptions& options) {
  auto* user = app.add_subcommand("user", "Manage users from the command line");
  user->require_subcommand(1);

  struct AddOptions {
    platform::NewUser user;
    std::string company;
    std::string role;
    int64_t unit_id = 0;
    bool password_stdin = false;
  };
  auto add_options = std::make_shared<AddOptions>();
  auto* add = user->add_subcommand("add", "Add a user (the first one also creates the company)");
  add->add_option("--username", add_options->user.username, "Login name")->required();
  add->add_option("--name", add_options->user.name, "Full name")->required();
  add->add_option("--phone", add_options->user.phone, "Mobile phone (also a login)")->required();
  add->add_option("--email", add_options->user.email, "Email");
  add->add_option("--role", add_options->user.roles, "Role(s): rep, sales_manager, general_manager, "
                                                     "sales_assistant, finance, customer_service, admin")
      ->required();
  add->add_option("--unit", add_options->unit_id, "Unit id (default: the company unit)");
  add->add_option("--company", add_options->company, "Company name, when the database is empty");
  add->add_option("--employment-status", add_options->user.employment_status, "probation or regular")
      ->capture_default_str();
  add->add_flag("--password-stdin", add_options->password_stdin,
                "Read the password from standard input (otherwise a temporary one is printed)");
  add->callback([&options, add_options] {
    auto application = OpenApp(options);
    auto& org = application->org();
    auto root = org.RootUnitId();
    if (!root) {
      if (add_options->company.empty())
        throw Error(ErrorKind::kValidation, "validation.failed",
                    "the database is empty: give --company NAME to create the company");
      root = org.CreateRootUnit(add_options->company, platform::Actor::System("cli"));
    }
    platform::NewUser new_user = add_options->user;
    new_user.unit_id = add_options->unit_id ? add_options->unit_id : *root;
    bool generated = !add_options->password_stdin;
    new_user.password = generated ? TemporaryPassword() : ReadPasswordFromStdin();
    new_user.must_change_password = generated;
    int64_t id = org.CreateUserAs(platform::Actor::System("cli"), new_user);
    std::cout << "created user " << new_user.username << " (id " << id << ")\n";
    if (generated)
      std::cout << "temporary password: " << new_user.password << "\n(it must be changed at first sign-in)\n";
  });

  auto reset_login = std::make_shared<std::string>();
  auto reset_stdin = std::make_shared<bool>(false);
  auto* reset = user->add_subcommand("reset-password", "Set a new password for a user (and unlock)");
  reset->add_option("login", *reset_login, "Username or phone")->required();
  reset->add_flag("--password-stdin", *reset_stdin, "Read the password from standard input");
  reset->callback([&options, reset_login, reset_stdin] {
    auto application = OpenApp(options);
    int64_t id = RequireUser(*application, *reset_login);
    bool generated = !*reset_stdin;
    std::string password = generated ? TemporaryPassword() : ReadPasswordFromStdin();
    application->org().ResetPasswordAs(platform::Actor::System("cli"), id, password, generated);
    std::cout << "password reset for " << *reset_login << "\n";
    if (generated) std::cout << "temporary password: " << password << "\n";
  });

  auto deactivate_login = std::make_shared<std::string>();
  auto* deactivate = user->add_subcommand("deactivate", "Deactivate a user and end their sessions");
  deactivate->add_option("login", *deactivate_login, "Username or phone")->required();
  deactivate->callback([&options, deactivate_login] {
    auto application = OpenApp(options);
    int64_t id = RequireUser(*application, *deactivate_login);
    application->org().SetActiveAs(platform::Actor::System("cli"), id, false);
    std::cout << "deactivated " << *deactivate_login << "\n";
  });
}

void RegisterMigrate(CLI::App& app, GlobalOptions& options) {
  auto* migrate = app.add_subcommand("migrate", "Apply pending database migrations");
  auto status_only = std::make_shared<bool>(false);
  migrate->add_flag("--status", *status_only, "Only show which migrations are pending");
  migrate->callback([&options, status_only] {
    storage::DatabaseOptions database_options;
    database_options.url = options.DatabaseUrl();
    database_options.pool_size = 1;
    auto database = storage::Database::Open(database_options);
    if (*status_only) {
      auto status = storage::GetMigrationStatus(*database);
      std::cout << "schema version " << status.current_version << " of " << status.latest_version << "\n";
      for (const auto& name : status.pending) std::cout << "pending: " << name << "\n";
      return;
    }
    auto applied = storage::Migrate(*database);
    std::cout << (applied.empty() ? "already up to date" : "applied " + std::to_string(applied.size()) + " migration(s)")
              << "\n";
    // R-CUST-39: search words of rows written before migration 0013.
    if (int64_t filled = customers::FillSearchWords(*database); filled > 0)
      std::cout << "search words computed for " << filled << " customers and contacts\n";
  });
}

void RegisterSeedDemo(CLI::App& app, GlobalOptions& options) {
  auto* seed = app.add_subcommand("seed-demo", "Fill an empty database with a demo company");
  auto if_empty = std::make_shared<bool>(false);
  seed->add_flag("--if-empty", *if_empty, "Do nothing (and succeed) when the database has data");
  seed->callback([&options, if_empty] {
    auto application = OpenApp(options);
    if (application->org().RootUnitId()) {
      if (*if_empty) {
        std::cout << "the database already has data: demo seeding skipped\n";
        return;
      }
      throw Error(ErrorKind::kConflict, "org.company_exists", "the database already has a company");
    }
    auto logins = platform::SeedDemo(application->org());
    fieldreports::SeedFieldReportsDemo(application->database(), application->policies(), application->customers(),
                                       application->notifications(), g_clock);
    visits::SeedFieldDemo(application->database(), application->policies(), application->customers(), g_clock);
    visits::SeedPlanDemo(application->database(), application->policies(), application->plans(),
                         application->approvals());
    fieldreports::SeedCompetitorDemo(application->database(), application->policies(), application->customers(),
                                     g_clock);
    std::cout << "demo company created; every login's password is " << platform::kDemoPassword << "\n";
    for (const auto& login : logins)
      std::cout << "  " << login.username << "\t" << login.phone << "\t" << login.name << "\t" << login.role << "\n";
  });
}

void RegisterBackup(CLI::App& app, GlobalOptions& options) {
  auto* backup = app.add_subcommand("backup", "Write a consistent copy of the database");
  auto output = std::make_shared<std::string>();
  backup->add_option("--output,-o", *output, "Backup file to write (must not exist)")->required();
  backup->callback([&options, output] {
    namespace fs = std::filesystem;
    if (fs::exists(*output)) throw Error(ErrorKind::kConflict, "backup.exists", *output + " already exists");
    storage::DatabaseOptions database_options;
    database_options.url = options.DatabaseUrl();
    database_options.pool_size = 1;
    auto database = storage::Database::Open(database_options);
    if (database->dialect() == storage::Dialect::kSqlite) {
      // VACUUM INTO writes a transactionally consistent, compacted copy while the
      // server keeps running.
      std::string escaped;
      for (char c : *output) escaped += c == '\'' ? std::string("''") : std::string(1, c);
      database->Acquire()->ExecuteScript("VACUUM INTO '" + escaped + "'");
    } else {
      std::string command = "pg_dump --format=custom --no-owner --file='" + *output + "' '" + options.DatabaseUrl() + "'";
      if (output->find('\'') != std::string::npos || options.DatabaseUrl().find('\'') != std::string::npos)
        throw Error(ErrorKind::kValidation, "validation.failed", "quotes are not allowed in the path or URL");
      if (std::system(command.c_str()) != 0)
        throw Error(ErrorKind::kUnavailable, "backup.failed", "pg_dump failed");
    }
    std::cout << "backup written to " << *output << " (" << fs::file_size(*output) << " bytes)\n";
  });
}

void RegisterDoctor(CLI::App& app, GlobalOptions& options) {
  auto* doctor = app.add_subcommand("doctor", "Check configuration, database and migrations");
  doctor->callback([&options] {
    int problems = 0;
    auto report = [&](bool ok, const std::string& what) {
      std::cout << (ok ? "  ok    " : "  FAIL  ") << what << "\n";
      if (!ok) ++problems;
    };
    std::cout << "tuoke doctor\n";
    storage::DatabaseOptions database_options;
    database_options.url = options.DatabaseUrl();
    database_options.pool_size = 1;
    std::unique_ptr<storage::Database> database;
    try {
      database = storage::Database::Open(database_options);
      report(true, "database reachable: " + database->Describe());
    } catch (const std::exception& error) {
      report(false, std::string("database: ") + error.what());
    }
    if (database) {
      auto status = storage::GetMigrationStatus(*database);
      report(status.pending.empty(), "schema version " + std::to_string(status.current_version) + " of " +
                                         std::to_string(status.latest_version) +
                                         (status.pending.empty() ? "" : " (run `tuoke migrate`)"));
      if (status.pending.empty()) {
        static const storage::Sql kCounts{"doctor.counts",
                                          "SELECT (SELECT COUNT(*) FROM users WHERE active = 1), "
                                          "(SELECT COUNT(*) FROM user_roles WHERE role = 'admin'), "
                                          "(SELECT COUNT(DISTINCT policy_key) FROM policy_versions)"};
        auto row = database->Acquire()->QueryOne(kCounts);
        report(row->Int(0) > 0, std::to_string(row->Int(0)) + " active user(s)");
        report(row->Int(1) > 0, std::to_string(row->Int(1)) + " administrator(s)");
        report(row->Int(2) >= static_cast<int64_t>(platform::PolicyCatalogue().size()),
               std::to_string(row->Int(2)) + " of " + std::to_string(platform::PolicyCatalogue().size()) +
                   " policies recorded (start the server once to record defaults)");
      }
    }
    report(sodium_init() >= 0, "libsodium (argon2id) available");
    if (problems) throw Error(ErrorKind::kUnavailable, "doctor.problems", std::to_string(problems) + " problem(s) found");
    std::cout << "all checks passed\n";
  });
}

// The caller a CLI command acts as: the user's roles, grants and unit, as a session of
// theirs would have; the audit trail names the CLI as the request.
platform::Caller CallerForUser(app::App& application, const std::string& login) {
  int64_t user_id = RequireUser(application, login);
  static const storage::Sql kUser{"cli.caller", "SELECT u.name, u.active, u.unit_id, o.path FROM users u "
                                                "JOIN org_units o ON o.id = u.unit_id WHERE u.id = ?"};
  static const storage::Sql kRoles{"cli.caller_roles", "SELECT role FROM user_roles WHERE user_id = ? ORDER BY role"};
  auto connection = application.database().Acquire();
  auto row = connection->QueryOne(kUser, {user_id});
  if (!row || !row->Bool(1)) throw Error(ErrorKind::kValidation, "users.inactive", login + " is not an active user");
  platform::Caller caller;
  caller.user_id = user_id;
  caller.name = row->Text(0);
  caller.unit_id = row->Int(2);
  caller.unit_path = row->Text(3);
  for (const auto& role : connection->Query(kRoles, {user_id}).rows) caller.roles.push_back(role.Text(0));
  caller.grants = platform::LoadGrants(*connection, caller.roles);
  caller.request = {"cli", "cli-import", "tuoke import"};
  return caller;
}

// R-CUST-35..37: `tuoke import customers FILE` runs CustomerIo::ImportFile, the code of
// POST /api/v1/customers/import-file, as the owner.
void RegisterImport(CLI::App& app, GlobalOptions& options) {
  auto* import_command = app.add_subcommand("import", "Import data from files");
  import_command->require_subcommand(1);
  struct ImportOptions {
    std::string file, owner, mapping, mode = "all-or-nothing", encoding = "auto", format = "auto";
    bool dry_run = false, acknowledge_duplicates = false, json = false;
  };
  auto import_options = std::make_shared<ImportOptions>();
  auto* customers_command = import_command->add_subcommand(
      "customers", "Import customers (and their contacts) from a CSV (UTF-8 or GBK) or XLSX file");
  customers_command->add_option("file", import_options->file, "FILE.csv or FILE.xlsx; the first row names the columns")
      ->required()
      ->check(CLI::ExistingFile);
  customers_command->add_option("--owner", import_options->owner,
                        "Login of the user who imports and owns the customers (their permissions and scope apply)")
      ->required();
  customers_command->add_option("--mapping", import_options->mapping,
                        "Column mapping, a JSON object {\"file header\": \"field\" or null}, inline or a file "
                        "(default: headers naming a field or its zh-CN/English label)");
  customers_command->add_flag("--dry-run", import_options->dry_run, "Validate and report; write nothing");
  customers_command->add_option("--mode", import_options->mode, "all-or-nothing or skip-bad")
      ->check(CLI::IsMember({"all-or-nothing", "skip-bad"}))
      ->capture_default_str();
  customers_command->add_option("--encoding", import_options->encoding, "CSV encoding: auto, utf-8 or gbk")
      ->check(CLI::IsMember({"auto", "utf-8", "gbk"}))
      ->capture_default_str();
  customers_command->add_option("--format", import_options->format, "auto (by content), csv or xlsx")
      ->check(CLI::IsMember({"auto", "csv", "xlsx"}))
      ->capture_default_str();
  customers_command->add_flag("--acknowledge-duplicates", import_options->acknowledge_duplicates,
                      "Also write rows flagged as likely duplicates");
  customers_command->add_flag("--json", import_options->json, "Print the whole report as JSON");
  customers_command->callback([&options, import_options] {
    auto application = OpenApp(options);
    platform::Caller caller = CallerForUser(*application, import_options->owner);
    auto read_file = [](const std::string& path) {
      std::ifstream in(path, std::ios::binary);
      std::ostringstream buffer;
      buffer << in.rdbuf();
      return buffer.str();
    };
    customers::ImportFileOptions file_options;
    file_options.mode = import_options->dry_run ? "dry_run"
                        : import_options->mode == "skip-bad" ? "skip_bad"
                                                             : "all_or_nothing";
    file_options.encoding = import_options->encoding;
    file_options.format = import_options->format;
    file_options.acknowledge_duplicates = import_options->acknowledge_duplicates;
    if (!import_options->mapping.empty()) {
      std::string text = import_options->mapping.front() == '{' ? import_options->mapping : read_file(import_options->mapping);
      Json mapping = Json::parse(text, nullptr, false);
      if (!mapping.is_object())
        throw Error(ErrorKind::kValidation, "validation.failed", "--mapping must be a JSON object");
      file_options.mapping = std::move(mapping);
    }
    customers::CustomerIo io(application->customers());
    Json report = io.ImportFile(caller, read_file(import_options->file), file_options);
    if (import_options->json) {
      std::cout << report.dump(2) << "\n";
    } else {
      for (const auto& row : report["rows"]) {
        std::string status = row["status"];
        if (status == "created" || status == "ok" || status == "contact" || status == "contact_added" ||
            status == "existing")
          continue;
        std::cout << "row " << row["row"].get<int64_t>() << ": " << status;
        if (row.contains("errors")) std::cout << " " << row["errors"].dump();
        if (row.contains("matches")) std::cout << " matches " << row["matches"].size();
        std::cout << "\n";
      }
      std::cout << report["format"].get<std::string>()
                << (report["encoding"].is_string() ? " (" + report["encoding"].get<std::string>() + ")" : "")
                << ": " << report["total"] << " rows, " << report["invalid"] << " invalid, " << report["duplicates"]
                << " likely duplicates, " << report["existing"] << " of stored customers (by code), "
                << report["created"] << " customers and " << report["contactsCreated"]
                << " contacts created" << (file_options.mode == "dry_run" ? " (dry run)" : "") << "\n";
    }
    // Nothing written because of bad rows: a failure for scripts.
    if (file_options.mode == "all_or_nothing" && report["created"] == 0 &&
        (report["invalid"] > 0 || (report["duplicates"] > 0 && !file_options.acknowledge_duplicates)))
      throw Error(ErrorKind::kValidation, "customers.import_rejected", "nothing imported: fix the rows above");
  });
}

}  // namespace

// Runs a scheduled job once, now (cron, or an operator after changing a policy). The
// job lease still applies: when a server holds it, the run is skipped and says so.
void RegisterJobs(CLI::App& app, GlobalOptions& options) {
  auto* jobs = app.add_subcommand("jobs", "Scheduled jobs");
  jobs->require_subcommand(1);
  auto* run = jobs->add_subcommand("run", "Run a job once");
  auto job = std::make_shared<std::string>();
  run->add_option("job", *job,
                  "pool-reclaim: return idle customers to the shared pool; reminders: daily report due soon "
                  "and overdue follow-ups; attachment-purge: remove the files of attachments deleted longer ago "
                  "than customers.deleted_attachment_retention_days; blob-sweep: remove the stored files that no "
                  "row names, untouched for a day")
      ->required()
      ->check(CLI::IsMember({"pool-reclaim", "reminders", "attachment-purge", "blob-sweep"}));
  auto attachments_dir = std::make_shared<std::string>();
  auto force = std::make_shared<bool>(false);
  run->add_flag("--force", *force,
                "blob-sweep: remove the unnamed contents even when most of a batch is unnamed (refused otherwise: "
                "the directory is likely another database's)");
  run->add_option("--attachments-dir", *attachments_dir,
                  "attachment-purge, blob-sweep: the directory `tuoke serve --attachments-dir` names (default as "
                  "serve's)");
  run->callback([&options, job, attachments_dir, force] {
    auto application = OpenApp(options, *attachments_dir);
    if (*job == "reminders") {
      auto sent = application->reminders().RunDue();
      if (!sent.ran) std::cout << "reminders: another process holds the job lease; skipped\n";
      else
        std::cout << "reminders: " << sent.daily_report << " daily report, " << sent.summary << " summary, "
                  << sent.follow_up_overdue << " overdue follow-up\n";
      return;
    }
    if (*job == "blob-sweep") {
      auto swept = application->attachments().SweepUnnamed(g_clock.Now(), std::chrono::hours(24), 10000, *force);
      if (!swept.ran) {
        std::cout << "blob-sweep: another process holds the job lease; skipped\n";
        return;
      }
      std::cout << "blob-sweep: " << swept.examined << " contents untouched for a day, " << swept.removed
                << " of them named by no row removed (" << swept.bytes_removed << " bytes); " << swept.unfinished
                << " unfinished writes removed; " << swept.restored << " files set aside put back\n";
      if (swept.failed > 0)
        throw std::runtime_error(std::to_string(swept.failed) + " could not be removed: " + swept.first_error);
      return;
    }
    if (*job == "attachment-purge") {
      customers::AttachmentPurge total;
      for (bool more = true; more;) {
        auto step = application->attachments().PurgeDeleted(g_clock.Now());
        if (!step.ran) {
          std::cout << "attachment-purge: another process holds the job lease; skipped\n";
          return;
        }
        total.attachments += step.attachments;
        total.blobs += step.blobs;
        if (total.failed == 0) total.first_error = step.first_error;
        total.failed += step.failed;
        more = step.more;
      }
      std::cout << "attachment-purge: " << total.attachments << " deleted attachments past their retention, "
                << total.blobs << " files removed\n";
      if (total.failed > 0)
        throw std::runtime_error("the files of " + std::to_string(total.failed) +
                                 " contents could not be removed: " + total.first_error);
      return;
    }
    auto result = application->customers().ReclaimIdleCustomers(g_clock.Now());
    if (!result.ran) std::cout << "pool-reclaim: another process holds the job lease; skipped\n";
    else std::cout << "pool-reclaim: " << result.reclaimed << " customers returned to the pool\n";
  });
}

void RegisterAdmin(CLI::App& app, GlobalOptions& options) {
  RegisterMigrate(app, options);
  RegisterUser(app, options);
  RegisterSeedDemo(app, options);
  RegisterBackup(app, options);
  RegisterDoctor(app, options);
  RegisterJobs(app, options);
  RegisterImport(app, options);
}

}  // namespace tuoke::cli
