// Turns a libpq failure into a Status - the one place that decides which
// PostgreSQL failures are "try again later" (Unavailable: the API answers
// 503, workers pause) and which are not. Used by connection.cc only.
// Threads: pure functions.
#ifndef CAMPAIGND_STORE_POSTGRES_PG_ERROR_H_
#define CAMPAIGND_STORE_POSTGRES_PG_ERROR_H_

#include <string_view>

#include "core/status.h"

namespace campaignd::store::postgres {

// The class of a failure with SQLSTATE `sqlstate` ("" when libpq reported
// it without one: a client-side failure) on a connection that is
// (`connection_lost`) or is not broken now:
//   connection lost or refused, 08* connection exceptions, 57P01..57P03
//   (shutdown, crash, not accepting connections), 53* insufficient
//   resources, 40001 serialization failure, 40P01 deadlock,
//   55P03 lock not available (a lock held past kLockTimeout) -> Unavailable
//   23* integrity constraint violations, 22* invalid values -> InvalidArgument
//   XX001/XX002 corrupted data or index                     -> Corruption
//   everything else                                          -> IOError
Status::Code ClassifySqlState(std::string_view sqlstate, bool connection_lost);

// "<purpose>: <message> (SQLSTATE <sqlstate>)" with the class above.
// REQUIRES: `message` holds no password (connection.cc scrubs libpq's).
Status PgError(std::string_view sqlstate, bool connection_lost, std::string_view purpose,
               std::string_view message);

}  // namespace campaignd::store::postgres

#endif  // CAMPAIGND_STORE_POSTGRES_PG_ERROR_H_
