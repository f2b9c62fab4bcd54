#include "store/postgres/pg_provisioner.h"

#include "store/apply_spec.h"
#include "store/postgres/pg_apply_client.h"

namespace campaignd::store::postgres {

Status PgProvisioner::Apply(const std::vector<ClientSpec>& clients) {
  Result<Pool::Lease> conn = pool_.Checkout();
  if (!conn.ok()) return conn.status();
  Transaction transaction(**conn, "apply");
  CAMPAIGND_RETURN_IF_ERROR(transaction.status());
  PgSpecWriter writer(**conn);
  for (const ClientSpec& spec : clients) CAMPAIGND_RETURN_IF_ERROR(ApplySpec(writer, spec));
  return transaction.Commit();
}

Result<std::vector<std::string>> PgProvisioner::CodeNames(int64_t client_id) {
  Result<Pool::Lease> conn = pool_.Checkout();
  if (!conn.ok()) return conn.status();
  Result<PgResult> rows = (*conn)->Query("SELECT name FROM codes WHERE client_id = $1 ORDER BY name",
                                         Params().Int(client_id), "list codes");
  if (!rows.ok()) return rows.status();
  std::vector<std::string> names;
  for (int i = 0; i < rows->rows(); ++i) names.push_back(rows->Text(i, 0));
  return names;
}

}  // namespace campaignd::store::postgres
