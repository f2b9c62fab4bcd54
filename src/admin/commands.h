// The operator commands main.cc dispatches to:
//   campaignd apply FILE     provision clients from a file (provisioning_file.h)
//   campaignd mail MAILID    show one mail, its status history and its events
//   campaignd mail purge     the worker's retention purge, run by hand
// Each opens the database itself, writes its report to `out` and problems to
// `err`, and returns the process exit code.
// Threads: run on the main thread; they block on the database.
#ifndef CAMPAIGND_ADMIN_COMMANDS_H_
#define CAMPAIGND_ADMIN_COMMANDS_H_

#include <ostream>
#include <string>

#include "config/config.h"
#include "core/address.h"
#include "store/retention.h"

namespace campaignd::admin {

// Exit codes of the commands.
inline constexpr int kExitOk = 0;
inline constexpr int kExitBadInput = 1;       // bad file / mail ID: nothing changed
inline constexpr int kExitDatabaseError = 2;  // could not open, read or write

// Validates `file` completely, then applies it in one transaction (all or
// nothing). Prints "applied: 1 client, 2 lists, ..." and every generated
// code once. Returns kExitOk, kExitBadInput (problems listed, one per line,
// "FILE:LINE: ...") or kExitDatabaseError. `literals`: the setting
// allow_address_literals, for recipient IDs.
int RunApply(const std::string& db_url, const std::string& file, std::ostream& out,
             std::ostream& err, AddressLiterals literals = AddressLiterals::kRefuse);

// Parses `mail_id_text`, checks its MAC with the client's secret, and prints
// the mail and its history. kExitBadInput for a malformed or forged ID or an
// unknown mail; kExitDatabaseError when the database fails.
int RunMailHistory(const std::string& db_url, const std::string& mail_id_text, std::ostream& out,
                   std::ostream& err);

// The retention of config's status_retention, event_retention and
// webhook_attempt_retention (events.md §6): what the worker purges.
store::RetentionPolicy RetentionPolicyOf(const config::Config& config);

// Runs the retention purge once on config.db (store::PurgeExpired, in small
// batches) and prints what it deleted. kExitDatabaseError when the
// database fails (what was deleted before stays deleted).
int RunPurge(const config::Config& config, std::ostream& out, std::ostream& err);

}  // namespace campaignd::admin

#endif  // CAMPAIGND_ADMIN_COMMANDS_H_
