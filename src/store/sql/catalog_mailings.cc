// Catalog: mailings (with their lists and status) and authorization codes.
#include "store/sql/catalog.h"
#include "store/sql/records.h"

namespace campaignd::store {
namespace {

using catalog_sql::Exists;

constexpr int kMailingColumns = 2 + records::kMailingCells;

Status ReadMailings(SqlSession& session, const std::vector<SqlRow>& rows,
                    std::vector<Mailing>& mailings) {
  for (const SqlRow& row : rows) {
    CellReader cells(row);
    const int64_t client_id = cells.Int(0), id = cells.Int(1);
    CAMPAIGND_RETURN_IF_ERROR(cells.status());
    Result<Mailing> read = records::MailingFromRow(row, 2, client_id, id);
    if (!read.ok()) return read.status();
    Mailing& m = mailings.emplace_back(std::move(*read));
    const SqlValue key[] = {m.client_id, m.id};
    Result<std::vector<int64_t>> lists = EachRow<int64_t>(
        session.Query("SELECT list_id FROM mailing_lists WHERE client_id = $1 AND mailing_id = $2 "
                      "ORDER BY list_id",
                      key, 1, "mailing lists"),
        [](const SqlRow& list) { return CellInt(list, 0); });
    if (!lists.ok()) return lists.status();
    m.list_ids = std::move(*lists);
  }
  return Status::Ok();
}

// The stored status of a mailing; nullopt when there is none.
Result<std::optional<MailingStatus>> StoredStatus(SqlSession& session, int64_t client_id,
                                                  int64_t mailing_id) {
  const SqlValue key[] = {client_id, mailing_id};
  return FirstRow<MailingStatus>(
      session.Query("SELECT status FROM mailings WHERE client_id = $1 AND id = $2", key, 1,
                    "mailing status"),
      [](const SqlRow& row) {
        CellReader cells(row);
        MailingStatus status = cells.Enum(0, ParseMailingStatus, "mailing status");
        return cells.Finish(status);
      });
}

}  // namespace

Result<std::vector<Mailing>> Catalog::ListMailings(int64_t client_id, const PageRequest& page) {
  Result<int64_t> after = catalog_sql::IntCursor(page);
  if (!after.ok()) return after.status();
  std::vector<Mailing> mailings;
  Status status = runner_.Read([&](SqlSession& session) -> Status {
    const SqlValue params[] = {client_id, *after, static_cast<int64_t>(page.limit)};
    Result<std::vector<SqlRow>> rows =
        session.Query("SELECT client_id, id, " + records::MailingColumns() +
                          " FROM mailings WHERE client_id = $1 AND id > $2 ORDER BY id LIMIT $3",
                      params, kMailingColumns, "list mailings");
    if (!rows.ok()) return rows.status();
    return ReadMailings(session, *rows, mailings);
  });
  if (!status.ok()) return status;
  return mailings;
}

Result<Change> Catalog::CreateMailing(Mailing& mailing) {
  return catalog_sql::Decide(runner_, [&](SqlSession& session) -> Result<Change> {
    Result<bool> free = catalog_sql::ClaimId(session, "mailings", mailing.client_id, mailing.id);
    if (!free.ok()) return free.status();
    if (!*free) return Change::kConflict;
    CAMPAIGND_RETURN_IF_ERROR(
        records::WriteMailing(session, mailing.client_id, mailing, records::Write::kInsert)
            .status());
    return Change::kDone;
  });
}

Result<Change> Catalog::UpdateMailing(const Mailing& mailing) {
  return catalog_sql::Decide(runner_, [&](SqlSession& session) -> Result<Change> {
    Result<std::optional<MailingStatus>> stored =
        StoredStatus(session, mailing.client_id, mailing.id);
    if (!stored.ok()) return stored.status();
    if (!stored->has_value()) return Change::kNotFound;
    if (**stored != MailingStatus::kNew && **stored != MailingStatus::kPaused) {
      return Change::kConflict;
    }
    Mailing written = mailing;
    written.status = **stored;
    Result<int64_t> rows =
        records::WriteMailing(session, written.client_id, written, records::Write::kUpdate);
    if (!rows.ok()) return rows.status();
    return *rows == 0 ? Change::kConflict : Change::kDone;  // 0: its status changed meanwhile
  });
}

Result<Change> Catalog::SetMailingStatus(int64_t client_id, int64_t mailing_id, MailingStatus from,
                                         MailingStatus to) {
  return catalog_sql::Decide(runner_, [&](SqlSession& session) -> Result<Change> {
    const SqlValue params[] = {client_id, mailing_id, std::string(Name(from)),
                               std::string(Name(to))};
    Result<int64_t> changed = session.Execute(
        "UPDATE mailings SET status = $4 WHERE client_id = $1 AND id = $2 AND status = $3",
        params, "set mailing status");
    if (!changed.ok()) return changed.status();
    if (*changed > 0) return Change::kDone;
    Result<std::optional<MailingStatus>> stored = StoredStatus(session, client_id, mailing_id);
    if (!stored.ok()) return stored.status();
    return stored->has_value() ? Change::kConflict : Change::kNotFound;
  });
}

Result<Change> Catalog::DeleteMailing(int64_t client_id, int64_t mailing_id) {
  return catalog_sql::Decide(runner_, [&](SqlSession& session) -> Result<Change> {
    Result<std::optional<MailingStatus>> stored = StoredStatus(session, client_id, mailing_id);
    if (!stored.ok()) return stored.status();
    if (!stored->has_value()) return Change::kNotFound;
    if (**stored != MailingStatus::kNew) return Change::kConflict;
    const SqlValue key[] = {client_id, mailing_id};
    for (std::string_view sql :
         {"DELETE FROM mailing_lists WHERE client_id = $1 AND mailing_id = $2",
          "DELETE FROM mailings WHERE client_id = $1 AND id = $2"}) {
      CAMPAIGND_RETURN_IF_ERROR(session.Execute(sql, key, "delete mailing").status());
    }
    return Change::kDone;
  });
}

Result<std::vector<AuthCode>> Catalog::ListCodes(int64_t client_id, const PageRequest& page) {
  const SqlValue params[] = {client_id, page.after, static_cast<int64_t>(page.limit)};
  return EachRow<AuthCode>(
      runner_.Query(
          records::CodeSelect() + "WHERE client_id = $1 AND name > $2 ORDER BY name LIMIT $3",
          params, 10, "list codes"),
      records::CodeFromRow);
}

Result<Change> Catalog::CreateCode(const AuthCode& code) {
  return catalog_sql::Decide(runner_, [&](SqlSession& session) -> Result<Change> {
    const SqlValue key[] = {code.client_id, code.name, code.code_hash};
    Result<bool> exists = Exists(session,
                                 "SELECT 1 FROM codes WHERE (client_id = $1 AND name = $2) "
                                 "OR code_hash = $3",
                                 key, "find code");
    if (!exists.ok()) return exists.status();
    if (*exists) return Change::kConflict;
    CAMPAIGND_RETURN_IF_ERROR(
        records::WriteCode(session, code.client_id, code, records::Write::kInsert).status());
    return Change::kDone;
  });
}

Result<Change> Catalog::UpdateCode(const AuthCode& code) {
  return catalog_sql::WriteOne(runner_, [&](SqlSession& session) {
    return records::WriteCode(session, code.client_id, code, records::Write::kUpdate);
  });
}

Result<Change> Catalog::DeleteCode(int64_t client_id, std::string_view name) {
  const SqlValue params[] = {client_id, std::string(name)};
  return catalog_sql::WriteOne(runner_, "DELETE FROM codes WHERE client_id = $1 AND name = $2",
                               params, "delete code");
}

}  // namespace campaignd::store
