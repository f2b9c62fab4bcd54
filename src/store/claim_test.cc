// MailQueue::Claim: due-ness, fairness counts, order, leases - on the
// engine the environment names (store_testutil.h).
#include <gtest/gtest.h>

#include "store/store_testutil.h"

namespace campaignd::store {
namespace {

using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::seconds;

const TimePoint kT0 = FromUnixMillis(1'700'000'000'000);

class ClaimTest : public EngineTest {
 protected:
  int64_t Enqueue(TimePoint at) {
    Result<int64_t> id = queue().Enqueue({1, 10, 100, "a@example.com", {}, at});
    EXPECT_TRUE(id.ok()) << id.status().ToString();
    return id.ok() ? *id : 0;
  }
  std::vector<Mail> Claim(const std::string& worker, TimePoint now, std::size_t fresh,
                          std::size_t retry, seconds lease = seconds(60)) {
    Result<std::vector<Mail>> mails = queue().Claim({worker, fresh, retry, now, lease});
    EXPECT_TRUE(mails.ok()) << mails.status().ToString();
    return mails.ok() ? *mails : std::vector<Mail>{};
  }
  // Claims mail `id` and records a deferral (one attempt) due at `retry_at`.
  void Defer(int64_t id, TimePoint retry_at) {
    std::vector<Mail> claimed = Claim("deferrer", kT0, 1000, 1000);
    for (const Mail& mail : claimed) {
      Outcome outcome;
      outcome.mail_id = mail.id;
      outcome.worker = "deferrer";
      outcome.at = kT0;
      if (mail.id == id) {
        outcome.status = MailStatus::kSending;
        outcome.retry_at = retry_at;
        outcome.attempted = true;
        ASSERT_TRUE(queue().Record(outcome).ok());
      }
    }
    ASSERT_TRUE(queue().ReleaseClaims("deferrer").ok());
  }
  static std::vector<int64_t> Ids(const std::vector<Mail>& mails) {
    std::vector<int64_t> ids;
    for (const Mail& mail : mails) ids.push_back(mail.id);
    return ids;
  }
};

TEST_F(ClaimTest, OnlyDueMailsOldestFirst) {
  const int64_t later = Enqueue(kT0 + seconds(2));
  const int64_t earlier = Enqueue(kT0 + seconds(1));
  const int64_t future = Enqueue(kT0 + minutes(5));
  std::vector<Mail> claimed = Claim("w", kT0 + seconds(2), 10, 10, minutes(60));
  EXPECT_EQ(Ids(claimed), (std::vector<int64_t>{earlier, later}));
  for (const Mail& mail : claimed) {
    EXPECT_EQ(mail.status, MailStatus::kEnqueued) << "a claim changes no status";
  }
  EXPECT_EQ(queue().FindMail(1, earlier)->value().status, MailStatus::kEnqueued);
  EXPECT_EQ(Ids(Claim("w", kT0 + minutes(5), 10, 10)), std::vector<int64_t>{future});
}

TEST_F(ClaimTest, FreshAndRetryAreCountedSeparately) {
  std::vector<int64_t> retries;
  for (int i = 0; i < 4; ++i) retries.push_back(Enqueue(kT0));
  for (int64_t id : retries) Defer(id, kT0 + seconds(10));
  std::vector<int64_t> fresh;
  for (int i = 0; i < 5; ++i) fresh.push_back(Enqueue(kT0 + seconds(20 + i)));

  std::vector<Mail> first = Claim("w", kT0 + minutes(1), 2, 3);
  ASSERT_EQ(first.size(), 5u);
  int fresh_count = 0;
  for (const Mail& mail : first) fresh_count += mail.attempts == 0 ? 1 : 0;
  EXPECT_EQ(fresh_count, 2);
  // Oldest first across both kinds: the three retries (due at +10 s), then
  // the two oldest fresh mails.
  EXPECT_EQ(Ids(first), (std::vector<int64_t>{retries[0], retries[1], retries[2], fresh[0],
                                              fresh[1]}));
  EXPECT_EQ(Ids(Claim("w", kT0 + minutes(1), 0, 10)), std::vector<int64_t>{retries[3]});
  EXPECT_EQ(Ids(Claim("w", kT0 + minutes(1), 10, 0)),
            (std::vector<int64_t>{fresh[2], fresh[3], fresh[4]}));
  EXPECT_TRUE(Claim("w", kT0 + minutes(1), 10, 10).empty());
}

TEST_F(ClaimTest, ZeroLimitsClaimNothing) {
  Enqueue(kT0);
  EXPECT_TRUE(Claim("w", kT0, 0, 0).empty());
  EXPECT_EQ(Claim("w", kT0, 1, 0).size(), 1u);
}

TEST_F(ClaimTest, ExpiredLeaseIsClaimableByAnotherWorker) {
  const int64_t id = Enqueue(kT0);
  ASSERT_EQ(Claim("w1", kT0, 1, 0, seconds(30)).size(), 1u);
  EXPECT_TRUE(Claim("w2", kT0 + seconds(29), 10, 10).empty()) << "lease still live";
  std::vector<Mail> taken = Claim("w2", kT0 + seconds(30), 10, 10);
  ASSERT_EQ(Ids(taken), std::vector<int64_t>{id});
  EXPECT_EQ(taken[0].attempts, 0) << "still a fresh mail";

  Outcome late;
  late.mail_id = id;
  late.worker = "w1";
  late.status = MailStatus::kSent;
  late.at = kT0 + seconds(31);
  late.attempted = true;
  late.attempt_started_at = kT0 + seconds(30);
  EXPECT_TRUE(queue().Record(late).IsNotFound());
  late.worker = "w2";
  ASSERT_TRUE(queue().Record(late).ok());
  Result<std::vector<MailEvent>> history = queue().History(1, id);
  ASSERT_TRUE(history.ok());
  ASSERT_EQ(history->size(), 3u) << "enqueued, one sending (the attempt), sent";
  EXPECT_EQ((*history)[1].status, MailStatus::kSending);
  EXPECT_EQ((*history)[1].at, kT0 + seconds(30));
  EXPECT_EQ((*history)[2].status, MailStatus::kSent);
}

TEST_F(ClaimTest, ClaimNeedsAWorkerName) {
  Result<std::vector<Mail>> mails = queue().Claim({"", 1, 1, kT0, seconds(1)});
  ASSERT_FALSE(mails.ok());
  EXPECT_TRUE(mails.status().IsInvalidArgument());
}

}  // namespace
}  // namespace campaignd::store
