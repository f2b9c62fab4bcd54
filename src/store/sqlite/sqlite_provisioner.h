// SqliteProvisioner: store.h's Provisioner on SQLite. Apply() is one unit
// of the group-commit writer (writer.h): every client of the call is
// written inside one savepoint, so a failure anywhere changes nothing.
// The per-record rules are in store/apply_spec.cc.
// Threads: any. Errors: InvalidArgument for a spec that breaks a rule or a
// constraint (the message names client and record); Unavailable as store.h.
#ifndef CAMPAIGND_STORE_SQLITE_SQLITE_PROVISIONER_H_
#define CAMPAIGND_STORE_SQLITE_SQLITE_PROVISIONER_H_

#include "store/sqlite/read_pool.h"
#include "store/sqlite/writer.h"
#include "store/store.h"

namespace campaignd::store::sqlite {

class SqliteProvisioner final : public Provisioner {
 public:
  // REQUIRES: `writer` and `readers` outlive this.
  SqliteProvisioner(Writer& writer, ReadPool& readers) : writer_(writer), readers_(readers) {}

  Status Apply(const std::vector<ClientSpec>& clients) override;
  Result<std::vector<std::string>> CodeNames(int64_t client_id) override;

 private:
  Writer& writer_;
  ReadPool& readers_;
};

}  // namespace campaignd::store::sqlite

#endif  // CAMPAIGND_STORE_SQLITE_SQLITE_PROVISIONER_H_
