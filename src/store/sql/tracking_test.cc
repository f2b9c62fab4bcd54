// store/sql/tracking.h on the engine the environment names (SQLite, and
// PostgreSQL in ctest's pg.* copy): what a batch of tracking hits becomes,
// decided at write time, and the recorder's batches.
#include "store/sql/tracking.h"

#include <gtest/gtest.h>

#include <atomic>
#include <nlohmann/json.hpp>
#include <thread>

#include "store/sql/events.h"
#include "store/store_testutil.h"

namespace campaignd::store::events {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

const TimePoint kT0 = FromUnixMillis(1'700'002'800'000);

class TrackingStoreTest : public EngineTest {
 protected:
  void SetUp() override {
    EngineTest::SetUp();
    Result<int64_t> seq = queue().Enqueue({1, 10, 100, "a@example.com", {}, kT0});
    ASSERT_TRUE(seq.ok()) << seq.status().ToString();
    seq_ = *seq;
  }
  SqlRunner& runner() { return engine_->runner(); }

  TrackingHit Hit(bool click, TimePoint at, int link = 0) {
    TrackingHit h;
    h.client_id = 1;
    h.mail_seq = seq_;
    h.mailing_id = 100;
    h.click = click;
    h.link_index = click ? link : -1;
    h.url = click ? "https://shop.example/" + std::to_string(link) : "";
    h.user_agent = "Mail/1.0";
    h.ip = "192.0.2.0";
    h.at = at;
    return h;
  }
  int64_t Record(std::vector<TrackingHit> hits) {
    int64_t written = -1;
    Status s = runner().Write([&](SqlSession& session) -> Status {
      Result<int64_t> n = RecordTrackingHits(session, hits);
      if (!n.ok()) return n.status();
      written = *n;
      return Status::Ok();
    });
    EXPECT_TRUE(s.ok()) << s.ToString();
    return written;
  }
  std::vector<StoredEvent> Events() {
    std::vector<StoredEvent> out;
    Status s = runner().Read([&](SqlSession& session) -> Status {
      auto events = MailEvents(session, 1, seq_);
      if (!events.ok()) return events.status();
      out = std::move(*events);
      return Status::Ok();
    });
    EXPECT_TRUE(s.ok()) << s.ToString();
    return out;
  }
  int64_t seq_ = 0;
};

TEST_F(TrackingStoreTest, FirstOpenAndFirstClickAreDecidedAtWriteTime) {
  // Two opens in one batch: only the first is first.
  EXPECT_EQ(Record({Hit(false, kT0 + seconds(60)), Hit(false, kT0 + seconds(61))}), 2);
  // A later batch: the table already has an open; the first click is first.
  EXPECT_EQ(Record({Hit(false, kT0 + seconds(62)), Hit(true, kT0 + seconds(63), 2),
                    Hit(true, kT0 + seconds(64), 0)}),
            3);
  const auto events = Events();
  ASSERT_EQ(events.size(), 5u);
  const bool firsts[] = {true, false, false, true, false};
  for (std::size_t i = 0; i < events.size(); ++i) {
    const Event& e = events[i].event;
    EXPECT_EQ(e.first, firsts[i]) << i;
    EXPECT_FALSE(e.machine) << i;
    EXPECT_EQ(e.type, i < 3 ? EventType::kOpen : EventType::kClick) << i;
    EXPECT_EQ(e.mailing_id, 100);
    EXPECT_EQ(e.list_id, 10);
    EXPECT_EQ(e.address, "a@example.com");
    const auto data = nlohmann::json::parse(e.data);
    EXPECT_EQ(data["userAgent"], "Mail/1.0");
    EXPECT_EQ(data["ip"], "192.0.2.0");
  }
  EXPECT_EQ(events[3].event.link_index, 2);
  EXPECT_EQ(nlohmann::json::parse(events[3].event.data)["url"], "https://shop.example/2");
  // The counters: 3 opens (1 unique), 2 clicks (1 unique).
  Counters sum{};
  Status s = runner().Read([&](SqlSession& session) -> Status {
    auto rows = Stats(session, 1, 100, kT0 - seconds(3600), kT0 + seconds(7200), Step::kDay);
    if (!rows.ok()) return rows.status();
    for (const auto& row : *rows)
      for (int c = 0; c < kCounterCount; ++c) sum[c] += row.counts[c];
    return Status::Ok();
  });
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(sum[kOpens], 3);
  EXPECT_EQ(sum[kOpensUnique], 1);
  EXPECT_EQ(sum[kClicks], 2);
  EXPECT_EQ(sum[kClicksUnique], 1);
}

// Two processes (two connections) record an open of one mail at once: the
// second batch waits for the first's commit and sees its open (PostgreSQL
// under READ COMMITTED; SQLite's one writer runs them one after the other).
TEST_F(TrackingStoreTest, FirstIsDecidedOnceAcrossProcesses) {
  std::unique_ptr<Engine> other = OpenOrFail();
  ASSERT_NE(other, nullptr);
  std::atomic<bool> recorded{false};
  std::thread holder([&] {
    Status status = runner().Write([&](SqlSession& session) -> Status {
      std::vector<TrackingHit> hits = {Hit(false, kT0 + seconds(60))};
      Result<int64_t> n = RecordTrackingHits(session, hits);
      if (!n.ok()) return n.status();
      recorded = true;
      std::this_thread::sleep_for(milliseconds(300));
      return Status::Ok();
    });
    EXPECT_TRUE(status.ok()) << status.ToString();
  });
  while (!recorded) std::this_thread::sleep_for(milliseconds(5));
  Status second = other->runner().Write([&](SqlSession& session) -> Status {
    std::vector<TrackingHit> hits = {Hit(false, kT0 + seconds(61))};
    return RecordTrackingHits(session, hits).status();
  });
  holder.join();
  EXPECT_TRUE(second.ok()) << second.ToString();
  const auto events = Events();
  ASSERT_EQ(events.size(), 2u);
  EXPECT_TRUE(events[0].event.first);
  EXPECT_FALSE(events[1].event.first);
  other->Close();
}

TEST_F(TrackingStoreTest, UnknownMailOtherMailingOrOptedOutRecordsNothing) {
  TrackingHit unknown = Hit(false, kT0);
  unknown.mail_seq = seq_ + 1000;
  TrackingHit other_client = Hit(false, kT0);
  other_client.client_id = 2;
  TrackingHit other_mailing = Hit(true, kT0);
  other_mailing.mailing_id = 101;
  EXPECT_EQ(Record({unknown, other_client, other_mailing}), 0);
  ExecSql(
      "UPDATE recipients SET tracking_opt_out = 1 WHERE client_id = 1 AND list_id = 10 "
      "AND recipient_id = 'a@example.com'");
  EXPECT_EQ(Record({Hit(false, kT0), Hit(true, kT0)}), 0);
  EXPECT_TRUE(Events().empty());
}

TEST_F(TrackingStoreTest, AClickWithinASecondOfDeliveryIsAMachine) {
  ExecSql("UPDATE mails SET status = 'sent', updated_at = " +
          std::to_string(ToUnixMillis(kT0 + seconds(10))) + " WHERE id = " + std::to_string(seq_));
  TrackingHit head = Hit(false, kT0 + seconds(30));
  head.machine = true;  // the tracker's verdict (HEAD, scanner) is kept
  EXPECT_EQ(Record({Hit(true, kT0 + seconds(10) + milliseconds(400)), head,
                    Hit(true, kT0 + seconds(12))}),
            3);
  const auto events = Events();
  ASSERT_EQ(events.size(), 3u);
  EXPECT_TRUE(events[0].event.machine);
  EXPECT_TRUE(events[1].event.machine);
  EXPECT_FALSE(events[2].event.machine);
}

TEST_F(TrackingStoreTest, RecorderWritesBatchesAndDropsWhenFull) {
  {
    TrackingRecorder recorder(runner(),
                              [](const Status& s, std::size_t) { ADD_FAILURE() << s.ToString(); });
    for (int i = 0; i < 50; ++i) EXPECT_TRUE(recorder.Record(Hit(i % 2 == 0, kT0 + seconds(i))));
    recorder.Close();
    EXPECT_EQ(recorder.recorded(), 50u);
    EXPECT_FALSE(recorder.Record(Hit(false, kT0)));  // closed
    EXPECT_EQ(recorder.dropped(), 1u);
  }
  EXPECT_EQ(Events().size(), 50u);
  TrackingRecorder full(runner(), nullptr, /*max_pending=*/0);
  EXPECT_FALSE(full.Record(Hit(false, kT0)));
  EXPECT_EQ(full.dropped(), 1u);
}

}  // namespace
}  // namespace campaignd::store::events
