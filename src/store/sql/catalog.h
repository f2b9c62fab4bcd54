// The helpers the catalog's files (sql/catalog_*.cc, store/catalog.h's
// Catalog) share. Threads: any. Errors: as catalog.h.
#ifndef CAMPAIGND_STORE_SQL_CATALOG_H_
#define CAMPAIGND_STORE_SQL_CATALOG_H_

#include <functional>

#include "store/catalog.h"
#include "store/sql_session.h"

namespace campaignd::store {
namespace catalog_sql {
// Whether `sql` (with `params`) returns a row.
Result<bool> Exists(SqlSession& session, std::string_view sql, std::span<const SqlValue> params,
                    std::string_view purpose);
// MAX(id)+1 of `table` for `client_id` (1 for the first; "clients": of all).
Result<int64_t> NextId(SqlSession& session, std::string_view table, int64_t client_id);
// A page cursor as an integer key (0 for an empty cursor); InvalidArgument
// for other text.
Result<int64_t> IntCursor(const PageRequest& page);
// Whether `table` holds the row (client_id, id); for "clients", id alone.
Result<bool> Exists(SqlSession& session, std::string_view table, int64_t client_id, int64_t id);
// For a create in `table`: a zero `id` becomes the next free one (true);
// else whether (client_id, id) is free.
Result<bool> ClaimId(SqlSession& session, std::string_view table, int64_t client_id, int64_t& id);
// Runs `decide` (checks, then writes or answers a business "no") in one
// write transaction; its answer.
Result<Change> Decide(SqlRunner& runner,
                      const std::function<Result<Change>(SqlSession&)>& decide);
// As Decide, once (client_id, id) exists in `table` (as Exists); kNotFound
// when it does not.
Result<Change> DecideIfExists(SqlRunner& runner, std::string_view table, int64_t client_id,
                              int64_t id, const std::function<Result<Change>(SqlSession&)>& decide);
// Runs `write` in its own transaction; kNotFound when it changed no row.
Result<Change> WriteOne(SqlRunner& runner,
                        const std::function<Result<int64_t>(SqlSession&)>& write);
// Runs one write statement in its own transaction; as above.
Result<Change> WriteOne(SqlRunner& runner, std::string_view sql, std::span<const SqlValue> params,
                        std::string_view purpose);
}  // namespace catalog_sql

}  // namespace campaignd::store

#endif  // CAMPAIGND_STORE_SQL_CATALOG_H_
