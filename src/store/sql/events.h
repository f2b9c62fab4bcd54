// Events, webhooks, statistics and retention (events.md §1, §4-§6;
// docs/decisions/0018-events-and-webhooks.md): the one writer of an event
// (Append: the event row, its webhook outbox rows and its hourly counters,
// in the caller's transaction, so the event commits with its state change
// through whatever group commit the caller runs in), the webhook
// subscriptions and the dispatcher's steps (lease, batch, delivered,
// failed), the statistics reader and the retention purge. Engine-neutral
// SQL over sql_session.h, the same on SQLite and PostgreSQL.
// Threads: the session's. Errors: the engine's Status; a type or field
// the store does not know is Corruption when read back.
#ifndef CAMPAIGND_STORE_SQL_EVENTS_H_
#define CAMPAIGND_STORE_SQL_EVENTS_H_

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/status.h"
#include "store/sql_session.h"

namespace campaignd::store::events {

enum class EventType {
  kSent,
  kBounce,
  kSpamComplaint,
  kOpen,
  kClick,
  kUnsubscribe,
  kSingleOptIn,
  kConfirmedOptIn,
  kDoubleOptIn,
  kBlocklist,
  kFilteredByBlocklist,
};
// events.md's names ("sent", "spamcomplaint", ...); Parse: nullopt for others.
std::string_view Name(EventType type);
std::optional<EventType> ParseEventType(std::string_view name);

struct Event {
  int64_t client_id = 0;
  EventType type = EventType::kSent;
  TimePoint at;
  std::optional<int64_t> mail_seq;  // the mails row; nullopt when not about a mail
  int64_t mailing_id = 0;           // 0: none
  int64_t list_id = 0;              // 0: none
  std::string recipient_id;
  std::string address;  // lower-case; "" when none
  // The type's own fields of events.md §1 as a JSON object ("" = {}),
  // without the ones below, which Append adds to it from these members
  // (the counters read them, so they are said once):
  std::string data;
  bool hard = false;     // bounce: "category": "hard" (else "soft")
  bool first = false;    // open, click: "first" (the mail's first)
  bool machine = false;  // open, click: "machine" (a scanner or prefetcher)
  int link_index = -1;   // click: "linkIndex"
};

// An event as stored: its id (the public event id is its decimal string)
// and data with the members' fields merged in.
struct StoredEvent {
  int64_t id = 0;
  Event event;
};

// Writes `event`: the event row, one webhook_outbox row per activated or
// suspended (not deactivated) subscription of its client that takes its
// type (one INSERT ... SELECT),
// and its hourly counters (one UPSERT; a click's link counter too). Runs
// inside the caller's transaction. The event's id.
Result<int64_t> Append(SqlSession& session, const Event& event);
// As Append for each of `events` (the delivery worker's batched outcomes),
// in multi-row statements, the counters summed per (client, mailing, hour)
// first and written in key order (two transactions never lock counter rows
// in opposite orders).
Status AppendAll(SqlSession& session, std::span<const Event> events);

// The hourly counters of stats_hourly, in its column order.
enum Counter {
  kEnqueued,
  kSent,
  kFailed,
  kBouncedHard,
  kBouncedSoft,
  kComplaints,
  kUnsubscribes,
  kOpens,
  kOpensUnique,
  kOpensMachine,
  kClicks,
  kClicksUnique,
  kClicksMachine,
  kCounterCount,
};
using Counters = std::array<int64_t, kCounterCount>;
// Their stats_hourly column names, in Counter order (the one list: writers
// of stats_hourly build their column lists from it).
inline constexpr std::string_view kCounterColumns[] = {
    "enqueued",   "sent",          "failed",        "bounced_hard", "bounced_soft",
    "complaints", "unsubscribes",  "opens",         "opens_unique", "opens_machine",
    "clicks",     "clicks_unique", "clicks_machine"};
static_assert(std::size(kCounterColumns) == kCounterCount);

// Adds `counts` to (client, mailing, the hour of `at`): how counters that
// have no event are kept (enqueued: the accept path; failed outcomes).
Status AddCounts(SqlSession& session, int64_t client_id, int64_t mailing_id, TimePoint at,
                 const Counters& counts);

// AddCounts of many keys and AppendAll in one: `counts` are summed into
// the events' own hourly UPSERT, so a transaction locks every counter row
// it touches in one key order (the delivery worker's failed outcomes beside
// its events; the enqueue batches' `enqueued`, with no events).
struct CountsAt {
  int64_t client_id = 0;
  int64_t mailing_id = 0;
  TimePoint at;
  Counters counts{};
};
Status AppendAll(SqlSession& session, std::span<const Event> events,
                 std::span<const CountsAt> counts);

// Events of a client after `after_id`, by id; of one mail, by id.
Result<std::vector<StoredEvent>> ClientEvents(SqlSession& session, int64_t client_id,
                                              int64_t after_id, int limit);
Result<std::vector<StoredEvent>> MailEvents(SqlSession& session, int64_t client_id,
                                            int64_t mail_seq);

// ---- Statistics (events.md §5)

enum class Step { kHour, kDay };
struct StatsRow {
  TimePoint start;  // the hour's or (UTC) day's start
  Counters counts{};
};
// Sums of `client_id`'s counters of one mailing (nullopt: all, the ones
// without a mailing included) in [from, to) by hour or UTC day; buckets
// without counts are left out.
Result<std::vector<StatsRow>> Stats(SqlSession& session, int64_t client_id,
                                    std::optional<int64_t> mailing_id, TimePoint from, TimePoint to,
                                    Step step);
struct LinkClicks {
  int link_index = 0;
  int64_t clicks = 0;
  int64_t unique = 0;
};
// A mailing's clicks per link in [from, to), by link index.
Result<std::vector<LinkClicks>> LinkStats(SqlSession& session, int64_t client_id,
                                          int64_t mailing_id, TimePoint from, TimePoint to);

// ---- Webhook subscriptions (events.md §4)

enum class WebhookAuth { kNone, kBasicAuth, kKeyAuth };
enum class WebhookState { kActivated, kDeactivated, kSuspended };
std::string_view Name(WebhookAuth auth);
std::string_view Name(WebhookState state);
// The reverse of Name: nullopt for any other name.
std::optional<WebhookAuth> ParseWebhookAuth(std::string_view name);
std::optional<WebhookState> ParseWebhookState(std::string_view name);
// events.md's event type names in EventType order ("sent", "hardbounce", ...).
std::span<const std::string_view> EventTypeNames();

struct Webhook {
  int64_t client_id = 0;
  int64_t id = 0;
  std::string url;
  std::vector<EventType> types;
  WebhookAuth auth = WebhookAuth::kNone;
  std::string auth_name;       // basicAuth: user; keyAuth: header name
  std::string auth_secret;     // basicAuth: password; keyAuth: header value
  std::string signing_secret;  // raw bytes (32 random ones at creation)
  WebhookState state = WebhookState::kActivated;
  TimePoint created_at;
  std::optional<TimePoint> failing_since;  // first failure of the current run
  int attempts = 0;                        // failed attempts of the current run
  TimePoint next_attempt_at;
};

// Inserts (a new key, every column) or updates url, types and auth of
// (client_id, id); rows written (kUpdate: 0 when there is none). An update
// keeps the signing secret, created_at, the state (SetWebhookState's) and
// the delivery state; the auth secret too when `auth_secret` is empty and
// the kind is unchanged.
enum class WebhookWrite { kInsert, kUpdate };
Result<int64_t> WriteWebhook(SqlSession& session, const Webhook& webhook, WebhookWrite how);
// Deletes the subscription with its outbox and attempts; rows deleted (0/1).
Result<int64_t> DeleteWebhook(SqlSession& session, int64_t client_id, int64_t id);
Result<std::optional<Webhook>> FindWebhook(SqlSession& session, int64_t client_id, int64_t id);
Result<std::vector<Webhook>> ListWebhooks(SqlSession& session, int64_t client_id);
// Sets the state (activation by hand ends a failing run: attempts and
// failing_since reset, due now); rows written.
Result<int64_t> SetWebhookState(SqlSession& session, int64_t client_id, int64_t id,
                                WebhookState state, TimePoint now);

// ---- The dispatcher (worker role)

// Leases one activated subscription that is due at `now`, has outbox rows
// and no live lease, to `owner` until now + lease; nullopt when none. Two
// processes never hold the same subscription: the lease is taken by one
// UPDATE whose conditions PostgreSQL re-checks on the row it waited for.
Result<std::optional<Webhook>> LeaseDue(SqlSession& session, std::string_view owner, TimePoint now,
                                        std::chrono::milliseconds lease);
// Its next batch: up to `limit` outbox events, by event id.
Result<std::vector<StoredEvent>> NextBatch(SqlSession& session, int64_t client_id,
                                           int64_t webhook_id, int limit);

struct Attempt {
  int64_t client_id = 0;
  int64_t webhook_id = 0;
  TimePoint at;
  int64_t first_event_id = 0;
  int events = 0;
  int http_status = 0;  // 0: no answer (error says why)
  std::string error;
  std::chrono::milliseconds duration{0};
  std::string response;  // the answer's body; the first 1 KiB is kept
  bool final = false;    // read back: the batch was given up after it
};
// The batch was answered 2xx: its outbox rows deleted (by id: an event
// committed later with a lower id stays), the attempt recorded, the
// failing run ended, the lease released and the subscription due again.
Status Delivered(SqlSession& session, const Attempt& attempt, std::span<const int64_t> event_ids);

// The delay before retry `attempts` (1 = after the first failure):
// `first` (default 15 s; config webhook_retry_base) doubling, at most 1 h.
inline constexpr std::chrono::milliseconds kFirstBackoff{15000};
std::chrono::milliseconds Backoff(int attempts, std::chrono::milliseconds first = kFirstBackoff);
// How long a subscription may fail before it is suspended (events.md §4).
inline constexpr std::chrono::hours kGiveUpAfter{24};
// The batch failed: the attempt recorded, the subscription rescheduled
// after Backoff, or - failing for kGiveUpAfter - suspended, the attempt
// marked final (its outbox rows stay, for a re-activation). Whether it was
// suspended. `first_backoff`: Backoff's `first`.
Result<bool> Failed(SqlSession& session, const Attempt& attempt,
                    std::chrono::milliseconds first_backoff = kFirstBackoff);
inline constexpr std::size_t kResponseKept = 1024;
// A subscription's attempts, newest first.
Result<std::vector<Attempt>> Attempts(SqlSession& session, int64_t client_id, int64_t webhook_id,
                                      int limit);

// ---- Retention (events.md §6)

enum class Purge {
  kMails,     // mails created before the cutoff and no longer open, with their history
  kEvents,    // events (and their outbox rows)
  kAttempts,  // webhook attempts
};
struct PurgeProgress {
  int64_t deleted = 0;
  int64_t next_after = 0;  // the primary key the next batch starts after
  bool done = false;
};
// One batch of `kind`: the `batch` rows after `after` by primary key,
// those older than `cutoff` deleted. Done at the end of the table or at
// the first row not older than the cutoff (keys grow with time). Inside
// the caller's transaction: one batch per transaction keeps them short.
Result<PurgeProgress> PurgeBatch(SqlSession& session, Purge kind, TimePoint cutoff, int batch,
                                 int64_t after);
// Runs PurgeBatch until done, each batch its own write transaction; rows
// deleted. A set `stop` ends it between two batches (the worker's purge
// at shutdown); what was deleted stays deleted.
Result<int64_t> PurgeBefore(SqlRunner& runner, Purge kind, TimePoint cutoff, int batch = 500,
                            const std::atomic<bool>* stop = nullptr);

// ---- Bounce counting (events.md §2; docs/decisions/0020-bounce-domain.md)

// The mails of (client, lower-case address) with a soft bounce in the
// current run, the mail `mail_seq` whose soft bounce is being recorded
// counted as one (so at least 1, at most `limit`). A run ends at a hard
// bounce or at a `sent` event of a mail without a bounce event (a delivery
// in between); several bounces of one mail (repeated `Action: delayed`
// DSNs) count once. Reads at most kSoftBounceRowsRead of the address's
// newest sent and bounce events, by the index of migration 0008. Five in a
// row count as one hard bounce (events.md §2).
inline constexpr int kSoftBounceRowsRead = 64;
Result<int> SoftBouncesInRow(SqlSession& session, int64_t client_id, std::string_view address,
                             int64_t mail_seq, int limit);

// ---- Dispatcher polling (docs/decisions/0024-webhook-dispatcher.md)

// Whether some activated subscription is due at `now`, not leased, and has
// outbox rows: a read, asked before LeaseDue's write so that an idle poll
// writes nothing (a suspended or not-yet-due one's rows do not count).
Result<bool> AnyDue(SqlSession& session, TimePoint now);
// Releases the lease of a subscription whose batch was empty: nothing
// recorded, its schedule unchanged.
Status ReleaseLease(SqlSession& session, int64_t client_id, int64_t webhook_id);

}  // namespace campaignd::store::events

#endif  // CAMPAIGND_STORE_SQL_EVENTS_H_
