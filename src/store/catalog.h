// Catalog: the admin API's reads and writes (behaviour.md §5) - list,
// create, change and delete clients, API keys, lists and fields,
// recipients, mailings, codes, blocklist entries, DKIM keys and opt-in
// processes, and search mails. Every call is scoped by client. The same SQL
// (sql_session.h) on both engines, split by record kind over
// sql/catalog_*.cc; the records are written by sql/records.h's functions,
// as provisioning and the recipient operations write them. Writes that
// check before they change (exists? in use? which status?) do both inside
// one write transaction.
// Callers: admin/api (router), the CLI.
// Threads: safe from any thread; blocks. Errors: as store.h (Unavailable,
// IOError, Corruption); business answers (missing, conflicting) are a
// Change, never a failed Status. One method per admin route group: the
// size is the API's, see docs/decisions/0012-admin-api.md.
#ifndef CAMPAIGND_STORE_CATALOG_H_
#define CAMPAIGND_STORE_CATALOG_H_

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/mail_status.h"
#include "core/status.h"
#include "store/model.h"
#include "store/sql/events.h"
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
  // REQUIRES: `runner` outlives this.
  explicit Catalog(SqlRunner& runner) : runner_(runner) {}

  // Clients, by id. CreateClient: client.id 0 takes the next free id
  // (written back); kConflict when the id exists. UpdateClient changes
  // name, transport, redirect_hosts, bounce_limit, rate_limit.
  Result<std::vector<Client>> ListClients(const PageRequest& page);
  // Every client (for rules across clients, such as distinct bounce domains).
  Result<std::vector<Client>> AllClients();
  Result<Change> CreateClient(Client& client);
  Result<Change> UpdateClient(const Client& client);

  // API keys. FindApiKey: the key with this hash, any client.
  Result<std::optional<ApiKey>> FindApiKey(std::string_view key_hash);
  Result<std::vector<ApiKey>> ListApiKeys(int64_t client_id, const PageRequest& page);
  Result<Change> CreateApiKey(ApiKey& key);  // assigns key.id
  Result<Change> DeleteApiKey(int64_t client_id, int64_t key_id);

  // Lists with their fields. Create/Update write the field schema too;
  // id 0 takes the next free id. DeleteList removes recipients and fields;
  // kConflict while a mailing or code uses the list.
  Result<std::vector<RecipientList>> ListLists(int64_t client_id, const PageRequest& page);
  Result<Change> CreateList(RecipientList& list);
  Result<Change> UpdateList(const RecipientList& list);
  Result<Change> DeleteList(int64_t client_id, int64_t list_id);

  // Recipients, by address. UpsertRecipients: all or nothing, one
  // transaction; kNotFound when the list does not exist. A batch may name
  // one address twice: the last wins.
  Result<std::vector<Recipient>> ListRecipients(int64_t client_id, int64_t list_id,
                                                const PageRequest& page);
  Result<Change> UpsertRecipients(int64_t client_id, int64_t list_id,
                                  std::span<const Recipient> recipients);
  Result<Change> DeleteRecipient(int64_t client_id, int64_t list_id, std::string_view recipient_id);

  // Mailings with their lists. UpdateMailing writes everything but the
  // status, and only while the stored status is NEW or PAUSED (else
  // kConflict). SetMailingStatus: kConflict unless the stored status is
  // `from`. DeleteMailing: only in status NEW (else kConflict).
  Result<std::vector<Mailing>> ListMailings(int64_t client_id, const PageRequest& page);
  Result<Change> CreateMailing(Mailing& mailing);
  Result<Change> UpdateMailing(const Mailing& mailing);
  Result<Change> SetMailingStatus(int64_t client_id, int64_t mailing_id, MailingStatus from,
                                  MailingStatus to);
  Result<Change> DeleteMailing(int64_t client_id, int64_t mailing_id);

  // Authorization codes, by name. CreateCode: kConflict when the name or
  // the hash exists; UpdateCode keeps the hash.
  Result<std::vector<AuthCode>> ListCodes(int64_t client_id, const PageRequest& page);
  Result<Change> CreateCode(const AuthCode& code);
  Result<Change> UpdateCode(const AuthCode& code);
  Result<Change> DeleteCode(int64_t client_id, std::string_view name);

  // Blocklist (patterns lower-case) and DKIM keys (domain, selector).
  Result<std::vector<BlockEntry>> ListBlocklist(int64_t client_id, const PageRequest& page);
  Result<Change> UpsertBlockEntry(int64_t client_id, const BlockEntry& entry);
  Result<Change> DeleteBlockEntry(int64_t client_id, std::string_view pattern);
  Result<Change> UpsertDkimKey(int64_t client_id, const DkimKey& key);
  Result<Change> DeleteDkimKey(int64_t client_id, std::string_view domain,
                               std::string_view selector);

  // Opt-in processes, by id. CreateOptIn: id 0 takes the next free id
  // (written back); kConflict when the id exists, kNotFound when the client
  // does not. Create and Update answer
  // kInvalid unless a confirmed or double process names a mailing and a
  // named mailing is one of the client's of type confirmation (checked in
  // the write transaction). DeleteOptIn: recipients that started the
  // process keep its id (docs/decisions/0012-admin-api.md).
  Result<std::vector<OptInProcess>> ListOptIns(int64_t client_id, const PageRequest& page);
  Result<std::optional<OptInProcess>> FindOptIn(int64_t client_id, int64_t id);
  Result<Change> CreateOptIn(OptInProcess& process);
  Result<Change> UpdateOptIn(const OptInProcess& process);
  Result<Change> DeleteOptIn(int64_t client_id, int64_t id);

  // Mails matching `query`, newest (highest id) first.
  Result<std::vector<Mail>> SearchMails(const MailQuery& query);

  // Webhook subscriptions (events.md §4; the SQL is store/sql/events.h's),
  // by id. CreateWebhook: id 0 takes the next free id (written back);
  // kConflict when the id exists, kNotFound when the client does not.
  // UpdateWebhook: url, types and auth (an empty auth secret of the same
  // kind and the same url keeps the stored one). SetWebhookState: activating ends a failing
  // run and makes it due now (the "retry now" of a suspended one).
  Result<std::vector<events::Webhook>> ListWebhooks(int64_t client_id);
  Result<std::optional<events::Webhook>> FindWebhook(int64_t client_id, int64_t id);
  Result<Change> CreateWebhook(events::Webhook& webhook);
  Result<Change> UpdateWebhook(const events::Webhook& webhook);
  Result<Change> DeleteWebhook(int64_t client_id, int64_t id);
  Result<Change> SetWebhookState(int64_t client_id, int64_t id, events::WebhookState state,
                                 TimePoint now);
  // Its newest `limit` attempts, newest first.
  Result<std::vector<events::Attempt>> WebhookAttempts(int64_t client_id, int64_t id, int limit);
  // Events (events.md §1, sql/events.h): a mail's (its mails row id), oldest
  // first; a client's after the event id page.after (empty: from the first),
  // by id; InvalidArgument for a cursor that is not an event id.
  Result<std::vector<events::StoredEvent>> MailEvents(int64_t client_id, int64_t mail_seq);
  Result<std::vector<events::StoredEvent>> ClientEvents(int64_t client_id, const PageRequest& page);

  // Statistics (events.md §5) of a client's mailing (nullopt: all of the
  // client's) in [from, to), by hour or day; a mailing's clicks per link.
  Result<std::vector<events::StatsRow>> Stats(int64_t client_id, std::optional<int64_t> mailing_id,
                                              TimePoint from, TimePoint to, events::Step step);
  Result<std::vector<events::LinkClicks>> LinkStats(int64_t client_id, int64_t mailing_id,
                                                    TimePoint from, TimePoint to);

  // Resets the hard-bounce count of (client, lower-case address) to 0
  // (events.md §2; records::SetBounces). kDone also when it was 0.
  Result<Change> ResetBounces(int64_t client_id, std::string_view address);

 private:
  SqlRunner& runner_;
};

}  // namespace campaignd::store

#endif  // CAMPAIGND_STORE_CATALOG_H_
