// Engine-neutral tests of store/recipients.h (and the opt-in processes of
// Provisioner::Apply): they run on SQLite and, as pg.store_test, on
// PostgreSQL.
#include "store/recipients.h"

#include <gtest/gtest.h>

#include <thread>

#include "store/store_testutil.h"

namespace campaignd::store {
namespace {

using std::chrono::seconds;

const TimePoint kT0 = FromUnixMillis(1'700'000'000'000);

class RecipientsTest : public EngineTest {
 protected:
  Recipients& recipients() { return engine_->recipients(); }

  // Runs `work` for client 1; asserts it committed.
  void WriteOk(const Recipients::Work& work, std::vector<std::string> keys = {}) {
    Status s = recipients().Write(1, keys, work);
    ASSERT_TRUE(s.ok()) << s.ToString();
  }
  std::optional<Recipient> Find(int64_t client, int64_t list, const std::string& id) {
    Result<std::optional<Recipient>> r = recipients().FindRecipient(client, list, id);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : std::nullopt;
  }
};

TEST(OptInKindTest, NamesRoundTrip) {
  for (auto [kind, name] : {std::pair{OptInKind::kSingle, "single"},
                            {OptInKind::kConfirmed, "confirmed"},
                            {OptInKind::kDouble, "double"}}) {
    EXPECT_EQ(Name(kind), name);
    EXPECT_EQ(ParseOptInKind(name), kind);
  }
  EXPECT_FALSE(ParseOptInKind("Double"));
}

TEST_F(RecipientsTest, ApplyUpsertsOptInProcessesAndRefusesOneWithoutMailing) {
  ClientSpec spec = SampleClient(1);
  spec.optins = {{0, 7, "news", OptInKind::kDouble, 100, "https://shop.example/thanks"},
                 {0, 8, "quick", OptInKind::kSingle, 0, ""}};
  ASSERT_TRUE(provisioner().Apply({spec}).ok());
  std::optional<OptInProcess> p = *recipients().FindOptIn(1, 7);
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->name, "news");
  EXPECT_EQ(p->kind, OptInKind::kDouble);
  EXPECT_EQ(p->mailing_id, 100);
  EXPECT_EQ(p->confirmation_url, "https://shop.example/thanks");
  EXPECT_EQ((*recipients().FindOptIn(1, 8))->kind, OptInKind::kSingle);
  EXPECT_FALSE(recipients().FindOptIn(2, 7)->has_value());  // another client

  spec.optins = {{0, 7, "news v2", OptInKind::kConfirmed, 100, ""}};
  ASSERT_TRUE(provisioner().Apply({spec}).ok());
  EXPECT_EQ((*recipients().FindOptIn(1, 7))->name, "news v2");
  EXPECT_EQ((*recipients().FindOptIn(1, 7))->kind, OptInKind::kConfirmed);

  spec.optins = {{0, 9, "broken", OptInKind::kDouble, 0, ""}};
  Status refused = provisioner().Apply({spec});
  EXPECT_EQ(refused.code(), Status::Code::kInvalidArgument);
  EXPECT_NE(refused.message().find("opt-in process 9"), std::string::npos) << refused.ToString();
  EXPECT_FALSE(recipients().FindOptIn(1, 9)->has_value());
}

TEST_F(RecipientsTest, PutFindListsOfAndDeleteRoundTripEveryColumn) {
  Recipient r{10, "new@example.com", {{"firstname", "Nia"}}, RecipientState::kPending};
  r.tracking_opt_out = true;
  r.optin_id = 7;
  r.optin_at = kT0;
  r.optin_source = "Shop/Shoes/1.1";
  WriteOk([&](RecipientWrites& w) {
    CAMPAIGND_RETURN_IF_ERROR(w.Put(r));
    Recipient copy = r;
    copy.list_id = 11;
    return w.Put(copy);
  });
  std::optional<Recipient> read = Find(1, 10, "new@example.com");
  ASSERT_TRUE(read.has_value());
  EXPECT_EQ(read->fields, r.fields);
  EXPECT_EQ(read->state, RecipientState::kPending);
  EXPECT_TRUE(read->tracking_opt_out);
  EXPECT_EQ(read->optin_id, 7);
  EXPECT_EQ(read->optin_at, kT0);
  EXPECT_EQ(read->optin_source, "Shop/Shoes/1.1");
  // Directory sees the same row (delivery reads it there).
  EXPECT_EQ((*directory().FindRecipient(1, 10, "new@example.com"))->state,
            RecipientState::kPending);
  EXPECT_FALSE(Find(2, 10, "new@example.com").has_value());

  WriteOk([&](RecipientWrites& w) -> Status {
    Result<std::vector<int64_t>> lists = w.ListsOf("new@example.com", false);
    if (!lists.ok()) return lists.status();
    EXPECT_EQ(*lists, (std::vector<int64_t>{10, 11}));
    Result<std::vector<int64_t>> ordinary = w.ListsOf("new@example.com", true);
    EXPECT_TRUE(ordinary.ok() && *ordinary == std::vector<int64_t>{10});  // 11: transaction
    Result<bool> deleted = w.Delete(11, "new@example.com");
    EXPECT_TRUE(deleted.ok() && *deleted);
    Result<bool> again = w.Delete(11, "new@example.com");
    EXPECT_TRUE(again.ok() && !*again);
    return Status::Ok();
  });
  EXPECT_FALSE(Find(1, 11, "new@example.com").has_value());
  EXPECT_TRUE(Find(1, 10, "new@example.com").has_value());
}

TEST_F(RecipientsTest, AFailedWorkChangesNothingNotEvenItsMail) {
  int64_t sequence = 0;
  Status s = recipients().Write(1, {"x@example.com"}, [&](RecipientWrites& w) -> Status {
    CAMPAIGND_RETURN_IF_ERROR(w.Put({10, "x@example.com", {}, RecipientState::kPending}));
    Result<int64_t> mail = w.Enqueue({1, 10, 100, "x@example.com", {}, kT0});
    if (!mail.ok()) return mail.status();
    sequence = *mail;
    return Status::InvalidArgument("changed my mind");
  });
  EXPECT_EQ(s.code(), Status::Code::kInvalidArgument);
  EXPECT_FALSE(Find(1, 10, "x@example.com").has_value());
  ASSERT_GT(sequence, 0);
  EXPECT_FALSE(queue().FindMail(1, sequence)->has_value());
}

TEST_F(RecipientsTest, EnqueueInsideWriteIsAnOrdinaryClaimableMail) {
  int64_t sequence = 0;
  WriteOk([&](RecipientWrites& w) -> Status {
    Result<int64_t> mail = w.Enqueue({1, 10, 100, "a@example.com", {}, kT0});
    if (!mail.ok()) return mail.status();
    sequence = *mail;
    return Status::Ok();
  });
  std::optional<Mail> mail = *queue().FindMail(1, sequence);
  ASSERT_TRUE(mail.has_value());
  EXPECT_EQ(mail->status, MailStatus::kEnqueued);
  EXPECT_EQ(mail->recipient_id, "a@example.com");
  std::vector<MailEvent> history = *queue().History(1, sequence);
  ASSERT_EQ(history.size(), 1u);
  EXPECT_EQ(history[0].status, MailStatus::kEnqueued);
  std::vector<Mail> claimed = *queue().Claim({"w", 10, 0, kT0 + seconds(1), seconds(60)});
  ASSERT_EQ(claimed.size(), 1u);
  EXPECT_EQ(claimed[0].id, sequence);
  // A later mail of the queue's own Enqueue gets a higher sequence.
  EXPECT_GT(*queue().Enqueue({1, 10, 100, "a@example.com", {}, kT0}), sequence);
}

TEST_F(RecipientsTest, UnsubscribesCarryAttributionAndShowInSuppression) {
  WriteOk([&](RecipientWrites& w) { return w.AddUnsubscribe({"a@example.com", 42, 100, kT0}); });
  std::optional<Unsubscribe> u = *recipients().FindUnsubscribe(1, "a@example.com");
  ASSERT_TRUE(u.has_value());
  EXPECT_EQ(u->mail_id, 42);
  EXPECT_EQ(u->mailing_id, 100);
  EXPECT_EQ(u->at, kT0);
  EXPECT_TRUE(directory().CheckSuppression(1, 10, "a@example.com")->unsubscribed);
  EXPECT_FALSE(directory().CheckSuppression(2, 10, "a@example.com")->unsubscribed);
  WriteOk([&](RecipientWrites& w) -> Status {
    Result<Suppression> s = w.CheckSuppression(11, "a@example.com");
    EXPECT_TRUE(s.ok() && s->unsubscribed);  // client-wide: every list
    Result<bool> removed = w.RemoveUnsubscribe("a@example.com");
    EXPECT_TRUE(removed.ok() && *removed);
    Result<bool> again = w.RemoveUnsubscribe("a@example.com");
    EXPECT_TRUE(again.ok() && !*again);
    return Status::Ok();
  });
  EXPECT_FALSE(recipients().FindUnsubscribe(1, "a@example.com")->has_value());
  EXPECT_FALSE(directory().CheckSuppression(1, 10, "a@example.com")->unsubscribed);
}

TEST_F(RecipientsTest, BlockEntriesAddOnceRemoveOnceAndMatchWildcards) {
  WriteOk([&](RecipientWrites& w) -> Status {
    Result<bool> added = w.AddBlock({"*@evil.example", "http-api"});
    EXPECT_TRUE(added.ok() && *added);
    Result<bool> again = w.AddBlock({"*@evil.example", "other"});
    EXPECT_TRUE(again.ok() && !*again);
    Result<Suppression> s = w.CheckSuppression(10, "joe@evil.example");
    EXPECT_TRUE(s.ok() && s->blocked);
    Result<Suppression> exact = w.CheckSuppression(10, "blocked@example.com");
    EXPECT_TRUE(exact.ok() && exact->blocked);  // SampleClient's exact entry
    Result<Suppression> clean = w.CheckSuppression(10, "joe@good.example");
    EXPECT_TRUE(clean.ok() && !clean->blocked);
    return Status::Ok();
  });
  EXPECT_TRUE(directory().CheckSuppression(1, 10, "joe@evil.example")->blocked);
  EXPECT_FALSE(directory().CheckSuppression(2, 10, "joe@evil.example")->blocked);
  WriteOk([&](RecipientWrites& w) -> Status {
    Result<bool> removed = w.RemoveBlock("*@evil.example");
    EXPECT_TRUE(removed.ok() && *removed);
    Result<bool> again = w.RemoveBlock("*@evil.example");
    EXPECT_TRUE(again.ok() && !*again);
    return Status::Ok();
  });
  EXPECT_FALSE(directory().CheckSuppression(1, 10, "joe@evil.example")->blocked);
}

TEST_F(RecipientsTest, BounceCountsShowInTheWriteSuppression) {
  ClientSpec spec = SampleClient(1);
  spec.bounces = {{"a@example.com", 2}};
  ASSERT_TRUE(provisioner().Apply({spec}).ok());
  WriteOk([&](RecipientWrites& w) -> Status {
    Result<Suppression> s = w.CheckSuppression(10, "a@example.com");
    EXPECT_TRUE(s.ok() && s->hard_bounces == 2 && !s->blocked && !s->unsubscribed);
    return Status::Ok();
  });
}

TEST_F(RecipientsTest, RenameMovesListsUnsubscribeAndMails) {
  int64_t sequence = *queue().Enqueue({1, 10, 100, "a@example.com", {}, kT0});
  int64_t other_client = *queue().Enqueue({2, 10, 100, "a@example.com", {}, kT0});
  WriteOk([&](RecipientWrites& w) -> Status {
    CAMPAIGND_RETURN_IF_ERROR(w.Put({11, "a@example.com", {}, RecipientState::kActive}));
    CAMPAIGND_RETURN_IF_ERROR(w.AddUnsubscribe({"a@example.com", 0, 0, kT0}));
    return w.Rename("a@example.com", "b@example.com");
  });
  EXPECT_FALSE(Find(1, 10, "a@example.com").has_value());
  ASSERT_TRUE(Find(1, 10, "b@example.com").has_value());
  EXPECT_EQ(Find(1, 10, "b@example.com")->fields.at("firstname"), "Ann");
  EXPECT_TRUE(Find(1, 11, "b@example.com").has_value());
  EXPECT_TRUE(recipients().FindUnsubscribe(1, "b@example.com")->has_value());
  EXPECT_FALSE(recipients().FindUnsubscribe(1, "a@example.com")->has_value());
  EXPECT_EQ((*queue().FindMail(1, sequence))->recipient_id, "b@example.com");
  // Client 2 is untouched.
  EXPECT_TRUE(Find(2, 10, "a@example.com").has_value());
  EXPECT_EQ((*queue().FindMail(2, other_client))->recipient_id, "a@example.com");
}

// Read-modify-write of one recipient from many threads: the key lock (and
// SQLite's single writer) make every increment count.
TEST_F(RecipientsTest, WritesOfOneKeyDoNotInterleave) {
  constexpr int kThreads = 4;
  constexpr int kPerThread = 10;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < kPerThread; ++i) {
        Status s = recipients().Write(1, {"a@example.com"}, [](RecipientWrites& w) -> Status {
          Result<std::optional<Recipient>> r = w.Find(10, "a@example.com");
          if (!r.ok()) return r.status();
          Recipient next = **r;
          next.optin_id += 1;
          return w.Put(next);
        });
        EXPECT_TRUE(s.ok()) << s.ToString();
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(Find(1, 10, "a@example.com")->optin_id, kThreads * kPerThread);
}

}  // namespace
}  // namespace campaignd::store
