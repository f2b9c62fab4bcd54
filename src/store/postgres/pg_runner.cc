#include "store/postgres/pg_runner.h"

#include "store/postgres/enqueue_batcher.h"

namespace campaignd::store::postgres {
namespace {

class PgSession final : public SqlSession {
 public:
  explicit PgSession(Connection& conn) : conn_(conn) {}

  Result<std::vector<SqlRow>> Query(std::string_view sql, std::span<const SqlValue> params,
                                    int columns, std::string_view purpose) override {
    Result<PgResult> result = conn_.Query(sql, params, purpose);
    if (!result.ok()) return result.status();
    std::vector<SqlRow> rows(static_cast<std::size_t>(result->rows()));
    for (int r = 0; r < result->rows(); ++r) {
      SqlRow& row = rows[static_cast<std::size_t>(r)];
      row.reserve(static_cast<std::size_t>(columns));
      for (int c = 0; c < columns; ++c) {
        if (result->IsNull(r, c)) {
          row.emplace_back(std::nullopt);
        } else if (result->IsBytes(c)) {
          row.emplace_back(result->Bytes(r, c));
        } else {
          row.emplace_back(result->Text(r, c));
        }
      }
    }
    return rows;
  }

  Result<int64_t> Execute(std::string_view sql, std::span<const SqlValue> params,
                          std::string_view purpose) override {
    Result<PgResult> result = conn_.Query(sql, params, purpose);
    if (!result.ok()) return result.status();
    return result->affected();
  }

  // Transaction-scoped, keyed by a 64-bit hash of `key` (the key text of
  // every campaignd version, so processes of two versions lock alike).
  Status LockKey(std::string_view key) override {
    return conn_
        .Query("SELECT pg_advisory_xact_lock(hashtextextended($1::text, 0))", {std::string(key)},
               "lock key")
        .status();
  }

  // Delivered to the listeners (listener.h) at the commit.
  Status AnnounceMail() override {
    static const std::string kSql = "SELECT pg_notify('" + std::string(kMailChannel) + "', '')";
    return conn_.Query(kSql, {}, "announce mail").status();
  }

 private:
  Connection& conn_;
};

}  // namespace

std::unique_ptr<SqlSession> SessionOn(Connection& conn) {
  return std::make_unique<PgSession>(conn);
}

Status PgRunner::Read(const Work& work) {
  return InTransaction(work, "read snapshot", "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY");
}

Result<std::vector<SqlRow>> PgRunner::Query(std::string_view sql, std::span<const SqlValue> params,
                                            int columns, std::string_view purpose) {
  Result<Pool::Lease> conn = pool_.Checkout();
  if (!conn.ok()) return conn.status();
  return PgSession(**conn).Query(sql, params, columns, purpose);
}

Status PgRunner::Write(const Work& work) { return InTransaction(work, "write", "BEGIN"); }

Status PgRunner::InTransaction(const Work& work, std::string_view purpose, std::string_view begin) {
  Result<Pool::Lease> conn = pool_.Checkout();
  if (!conn.ok()) return conn.status();
  // Not committed: the pool rolls back what the lease leaves open (pool.h).
  CAMPAIGND_RETURN_IF_ERROR((*conn)->Exec(begin, std::string(purpose) + " (begin)"));
  PgSession session(**conn);
  CAMPAIGND_RETURN_IF_ERROR(work(session));
  return (*conn)->Commit(purpose);
}

Result<int64_t> PgRunner::Execute(std::string_view sql, std::span<const SqlValue> params,
                                  std::string_view purpose) {
  Result<Pool::Lease> conn = pool_.Checkout();
  if (!conn.ok()) return conn.status();
  return PgSession(**conn).Execute(sql, params, purpose);
}

}  // namespace campaignd::store::postgres
