// Catalog: the admin API's reads and writes (behaviour.md §5) - list,
// create, change and delete clients, API keys, lists and fields,
// recipients, mailings, codes, blocklist entries, DKIM keys and opt-in
// processes, and search mails. Every call is scoped by client. One
// implementation (sql/catalog.h) runs the same SQL on both engines.
// Callers: admin/api (router), the CLI.
// Threads: safe from any thread; blocks. Errors: as store.h (Unavailable,
// IOError, Corruption); business answers (missing, conflicting) are a
// Change, never a failed Status. One method per admin route group: the
// size is the API's, see docs/decisions/0012-admin-api.md.
#ifndef CAMPAIGND_STORE_CATALOG_H_
#define CAMPAIGND_STORE_CATALOG_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/mail_status.h"
#include "core/status.h"
#include "store/model.h"
#include "store/sql_session.h"
#include "store/store.h"

namespace campaignd::store {

// The answer of a write that can meet a business "no".
enum class Change {
  kDone,
  kNotFound,  // the record (or its client/list) does not exist
  kConflict,  // exists already / in use / changed status meanwhile
  kInvalid,   // names a record that is missing or of the wrong kind
};

// Keyset pagination: rows whose key is after `after` (empty: from the
// start), at most `limit`.
struct PageRequest {
  std::string after;
  std::size_t limit = 100;
};

// A client's admin API key; only the hash of the key is stored.
struct ApiKey {
  int64_t client_id = 0;
  int64_t id = 0;
  std::string name;
  std::string key_hash;  // auth::HashCode of the key
  TimePoint created_at;
};

struct MailQuery {
  int64_t client_id = 0;
  std::optional<std::string> recipient_id;  // lower-case address
  std::optional<int64_t> mailing_id;
  std::optional<MailStatus> status;
  std::optional<TimePoint> since;  // created_at >= since
  std::optional<TimePoint> until;  // created_at < until
  std::optional<int64_t> before;   // mails.id < before (newest first)
  std::size_t limit = 100;
};

class Catalog {
 public:
  virtual ~Catalog() = default;

  // Clients, by id. CreateClient: client.id 0 takes the next free id
  // (written back); kConflict when the id exists. UpdateClient changes
  // name, transport, redirect_hosts, bounce_limit, rate_limit.
  virtual Result<std::vector<Client>> ListClients(const PageRequest& page) = 0;
  virtual Result<Change> CreateClient(Client& client) = 0;
  virtual Result<Change> UpdateClient(const Client& client) = 0;

  // API keys. FindApiKey: the key with this hash, any client.
  virtual Result<std::optional<ApiKey>> FindApiKey(std::string_view key_hash) = 0;
  virtual Result<std::vector<ApiKey>> ListApiKeys(int64_t client_id, const PageRequest& page) = 0;
  virtual Result<Change> CreateApiKey(ApiKey& key) = 0;  // assigns key.id
  virtual Result<Change> DeleteApiKey(int64_t client_id, int64_t key_id) = 0;

  // Lists with their fields. Create/Update write the field schema too;
  // id 0 takes the next free id. DeleteList removes recipients and fields;
  // kConflict while a mailing or code uses the list.
  virtual Result<std::vector<RecipientList>> ListLists(int64_t client_id,
                                                       const PageRequest& page) = 0;
  virtual Result<Change> CreateList(RecipientList& list) = 0;
  virtual Result<Change> UpdateList(const RecipientList& list) = 0;
  virtual Result<Change> DeleteList(int64_t client_id, int64_t list_id) = 0;

  // Recipients, by address. UpsertRecipients: all or nothing, one
  // transaction; kNotFound when the list does not exist. A batch may name
  // one address twice: the last wins.
  virtual Result<std::vector<Recipient>> ListRecipients(int64_t client_id, int64_t list_id,
                                                        const PageRequest& page) = 0;
  virtual Result<Change> UpsertRecipients(int64_t client_id, int64_t list_id,
                                          std::span<const Recipient> recipients) = 0;
  virtual Result<Change> DeleteRecipient(int64_t client_id, int64_t list_id,
                                         std::string_view recipient_id) = 0;

  // Mailings with their lists. UpdateMailing writes everything but the
  // status, and only while the stored status is NEW or PAUSED (else
  // kConflict). SetMailingStatus: kConflict unless the stored status is
  // `from`. DeleteMailing: only in status NEW (else kConflict).
  virtual Result<std::vector<Mailing>> ListMailings(int64_t client_id,
                                                    const PageRequest& page) = 0;
  virtual Result<Change> CreateMailing(Mailing& mailing) = 0;
  virtual Result<Change> UpdateMailing(const Mailing& mailing) = 0;
  virtual Result<Change> SetMailingStatus(int64_t client_id, int64_t mailing_id,
                                          MailingStatus from, MailingStatus to) = 0;
  virtual Result<Change> DeleteMailing(int64_t client_id, int64_t mailing_id) = 0;

  // Authorization codes, by name. CreateCode: kConflict when the name or
  // the hash exists; UpdateCode keeps the hash.
  virtual Result<std::vector<AuthCode>> ListCodes(int64_t client_id, const PageRequest& page) = 0;
  virtual Result<Change> CreateCode(const AuthCode& code) = 0;
  virtual Result<Change> UpdateCode(const AuthCode& code) = 0;
  virtual Result<Change> DeleteCode(int64_t client_id, std::string_view name) = 0;

  // Blocklist (patterns lower-case) and DKIM keys (domain, selector).
  virtual Result<std::vector<BlockEntry>> ListBlocklist(int64_t client_id,
                                                        const PageRequest& page) = 0;
  virtual Result<Change> UpsertBlockEntry(int64_t client_id, const BlockEntry& entry) = 0;
  virtual Result<Change> DeleteBlockEntry(int64_t client_id, std::string_view pattern) = 0;
  virtual Result<Change> UpsertDkimKey(int64_t client_id, const DkimKey& key) = 0;
  virtual Result<Change> DeleteDkimKey(int64_t client_id, std::string_view domain,
                                       std::string_view selector) = 0;

  // Opt-in processes, by id. CreateOptIn: id 0 takes the next free id
  // (written back); kConflict when the id exists, kNotFound when the client
  // does not. Create and Update answer
  // kInvalid unless a confirmed or double process names a mailing and a
  // named mailing is one of the client's of type confirmation (checked in
  // the write transaction). DeleteOptIn: recipients that started the
  // process keep its id (docs/decisions/0012-admin-api.md).
  virtual Result<std::vector<OptInProcess>> ListOptIns(int64_t client_id,
                                                       const PageRequest& page) = 0;
  virtual Result<std::optional<OptInProcess>> FindOptIn(int64_t client_id, int64_t id) = 0;
  virtual Result<Change> CreateOptIn(OptInProcess& process) = 0;
  virtual Result<Change> UpdateOptIn(const OptInProcess& process) = 0;
  virtual Result<Change> DeleteOptIn(int64_t client_id, int64_t id) = 0;

  // Mails matching `query`, newest (highest id) first.
  virtual Result<std::vector<Mail>> SearchMails(const MailQuery& query) = 0;
};

// The catalog of an open engine (SQLite or PostgreSQL), sharing its
// connections. REQUIRES: `engine` outlives the catalog. InvalidArgument for
// an engine of another kind.
Result<std::unique_ptr<Catalog>> OpenCatalog(Engine& engine);

// The engine-neutral SQL surface (sql_session.h) over `engine`'s
// connections, as the catalog uses it. Same requirements and errors.
Result<std::unique_ptr<SqlRunner>> OpenSqlRunner(Engine& engine);

}  // namespace campaignd::store

#endif  // CAMPAIGND_STORE_CATALOG_H_
