// Writes one ClientSpec (store.h) into an SQLite database: upserts by the
// user's IDs, never deletes a client's records. The rules per record kind
// are in apply_client.cc. Called by SqliteProvisioner::Apply inside one
// writer unit, so a failure anywhere undoes every client of the Apply.
// Threads: the writer thread. Errors: InvalidArgument for a spec that
// breaks a rule or a constraint (names the record), else SQLite's Status.
#ifndef CAMPAIGND_STORE_SQLITE_APPLY_CLIENT_H_
#define CAMPAIGND_STORE_SQLITE_APPLY_CLIENT_H_

#include "core/status.h"
#include "store/sqlite/database.h"
#include "store/store.h"

namespace campaignd::store::sqlite {

// REQUIRES: inside a transaction (a failure leaves partial writes to undo).
Status ApplyClient(Database& db, const ClientSpec& spec);

}  // namespace campaignd::store::sqlite

#endif  // CAMPAIGND_STORE_SQLITE_APPLY_CLIENT_H_
