// The events of today's state changes (events.md §1), on the engine the
// environment names (SQLite, and PostgreSQL in ctest's pg.* copy): queue
// outcomes (sent, hard bounce, filteredbyblocklist, failed counts), the
// `enqueued` counters, unsubscribes, opt-ins and blocklist entries - each
// with its change in one transaction, and neither when that fails.
#include <gtest/gtest.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "store/catalog.h"
#include "store/sql/events.h"
#include "store/store_testutil.h"

namespace campaignd::store {
namespace {

using events::EventType;
using events::StoredEvent;
using std::chrono::minutes;
using std::chrono::seconds;

const TimePoint kT0 = FromUnixMillis(1'700'002'800'000);  // 23:00 UTC, 2023-11-14

class EventWiringTest : public EngineTest {
 protected:
  int64_t Enqueue(const std::string& recipient, int64_t mailing = 100, TimePoint at = kT0) {
    Result<int64_t> id = queue().Enqueue({1, 10, mailing, recipient, {}, at});
    EXPECT_TRUE(id.ok()) << id.status().ToString();
    return id.ok() ? *id : 0;
  }

  // Client 1's events of `type`, by id.
  std::vector<StoredEvent> EventsOf(EventType type) {
    Result<std::vector<StoredEvent>> all = ReadResult<std::vector<StoredEvent>>(
        engine_->runner(), [&](SqlSession& s) { return events::ClientEvents(s, 1, 0, 1000); });
    EXPECT_TRUE(all.ok()) << all.status().ToString();
    std::vector<StoredEvent> of;
    if (!all.ok()) return of;
    for (StoredEvent& e : *all) {
      if (e.event.type == type) of.push_back(std::move(e));
    }
    return of;
  }

  // Client 1's counters summed over every hour and mailing.
  events::Counters Counts() {
    Result<std::vector<events::StatsRow>> rows =
        ReadResult<std::vector<events::StatsRow>>(engine_->runner(), [&](SqlSession& s) {
          return events::Stats(s, 1, std::nullopt, FromUnixMillis(0),
                               FromUnixMillis(4'000'000'000'000), events::Step::kDay);
        });
    EXPECT_TRUE(rows.ok()) << rows.status().ToString();
    events::Counters sum{};
    if (!rows.ok()) return sum;
    for (const events::StatsRow& row : *rows) {
      for (std::size_t i = 0; i < sum.size(); ++i) sum[i] += row.counts[i];
    }
    return sum;
  }

  static nlohmann::json Data(const StoredEvent& e) { return nlohmann::json::parse(e.event.data); }

  Outcome MakeOutcome(int64_t id, MailStatus status, std::string reply, bool attempted) {
    Outcome o;
    o.mail_id = id;
    o.worker = "w1";
    o.status = status;
    o.reply = std::move(reply);
    o.at = kT0 + minutes(5);
    o.attempted = attempted;
    o.attempt_started_at = kT0 + minutes(4);
    o.retry_at = kT0 + minutes(10);
    if (attempted) o.relay = "smtp://relay.example:25";
    return o;
  }

  std::string MailStatusOf(int64_t id) {
    Result<std::optional<Mail>> mail = queue().FindMail(1, id);
    EXPECT_TRUE(mail.ok() && mail->has_value());
    return mail.ok() && mail->has_value() ? std::string(MailStatusName((*mail)->status)) : "";
  }
};

TEST_F(EventWiringTest, EnqueueCountsEnqueuedPerMailingAndHour) {
  Enqueue("a@example.com");
  Enqueue("b@example.com");
  Enqueue("c@example.com", 101);
  Enqueue("d@example.com", 100, kT0 + minutes(90));  // the next hour
  Result<std::vector<events::StatsRow>> mailing100 =
      ReadResult<std::vector<events::StatsRow>>(engine_->runner(), [&](SqlSession& s) {
        return events::Stats(s, 1, 100, kT0, kT0 + std::chrono::hours(3), events::Step::kHour);
      });
  ASSERT_TRUE(mailing100.ok()) << mailing100.status().ToString();
  ASSERT_EQ(mailing100->size(), 2u);
  EXPECT_EQ((*mailing100)[0].counts[events::kEnqueued], 2);
  EXPECT_EQ((*mailing100)[1].counts[events::kEnqueued], 1);
  EXPECT_EQ(Counts()[events::kEnqueued], 4);
  // No event rows: enqueued is a counter only.
  EXPECT_EQ(QueryInt("SELECT count(*) FROM events WHERE type <> 'blocklist'"), 0);
}

TEST_F(EventWiringTest, FailedEnqueueCountsNothing) {
  // A mail the database refuses (unknown client) is neither stored nor counted.
  Result<int64_t> refused = queue().Enqueue({99, 10, 100, "a@example.com", {}, kT0});
  EXPECT_FALSE(refused.ok());
  EXPECT_EQ(QueryInt("SELECT count(*) FROM stats_hourly"), 0);
  // The counters' table gone: the mail is refused too (no mail without its count).
  ExecSql("ALTER TABLE stats_hourly RENAME TO stats_hourly_gone");
  Result<int64_t> uncounted = queue().Enqueue({1, 10, 100, "a@example.com", {}, kT0});
  EXPECT_FALSE(uncounted.ok());
  ExecSql("ALTER TABLE stats_hourly_gone RENAME TO stats_hourly");
  EXPECT_EQ(QueryInt("SELECT count(*) FROM mails"), 0);
  Enqueue("b@example.com");  // and the queue works again
  EXPECT_EQ(QueryInt("SELECT count(*) FROM mails"), 1);
  EXPECT_EQ(Counts()[events::kEnqueued], 1);
}

TEST_F(EventWiringTest, BatchOfOutcomesWritesOneEventPerMail) {
  const int64_t sent = Enqueue("a@example.com");
  const int64_t bounced = Enqueue("Bob@Example.com");
  const int64_t blocked = Enqueue("x@spam.example");
  const int64_t unsubscribed = Enqueue("u@example.com");
  const int64_t deferred = Enqueue("d@example.com");
  const int64_t sender_refused = Enqueue("s@example.com");
  Result<std::vector<Mail>> claimed = queue().Claim({"w1", 10, 10, kT0 + minutes(1), seconds(600)});
  ASSERT_TRUE(claimed.ok());
  ASSERT_EQ(claimed->size(), 6u);

  std::vector<Outcome> outcomes = {
      MakeOutcome(sent, MailStatus::kSent, "250 2.0.0 Ok: queued as 4F9Q", true),
      MakeOutcome(bounced, MailStatus::kCouldNotBeSent, "550 5.1.1 <bob@example.com>: unknown",
                  true),
      MakeOutcome(blocked, MailStatus::kBlacklisted, "recipient is blocklisted", false),
      MakeOutcome(unsubscribed, MailStatus::kUnsubscribed, "recipient unsubscribed", false),
      MakeOutcome(deferred, MailStatus::kSending, "451 4.3.0 try later", true),
      MakeOutcome(sender_refused, MailStatus::kCouldNotBeSent, "550 5.7.1 sender refused", true),
  };
  outcomes[1].hard_bounce = true;
  outcomes[1].status_code = "5.1.1";
  outcomes[2].pattern = "*@spam.example";
  std::vector<Status> results = queue().RecordBatch(outcomes);
  for (const Status& s : results) EXPECT_TRUE(s.ok()) << s.ToString();

  std::vector<StoredEvent> sent_events = EventsOf(EventType::kSent);
  ASSERT_EQ(sent_events.size(), 1u);
  const events::Event& s = sent_events[0].event;
  EXPECT_EQ(s.mail_seq, sent);
  EXPECT_EQ(s.mailing_id, 100);
  EXPECT_EQ(s.list_id, 10);
  EXPECT_EQ(s.recipient_id, "a@example.com");
  EXPECT_EQ(s.at, kT0 + minutes(5));
  EXPECT_EQ(Data(sent_events[0])["relay"], "smtp://relay.example:25");
  EXPECT_EQ(Data(sent_events[0])["reply"], "250 2.0.0 Ok: queued as 4F9Q");

  std::vector<StoredEvent> bounces = EventsOf(EventType::kBounce);
  ASSERT_EQ(bounces.size(), 1u);  // the refused sender is no bounce of the recipient
  EXPECT_EQ(bounces[0].event.mail_seq, bounced);
  EXPECT_EQ(bounces[0].event.recipient_id, "Bob@Example.com");
  EXPECT_EQ(bounces[0].event.address, "bob@example.com");
  EXPECT_EQ(Data(bounces[0])["category"], "hard");
  EXPECT_EQ(Data(bounces[0])["status"], "5.1.1");
  EXPECT_EQ(Data(bounces[0])["diagnostic"], "550 5.1.1 <bob@example.com>: unknown");
  EXPECT_EQ(Data(bounces[0])["reportingMta"], "smtp://relay.example:25");

  std::vector<StoredEvent> filtered = EventsOf(EventType::kFilteredByBlocklist);
  ASSERT_EQ(filtered.size(), 1u);
  EXPECT_EQ(filtered[0].event.mail_seq, blocked);
  EXPECT_EQ(Data(filtered[0])["pattern"], "*@spam.example");

  // One event per mail with one; the deferred and the unsubscribed have none.
  EXPECT_EQ(QueryInt("SELECT count(*) FROM events WHERE mail_seq IS NOT NULL"), 3);
  const events::Counters c = Counts();
  EXPECT_EQ(c[events::kEnqueued], 6);
  EXPECT_EQ(c[events::kSent], 1);
  EXPECT_EQ(c[events::kFailed], 4);  // bounce, blocklist, unsubscribed, sender refused
  EXPECT_EQ(c[events::kBouncedHard], 1);
  EXPECT_EQ(c[events::kBouncedSoft], 0);
}

TEST_F(EventWiringTest, LostClaimWritesNoEvent) {
  const int64_t mine = Enqueue("a@example.com");
  const int64_t theirs = Enqueue("b@example.com");
  ASSERT_TRUE(queue().Claim({"w1", 10, 10, kT0 + minutes(1), seconds(600)}).ok());
  ExecSql("UPDATE mails SET lease_owner = 'w2' WHERE id = " + std::to_string(theirs));
  std::vector<Outcome> outcomes = {MakeOutcome(mine, MailStatus::kSent, "250 ok", true),
                                   MakeOutcome(theirs, MailStatus::kSent, "250 ok", true)};
  std::vector<Status> results = queue().RecordBatch(outcomes);
  EXPECT_TRUE(results[0].ok());
  EXPECT_TRUE(results[1].IsNotFound()) << results[1].ToString();
  std::vector<StoredEvent> sent = EventsOf(EventType::kSent);
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].event.mail_seq, mine);
  EXPECT_EQ(Counts()[events::kSent], 1);
}

TEST_F(EventWiringTest, FailedEventWriteLeavesOutcomeUnwritten) {
  const int64_t id = Enqueue("a@example.com");
  ASSERT_TRUE(queue().Claim({"w1", 10, 10, kT0 + minutes(1), seconds(600)}).ok());
  // The events table gone: the event cannot be written, so the outcome
  // (status, history, bounce count, counters) must not be either.
  ExecSql("ALTER TABLE events RENAME TO events_gone");
  Outcome o = MakeOutcome(id, MailStatus::kCouldNotBeSent, "550 5.1.1 unknown", true);
  o.hard_bounce = true;
  std::vector<Status> results = queue().RecordBatch({&o, 1});
  EXPECT_FALSE(results[0].ok());
  ExecSql("ALTER TABLE events_gone RENAME TO events");
  EXPECT_EQ(MailStatusOf(id), "enqueued");
  EXPECT_EQ(QueryInt("SELECT count(*) FROM mail_events WHERE status <> 'enqueued'"), 0);
  EXPECT_EQ(QueryInt("SELECT count(*) FROM bounces"), 0);
  EXPECT_EQ(QueryInt("SELECT count(*) FROM events WHERE type <> 'blocklist'"), 0);
  EXPECT_EQ(Counts()[events::kFailed], 0);
  // Recorded again (the worker still holds the claim): all of it at once.
  results = queue().RecordBatch({&o, 1});
  EXPECT_TRUE(results[0].ok()) << results[0].ToString();
  EXPECT_EQ(MailStatusOf(id), "could_not_be_sent");
  EXPECT_EQ(EventsOf(EventType::kBounce).size(), 1u);
  EXPECT_EQ(QueryInt("SELECT hard_bounces FROM bounces"), 1);
  EXPECT_EQ(Counts()[events::kFailed], 1);
}

TEST_F(EventWiringTest, UnsubscribeWritesItsEvent) {
  Unsubscribe u{"ann@example.com", 42, 100, kT0};
  u.list_id = 10;
  u.source = "oneclick";
  Status written = engine_->recipients().Write(
      1, {u.address}, [&](RecipientWrites& w) { return w.AddUnsubscribe(u); });
  ASSERT_TRUE(written.ok()) << written.ToString();
  std::vector<StoredEvent> unsubscribes = EventsOf(EventType::kUnsubscribe);
  ASSERT_EQ(unsubscribes.size(), 1u);
  const events::Event& e = unsubscribes[0].event;
  EXPECT_EQ(e.mail_seq, 42);
  EXPECT_EQ(e.mailing_id, 100);
  EXPECT_EQ(e.list_id, 10);
  EXPECT_EQ(e.address, "ann@example.com");
  EXPECT_EQ(e.at, kT0);
  EXPECT_EQ(Data(unsubscribes[0])["source"], "oneclick");
  EXPECT_EQ(Counts()[events::kUnsubscribes], 1);
}

TEST_F(EventWiringTest, RolledBackUnsubscribeLeavesNeither) {
  Unsubscribe u{"ann@example.com", 0, 0, kT0};
  u.source = "http";
  Status written = engine_->recipients().Write(1, {u.address}, [&](RecipientWrites& w) {
    CAMPAIGND_RETURN_IF_ERROR(w.AddUnsubscribe(u));
    return Status::Internal("the operation fails after the write");
  });
  EXPECT_FALSE(written.ok());
  EXPECT_EQ(QueryInt("SELECT count(*) FROM unsubscribes"), 0);
  EXPECT_TRUE(EventsOf(EventType::kUnsubscribe).empty());
  EXPECT_EQ(Counts()[events::kUnsubscribes], 0);
}

TEST_F(EventWiringTest, OptInWritesItsEvent) {
  Recipient r{10, "New@Example.com", {}, RecipientState::kActive};
  r.optin_id = 7;
  r.optin_source = "footer form";
  Status written = engine_->recipients().Write(1, {r.id}, [&](RecipientWrites& w) {
    CAMPAIGND_RETURN_IF_ERROR(w.Put(r));
    CAMPAIGND_RETURN_IF_ERROR(w.RecordOptIn(r, OptInKind::kConfirmed, kT0));
    return w.RecordOptIn(r, OptInKind::kDouble, kT0 + minutes(1));
  });
  ASSERT_TRUE(written.ok()) << written.ToString();
  std::vector<StoredEvent> confirmed = EventsOf(EventType::kConfirmedOptIn);
  ASSERT_EQ(confirmed.size(), 1u);
  EXPECT_EQ(confirmed[0].event.list_id, 10);
  EXPECT_EQ(confirmed[0].event.address, "new@example.com");
  EXPECT_EQ(Data(confirmed[0])["optInProcessId"], 7);
  EXPECT_EQ(Data(confirmed[0])["source"], "footer form");
  EXPECT_EQ(EventsOf(EventType::kDoubleOptIn).size(), 1u);
  EXPECT_TRUE(EventsOf(EventType::kSingleOptIn).empty());
}

TEST_F(EventWiringTest, BlocklistEntryWritesItsEventOnce) {
  // SampleClient's two entries were applied with one event each.
  std::vector<StoredEvent> applied = EventsOf(EventType::kBlocklist);
  ASSERT_EQ(applied.size(), 2u);
  EXPECT_EQ(Data(applied[0])["pattern"], "blocked@example.com");
  EXPECT_EQ(Data(applied[0])["reason"], "manual");
  EXPECT_EQ(applied[0].event.address, "blocked@example.com");
  EXPECT_EQ(Data(applied[1])["pattern"], "*@spam.example");
  EXPECT_EQ(applied[1].event.address, "");  // a wildcard names no address
  // Applied again: no new events.
  ASSERT_TRUE(provisioner().Apply({SampleClient(1)}).ok());
  EXPECT_EQ(EventsOf(EventType::kBlocklist).size(), 2u);

  // The recipient operations' write (ops/blacklist.cc): once.
  for (int i = 0; i < 2; ++i) {
    Status written = engine_->recipients().Write(1, {"c@example.com"}, [&](RecipientWrites& w) {
      return w.AddBlock({"c@example.com", "http-api"}).status();
    });
    ASSERT_TRUE(written.ok()) << written.ToString();
  }
  // The admin API's upsert: a new pattern once, a new reason for it none.
  Catalog catalog(engine_->runner());
  ASSERT_TRUE(catalog.UpsertBlockEntry(1, {"*@junk.example", "admin"}).ok());
  ASSERT_TRUE(catalog.UpsertBlockEntry(1, {"*@junk.example", "admin again"}).ok());
  std::vector<StoredEvent> all = EventsOf(EventType::kBlocklist);
  ASSERT_EQ(all.size(), 4u);
  EXPECT_EQ(Data(all[2])["pattern"], "c@example.com");
  EXPECT_EQ(Data(all[2])["reason"], "http-api");
  EXPECT_EQ(Data(all[3])["pattern"], "*@junk.example");

  // A rolled-back add leaves neither entry nor event.
  Status failed = engine_->recipients().Write(1, {"d@example.com"}, [&](RecipientWrites& w) {
    CAMPAIGND_RETURN_IF_ERROR(w.AddBlock({"d@example.com", "x"}).status());
    return Status::Internal("the operation fails after the write");
  });
  EXPECT_FALSE(failed.ok());
  EXPECT_EQ(QueryInt("SELECT count(*) FROM blocklist WHERE pattern = 'd@example.com'"), 0);
  EXPECT_EQ(EventsOf(EventType::kBlocklist).size(), 4u);
}

TEST_F(EventWiringTest, AdminUnsubscribeWritesItsEventOnce) {
  Catalog catalog(engine_->runner());
  Recipient r{10, "a@example.com", {{"firstname", "Ann"}}, RecipientState::kUnsubscribed};
  Recipient other{10, "b@example.com", {}, RecipientState::kActive};
  const Recipient batch[] = {r, other};
  ASSERT_TRUE(catalog.UpsertRecipients(1, 10, batch).ok());
  ASSERT_TRUE(catalog.UpsertRecipients(1, 10, {&r, 1}).ok());  // unsubscribed already: none
  std::vector<StoredEvent> unsubscribes = EventsOf(EventType::kUnsubscribe);
  ASSERT_EQ(unsubscribes.size(), 1u);
  EXPECT_EQ(unsubscribes[0].event.recipient_id, "a@example.com");
  EXPECT_EQ(unsubscribes[0].event.list_id, 10);
  EXPECT_EQ(Data(unsubscribes[0])["source"], "admin");
  EXPECT_EQ(Counts()[events::kUnsubscribes], 1);
}

}  // namespace
}  // namespace campaignd::store
