// copy-db: moves every row of one campaignd database into another, empty
// one - SQLite to PostgreSQL or back - so an installation changes engine
// without losing mails, statuses, history, secrets, code hashes, bounces or
// unsubscribes. Engine-neutral: both schemas have the same tables and
// columns (migrations/<engine>/), listed once in CopyTables(), and sql/copy.cc
// reads and writes them with the same SQL on both (sql_session.h).
// The source is read from one snapshot, a table at a time in pages of its
// primary key (row values "(a, b) > ($1, $2)": bounded memory, an index
// range per page); the target is written with multi-row INSERTs in ONE
// transaction that first checks it is empty and ends by moving its mail-ID
// sequence past every ID the source ever handed out, so a new mail never
// reuses an ID (a MailId of an old mail stays unique). Only that sequence
// has no SQL both engines accept: each engine hands in its CopySequences.
// Callers: admin/db_commands.cc (`campaignd copy-db`). Threads: the caller's.
// Errors: InvalidArgument for a non-empty target, a SQLite source file that
// does not exist, or the same database twice; the engines' Status otherwise
// (nothing is written then).
#ifndef CAMPAIGND_STORE_COPY_H_
#define CAMPAIGND_STORE_COPY_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/status.h"
#include "store/store.h"

namespace campaignd::store {

// How a column's values travel: integers, text (JSON included), bytes.
enum class ColumnKind { kInt, kText, kBytes };

struct CopyColumn {
  std::string_view name;
  ColumnKind kind;
};

struct CopyTable {
  std::string_view name;
  std::size_t keys;  // the primary key is the first `keys` columns: rows are read in its order
  std::vector<CopyColumn> columns;
};

// Every table copy-db moves, parents before children (foreign keys).
const std::vector<CopyTable>& CopyTables();

// The engine's SQL for the mail-ID sequence.
struct CopySequences {
  // One row, one integer: the highest mail ID the database ever handed out
  // (a deleted mail's included); 0 when none.
  std::string_view high_water;
  // Run in order with $1 = the high water: the next mail ID is above it
  // and every generated ID of the target (mail_events included) above the
  // copied rows.
  std::vector<std::string_view> finish;
};

// One database opened for copy-db (engine.cc OpenCopyEndpoint, pending
// migrations applied so both sides have this binary's schema).
struct CopyEndpoint {
  std::unique_ptr<Engine> engine;  // its runner() reads or writes the rows
  const CopySequences* sequences = nullptr;
};
Result<CopyEndpoint> OpenCopyEndpoint(std::string_view url);

struct CopyReport {
  std::vector<std::pair<std::string, int64_t>> rows;  // (table, rows copied), CopyTables() order
  int64_t mail_id_high_water = 0;                     // the target's next mail ID is above it
};

// Opens both URLs ("sqlite:PATH" or "postgresql://...") and copies every
// row of `from` into `to` (the command's whole job).
Result<CopyReport> CopyDatabase(std::string_view from_url, std::string_view to_url);

}  // namespace campaignd::store

#endif  // CAMPAIGND_STORE_COPY_H_
