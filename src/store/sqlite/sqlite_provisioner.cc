#include "store/sqlite/sqlite_provisioner.h"

#include "store/sqlite/apply_client.h"

namespace campaignd::store::sqlite {

Status SqliteProvisioner::Apply(const std::vector<ClientSpec>& clients) {
  return writer_.Submit([&](Database& db) -> Status {
    SqliteSpecWriter writer(db);
    for (const ClientSpec& spec : clients) CAMPAIGND_RETURN_IF_ERROR(ApplySpec(writer, spec));
    return Status::Ok();
  });
}

Result<std::vector<std::string>> SqliteProvisioner::CodeNames(int64_t client_id) {
  Result<ReadPool::Lease> db = readers_.Checkout();
  if (!db.ok()) return db.status();
  Result<Statement> query =
      (*db)->Prepare("SELECT name FROM codes WHERE client_id = ?1 ORDER BY name", "list codes");
  if (!query.ok()) return query.status();
  std::vector<std::string> names;
  CAMPAIGND_RETURN_IF_ERROR(query->BindInt(1, client_id).ForEachRow([&] {
    names.push_back(query->ColumnText(0));
    return Status::Ok();
  }));
  return names;
}

}  // namespace campaignd::store::sqlite
