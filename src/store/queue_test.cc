// MailQueue: enqueue, record, release, history - on the engine the
// environment names (store_testutil.h).
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <set>
#include <thread>

#include "store/store_testutil.h"

namespace campaignd::store {
namespace {

using std::chrono::minutes;
using std::chrono::seconds;

const TimePoint kT0 = FromUnixMillis(1'700'000'000'000);

// An outcome of `worker` for mail `id` (other members: defaults).
Outcome MakeOutcome(int64_t id, const std::string& worker, MailStatus status, TimePoint at,
                    std::string reply = "", bool attempted = false) {
  Outcome outcome;
  outcome.mail_id = id;
  outcome.worker = worker;
  outcome.status = status;
  outcome.at = at;
  outcome.reply = std::move(reply);
  outcome.attempted = attempted;
  outcome.attempt_started_at = at - std::chrono::seconds(1);
  return outcome;
}

class QueueTest : public EngineTest {
 protected:
  int64_t Enqueue(const std::string& recipient = "a@example.com", TimePoint at = kT0,
                  int64_t client_id = 1) {
    NewMail mail{client_id, 10, 100, recipient, {{"firstname", "Ann"}}, at};
    Result<int64_t> id = queue().Enqueue(mail);
    EXPECT_TRUE(id.ok()) << id.status().ToString();
    return id.ok() ? *id : 0;
  }
  std::vector<Mail> Claim(const std::string& worker, TimePoint now, std::size_t fresh = 10,
                          std::size_t retry = 10, seconds lease = seconds(60)) {
    Result<std::vector<Mail>> mails = queue().Claim({worker, fresh, retry, now, lease});
    EXPECT_TRUE(mails.ok()) << mails.status().ToString();
    return mails.ok() ? *mails : std::vector<Mail>{};
  }
  Mail Find(int64_t id) {
    Result<std::optional<Mail>> mail = queue().FindMail(1, id);
    EXPECT_TRUE(mail.ok() && mail->has_value()) << mail.status().ToString();
    return mail.ok() && mail->has_value() ? **mail : Mail{};
  }
  std::vector<MailStatus> Statuses(int64_t id) {
    Result<std::vector<MailEvent>> history = queue().History(1, id);
    EXPECT_TRUE(history.ok()) << history.status().ToString();
    std::vector<MailStatus> statuses;
    if (history.ok()) {
      for (const MailEvent& e : *history) statuses.push_back(e.status);
    }
    return statuses;
  }
};

TEST_F(QueueTest, EnqueueStoresMailAndEnqueuedEvent) {
  const int64_t first = Enqueue();
  const int64_t second = Enqueue("b@example.com", kT0 + seconds(1));
  EXPECT_GT(first, 0);
  EXPECT_GT(second, first);
  Mail mail = Find(first);
  EXPECT_EQ(mail.id, first);
  EXPECT_EQ(mail.client_id, 1);
  EXPECT_EQ(mail.list_id, 10);
  EXPECT_EQ(mail.mailing_id, 100);
  EXPECT_EQ(mail.recipient_id, "a@example.com");
  EXPECT_EQ(mail.fields, (FieldValues{{"firstname", "Ann"}}));
  EXPECT_EQ(mail.status, MailStatus::kEnqueued);
  EXPECT_EQ(mail.attempts, 0);
  EXPECT_EQ(mail.created_at, kT0);
  EXPECT_EQ(mail.updated_at, kT0);
  EXPECT_EQ(mail.next_attempt_at, kT0);
  EXPECT_EQ(mail.last_reply, "");
  Result<std::vector<MailEvent>> history = queue().History(1, first);
  ASSERT_TRUE(history.ok());
  ASSERT_EQ(history->size(), 1u);
  EXPECT_EQ((*history)[0].status, MailStatus::kEnqueued);
  EXPECT_EQ((*history)[0].at, kT0);
}

TEST_F(QueueTest, MailsAreScopedByClient) {
  const int64_t id = Enqueue();
  EXPECT_FALSE(queue().FindMail(2, id)->has_value());
  EXPECT_TRUE(queue().History(2, id)->empty());
  EXPECT_FALSE(queue().FindMail(1, id + 1)->has_value());
}

TEST_F(QueueTest, EnqueueForUnknownClientIsRefused) {
  NewMail mail{9, 10, 100, "a@example.com", {}, kT0};
  Result<int64_t> id = queue().Enqueue(mail);
  ASSERT_FALSE(id.ok());
  EXPECT_TRUE(id.status().IsInvalidArgument()) << id.status().ToString();
}

TEST_F(QueueTest, RecordSent) {
  const int64_t id = Enqueue();
  ASSERT_EQ(Claim("w1", kT0 + seconds(1)).size(), 1u);
  Status recorded = queue().Record(MakeOutcome(id, "w1", MailStatus::kSent, kT0 + seconds(2),
                                               "250 2.0.0 queued as X", /*attempted=*/true));
  ASSERT_TRUE(recorded.ok()) << recorded.ToString();
  Mail mail = Find(id);
  EXPECT_EQ(mail.status, MailStatus::kSent);
  EXPECT_EQ(mail.attempts, 1);
  EXPECT_EQ(mail.last_reply, "250 2.0.0 queued as X");
  EXPECT_EQ(mail.updated_at, kT0 + seconds(2));
  EXPECT_EQ(mail.next_attempt_at, kT0) << "unchanged unless deferred";
  std::vector<MailEvent> history = *queue().History(1, id);
  ASSERT_EQ(history.size(), 3u);
  EXPECT_EQ(history[0].status, MailStatus::kEnqueued);
  EXPECT_EQ(history[1].status, MailStatus::kSending);
  EXPECT_EQ(history[1].at, kT0 + seconds(1));
  EXPECT_EQ(history[2].status, MailStatus::kSent);
  EXPECT_EQ(history[2].reply, "250 2.0.0 queued as X");
  EXPECT_TRUE(Claim("w2", kT0 + minutes(10)).empty()) << "a sent mail is never claimed again";
}

TEST_F(QueueTest, RecordDeferredSetsNextAttempt) {
  const int64_t id = Enqueue();
  ASSERT_EQ(Claim("w1", kT0).size(), 1u);
  Outcome deferred = MakeOutcome(id, "w1", MailStatus::kSending, kT0 + seconds(1),
                                 "451 try later", /*attempted=*/true);
  deferred.retry_at = kT0 + minutes(10);
  ASSERT_TRUE(queue().Record(deferred).ok());
  Mail mail = Find(id);
  EXPECT_EQ(mail.status, MailStatus::kSending);
  EXPECT_EQ(mail.attempts, 1);
  EXPECT_EQ(mail.next_attempt_at, kT0 + minutes(10));
  EXPECT_TRUE(Claim("w1", kT0 + minutes(9)).empty());
  EXPECT_TRUE(Claim("w1", kT0 + minutes(11), 10, 0).empty()) << "not a fresh mail any more";
  std::vector<Mail> retried = Claim("w2", kT0 + minutes(11), 0, 10);
  ASSERT_EQ(retried.size(), 1u);
  EXPECT_EQ(retried[0].attempts, 1);
  EXPECT_EQ(Statuses(id), (std::vector<MailStatus>{MailStatus::kEnqueued, MailStatus::kSending,
                                                   MailStatus::kSending}))
      << "the first attempt and the deferral are recorded, the claims are not";
}

TEST_F(QueueTest, RecordHardBounceCountsPerClientAndAddress) {
  for (int i = 0; i < 2; ++i) {
    const int64_t id = Enqueue("A@example.com");
    ASSERT_EQ(Claim("w1", kT0).size(), 1u);
    Outcome bounced = MakeOutcome(id, "w1", MailStatus::kCouldNotBeSent, kT0,
                                  "550 no such user", /*attempted=*/true);
    bounced.hard_bounce = true;
    ASSERT_TRUE(queue().Record(bounced).ok());
    EXPECT_EQ(Find(id).status, MailStatus::kCouldNotBeSent);
  }
  EXPECT_EQ(directory().CheckSuppression(1, 10, "a@example.com")->hard_bounces, 2);
  EXPECT_EQ(directory().CheckSuppression(2, 10, "a@example.com")->hard_bounces, 0);
}

TEST_F(QueueTest, RecordWithoutTheClaimIsNotFound) {
  const int64_t id = Enqueue();
  Outcome outcome = MakeOutcome(id, "w1", MailStatus::kSent, kT0);
  EXPECT_TRUE(queue().Record(outcome).IsNotFound()) << "never claimed";
  ASSERT_EQ(Claim("w1", kT0).size(), 1u);
  outcome.worker = "w2";
  Status other = queue().Record(outcome);
  EXPECT_TRUE(other.IsNotFound()) << other.ToString();
  EXPECT_NE(other.message().find("not claimed by worker w2"), std::string::npos);
  outcome.worker = "w1";
  outcome.status = MailStatus::kEnqueued;
  EXPECT_TRUE(queue().Record(outcome).IsInvalidArgument());
  outcome.status = MailStatus::kBlacklisted;
  EXPECT_TRUE(queue().Record(outcome).ok());
  EXPECT_TRUE(queue().Record(outcome).IsNotFound()) << "the claim ended with the first record";
  EXPECT_EQ(Find(id).attempts, 0) << "no attempt made";
}

// One batch, one transaction: each outcome as Record would apply it alone,
// a lost claim and a bad status failing only their own mail, and two hard
// bounces of one address in the same batch both counted.
TEST_F(QueueTest, RecordBatchKeepsEachOutcomeOwnStatus) {
  const int64_t sent = Enqueue("a@example.com");
  const int64_t deferred = Enqueue("b@example.com");
  const int64_t lost = Enqueue("c@example.com");
  const int64_t bounced1 = Enqueue("D@example.com");
  const int64_t bounced2 = Enqueue("d@example.com");
  const int64_t bad = Enqueue("e@example.com");
  ASSERT_EQ(Claim("w1", kT0 + seconds(1)).size(), 6u);
  ASSERT_TRUE(queue().ReleaseClaim("w1", lost).ok());
  ASSERT_EQ(Claim("w2", kT0 + seconds(1)).size(), 1u) << "the lost mail, now w2's";

  std::vector<Outcome> batch;
  batch.push_back(MakeOutcome(sent, "w1", MailStatus::kSent, kT0 + seconds(2), "250 ok", true));
  batch.push_back(
      MakeOutcome(deferred, "w1", MailStatus::kSending, kT0 + seconds(2), "451 later", true));
  batch.back().retry_at = kT0 + minutes(10);
  batch.push_back(MakeOutcome(lost, "w1", MailStatus::kSent, kT0 + seconds(2), "250 ok", true));
  for (int64_t id : {bounced1, bounced2}) {
    batch.push_back(
        MakeOutcome(id, "w1", MailStatus::kCouldNotBeSent, kT0 + seconds(2), "550 no", true));
    batch.back().hard_bounce = true;
  }
  batch.push_back(MakeOutcome(bad, "w1", MailStatus::kEnqueued, kT0 + seconds(2)));
  std::vector<Status> results = queue().RecordBatch(batch);
  ASSERT_EQ(results.size(), batch.size());
  EXPECT_TRUE(results[0].ok()) << results[0].ToString();
  EXPECT_TRUE(results[1].ok()) << results[1].ToString();
  EXPECT_TRUE(results[2].IsNotFound()) << results[2].ToString();
  EXPECT_NE(results[2].message().find("not claimed by worker w1"), std::string::npos);
  EXPECT_TRUE(results[3].ok()) << results[3].ToString();
  EXPECT_TRUE(results[4].ok()) << results[4].ToString();
  EXPECT_TRUE(results[5].IsInvalidArgument()) << results[5].ToString();

  EXPECT_EQ(Find(sent).status, MailStatus::kSent);
  EXPECT_EQ(Find(sent).last_reply, "250 ok");
  EXPECT_EQ(Statuses(sent), (std::vector<MailStatus>{MailStatus::kEnqueued, MailStatus::kSending,
                                                     MailStatus::kSent}));
  std::vector<MailEvent> history = *queue().History(1, sent);
  EXPECT_EQ(history[1].at, kT0 + seconds(1)) << "`sending` at the attempt's start";
  EXPECT_EQ(Find(deferred).next_attempt_at, kT0 + minutes(10));
  EXPECT_EQ(Find(deferred).attempts, 1);
  EXPECT_EQ(Find(sent).next_attempt_at, kT0) << "unchanged unless deferred";
  Mail untouched = Find(lost);
  EXPECT_EQ(untouched.status, MailStatus::kEnqueued) << "a lost claim writes nothing";
  EXPECT_EQ(untouched.attempts, 0);
  EXPECT_EQ(Statuses(lost), (std::vector<MailStatus>{MailStatus::kEnqueued}));
  EXPECT_EQ(directory().CheckSuppression(1, 10, "d@example.com")->hard_bounces, 2)
      << "two bounces of one address in one batch";
  EXPECT_EQ(Statuses(bad), (std::vector<MailStatus>{MailStatus::kEnqueued}));
  EXPECT_TRUE(queue().Record(MakeOutcome(bad, "w1", MailStatus::kSent, kT0)).ok())
      << "its claim is still held";
  EXPECT_TRUE(queue().RecordBatch({}).empty());
}

TEST_F(QueueTest, ReleaseClaimsOfOneWorker) {
  Enqueue();
  Enqueue("b@example.com");
  ASSERT_EQ(Claim("w1", kT0, 1).size(), 1u);
  ASSERT_EQ(Claim("w2", kT0, 1).size(), 1u);
  EXPECT_TRUE(Claim("w3", kT0).empty());
  ASSERT_TRUE(queue().ReleaseClaims("w1").ok());
  std::vector<Mail> released = Claim("w3", kT0);
  ASSERT_EQ(released.size(), 1u);
  EXPECT_EQ(released[0].status, MailStatus::kEnqueued) << "a claim changes no status";
  ASSERT_TRUE(queue().ReleaseClaims("nobody").ok());
  EXPECT_TRUE(Claim("w4", kT0).empty());
}

// Group commit itself (transactions per mail) is engine-specific:
// SqliteQueueTest and PgQueueTest count it.
TEST_F(QueueTest, ConcurrentEnqueuesAllGetDistinctIds) {
  constexpr int kThreads = 64;
  constexpr int kPerThread = 50;
  std::vector<std::thread> threads;
  std::vector<std::vector<int64_t>> ids(kThreads);
  std::atomic<int> failures{0};
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        NewMail mail{1, 10, 100, "a@example.com", {}, kT0};
        Result<int64_t> id = queue().Enqueue(mail);
        if (id.ok()) {
          ids[t].push_back(*id);
        } else {
          ++failures;
        }
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(failures.load(), 0);
  std::set<int64_t> distinct;
  for (const auto& per_thread : ids) {
    distinct.insert(per_thread.begin(), per_thread.end());
    EXPECT_TRUE(std::is_sorted(per_thread.begin(), per_thread.end())) << "ids grow";
  }
  EXPECT_EQ(distinct.size(), static_cast<std::size_t>(kThreads * kPerThread));
  std::vector<Mail> claimed = Claim("w", kT0, kThreads * kPerThread, 0);
  ASSERT_EQ(claimed.size(), static_cast<std::size_t>(kThreads * kPerThread));
  for (const Mail& mail : claimed) EXPECT_TRUE(distinct.contains(mail.id));
}

TEST_F(QueueTest, FieldsWithQuotesAndUnicodeRoundTrip) {
  NewMail mail{1, 10, 100, "a@example.com",
               {{"firstname", "Ann \"the\" {brace}, \\ back"}, {"city", "K\u00f6ln \u2603"}},
               kT0};
  Result<int64_t> id = queue().Enqueue(mail);
  ASSERT_TRUE(id.ok()) << id.status().ToString();
  EXPECT_EQ(Find(*id).fields, mail.fields);
}

TEST_F(QueueTest, EnqueueOfOneUnknownClientFailsOnlyThatMail) {
  std::vector<std::thread> threads;
  std::atomic<int> good{0}, refused{0}, other{0};
  for (int t = 0; t < 16; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 20; ++i) {
        const bool bad = (t + i) % 7 == 0;
        Result<int64_t> id = queue().Enqueue({bad ? 99 : 1, 10, 100, "a@example.com", {}, kT0});
        if (id.ok() && !bad) {
          ++good;
        } else if (!id.ok() && bad && id.status().IsInvalidArgument()) {
          ++refused;
        } else {
          ++other;
        }
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(other.load(), 0);
  EXPECT_GT(refused.load(), 0);
  EXPECT_EQ(good.load() + refused.load(), 16 * 20);
  EXPECT_EQ(Claim("w", kT0, 1000, 0).size(), static_cast<std::size_t>(good.load()));
}

TEST_F(QueueTest, ReopenKeepsMailsAndCloseRefusesLaterCalls) {
  const int64_t id = Enqueue();
  Reopen();
  EXPECT_EQ(Find(id).recipient_id, "a@example.com");
  EXPECT_EQ((*directory().FindClient(1))->mail_id_secret, "secret-of-1");
  engine_->Close();
  engine_->Close();  // idempotent
  Result<int64_t> late = queue().Enqueue({1, 10, 100, "a@example.com", {}, kT0});
  ASSERT_FALSE(late.ok());
  EXPECT_TRUE(late.status().IsUnavailable()) << late.status().ToString();
  EXPECT_TRUE(queue().Claim({"w", 1, 1, kT0, seconds(1)}).status().IsUnavailable());
  EXPECT_TRUE(provisioner().CodeNames(1).status().IsUnavailable());
  EXPECT_TRUE(queue().ReleaseAllClaims().IsUnavailable());
}

}  // namespace
}  // namespace campaignd::store
