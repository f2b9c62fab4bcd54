// SqlCatalog: catalog.h over sql_session.h, the same SQL on SQLite and
// PostgreSQL. Split by record kind over sql/catalog_*.cc; the records are
// written by records.h's functions, as provisioning and the recipient
// operations write them. Writes that check before they change (exists? in
// use? which status?) do both inside one write transaction.
// Threads: any. Errors: as catalog.h.
#ifndef CAMPAIGND_STORE_SQL_CATALOG_H_
#define CAMPAIGND_STORE_SQL_CATALOG_H_

#include <functional>
#include <memory>

#include "store/catalog.h"
#include "store/sql_session.h"

namespace campaignd::store {

class SqlCatalog final : public Catalog {
 public:
  explicit SqlCatalog(std::unique_ptr<SqlRunner> runner)
      : owned_(std::move(runner)), runner_(*owned_) {}

  Result<std::vector<Client>> ListClients(const PageRequest& page) override;
  Result<Change> CreateClient(Client& client) override;
  Result<Change> UpdateClient(const Client& client) override;

  Result<std::optional<ApiKey>> FindApiKey(std::string_view key_hash) override;
  Result<std::vector<ApiKey>> ListApiKeys(int64_t client_id, const PageRequest& page) override;
  Result<Change> CreateApiKey(ApiKey& key) override;
  Result<Change> DeleteApiKey(int64_t client_id, int64_t key_id) override;

  Result<std::vector<RecipientList>> ListLists(int64_t client_id,
                                               const PageRequest& page) override;
  Result<Change> CreateList(RecipientList& list) override;
  Result<Change> UpdateList(const RecipientList& list) override;
  Result<Change> DeleteList(int64_t client_id, int64_t list_id) override;

  Result<std::vector<Recipient>> ListRecipients(int64_t client_id, int64_t list_id,
                                                const PageRequest& page) override;
  Result<Change> UpsertRecipients(int64_t client_id, int64_t list_id,
                                  std::span<const Recipient> recipients) override;
  Result<Change> DeleteRecipient(int64_t client_id, int64_t list_id,
                                 std::string_view recipient_id) override;

  Result<std::vector<Mailing>> ListMailings(int64_t client_id, const PageRequest& page) override;
  Result<Change> CreateMailing(Mailing& mailing) override;
  Result<Change> UpdateMailing(const Mailing& mailing) override;
  Result<Change> SetMailingStatus(int64_t client_id, int64_t mailing_id, MailingStatus from,
                                  MailingStatus to) override;
  Result<Change> DeleteMailing(int64_t client_id, int64_t mailing_id) override;

  Result<std::vector<AuthCode>> ListCodes(int64_t client_id, const PageRequest& page) override;
  Result<Change> CreateCode(const AuthCode& code) override;
  Result<Change> UpdateCode(const AuthCode& code) override;
  Result<Change> DeleteCode(int64_t client_id, std::string_view name) override;

  Result<std::vector<BlockEntry>> ListBlocklist(int64_t client_id,
                                                const PageRequest& page) override;
  Result<Change> UpsertBlockEntry(int64_t client_id, const BlockEntry& entry) override;
  Result<Change> DeleteBlockEntry(int64_t client_id, std::string_view pattern) override;
  Result<Change> UpsertDkimKey(int64_t client_id, const DkimKey& key) override;
  Result<Change> DeleteDkimKey(int64_t client_id, std::string_view domain,
                               std::string_view selector) override;

  Result<std::vector<OptInProcess>> ListOptIns(int64_t client_id,
                                               const PageRequest& page) override;
  Result<std::optional<OptInProcess>> FindOptIn(int64_t client_id, int64_t id) override;
  Result<Change> CreateOptIn(OptInProcess& process) override;
  Result<Change> UpdateOptIn(const OptInProcess& process) override;
  Result<Change> DeleteOptIn(int64_t client_id, int64_t id) override;

  Result<std::vector<Mail>> SearchMails(const MailQuery& query) override;

 private:
  const std::unique_ptr<SqlRunner> owned_;
  SqlRunner& runner_;
};

// Shared by the sql/catalog_*.cc files.
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
// Every row of `rows` as `from_row` (const SqlRow& -> Result<T>) reads it.
template <typename T, typename FromRow>
Result<std::vector<T>> FromRows(const std::vector<SqlRow>& rows, const FromRow& from_row) {
  std::vector<T> out;
  out.reserve(rows.size());
  for (const SqlRow& row : rows) {
    Result<T> value = from_row(row);
    if (!value.ok()) return value.status();
    out.push_back(std::move(*value));
  }
  return out;
}
// Runs `decide` (checks, then writes or answers a business "no") in one
// write transaction; its answer.
Result<Change> Decide(SqlRunner& runner,
                      const std::function<Result<Change>(SqlSession&)>& decide);
// Runs `write` in its own transaction; kNotFound when it changed no row.
Result<Change> WriteOne(SqlRunner& runner,
                        const std::function<Result<int64_t>(SqlSession&)>& write);
// Runs one write statement in its own transaction; as above.
Result<Change> WriteOne(SqlRunner& runner, std::string_view sql, std::span<const SqlValue> params,
                        std::string_view purpose);
}  // namespace catalog_sql

}  // namespace campaignd::store

#endif  // CAMPAIGND_STORE_SQL_CATALOG_H_
