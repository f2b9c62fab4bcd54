// Catalog: clients and their API keys.
#include "store/sql/catalog.h"
#include "store/sql/records.h"

namespace campaignd::store {
namespace catalog_sql {

Result<bool> Exists(SqlSession& session, std::string_view sql, std::span<const SqlValue> params,
                    std::string_view purpose) {
  Result<std::vector<SqlRow>> rows = session.Query(sql, params, 1, purpose);
  if (!rows.ok()) return rows.status();
  return !rows->empty();
}

Result<int64_t> NextId(SqlSession& session, std::string_view table, int64_t client_id) {
  const bool clients = table == "clients";
  const std::string sql = "SELECT COALESCE(MAX(id), 0) + 1 FROM " + std::string(table) +
                          (clients ? "" : " WHERE client_id = $1");
  const SqlValue params[] = {client_id};
  Result<std::vector<SqlRow>> rows =
      session.Query(sql, std::span(params, clients ? 0 : 1), 1, "next id");
  if (!rows.ok()) return rows.status();
  return CellInt(rows->at(0), 0);
}

Result<int64_t> IntCursor(const PageRequest& page) {
  if (page.after.empty()) return int64_t{0};
  const SqlRow row = {page.after};
  Result<int64_t> value = CellInt(row, 0);
  if (!value.ok()) return Status::InvalidArgument("cursor: not one this API handed out");
  return value;
}

Result<bool> Exists(SqlSession& session, std::string_view table, int64_t client_id, int64_t id) {
  const SqlValue both[] = {client_id, id};
  if (table == "clients") {
    return Exists(session, "SELECT 1 FROM clients WHERE id = $1", std::span(both + 1, 1),
                  "find client");
  }
  return Exists(session,
                "SELECT 1 FROM " + std::string(table) + " WHERE client_id = $1 AND id = $2", both,
                "find " + std::string(table));
}

Result<bool> ClaimId(SqlSession& session, std::string_view table, int64_t client_id,
                     int64_t& id) {
  if (id == 0) {
    Result<int64_t> next = NextId(session, table, client_id);
    if (!next.ok()) return next.status();
    id = *next;
    return true;
  }
  Result<bool> exists = Exists(session, table, client_id, id);
  if (!exists.ok()) return exists.status();
  return !*exists;
}

Result<Change> Decide(SqlRunner& runner,
                      const std::function<Result<Change>(SqlSession&)>& decide) {
  Change change = Change::kDone;
  Status status = runner.Write([&](SqlSession& session) -> Status {
    Result<Change> decided = decide(session);
    if (!decided.ok()) return decided.status();
    change = *decided;
    return Status::Ok();
  });
  if (!status.ok()) return status;
  return change;
}

Result<Change> DecideIfExists(SqlRunner& runner, std::string_view table, int64_t client_id,
                              int64_t id,
                              const std::function<Result<Change>(SqlSession&)>& decide) {
  return Decide(runner, [&](SqlSession& session) -> Result<Change> {
    Result<bool> exists = Exists(session, table, client_id, id);
    if (!exists.ok()) return exists.status();
    return *exists ? decide(session) : Change::kNotFound;
  });
}

Result<Change> WriteOne(SqlRunner& runner,
                        const std::function<Result<int64_t>(SqlSession&)>& write) {
  return Decide(runner, [&](SqlSession& session) -> Result<Change> {
    Result<int64_t> rows = write(session);
    if (!rows.ok()) return rows.status();
    return *rows == 0 ? Change::kNotFound : Change::kDone;
  });
}

Result<Change> WriteOne(SqlRunner& runner, std::string_view sql, std::span<const SqlValue> params,
                        std::string_view purpose) {
  return WriteOne(runner, [&](SqlSession& session) { return session.Execute(sql, params, purpose); });
}

}  // namespace catalog_sql

namespace {

constexpr std::string_view kApiKeySelect =
    "SELECT client_id, id, name, key_hash, created_at FROM api_keys ";

Result<ApiKey> ApiKeyFromRow(const SqlRow& row) {
  CellReader cells(row);
  ApiKey key{cells.Int(0), cells.Int(1), cells.Text(2), cells.Text(3), cells.Time(4)};
  return cells.Finish(std::move(key));
}

}  // namespace

Result<std::vector<Client>> Catalog::ListClients(const PageRequest& page) {
  Result<int64_t> after = catalog_sql::IntCursor(page);
  if (!after.ok()) return after.status();
  const SqlValue params[] = {*after, static_cast<int64_t>(page.limit)};
  return EachRow<Client>(
      runner_.Query(records::ClientSelect() + "WHERE id > $1 ORDER BY id LIMIT $2", params,
                    records::kClientSelectColumns, "list clients"),
      records::ClientFromRow);
}

Result<std::vector<Client>> Catalog::AllClients() {
  return EachRow<Client>(runner_.Query(records::ClientSelect() + "ORDER BY id", {},
                                       records::kClientSelectColumns, "list all clients"),
                         records::ClientFromRow);
}

Result<Change> Catalog::CreateClient(Client& client) {
  return catalog_sql::Decide(runner_, [&](SqlSession& session) -> Result<Change> {
    Result<bool> free = catalog_sql::ClaimId(session, "clients", 0, client.id);
    if (!free.ok()) return free.status();
    if (!*free) return Change::kConflict;
    CAMPAIGND_RETURN_IF_ERROR(
        records::WriteClient(session, client, records::Write::kInsert).status());
    return Change::kDone;
  });
}

Result<Change> Catalog::UpdateClient(const Client& client) {
  return catalog_sql::WriteOne(runner_, [&](SqlSession& session) {
    return records::WriteClient(session, client, records::Write::kUpdate,
                                records::ClientColumns::kSettings);
  });
}

Result<std::optional<ApiKey>> Catalog::FindApiKey(std::string_view key_hash) {
  const SqlValue params[] = {std::string(key_hash)};
  return FirstRow<ApiKey>(
      runner_.Query(std::string(kApiKeySelect) + "WHERE key_hash = $1", params, 5, "find API key"),
      ApiKeyFromRow);
}

Result<std::vector<ApiKey>> Catalog::ListApiKeys(int64_t client_id, const PageRequest& page) {
  Result<int64_t> after = catalog_sql::IntCursor(page);
  if (!after.ok()) return after.status();
  const SqlValue params[] = {client_id, *after, static_cast<int64_t>(page.limit)};
  return EachRow<ApiKey>(runner_.Query(std::string(kApiKeySelect) +
                                           "WHERE client_id = $1 AND id > $2 ORDER BY id LIMIT $3",
                                       params, 5, "list API keys"),
                         ApiKeyFromRow);
}

Result<Change> Catalog::CreateApiKey(ApiKey& key) {
  return catalog_sql::DecideIfExists(
      runner_, "clients", 0, key.client_id, [&](SqlSession& session) -> Result<Change> {
        Result<int64_t> id = catalog_sql::NextId(session, "api_keys", key.client_id);
        if (!id.ok()) return id.status();
        key.id = *id;
        CAMPAIGND_RETURN_IF_ERROR(records::InsertApiKey(session, key));
        return Change::kDone;
      });
}

Result<Change> Catalog::DeleteApiKey(int64_t client_id, int64_t key_id) {
  const SqlValue params[] = {client_id, key_id};
  return catalog_sql::WriteOne(runner_, "DELETE FROM api_keys WHERE client_id = $1 AND id = $2",
                               params, "delete API key");
}

}  // namespace campaignd::store
