// copy-db: moves every row of one campaignd database into another, empty
// one - SQLite to PostgreSQL or back - so an installation changes engine
// without losing mails, statuses, history, secrets, code hashes, bounces or
// unsubscribes. Engine-neutral: both schemas have the same tables and
// columns (migrations/<engine>/), listed once in CopyTables(); each engine
// reads and writes its rows through a CopyEndpoint (sql/copy_endpoint.h,
// the same SQL on both) opened by OpenCopyEndpoint (engine.cc).
// The source is read from one snapshot; the target is written in ONE
// transaction that first checks it is empty and ends by moving its mail-ID
// sequence past every ID the source ever handed out, so a new mail never
// reuses an ID (a MailId of an old mail stays unique).
// Callers: admin/db_commands.cc (`campaignd copy-db`). Threads: the caller's.
// Errors: InvalidArgument for a non-empty target, a SQLite source file that
// does not exist, or the same database twice; the engines' Status otherwise
// (nothing is written then).
#ifndef CAMPAIGND_STORE_COPY_H_
#define CAMPAIGND_STORE_COPY_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/status.h"

namespace campaignd::store {

// How a column's values travel: integers, text (JSON included), bytes.
enum class ColumnKind { kInt, kText, kBytes };

struct CopyColumn {
  std::string_view name;
  ColumnKind kind;
};

struct CopyTable {
  std::string_view name;
  std::vector<CopyColumn> columns;
  std::string_view order_by;  // the primary key: rows are read in this order
};

// Every table copy-db moves, parents before children (foreign keys).
const std::vector<CopyTable>& CopyTables();

// One value of a row: NULL, an integer (kInt) or text/bytes (kText, kBytes).
struct CopyValue {
  bool is_null = false;
  int64_t number = 0;
  std::string bytes;
};
using CopyRow = std::vector<CopyValue>;

// Reading side, inside one snapshot.
class TableReader {
 public:
  virtual ~TableReader() = default;
  // Calls `on_row` for every row of `table`, in `order_by` order.
  virtual Status ReadRows(const CopyTable& table,
                          const std::function<Status(const CopyRow&)>& on_row) = 0;
  // The highest mail ID the database ever handed out (a deleted mail's
  // included); 0 when none.
  virtual Result<int64_t> MailIdHighWater() = 0;
};

// Writing side, inside one transaction.
class TableWriter {
 public:
  virtual ~TableWriter() = default;
  virtual Result<int64_t> CountRows(const CopyTable& table) = 0;
  virtual Status InsertRows(const CopyTable& table, std::span<const CopyRow> rows) = 0;
  // Makes the next mail ID greater than `high_water` (and every generated
  // ID of the target, mail_events included, greater than those copied).
  virtual Status FinishSequences(int64_t high_water) = 0;
};

// One engine's database, opened for copy-db (migrations applied).
class CopyEndpoint {
 public:
  virtual ~CopyEndpoint() = default;
  // Runs `read` inside one read-only snapshot.
  virtual Status ReadSnapshot(const std::function<Status(TableReader&)>& read) = 0;
  // Runs `write` inside one transaction, committed only if it returns OK.
  virtual Status WriteTransaction(const std::function<Status(TableWriter&)>& write) = 0;
};

// Opens "sqlite:PATH" or "postgresql://..." (engine.cc), applying pending
// migrations so both sides have this binary's schema.
Result<std::unique_ptr<CopyEndpoint>> OpenCopyEndpoint(std::string_view url);

struct CopyReport {
  std::vector<std::pair<std::string, int64_t>> rows;  // (table, rows copied), CopyTables() order
  int64_t mail_id_high_water = 0;                     // the target's next mail ID is above it
};

// Copies every row of `from` into `to`. REQUIRES: from != to.
Result<CopyReport> CopyDatabase(CopyEndpoint& from, CopyEndpoint& to);

// Opens both URLs and copies (the command's whole job).
Result<CopyReport> CopyDatabase(std::string_view from_url, std::string_view to_url);

}  // namespace campaignd::store

#endif  // CAMPAIGND_STORE_COPY_H_
