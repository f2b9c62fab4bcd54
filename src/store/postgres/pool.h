// Pool: the PostgreSQL connections of one engine, shared by every caller
// (Directory lookups, claims, records, the enqueue batcher): store/pool.h
// over Connection. Threads, errors: as store/pool.h.
#ifndef CAMPAIGND_STORE_POSTGRES_POOL_H_
#define CAMPAIGND_STORE_POSTGRES_POOL_H_

#include <chrono>
#include <cstddef>
#include <string>

#include "store/pool.h"
#include "store/postgres/connection.h"

namespace campaignd::store::postgres {

// Connections per process unless EngineOptions says otherwise: the blocking
// pool's threads mostly wait for the network, 8 keeps a 2-core server busy.
inline constexpr std::size_t kDefaultPoolSize = 8;
// libpq's minimum; a server that does not answer within it is "down".
inline constexpr std::chrono::seconds kConnectTimeout{2};
// Longest wait for a connection when all are in use.
inline constexpr std::chrono::seconds kPoolWaitTimeout{10};

class Pool : public ConnectionPool<Connection> {
 public:
  Pool(std::string url, std::size_t size)
      : ConnectionPool(
            {.open = [url = std::move(url)] { return Connection::Open(url, kConnectTimeout); },
             .alive = [](Connection& conn) { return conn.CheckAlive(); },
             .reusable =
                 [](Connection& conn) {
                   // A caller's leftover transaction.
                   if (!conn.broken() && !conn.idle()) conn.Rollback();
                   return !conn.broken() && conn.idle();
                 },
             .what = "PostgreSQL connections"},
            size, kPoolWaitTimeout) {}
};

}  // namespace campaignd::store::postgres

#endif  // CAMPAIGND_STORE_POSTGRES_POOL_H_
