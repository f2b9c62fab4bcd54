#include "admin/db_commands.h"

#include <iomanip>

#include "admin/commands.h"
#include "store/copy.h"
#include "store/store.h"

namespace campaignd::admin {
namespace {

int ExitCode(const Status& status) {
  return status.IsInvalidArgument() ? kExitBadInput : kExitDatabaseError;
}

}  // namespace

int RunMigrate(const std::string& db_url, std::ostream& out, std::ostream& err) {
  Result<std::vector<store::Migration>> applied = store::MigrateDatabase(db_url);
  if (!applied.ok()) {
    err << "campaignd migrate: " << store::RedactUrl(db_url) << ": "
        << applied.status().ToString() << "\n";
    return ExitCode(applied.status());
  }
  for (const store::Migration& m : *applied) {
    out << "applied migration " << m.version << " " << m.name << "\n";
  }
  if (applied->empty()) out << store::RedactUrl(db_url) << ": up to date\n";
  return kExitOk;
}

int RunCopyDb(const std::string& from_url, const std::string& to_url, std::ostream& out,
              std::ostream& err) {
  Result<store::CopyReport> report = store::CopyDatabase(from_url, to_url);
  if (!report.ok()) {
    err << "campaignd copy-db: " << store::RedactUrl(from_url) << " -> "
        << store::RedactUrl(to_url) << ": " << report.status().ToString()
        << "\ncampaignd copy-db: nothing copied\n";
    return ExitCode(report.status());
  }
  out << "copied " << store::RedactUrl(from_url) << " -> " << store::RedactUrl(to_url) << "\n";
  for (const auto& [table, rows] : report->rows) {
    out << "  " << std::left << std::setw(14) << table << " " << rows << "\n";
  }
  out << "next mail ID above " << report->mail_id_high_water << "\n";
  return kExitOk;
}

}  // namespace campaignd::admin
