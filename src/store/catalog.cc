#include "store/catalog.h"

#include "store/postgres/pg_engine.h"
#include "store/postgres/pg_runner.h"
#include "store/sqlite/sqlite_engine.h"
#include "store/sqlite/sqlite_runner.h"

namespace campaignd::store {

Result<std::unique_ptr<SqlRunner>> OpenSqlRunner(Engine& engine) {
  if (auto* sqlite = dynamic_cast<sqlite::SqliteEngine*>(&engine)) {
    return std::unique_ptr<SqlRunner>(
        std::make_unique<sqlite::SqliteRunner>(sqlite->writer(), sqlite->readers()));
  }
  if (auto* pg = dynamic_cast<postgres::PgEngine*>(&engine)) {
    return std::unique_ptr<SqlRunner>(std::make_unique<postgres::PgRunner>(pg->pool()));
  }
  return Status::InvalidArgument("the SQL runner supports the SQLite and PostgreSQL engines");
}

Result<std::unique_ptr<Catalog>> OpenCatalog(Engine& engine) {
  Result<std::unique_ptr<SqlRunner>> runner = OpenSqlRunner(engine);
  if (!runner.ok()) return runner.status();
  return std::make_unique<Catalog>(std::move(*runner));
}

}  // namespace campaignd::store
