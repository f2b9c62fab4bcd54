// How a row of `mails` becomes a Mail: the column list every mail query
// selects (kMailColumns) and the one function that reads it. Used by
// sqlite_queue.cc (Claim, FindMail). Threads: pure functions.
// Errors: Corruption for a stored status or fields text that does not parse.
#ifndef CAMPAIGND_STORE_SQLITE_MAIL_ROWS_H_
#define CAMPAIGND_STORE_SQLITE_MAIL_ROWS_H_

#include <string>
#include <string_view>

#include "core/status.h"
#include "store/model.h"
#include "store/sqlite/statement.h"

namespace campaignd::store::sqlite {

// Columns 0..11 of a mails row, in ReadMail's order.
inline constexpr std::string_view kMailColumns =
    "id, client_id, list_id, mailing_id, recipient_id, fields, status, attempts, created_at, "
    "updated_at, next_attempt_at, last_reply";

// "SELECT <kMailColumns> FROM mails <rest>".
std::string SelectMails(std::string_view rest);

// REQUIRES: the current row of `row` starts with kMailColumns.
Result<Mail> ReadMail(const Statement& row);

}  // namespace campaignd::store::sqlite

#endif  // CAMPAIGND_STORE_SQLITE_MAIL_ROWS_H_
