// Catalog: opt-in processes (behaviour.md §1, decisions 0010 and 0012).
// The confirmation mailing is checked inside the write transaction, so a
// process never names a mailing that is not a confirmation mailing of its
// client at the moment it is stored.
#include "store/sql/catalog.h"
#include "store/sql/records.h"

namespace campaignd::store {
namespace {

using catalog_sql::Exists;

using records::kOptInSelect;

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

}  // namespace

Result<std::vector<OptInProcess>> Catalog::ListOptIns(int64_t client_id, const PageRequest& page) {
  Result<int64_t> after = catalog_sql::IntCursor(page);
  if (!after.ok()) return after.status();
  const SqlValue params[] = {client_id, *after, static_cast<int64_t>(page.limit)};
  return EachRow<OptInProcess>(
      runner_.Query(
          std::string(kOptInSelect) + "WHERE client_id = $1 AND id > $2 ORDER BY id LIMIT $3",
          params, 5, "list opt-in processes"),
      [&](const SqlRow& row) { return records::OptInFromRow(client_id, row); });
}

Result<std::optional<OptInProcess>> Catalog::FindOptIn(int64_t client_id, int64_t id) {
  StatementSession session(runner_);  // one statement: no snapshot transaction
  return records::FindOptIn(session, client_id, id);
}

Result<Change> Catalog::CreateOptIn(OptInProcess& process) {
  return catalog_sql::DecideIfExists(
      runner_, "clients", 0, process.client_id, [&](SqlSession& session) -> Result<Change> {
        Result<Change> valid = CheckMailing(session, process);
        if (!valid.ok() || *valid != Change::kDone) return valid;
        Result<bool> free =
            catalog_sql::ClaimId(session, "optin_processes", process.client_id, process.id);
        if (!free.ok()) return free.status();
        if (!*free) return Change::kConflict;
        CAMPAIGND_RETURN_IF_ERROR(
            records::WriteOptIn(session, process.client_id, process, records::Write::kInsert)
                .status());
        return Change::kDone;
      });
}

Result<Change> Catalog::UpdateOptIn(const OptInProcess& process) {
  return catalog_sql::DecideIfExists(
      runner_, "optin_processes", process.client_id, process.id,
      [&](SqlSession& session) -> Result<Change> {
        Result<Change> valid = CheckMailing(session, process);
        if (!valid.ok() || *valid != Change::kDone) return valid;
        CAMPAIGND_RETURN_IF_ERROR(
            records::WriteOptIn(session, process.client_id, process, records::Write::kUpdate)
                .status());
        return Change::kDone;
      });
}

Result<Change> Catalog::DeleteOptIn(int64_t client_id, int64_t id) {
  // docs/decisions/0012-admin-api.md: recipients keep the id of a deleted
  // process; nothing else refers to it.
  const SqlValue params[] = {client_id, id};
  return catalog_sql::WriteOne(runner_,
                               "DELETE FROM optin_processes WHERE client_id = $1 AND id = $2",
                               params, "delete opt-in process");
}

}  // namespace campaignd::store
