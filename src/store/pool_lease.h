// PoolLease: a connection checked out of a pool (sqlite/read_pool.h,
// postgres/pool.h), given back (Pool::Return, which may discard it) when
// destroyed. Threads: one lease belongs to one thread at a time.
#ifndef CAMPAIGND_STORE_POOL_LEASE_H_
#define CAMPAIGND_STORE_POOL_LEASE_H_

#include <memory>

namespace campaignd::store {

template <typename Pool, typename Connection>
class PoolLease {
 public:
  PoolLease(Pool* pool, std::unique_ptr<Connection> conn) : pool_(pool), conn_(std::move(conn)) {}
  PoolLease(PoolLease&&) = default;
  PoolLease& operator=(PoolLease&&) = delete;
  ~PoolLease() {
    if (conn_ != nullptr) pool_->Return(std::move(conn_));
  }
  Connection& operator*() { return *conn_; }
  Connection* operator->() { return conn_.get(); }

 private:
  Pool* pool_;
  std::unique_ptr<Connection> conn_;
};

}  // namespace campaignd::store

#endif  // CAMPAIGND_STORE_POOL_LEASE_H_
