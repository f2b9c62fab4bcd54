// SqlCatalog: opt-in processes (behaviour.md §1, decisions 0010 and 0012).
// The confirmation mailing is checked inside the write transaction, so a
// process never names a mailing that is not a confirmation mailing of its
// client at the moment it is stored.
#include "store/sql/catalog.h"

namespace campaignd::store {
namespace {

using catalog_sql::Exists;

constexpr int kOptInColumns = 5;
constexpr std::string_view kOptInSelect =
    "SELECT id, name, kind, mailing_id, confirmation_url FROM optin_processes ";

Result<OptInProcess> OptInFromRow(int64_t client_id, const SqlRow& row) {
  Result<int64_t> id = CellInt(row, 0), mailing_id = CellInt(row, 3);
  if (!id.ok() || !mailing_id.ok()) return Status::Corruption("opt-in process row");
  std::optional<OptInKind> kind = ParseOptInKind(CellText(row, 2));
  if (!kind) return Status::Corruption("opt-in process kind '" + CellText(row, 2) + "'");
  return OptInProcess{client_id, *id, CellText(row, 1), *kind, *mailing_id, CellText(row, 4)};
}

Result<std::vector<OptInProcess>> OptInsFromRows(int64_t client_id,
                                                 const std::vector<SqlRow>& rows) {
  std::vector<OptInProcess> processes;
  for (const SqlRow& row : rows) {
    Result<OptInProcess> process = OptInFromRow(client_id, row);
    if (!process.ok()) return process.status();
    processes.push_back(std::move(*process));
  }
  return processes;
}

// kDone when `p` may be stored as it names its mailing: single needs none,
// confirmed and double need one; a named mailing must be one of the
// client's of type confirmation. kInvalid otherwise.
Result<Change> CheckMailing(SqlSession& session, const OptInProcess& p) {
  if (p.mailing_id == 0) return p.kind == OptInKind::kSingle ? Change::kDone : Change::kInvalid;
  const SqlValue key[] = {p.client_id, p.mailing_id,
                          std::string(Name(MailingType::kConfirmation))};
  Result<bool> found =
      Exists(session, "SELECT 1 FROM mailings WHERE client_id = $1 AND id = $2 AND type = $3",
             key, "find confirmation mailing");
  if (!found.ok()) return found.status();
  return *found ? Change::kDone : Change::kInvalid;
}

Result<bool> OptInExists(SqlSession& session, int64_t client_id, int64_t id) {
  const SqlValue key[] = {client_id, id};
  return Exists(session, "SELECT 1 FROM optin_processes WHERE client_id = $1 AND id = $2", key,
                "find opt-in process");
}

// $1 client, $2 id, $3 name, $4 kind, $5 mailing, $6 confirmation URL.
std::vector<SqlValue> OptInParams(const OptInProcess& p) {
  return {p.client_id, p.id, p.name, std::string(Name(p.kind)), p.mailing_id,
          p.confirmation_url};
}

}  // namespace

Result<std::vector<OptInProcess>> SqlCatalog::ListOptIns(int64_t client_id,
                                                         const PageRequest& page) {
  Result<int64_t> after = catalog_sql::IntCursor(page);
  if (!after.ok()) return after.status();
  const SqlValue params[] = {client_id, *after, static_cast<int64_t>(page.limit)};
  Result<std::vector<SqlRow>> rows = catalog_sql::ReadRows(
      runner_,
      std::string(kOptInSelect) + "WHERE client_id = $1 AND id > $2 ORDER BY id LIMIT $3",
      params, kOptInColumns, "list opt-in processes");
  if (!rows.ok()) return rows.status();
  return OptInsFromRows(client_id, *rows);
}

Result<std::optional<OptInProcess>> SqlCatalog::FindOptIn(int64_t client_id, int64_t id) {
  const SqlValue params[] = {client_id, id};
  Result<std::vector<SqlRow>> rows = catalog_sql::ReadRows(
      runner_, std::string(kOptInSelect) + "WHERE client_id = $1 AND id = $2", params,
      kOptInColumns, "find opt-in process");
  if (!rows.ok()) return rows.status();
  Result<std::vector<OptInProcess>> found = OptInsFromRows(client_id, *rows);
  if (!found.ok()) return found.status();
  if (found->empty()) return std::optional<OptInProcess>();
  return std::optional<OptInProcess>(std::move(found->front()));
}

Result<Change> SqlCatalog::CreateOptIn(OptInProcess& process) {
  Change change = Change::kDone;
  Status status = runner_.Write([&](SqlSession& session) -> Status {
    const SqlValue client[] = {process.client_id};
    Result<bool> client_exists =
        Exists(session, "SELECT 1 FROM clients WHERE id = $1", client, "find client");
    if (!client_exists.ok()) return client_exists.status();
    if (!*client_exists) {
      change = Change::kNotFound;
      return Status::Ok();
    }
    Result<Change> valid = CheckMailing(session, process);
    if (!valid.ok()) return valid.status();
    if (*valid != Change::kDone) {
      change = *valid;
      return Status::Ok();
    }
    if (process.id == 0) {
      Result<int64_t> id = catalog_sql::NextId(session, "optin_processes", process.client_id);
      if (!id.ok()) return id.status();
      process.id = *id;
    } else {
      Result<bool> taken = OptInExists(session, process.client_id, process.id);
      if (!taken.ok()) return taken.status();
      if (*taken) {
        change = Change::kConflict;
        return Status::Ok();
      }
    }
    const std::vector<SqlValue> params = OptInParams(process);
    return session
        .Execute("INSERT INTO optin_processes (client_id, id, name, kind, mailing_id, "
                 "confirmation_url) VALUES ($1, $2, $3, $4, $5, $6)",
                 params, "insert opt-in process")
        .status();
  });
  if (!status.ok()) return status;
  return change;
}

Result<Change> SqlCatalog::UpdateOptIn(const OptInProcess& process) {
  Change change = Change::kDone;
  Status status = runner_.Write([&](SqlSession& session) -> Status {
    Result<bool> exists = OptInExists(session, process.client_id, process.id);
    if (!exists.ok()) return exists.status();
    Result<Change> valid = *exists ? CheckMailing(session, process) : Change::kNotFound;
    if (!valid.ok()) return valid.status();
    if (*valid != Change::kDone) {
      change = *valid;
      return Status::Ok();
    }
    const std::vector<SqlValue> params = OptInParams(process);
    return session
        .Execute("UPDATE optin_processes SET name = $3, kind = $4, mailing_id = $5, "
                 "confirmation_url = $6 WHERE client_id = $1 AND id = $2",
                 params, "update opt-in process")
        .status();
  });
  if (!status.ok()) return status;
  return change;
}

Result<Change> SqlCatalog::DeleteOptIn(int64_t client_id, int64_t id) {
  // docs/decisions/0012-admin-api.md: recipients keep the id of a deleted
  // process; nothing else refers to it.
  const SqlValue params[] = {client_id, id};
  return catalog_sql::WriteOne(runner_,
                               "DELETE FROM optin_processes WHERE client_id = $1 AND id = $2",
                               params, "delete opt-in process");
}

}  // namespace campaignd::store
