#include "store/sql/directory.h"

#include "core/fields.h"
#include "store/sql/records.h"

namespace campaignd::store {

Result<std::optional<AuthCode>> SqlDirectory::FindCode(std::string_view code_hash) {
  const SqlValue params[] = {std::string(code_hash)};
  return FirstRow<AuthCode>(
      runner_.Query(records::CodeSelect() + "WHERE code_hash = $1", params, 10, "find code"),
      records::CodeFromRow);
}

Result<std::optional<Client>> SqlDirectory::FindClient(int64_t client_id) {
  const SqlValue params[] = {client_id};
  return FirstRow<Client>(runner_.Query(records::ClientSelect() + "WHERE id = $1", params,
                                        records::kClientSelectColumns, "find client"),
                          records::ClientFromRow);
}

Result<std::vector<DkimKey>> SqlDirectory::FindDkimKeys(int64_t client_id) {
  const SqlValue params[] = {client_id};
  return EachRow<DkimKey>(
      runner_.Query("SELECT domain, selector, algorithm, private_key_pem FROM dkim_keys "
                    "WHERE client_id = $1 ORDER BY domain, selector",
                    params, 4, "find DKIM keys"),
      [](const SqlRow& row) {
        return DkimKey{CellText(row, 0), CellText(row, 1), CellText(row, 2), CellText(row, 3)};
      });
}

Result<std::optional<RecipientList>> SqlDirectory::FindList(int64_t client_id, int64_t list_id) {
  const SqlValue params[] = {client_id, list_id};
  Result<std::vector<SqlRow>> rows = runner_.Query(
      "SELECT l.name, l.kind, l.test, f.name, f.type FROM lists l LEFT JOIN list_fields f "
      "ON f.client_id = l.client_id AND f.list_id = l.id "
      "WHERE l.client_id = $1 AND l.id = $2 ORDER BY f.position",
      params, 5, "find list");
  return FirstRow<RecipientList>(rows, [&](const SqlRow& first) {
    CellReader cells(first);
    const std::string what = "list " + std::to_string(list_id) + " kind";
    RecipientList list{client_id,     list_id, cells.Text(0), cells.Enum(1, ParseListKind, what),
                       cells.Flag(2), {}};
    for (const SqlRow& row : *rows) {
      if (row[3]) list.fields.push_back({*row[3], CellText(row, 4)});  // NULL: no fields
    }
    return cells.Finish(std::move(list));
  });
}

Result<std::optional<Mailing>> SqlDirectory::FindMailing(int64_t client_id, int64_t mailing_id) {
  const SqlValue params[] = {client_id, mailing_id};
  constexpr int kListCell = records::kMailingCells;
  Result<std::vector<SqlRow>> rows =
      runner_.Query("SELECT " + records::MailingColumns("m.") +
                        ", ml.list_id FROM mailings m LEFT JOIN mailing_lists ml "
                        "ON ml.client_id = m.client_id AND ml.mailing_id = m.id "
                        "WHERE m.client_id = $1 AND m.id = $2 ORDER BY ml.list_id",
                    params, kListCell + 1, "find mailing");
  return FirstRow<Mailing>(rows, [&](const SqlRow& first) -> Result<Mailing> {
    Result<Mailing> mailing = records::MailingFromRow(first, 0, client_id, mailing_id);
    for (const SqlRow& row : *rows) {
      if (!mailing.ok() || !row[kListCell]) continue;  // NULL: no lists
      CellReader cells(row);
      mailing->list_ids.push_back(cells.Int(kListCell));
      CAMPAIGND_RETURN_IF_ERROR(cells.status());
    }
    return mailing;
  });
}

Result<std::optional<Recipient>> SqlDirectory::FindRecipient(int64_t client_id, int64_t list_id,
                                                             std::string_view recipient_id) {
  StatementSession session(runner_);
  return records::FindRecipient(session, client_id, list_id, recipient_id);
}

Result<Suppression> SqlDirectory::CheckSuppression(int64_t client_id, int64_t list_id,
                                                   std::string_view address) {
  // Recipient IDs, blocklist patterns, unsubscribes and bounces are stored
  // lower-case (address.h); the one statement is the recipient operations'
  // (records.h), run here on its own.
  StatementSession session(runner_);
  return records::CheckSuppression(session, client_id, list_id, LowerAscii(address));
}

}  // namespace campaignd::store
