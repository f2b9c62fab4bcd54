// store/sql/events.h on the engine the environment names (SQLite, and
// PostgreSQL in ctest's pg.* copy): events with their outbox rows and
// counters, the webhook dispatcher's steps, statistics and the purge.
#include "store/sql/events.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "store/store_testutil.h"

namespace campaignd::store::events {
namespace {

using std::chrono::hours;
using std::chrono::milliseconds;
using std::chrono::seconds;

const TimePoint kT0 = FromUnixMillis(1'700'002'800'000);  // 23:00 UTC, 2023-11-14

class EventsTest : public EngineTest {
 protected:
  void SetUp() override {
    EngineTest::SetUp();
    // The fixture's blocklist entries wrote `blocklist` events: start from none.
    ExecSql("DELETE FROM events");
  }

  SqlRunner& runner() { return engine_->runner(); }

  // Runs `work` in one write transaction; fails the test on an error.
  void Write(const std::function<Status(SqlSession&)>& work) {
    Status status = runner().Write(work);
    ASSERT_TRUE(status.ok()) << status.ToString();
  }

  void AddWebhook(int64_t client, int64_t id, std::vector<EventType> types,
                  WebhookState state = WebhookState::kActivated) {
    Webhook w;
    w.client_id = client;
    w.id = id;
    w.url = "https://hooks.example/" + std::to_string(id);
    w.types = std::move(types);
    w.auth = WebhookAuth::kKeyAuth;
    w.auth_name = "X-Key";
    w.auth_secret = "key-value";
    w.signing_secret = std::string("\0\x01\xfe", 3) + std::string(29, 's');
    w.state = state;
    w.created_at = kT0;
    Write([&](SqlSession& s) { return WriteWebhook(s, w, WebhookWrite::kInsert).status(); });
  }

  bool Due(TimePoint now) {
    Result<bool> due = ReadResult<bool>(runner(), [&](SqlSession& s) { return AnyDue(s, now); });
    EXPECT_TRUE(due.ok()) << due.status().ToString();
    return due.ok() && *due;
  }

  Event Open(int64_t client, TimePoint at, bool first = false) {
    Event e;
    e.client_id = client;
    e.type = EventType::kOpen;
    e.at = at;
    e.mail_seq = 7;
    e.mailing_id = 100;
    e.list_id = 10;
    e.recipient_id = "a@example.com";
    e.address = "a@example.com";
    e.data = R"({"userAgent":"Mail/1.0","ip":"192.0.2.0"})";
    e.first = first;
    return e;
  }

  int64_t AppendOne(const Event& e) {
    int64_t id = 0;
    Write([&](SqlSession& s) -> Status {
      Result<int64_t> appended = Append(s, e);
      if (!appended.ok()) return appended.status();
      id = *appended;
      return Status::Ok();
    });
    return id;
  }

  std::vector<StatsRow> ReadStats(std::optional<int64_t> mailing, TimePoint from, TimePoint to,
                                  Step step, int64_t client = 1) {
    Result<std::vector<StatsRow>> rows = ReadResult<std::vector<StatsRow>>(
        runner(), [&](SqlSession& s) { return Stats(s, client, mailing, from, to, step); });
    EXPECT_TRUE(rows.ok()) << rows.status().ToString();
    return rows.ok() ? *rows : std::vector<StatsRow>{};
  }

  std::optional<Webhook> Lease(SqlRunner& on, TimePoint now, std::string owner = "w1") {
    std::optional<Webhook> leased;
    Status status = on.Write([&](SqlSession& s) -> Status {
      Result<std::optional<Webhook>> got = LeaseDue(s, owner, now, seconds(60));
      if (!got.ok()) return got.status();
      leased = std::move(*got);
      return Status::Ok();
    });
    EXPECT_TRUE(status.ok()) << status.ToString();
    return leased;
  }

  Attempt FailedAttempt(TimePoint at) {
    Attempt a;
    a.client_id = 1;
    a.webhook_id = 1;
    a.at = at;
    a.first_event_id = 1;
    a.events = 1;
    a.http_status = 500;
    a.duration = milliseconds(12);
    a.response = std::string(3000, 'x');
    return a;
  }

  bool Fail(TimePoint at) {
    bool suspended = false;
    Write([&](SqlSession& s) -> Status {
      Result<bool> failed = Failed(s, FailedAttempt(at));
      if (!failed.ok()) return failed.status();
      suspended = *failed;
      return Status::Ok();
    });
    return suspended;
  }
};

TEST_F(EventsTest, AppendWritesTheEventItsOutboxRowsAndItsCounters) {
  AddWebhook(1, 1, {EventType::kOpen, EventType::kClick});
  AddWebhook(1, 2, {EventType::kOpen}, WebhookState::kDeactivated);
  AddWebhook(1, 3, {EventType::kSent});
  AddWebhook(1, 4, {EventType::kOpen}, WebhookState::kSuspended);
  AddWebhook(2, 5, {EventType::kOpen});

  const int64_t first = AppendOne(Open(1, kT0 + seconds(5), /*first=*/true));
  const int64_t second = AppendOne(Open(1, kT0 + seconds(65)));
  EXPECT_GT(second, first);

  EXPECT_EQ(QueryInt("SELECT count(*) FROM events"), 2);
  // The subscriptions of client 1 that take opens and are not deactivated:
  // a suspended one queues too (delivered when it is re-activated).
  EXPECT_EQ(QueryInt("SELECT count(*) FROM webhook_outbox"), 4);
  EXPECT_EQ(QueryInt("SELECT count(*) FROM webhook_outbox WHERE client_id = 1 AND webhook_id = 1"),
            2);
  EXPECT_EQ(QueryInt("SELECT count(*) FROM webhook_outbox WHERE client_id = 1 AND webhook_id = 4"),
            2);

  Result<std::vector<StoredEvent>> stored = ReadResult<std::vector<StoredEvent>>(
      runner(), [](SqlSession& s) { return MailEvents(s, 1, 7); });
  ASSERT_TRUE(stored.ok()) << stored.status().ToString();
  ASSERT_EQ(stored->size(), 2u);
  const StoredEvent& e = stored->front();
  EXPECT_EQ(e.id, first);
  EXPECT_EQ(e.event.type, EventType::kOpen);
  EXPECT_TRUE(e.event.at == kT0 + seconds(5));
  EXPECT_EQ(e.event.mail_seq.value_or(-1), 7);
  EXPECT_EQ(e.event.recipient_id, "a@example.com");
  EXPECT_TRUE(e.event.first);
  EXPECT_FALSE((*stored)[1].event.first);
  EXPECT_NE(e.event.data.find("\"userAgent\":\"Mail/1.0\""), std::string::npos) << e.event.data;
  EXPECT_NE(e.event.data.find("\"first\":true"), std::string::npos) << e.event.data;

  // Both in one hour: one counter row, opens 2, unique 1.
  EXPECT_EQ(QueryInt("SELECT count(*) FROM stats_hourly"), 1);
  std::vector<StatsRow> rows = ReadStats(100, kT0, kT0 + hours(1), Step::kHour);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_TRUE(rows[0].start == kT0);
  EXPECT_EQ(rows[0].counts[kOpens], 2);
  EXPECT_EQ(rows[0].counts[kOpensUnique], 1);
  EXPECT_EQ(rows[0].counts[kSent], 0);
  // Another client's statistics are its own.
  EXPECT_TRUE(ReadStats(std::nullopt, kT0, kT0 + hours(1), Step::kHour, 2).empty());
}

TEST_F(EventsTest, AppendAllSumsCountersPerClientMailingAndHour) {
  AddWebhook(1, 1, {EventType::kClick});
  std::vector<Event> batch;
  for (int i = 0; i < 5; ++i) {
    Event sent = Open(1, kT0 + seconds(i));
    sent.type = EventType::kSent;
    sent.data = R"({"relay":"mx.example","reply":"250 ok"})";
    batch.push_back(sent);
  }
  Event late = Open(1, kT0 + hours(1) + seconds(1));
  late.type = EventType::kSent;
  batch.push_back(late);
  Event other = Open(1, kT0 + seconds(2));
  other.type = EventType::kBounce;
  other.hard = true;
  other.mailing_id = 101;
  batch.push_back(other);
  for (int link : {0, 2, 2}) {
    Event click = Open(1, kT0 + seconds(3));
    click.type = EventType::kClick;
    click.link_index = link;
    click.first = link == 0;
    click.machine = link == 0;
    batch.push_back(click);
  }
  Write([&](SqlSession& s) { return AppendAll(s, batch); });

  EXPECT_EQ(QueryInt("SELECT count(*) FROM events"), 10);
  EXPECT_EQ(QueryInt("SELECT count(*) FROM webhook_outbox"), 3);  // the clicks
  // (1, 100, hour 0), (1, 100, hour 1), (1, 101, hour 0).
  EXPECT_EQ(QueryInt("SELECT count(*) FROM stats_hourly"), 3);
  std::vector<StatsRow> rows = ReadStats(100, kT0, kT0 + hours(2), Step::kHour);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].counts[kSent], 5);
  EXPECT_EQ(rows[0].counts[kClicks], 3);
  EXPECT_EQ(rows[0].counts[kClicksUnique], 1);
  EXPECT_EQ(rows[0].counts[kClicksMachine], 1);
  EXPECT_EQ(rows[1].counts[kSent], 1);
  std::vector<StatsRow> all = ReadStats(std::nullopt, kT0, kT0 + hours(2), Step::kHour);
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].counts[kBouncedHard], 1);
  EXPECT_EQ(all[0].counts[kBouncedSoft], 0);

  Result<std::vector<LinkClicks>> links = ReadResult<std::vector<LinkClicks>>(
      runner(), [](SqlSession& s) { return LinkStats(s, 1, 100, kT0, kT0 + hours(1)); });
  ASSERT_TRUE(links.ok()) << links.status().ToString();
  ASSERT_EQ(links->size(), 2u);
  EXPECT_EQ((*links)[0].link_index, 0);
  EXPECT_EQ((*links)[0].unique, 1);
  EXPECT_EQ((*links)[1].link_index, 2);
  EXPECT_EQ((*links)[1].clicks, 2);
  EXPECT_EQ((*links)[1].unique, 0);
}

TEST_F(EventsTest, BatchesLongerThanOneStatementArriveWhole) {
  AddWebhook(1, 1, {EventType::kSent});
  std::vector<Event> batch(450, Open(1, kT0));
  for (Event& e : batch) e.type = EventType::kSent;
  Write([&](SqlSession& s) { return AppendAll(s, batch); });
  EXPECT_EQ(QueryInt("SELECT count(*) FROM events"), 450);
  EXPECT_EQ(QueryInt("SELECT count(*) FROM webhook_outbox"), 450);
  EXPECT_EQ(ReadStats(100, kT0, kT0 + hours(1), Step::kHour).at(0).counts[kSent], 450);

  ASSERT_TRUE(Lease(runner(), kT0).has_value());
  Result<std::vector<StoredEvent>> next = ReadResult<std::vector<StoredEvent>>(
      runner(), [](SqlSession& s) { return NextBatch(s, 1, 1, 300); });
  ASSERT_TRUE(next.ok()) << next.status().ToString();
  ASSERT_EQ(next->size(), 300u);
  std::vector<int64_t> ids;
  for (const StoredEvent& e : *next) ids.push_back(e.id);
  Attempt ok;
  ok.client_id = 1;
  ok.webhook_id = 1;
  ok.at = kT0;
  ok.first_event_id = ids.front();
  ok.events = 300;
  ok.http_status = 200;
  Write([&](SqlSession& s) { return Delivered(s, ok, ids); });
  EXPECT_EQ(QueryInt("SELECT count(*) FROM webhook_outbox"), 150);
  EXPECT_EQ(QueryInt("SELECT min(event_id) FROM webhook_outbox"), ids.back() + 1);
}

TEST_F(EventsTest, ARolledBackTransactionLeavesNoEventOutboxRowOrCounter) {
  AddWebhook(1, 1, {EventType::kOpen});
  Status status = runner().Write([&](SqlSession& s) -> Status {
    CAMPAIGND_RETURN_IF_ERROR(Append(s, Open(1, kT0)).status());
    return Status::Unavailable("the state change failed");
  });
  EXPECT_EQ(status.code(), Status::Code::kUnavailable);
  EXPECT_EQ(QueryInt("SELECT count(*) FROM events"), 0);
  EXPECT_EQ(QueryInt("SELECT count(*) FROM webhook_outbox"), 0);
  EXPECT_EQ(QueryInt("SELECT count(*) FROM stats_hourly"), 0);
}

TEST_F(EventsTest, DataThatIsNotAnObjectIsRefused) {
  Event e = Open(1, kT0);
  e.data = "[1]";
  Status status = runner().Write([&](SqlSession& s) { return Append(s, e).status(); });
  EXPECT_EQ(status.code(), Status::Code::kInvalidArgument);
}

TEST_F(EventsTest, WebhooksAreWrittenReadAndUpdated) {
  AddWebhook(1, 1, {EventType::kOpen, EventType::kBounce});
  Result<std::optional<Webhook>> found = ReadResult<std::optional<Webhook>>(
      runner(), [](SqlSession& s) { return FindWebhook(s, 1, 1); });
  ASSERT_TRUE(found.ok() && found->has_value()) << found.status().ToString();
  const Webhook& w = **found;
  EXPECT_EQ(w.types, (std::vector<EventType>{EventType::kOpen, EventType::kBounce}));
  EXPECT_EQ(w.signing_secret, std::string("\0\x01\xfe", 3) + std::string(29, 's'));
  EXPECT_EQ(w.auth, WebhookAuth::kKeyAuth);
  EXPECT_EQ(w.auth_secret, "key-value");
  EXPECT_FALSE(w.failing_since.has_value());

  Webhook changed = w;
  changed.types = {EventType::kOpen};
  changed.auth_secret = "";                    // same kind and URL, no new secret: kept
  changed.state = WebhookState::kDeactivated;  // not written by an update
  Write([&](SqlSession& s) { return WriteWebhook(s, changed, WebhookWrite::kUpdate).status(); });
  Result<std::vector<Webhook>> listed =
      ReadResult<std::vector<Webhook>>(runner(), [](SqlSession& s) { return ListWebhooks(s, 1); });
  ASSERT_TRUE(listed.ok() && listed->size() == 1u);
  EXPECT_EQ((*listed)[0].types, std::vector<EventType>{EventType::kOpen});
  EXPECT_EQ((*listed)[0].auth_secret, "key-value");
  EXPECT_EQ((*listed)[0].state, WebhookState::kActivated);
  // A new URL never takes the stored secret along (the admin API asks for
  // it again: webhook::AuthSecretMayBeKept).
  changed.url = "https://hooks.example/new";
  Write([&](SqlSession& s) { return WriteWebhook(s, changed, WebhookWrite::kUpdate).status(); });
  listed =
      ReadResult<std::vector<Webhook>>(runner(), [](SqlSession& s) { return ListWebhooks(s, 1); });
  ASSERT_TRUE(listed.ok() && listed->size() == 1u);
  EXPECT_EQ((*listed)[0].url, "https://hooks.example/new");
  EXPECT_EQ((*listed)[0].auth_secret, "");
  EXPECT_TRUE(ReadResult<std::vector<Webhook>>(runner(), [](SqlSession& s) {
                return ListWebhooks(s, 2);
              })->empty());

  AppendOne(Open(1, kT0));
  int64_t deleted = 0;
  Write([&](SqlSession& s) -> Status {
    Result<int64_t> d = DeleteWebhook(s, 1, 1);
    deleted = d.ok() ? *d : -1;
    return d.status();
  });
  EXPECT_EQ(deleted, 1);
  EXPECT_EQ(QueryInt("SELECT count(*) FROM webhook_outbox"), 0);
  EXPECT_EQ(QueryInt("SELECT count(*) FROM events"), 1);  // events stay
}

TEST_F(EventsTest, ALeaseIsHeldByOneProcessAtATime) {
  AddWebhook(1, 1, {EventType::kOpen});
  EXPECT_FALSE(Lease(runner(), kT0).has_value());  // nothing to deliver
  AppendOne(Open(1, kT0));
  std::unique_ptr<Engine> other = OpenOrFail();
  ASSERT_NE(other, nullptr);
  SqlRunner& other_runner = other->runner();

  // Two transactions at once: the second waits for the first's row and
  // then sees its lease.
  std::atomic<bool> leased_first{false};
  std::optional<Webhook> first, second;
  std::thread holder([&] {
    Status status = runner().Write([&](SqlSession& s) -> Status {
      Result<std::optional<Webhook>> got = LeaseDue(s, "w1", kT0, seconds(60));
      if (!got.ok()) return got.status();
      first = *got;
      leased_first = true;
      std::this_thread::sleep_for(milliseconds(300));
      return Status::Ok();
    });
    EXPECT_TRUE(status.ok()) << status.ToString();
  });
  while (!leased_first) std::this_thread::sleep_for(milliseconds(5));
  second = Lease(other_runner, kT0 + seconds(1), "w2");
  holder.join();
  ASSERT_TRUE(first.has_value());
  EXPECT_EQ(first->id, 1);
  EXPECT_FALSE(second.has_value());
  EXPECT_FALSE(Lease(other_runner, kT0 + seconds(59), "w2").has_value());
  // An expired lease (a crashed dispatcher) is taken over.
  EXPECT_TRUE(Lease(other_runner, kT0 + seconds(60), "w2").has_value());
  other->Close();
}

TEST_F(EventsTest, DeliveredDeletesExactlyTheBatchAndEndsTheFailingRun) {
  AddWebhook(1, 1, {EventType::kOpen});
  for (int i = 0; i < 3; ++i) AppendOne(Open(1, kT0 + seconds(i)));
  EXPECT_FALSE(Fail(kT0));
  ASSERT_TRUE(Lease(runner(), kT0 + Backoff(1)).has_value());
  Result<std::vector<StoredEvent>> batch = ReadResult<std::vector<StoredEvent>>(
      runner(), [](SqlSession& s) { return NextBatch(s, 1, 1, 2); });
  ASSERT_TRUE(batch.ok()) << batch.status().ToString();
  ASSERT_EQ(batch->size(), 2u);
  EXPECT_LT((*batch)[0].id, (*batch)[1].id);
  Attempt ok;
  ok.client_id = 1;
  ok.webhook_id = 1;
  ok.at = kT0 + Backoff(1) + seconds(1);
  ok.first_event_id = (*batch)[0].id;
  ok.events = 2;
  ok.http_status = 204;
  const int64_t ids[] = {(*batch)[0].id, (*batch)[1].id};
  Write([&](SqlSession& s) { return Delivered(s, ok, ids); });
  EXPECT_EQ(QueryInt("SELECT count(*) FROM webhook_outbox"), 1);
  Result<std::optional<Webhook>> w = ReadResult<std::optional<Webhook>>(
      runner(), [](SqlSession& s) { return FindWebhook(s, 1, 1); });
  ASSERT_TRUE(w.ok() && w->has_value());
  EXPECT_EQ((*w)->attempts, 0);
  EXPECT_FALSE((*w)->failing_since.has_value());
  // Due again at once, the lease released.
  EXPECT_TRUE(Lease(runner(), ok.at, "w2").has_value());
  Result<std::vector<Attempt>> attempts = ReadResult<std::vector<Attempt>>(
      runner(), [](SqlSession& s) { return Attempts(s, 1, 1, 10); });
  ASSERT_TRUE(attempts.ok() && attempts->size() == 2u);
  EXPECT_EQ((*attempts)[0].http_status, 204);  // newest first
  EXPECT_EQ((*attempts)[1].http_status, 500);
  EXPECT_EQ((*attempts)[1].response.size(), kResponseKept);
}

TEST_F(EventsTest, FailuresBackOffExponentially) {
  EXPECT_EQ(Backoff(1), seconds(15));
  EXPECT_EQ(Backoff(2), seconds(30));
  EXPECT_EQ(Backoff(3), seconds(60));
  EXPECT_EQ(Backoff(8), seconds(1920));
  EXPECT_EQ(Backoff(9), hours(1));
  EXPECT_EQ(Backoff(50), hours(1));

  AddWebhook(1, 1, {EventType::kOpen});
  AppendOne(Open(1, kT0));
  TimePoint now = kT0;
  for (int attempt = 1; attempt <= 4; ++attempt) {
    ASSERT_TRUE(Lease(runner(), now).has_value()) << attempt;
    EXPECT_FALSE(Fail(now));
    EXPECT_FALSE(Lease(runner(), now + Backoff(attempt) - milliseconds(1)).has_value()) << attempt;
    now += Backoff(attempt);
  }
  Result<std::optional<Webhook>> w = ReadResult<std::optional<Webhook>>(
      runner(), [](SqlSession& s) { return FindWebhook(s, 1, 1); });
  ASSERT_TRUE(w.ok() && w->has_value());
  EXPECT_EQ((*w)->attempts, 4);
  EXPECT_TRUE((*w)->failing_since == kT0);
  EXPECT_TRUE((*w)->next_attempt_at == now);
}

TEST_F(EventsTest, TwentyFourHoursOfFailuresSuspendTheSubscription) {
  AddWebhook(1, 1, {EventType::kOpen});
  AppendOne(Open(1, kT0));
  EXPECT_FALSE(Fail(kT0));
  EXPECT_FALSE(Fail(kT0 + hours(23)));
  EXPECT_TRUE(Fail(kT0 + hours(24)));
  Result<std::optional<Webhook>> w = ReadResult<std::optional<Webhook>>(
      runner(), [](SqlSession& s) { return FindWebhook(s, 1, 1); });
  ASSERT_TRUE(w.ok() && w->has_value());
  EXPECT_EQ((*w)->state, WebhookState::kSuspended);
  Result<std::vector<Attempt>> attempts = ReadResult<std::vector<Attempt>>(
      runner(), [](SqlSession& s) { return Attempts(s, 1, 1, 10); });
  ASSERT_TRUE(attempts.ok() && attempts->size() == 3u);
  EXPECT_TRUE((*attempts)[0].final);
  EXPECT_FALSE((*attempts)[1].final);
  // Suspended: no lease, not due; the failed batch is kept and new events
  // are queued (at-least-once, events.md §4), delivered once re-activated.
  EXPECT_FALSE(Lease(runner(), kT0 + hours(48)).has_value());
  EXPECT_FALSE(Due(kT0 + hours(48)));
  AppendOne(Open(1, kT0 + hours(25)));
  EXPECT_EQ(QueryInt("SELECT count(*) FROM webhook_outbox"), 2);
  // Re-activated by hand: due at once, the failing run forgotten.
  Write([&](SqlSession& s) {
    return SetWebhookState(s, 1, 1, WebhookState::kActivated, kT0 + hours(48)).status();
  });
  EXPECT_TRUE(Due(kT0 + hours(48)));
  std::optional<Webhook> leased = Lease(runner(), kT0 + hours(48));
  ASSERT_TRUE(leased.has_value());
  EXPECT_EQ(leased->attempts, 0);
  EXPECT_FALSE(leased->failing_since.has_value());
  Result<std::vector<StoredEvent>> batch = ReadResult<std::vector<StoredEvent>>(
      runner(), [](SqlSession& s) { return NextBatch(s, 1, 1, 10); });
  ASSERT_TRUE(batch.ok());
  EXPECT_EQ(batch->size(), 2u);  // the failed one and the one of the suspension
}

TEST_F(EventsTest, AnyDueReadsWhetherALeaseWouldFindWork) {
  AddWebhook(1, 1, {EventType::kOpen});
  AddWebhook(1, 2, {EventType::kClick}, WebhookState::kDeactivated);
  EXPECT_FALSE(Due(kT0));  // no outbox rows
  AppendOne(Open(1, kT0));
  EXPECT_TRUE(Due(kT0));
  // Backing off after a failure: rows, but not due until the retry.
  EXPECT_FALSE(Fail(kT0));
  EXPECT_FALSE(Due(kT0 + seconds(1)));
  const TimePoint retry = kT0 + Backoff(1);
  EXPECT_TRUE(Due(retry));
  // Leased: not due for another dispatcher until the lease ends.
  ASSERT_TRUE(Lease(runner(), retry).has_value());
  EXPECT_FALSE(Due(retry));
  // Released (an empty batch): due again, nothing recorded.
  Write([](SqlSession& s) { return ReleaseLease(s, 1, 1); });
  EXPECT_TRUE(Due(retry));
  EXPECT_EQ(QueryInt("SELECT count(*) FROM webhook_attempts"), 1);  // the failure only
  // Deactivated: its rows (none are queued) never make it due.
  Write([](SqlSession& s) {
    return SetWebhookState(s, 1, 1, WebhookState::kDeactivated, kT0).status();
  });
  EXPECT_FALSE(Due(retry + hours(2)));
}

TEST_F(EventsTest, PurgeDeletesOldRowsInBatches) {
  AddWebhook(1, 1, {EventType::kOpen});
  for (int i = 0; i < 12; ++i) AppendOne(Open(1, kT0 + hours(i)));
  ASSERT_EQ(QueryInt("SELECT count(*) FROM webhook_outbox"), 12);
  // One batch: the 5 oldest, not done.
  Result<PurgeProgress> step = Status::Internal("not run");
  Write([&](SqlSession& s) -> Status {
    step = PurgeBatch(s, Purge::kEvents, kT0 + hours(7), 5, 0);
    return step.status();
  });
  ASSERT_TRUE(step.ok());
  EXPECT_EQ(step->deleted, 5);
  EXPECT_FALSE(step->done);
  Result<int64_t> rest = PurgeBefore(runner(), Purge::kEvents, kT0 + hours(7), 5);
  ASSERT_TRUE(rest.ok()) << rest.status().ToString();
  EXPECT_EQ(*rest, 2);
  EXPECT_EQ(QueryInt("SELECT count(*) FROM events"), 5);
  EXPECT_EQ(QueryInt("SELECT min(at) FROM events"), ToUnixMillis(kT0 + hours(7)));
  EXPECT_EQ(QueryInt("SELECT count(*) FROM webhook_outbox"), 5);

  for (int i = 0; i < 3; ++i) Fail(kT0 + hours(i));
  Result<int64_t> attempts = PurgeBefore(runner(), Purge::kAttempts, kT0 + hours(2), 1);
  ASSERT_TRUE(attempts.ok()) << attempts.status().ToString();
  EXPECT_EQ(*attempts, 2);
  EXPECT_EQ(QueryInt("SELECT count(*) FROM webhook_attempts"), 1);
}

TEST_F(EventsTest, PurgeOfMailsKeepsOpenOnesAndTakesTheirHistory) {
  std::vector<int64_t> ids;
  for (int i = 0; i < 4; ++i) {
    Result<int64_t> id =
        queue().Enqueue({1, 10, 100, "m" + std::to_string(i) + "@example.com", {}, kT0 + hours(i)});
    ASSERT_TRUE(id.ok()) << id.status().ToString();
    ids.push_back(*id);
  }
  // Mails 0 and 2 are sent, 1 still enqueued, 3 sent but young.
  ExecSql("UPDATE mails SET status = 'sent' WHERE id IN (" + std::to_string(ids[0]) + ", " +
          std::to_string(ids[2]) + ", " + std::to_string(ids[3]) + ")");
  Result<int64_t> purged = PurgeBefore(runner(), Purge::kMails, kT0 + hours(3), 2);
  ASSERT_TRUE(purged.ok()) << purged.status().ToString();
  EXPECT_EQ(*purged, 2);
  EXPECT_EQ(QueryInt("SELECT count(*) FROM mails"), 2);
  EXPECT_EQ(QueryInt("SELECT count(*) FROM mails WHERE id = " + std::to_string(ids[1])), 1);
  EXPECT_EQ(QueryInt("SELECT count(*) FROM mail_events WHERE mail_id IN (" +
                     std::to_string(ids[0]) + ", " + std::to_string(ids[2]) + ")"),
            0);
  EXPECT_EQ(QueryInt("SELECT count(*) FROM mail_events"), 2);
}

TEST_F(EventsTest, StatisticsSumByDay) {
  Counters one{};
  one[kEnqueued] = 1;
  one[kSent] = 2;
  const TimePoint day = FromUnixMillis(1'699'920'000'000);  // 2023-11-14 00:00 UTC
  Write([&](SqlSession& s) -> Status {
    for (int h : {0, 5, 23, 24, 30}) {
      CAMPAIGND_RETURN_IF_ERROR(AddCounts(s, 1, 100, day + hours(h), one));
    }
    CAMPAIGND_RETURN_IF_ERROR(AddCounts(s, 1, 101, day + hours(1), one));
    return AddCounts(s, 1, 0, day + hours(2), one);
  });
  std::vector<StatsRow> days = ReadStats(100, day, day + hours(48), Step::kDay);
  ASSERT_EQ(days.size(), 2u);
  EXPECT_TRUE(days[0].start == day);
  EXPECT_EQ(days[0].counts[kEnqueued], 3);
  EXPECT_EQ(days[0].counts[kSent], 6);
  EXPECT_TRUE(days[1].start == day + hours(24));
  EXPECT_EQ(days[1].counts[kEnqueued], 2);
  std::vector<StatsRow> all = ReadStats(std::nullopt, day, day + hours(24), Step::kDay);
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0].counts[kEnqueued], 5);
  std::vector<StatsRow> hourly = ReadStats(100, day + hours(5), day + hours(24), Step::kHour);
  ASSERT_EQ(hourly.size(), 2u);
  EXPECT_TRUE(hourly[1].start == day + hours(23));
}

// Five soft bounces in a row (events.md §2): distinct mails, each after its
// own `sent` (the relay's 250); a delivery in between ends the run.
TEST_F(EventsTest, SoftBouncesInRowCountsMailsSinceTheLastDelivery) {
  int64_t next_seq = 100;
  auto add = [&](EventType type, int64_t seq, std::string category = "") {
    Event e = Open(1, kT0);
    e.type = type;
    e.mail_seq = seq;
    e.data = "{}";
    e.hard = category == "hard";
    AppendOne(e);
  };
  auto in_row = [&](int64_t seq) {
    int n = 0;
    Write([&](SqlSession& s) -> Status {
      Result<int> got = SoftBouncesInRow(s, 1, "a@example.com", seq, 5);
      if (!got.ok()) return got.status();
      n = *got;
      return Status::Ok();
    });
    return n;
  };
  // sent1, soft1, sent2, soft2, ...: the fifth mail's bounce is the fifth.
  for (int i = 1; i <= 4; ++i) {
    const int64_t seq = next_seq++;
    add(EventType::kSent, seq);
    EXPECT_EQ(in_row(seq), i);
    add(EventType::kBounce, seq, "soft");
  }
  int64_t fifth = next_seq++;
  add(EventType::kSent, fifth);
  EXPECT_EQ(in_row(fifth), 5);
  add(EventType::kBounce, fifth, "hard");  // recorded as the hard one: the run ends
  int64_t after = next_seq++;
  add(EventType::kSent, after);
  EXPECT_EQ(in_row(after), 1);
  // Five delayed DSNs for one mail are one mail.
  add(EventType::kBounce, after, "soft");
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(in_row(after), 1);
    add(EventType::kBounce, after, "soft");
  }
  // A clean delivery (a `sent` with no bounce of its mail) resets.
  int64_t second = next_seq++;
  add(EventType::kSent, second);
  add(EventType::kBounce, second, "soft");
  int64_t delivered = next_seq++;
  add(EventType::kSent, delivered);
  int64_t third = next_seq++;
  add(EventType::kSent, third);
  EXPECT_EQ(in_row(third), 1);
  // Another address's or client's events do not count.
  Event other = Open(2, kT0);
  other.type = EventType::kBounce;
  other.data = "{}";
  other.mail_seq = next_seq++;
  AppendOne(other);
  EXPECT_EQ(in_row(third), 1);
}

}  // namespace
}  // namespace campaignd::store::events
