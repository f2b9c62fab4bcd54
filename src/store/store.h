// The store: every read and write of persistent state goes through the parts
// below (and catalog.h, recipients.h, attachments.h), so the HTTP, queue and
// delivery code never see SQL nor which engine (SQLite, PostgreSQL) runs.
//   Directory   - lookups for auth/, ops/ and queue/ (read-only)
//   MailQueue   - the durable mail queue: enqueue, claim, record outcomes
//   Provisioner - creates/updates clients and everything in them (apply)
// Threads: every method of every implementation is safe to call from any
// thread, and blocks (call it from the blocking pool, never an I/O thread).
// Errors: Unavailable when the database cannot take work now (locked, down,
// disk full): callers answer 503. Other failures: IOError/Internal/Corruption.
#ifndef CAMPAIGND_STORE_STORE_H_
#define CAMPAIGND_STORE_STORE_H_

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/notifier.h"
#include "core/status.h"
#include "store/attachments.h"
#include "store/mailing_lookup.h"
#include "store/migration.h"
#include "store/model.h"
#include "store/recipients.h"
#include "store/sql_session.h"

namespace campaignd::store {

class Directory {
 public:
  virtual ~Directory() = default;
  // The code whose hash is `code_hash`, enabled or not; nullopt if none.
  virtual Result<std::optional<AuthCode>> FindCode(std::string_view code_hash) = 0;
  virtual Result<std::optional<Client>> FindClient(int64_t client_id) = 0;
  virtual Result<std::vector<DkimKey>> FindDkimKeys(int64_t client_id) = 0;
  virtual Result<std::optional<RecipientList>> FindList(int64_t client_id, int64_t list_id) = 0;
  virtual Result<std::optional<Mailing>> FindMailing(int64_t client_id, int64_t mailing_id) = 0;
  // REQUIRES: recipient_id normalised as core/address.h Address::str().
  virtual Result<std::optional<Recipient>> FindRecipient(int64_t client_id, int64_t list_id,
                                                         std::string_view recipient_id) = 0;
  // Blocklist (exact and wildcard), unsubscribe state (client-wide or this
  // list's recipient state) and hard-bounce count of `address`.
  virtual Result<Suppression> CheckSuppression(int64_t client_id, int64_t list_id,
                                               std::string_view address) = 0;
};

struct ClaimRequest {
  std::string worker;         // unique per worker process (lease owner)
  std::size_t max_fresh = 0;  // mails never attempted (attempts == 0)
  std::size_t max_retry = 0;  // deferred mails (attempts > 0)
  TimePoint now;
  std::chrono::seconds lease{0};
  // Mails of these clients are left for later (their relay is saturated in
  // this process: queue/scheduler.h).
  std::vector<int64_t> exclude_clients;
};

// The result of processing one claimed mail; see queue/outcome.h for who
// decides it.
struct Outcome {
  int64_t mail_id = 0;
  std::string worker;  // must still hold the claim, else NotFound
  MailStatus status = MailStatus::kSent;  // kSending: deferred, retry at retry_at
  std::string reply;
  TimePoint at;
  TimePoint retry_at;        // used when status == kSending
  bool attempted = false;    // an SMTP attempt was made (attempts + 1)
  // When the attempt began: a mail still `enqueued` moves to `sending` then
  // (history row at this time), before the outcome's own row.
  TimePoint attempt_started_at;
  bool hard_bounce = false;  // count one hard bounce for (client, recipient)
  // What the outcome's event says (events.md §1): the relay that answered
  // an attempt (its Describe(), no secret), the enhanced status code of a
  // hard bounce's reply ("5.1.1"; "" when none) and, for kBlacklisted, the
  // blocklist pattern that matched.
  std::string relay;
  std::string status_code;
  std::string pattern;
};

class MailQueue {
 public:
  virtual ~MailQueue() = default;
  // Stores the mail durably (committed, fsynced) before returning its
  // sequence number. Concurrent calls are group-committed.
  virtual Result<int64_t> Enqueue(const NewMail& mail) = 0;
  // Enqueue without blocking the caller: `done` gets what Enqueue would
  // return, on the engine's writer thread once the batch is committed (so
  // it must be quick and must not block). False, and `done` is never
  // called, when this queue cannot (then call Enqueue).
  using EnqueueDone = std::function<void(Result<int64_t>)>;
  virtual bool EnqueueAsync(const NewMail& /*mail*/, EnqueueDone /*done*/) { return false; }
  // Claims due mails (status enqueued or sending, next_attempt_at <= now, no
  // live lease, client not in exclude_clients) for req.worker until now +
  // lease, oldest first, at most max_fresh never-attempted and max_retry
  // deferred ones. A claim changes no status: a mail is `sending` from its
  // first attempt on (Record), so getsendstatus never says `sending` for a
  // mail that only waits in a worker's batch.
  virtual Result<std::vector<Mail>> Claim(const ClaimRequest& req) = 0;
  // Applies outcomes: for each its status, reply, attempts, next attempt,
  // history rows and bounce count, all of them in ONE transaction (one
  // commit for the batch: queue/scheduler.h groups the outcomes its lanes
  // finish at the same time). One Status per outcome, in order: NotFound
  // for an outcome whose worker no longer holds the claim (its lease
  // expired and another worker took it; nothing of it is written, the
  // others are), InvalidArgument for one that would go back to enqueued;
  // when the transaction fails, every other outcome gets that failure and
  // nothing is written. REQUIRES: each mail at most once in `outcomes`.
  virtual std::vector<Status> RecordBatch(std::span<const Outcome> outcomes) = 0;
  Status Record(const Outcome& outcome) { return RecordBatch({&outcome, 1}).front(); }
  // Gives back every claim of `worker` (clean shutdown): due immediately.
  virtual Status ReleaseClaims(std::string_view worker) = 0;
  // Gives back one claim of `worker` (a mail it could not start in time);
  // nothing when the worker no longer holds it.
  virtual Status ReleaseClaim(std::string_view worker, int64_t mail_id) = 0;
  // Gives back every claim of every worker. Only for an engine that knows it
  // is the only process delivering (SQLite's serve lock).
  virtual Status ReleaseAllClaims() = 0;
  virtual Result<std::optional<Mail>> FindMail(int64_t client_id, int64_t mail_id) = 0;
  // Oldest first, including the enqueued event.
  virtual Result<std::vector<MailEvent>> History(int64_t client_id, int64_t mail_id) = 0;
};

// Everything one provisioning file says about one client. Apply() creates
// or updates (never deletes) these records in one transaction.
struct ClientSpec {
  Client client;  // mail_id_secret: used only when the client is new
  std::vector<DkimKey> dkim_keys;
  std::vector<RecipientList> lists;
  std::vector<Recipient> recipients;
  std::vector<Mailing> mailings;
  std::vector<AuthCode> codes;
  std::vector<BlockEntry> blocklist;
  std::vector<OptInProcess> optins;  // upserted by (client, id)
  // (address, bounces) pairs: sets the hard-bounce count.
  std::vector<std::pair<std::string, int>> bounces;
};

// The same SQL on both engines (sql/provisioner.cc: the rules, which records
// a ClientSpec writes in which order, what is normalised and refused; the
// writes are sql/records.h's). Errors: InvalidArgument for a spec that
// breaks a rule or a constraint, "client N: <record>: why".
class Provisioner {
 public:
  // REQUIRES: `runner` outlives this.
  explicit Provisioner(SqlRunner& runner) : runner_(runner) {}
  // All or nothing: one write transaction (SQLite: one unit of the
  // group-commit writer; PostgreSQL: one transaction on a pooled
  // connection). A code with the same (client, name) but another hash
  // replaces the old one's hash only when spec.code_hash is non-empty.
  Status Apply(const std::vector<ClientSpec>& clients);
  // Names of codes of `client_id` that exist already (so apply generates
  // codes only for new names).
  Result<std::vector<std::string>> CodeNames(int64_t client_id);

 private:
  SqlRunner& runner_;
};

// What processes sharing one database tell each other (behaviour.md §6):
// new mail (so idle workers everywhere wake within milliseconds) and how
// many messages each rate-limited key (a client, a relay) has sent in the
// current second. SQLite has one delivering process (the serve lock), so
// its implementation is in-process; PostgreSQL uses LISTEN/NOTIFY and
// shared counters.
class Coordination {
 public:
  virtual ~Coordination() = default;
  // From now until Close(), calls notifier.Notify() (from an engine thread)
  // whenever any process sharing the database commits an Enqueue.
  // REQUIRES: notifier outlives the engine; called at most once.
  virtual Status Subscribe(Notifier& notifier) = 0;
  // Fixed one-second windows shared by every process: 0 when one message
  // under `key` may be sent now (it is counted), else how long to wait
  // before asking again. REQUIRES: per_second > 0.
  virtual Result<std::chrono::milliseconds> AcquireRate(std::string_view key, int per_second,
                                                        TimePoint now) = 0;
  // Fixed windows of `window`, aligned to the Unix epoch, shared like the
  // rate windows: true when one more event under `key` fits into `now`'s
  // window (it is counted), false when `limit` were counted in it already
  // (nothing is counted). Keys must not be AcquireRate's. Used by
  // subscribe's per-source throttle of confirmation mails.
  // REQUIRES: limit > 0, window >= 1 s.
  virtual Result<bool> CountInWindow(std::string_view key, int limit, std::chrono::seconds window,
                                     TimePoint now) = 0;
};

// One opened database. Owns its connections and threads. The parts that are
// the same SQL on both engines (sql/: directory, provisioner, attachments,
// mailing lookup, recipients) are built here over the engine's runner; an
// engine (sqlite/, postgres/) adds its connections, runner, queue and
// coordination.
class Engine {
 public:
  virtual ~Engine();
  Directory& directory();
  virtual MailQueue& queue() = 0;
  Provisioner& provisioner();
  virtual Coordination& coordination() = 0;
  // Uploaded attachments and onlineversion's lookups (docs/decisions/0011).
  Attachments& attachments();
  MailingLookup& mailing_lookup();
  Recipients& recipients();  // store/recipients.h
  // sql_session.h over the engine's connections.
  SqlRunner& runner();
  // Stops background threads after flushing pending writes.
  virtual void Close() = 0;

 protected:
  Engine();
  // Builds the parts over `runner`: called once from the engine's
  // constructor body (its runner is a member built after this base).
  // REQUIRES: `runner` outlives every use of the parts (Close).
  void BuildParts(SqlRunner& runner);

 private:
  struct Parts;
  std::unique_ptr<Parts> parts_;
};

struct EngineOptions {
  bool exclusive_worker = false;  // SQLite: take the serve lock (one deliverer)
  // SQLite: refuse (InvalidArgument) a database file, -wal or -shm that other
  // users may read or write (sqlite/database.h CheckPrivateFiles). `serve`
  // sets it unless allow_insecure_permissions; PostgreSQL guards its own files.
  bool private_files = false;
  std::size_t connections = 0;    // PostgreSQL: pool size per process (0: default, 8)
};

// Opens "sqlite:PATH" (or "sqlite::memory:" for tests) or
// "postgresql://user@host:port/dbname" (also "postgres://"), applying
// pending migrations. InvalidArgument for an unknown scheme or a database
// newer than this binary; Unavailable/IOError when the database cannot be
// opened.
Result<std::unique_ptr<Engine>> OpenEngine(std::string_view url, const EngineOptions& options);

// `url` with its password, if any, replaced by "***": for messages and logs.
std::string RedactUrl(std::string_view url);

// Applies pending migrations to the database at `url` (as OpenEngine does)
// and returns the ones applied, oldest first (`campaignd migrate`). Errors
// as OpenEngine.
Result<std::vector<Migration>> MigrateDatabase(std::string_view url);

}  // namespace campaignd::store

#endif  // CAMPAIGND_STORE_STORE_H_
