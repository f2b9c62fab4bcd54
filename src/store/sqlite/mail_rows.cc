#include "store/sqlite/mail_rows.h"

#include "store/json_text.h"

namespace campaignd::store::sqlite {

std::string SelectMails(std::string_view rest) {
  std::string sql = "SELECT ";
  sql += kMailColumns;
  sql += " FROM mails ";
  sql += rest;
  return sql;
}

Result<Mail> ReadMail(const Statement& row) {
  Mail mail;
  mail.id = row.ColumnInt(0);
  mail.client_id = row.ColumnInt(1);
  mail.list_id = row.ColumnInt(2);
  mail.mailing_id = row.ColumnInt(3);
  mail.recipient_id = row.ColumnText(4);
  const std::string what = "mail " + std::to_string(mail.id);
  Result<FieldValues> fields = FieldsFromJson(row.ColumnText(5), what + " fields");
  if (!fields.ok()) return fields.status();
  mail.fields = std::move(*fields);
  std::string status = row.ColumnText(6);
  std::optional<MailStatus> parsed = ParseMailStatus(status);
  if (!parsed) return Status::Corruption(what + ": unknown status '" + status + "'");
  mail.status = *parsed;
  mail.attempts = static_cast<int>(row.ColumnInt(7));
  mail.created_at = FromUnixMillis(row.ColumnInt(8));
  mail.updated_at = FromUnixMillis(row.ColumnInt(9));
  mail.next_attempt_at = FromUnixMillis(row.ColumnInt(10));
  mail.last_reply = row.ColumnText(11);
  return mail;
}

}  // namespace campaignd::store::sqlite
