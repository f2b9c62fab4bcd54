// Directory lookups, on the engine the environment names (store_testutil.h).
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "store/store_testutil.h"

namespace campaignd::store {
namespace {

// Client-wide unsubscribes are written with ExecSql: no Provisioner call
// writes them.
using DirectoryTest = EngineTest;

TEST_F(DirectoryTest, FindCodeByHash) {
  Result<std::optional<AuthCode>> code = directory().FindCode("hash-2");
  ASSERT_TRUE(code.ok()) << code.status().ToString();
  ASSERT_TRUE(code->has_value());
  const AuthCode& c = **code;
  EXPECT_EQ(c.client_id, 2);
  EXPECT_EQ(c.name, "main");
  EXPECT_EQ(c.code_hash, "hash-2");
  EXPECT_EQ(c.list_id, 10);
  EXPECT_EQ(c.operations, std::vector<std::string>{"sendeventmail"});
  EXPECT_EQ(c.ips, std::vector<std::string>{"10.0.0.0/8"});
  EXPECT_TRUE(c.methods.empty());
  EXPECT_TRUE(c.enabled);
  EXPECT_FALSE(directory().FindCode("hash-3")->has_value());
  EXPECT_FALSE(directory().FindCode("")->has_value());
}

TEST_F(DirectoryTest, FindClientKeepsTheSecretBytes) {
  Result<std::optional<Client>> client = directory().FindClient(1);
  ASSERT_TRUE(client.ok() && client->has_value());
  EXPECT_EQ((*client)->name, "client 1");
  EXPECT_EQ((*client)->transport, "file:outbox");
  EXPECT_EQ((*client)->redirect_hosts, std::vector<std::string>{"shop.example"});
  EXPECT_EQ((*client)->bounce_limit, 3);
  EXPECT_EQ((*client)->mail_id_secret, "secret-of-1");
  EXPECT_FALSE(directory().FindClient(3)->has_value());
}

TEST_F(DirectoryTest, FindDkimKeysPerClient) {
  Result<std::vector<DkimKey>> keys = directory().FindDkimKeys(2);
  ASSERT_TRUE(keys.ok());
  ASSERT_EQ(keys->size(), 1u);
  EXPECT_EQ((*keys)[0].domain, "example.com");
  EXPECT_EQ((*keys)[0].selector, "s1");
  EXPECT_EQ((*keys)[0].algorithm, "ed25519-sha256");
  EXPECT_EQ((*keys)[0].private_key_pem, "-----PEM 2");
  EXPECT_TRUE(directory().FindDkimKeys(3)->empty());
}

TEST_F(DirectoryTest, FindListWithFieldsInOrder) {
  Result<std::optional<RecipientList>> list = directory().FindList(1, 10);
  ASSERT_TRUE(list.ok() && list->has_value()) << list.status().ToString();
  EXPECT_EQ((*list)->client_id, 1);
  EXPECT_EQ((*list)->name, "newsletter");
  EXPECT_EQ((*list)->kind, ListKind::kStandard);
  EXPECT_FALSE((*list)->test);
  ASSERT_EQ((*list)->fields.size(), 2u);
  EXPECT_EQ((*list)->fields[0].name, "firstname");
  EXPECT_EQ((*list)->fields[1].name, "orders");
  EXPECT_EQ((*list)->fields[1].type, "int");
  EXPECT_EQ((*directory().FindList(1, 11))->kind, ListKind::kTransaction);
  EXPECT_FALSE(directory().FindList(1, 12)->has_value());
}

TEST_F(DirectoryTest, FindMailingWithLists) {
  Result<std::optional<Mailing>> mailing = directory().FindMailing(2, 100);
  ASSERT_TRUE(mailing.ok() && mailing->has_value()) << mailing.status().ToString();
  const Mailing& m = **mailing;
  EXPECT_EQ(m.client_id, 2);
  EXPECT_EQ(m.name, "welcome");
  EXPECT_EQ(m.type, MailingType::kEvent);
  EXPECT_EQ(m.status, MailingStatus::kSending);
  EXPECT_EQ(m.list_ids, std::vector<int64_t>{10});
  EXPECT_EQ(m.from, "Shop <shop@example.com>");
  EXPECT_EQ(m.subject, "Hello {firstname}");
  EXPECT_EQ(m.text, "Hi");
  EXPECT_EQ(m.html, "");
  EXPECT_FALSE(directory().FindMailing(2, 101)->has_value());
}

TEST_F(DirectoryTest, FindRecipient) {
  Result<std::optional<Recipient>> r = directory().FindRecipient(1, 10, "a@example.com");
  ASSERT_TRUE(r.ok() && r->has_value()) << r.status().ToString();
  EXPECT_EQ((*r)->list_id, 10);
  EXPECT_EQ((*r)->id, "a@example.com");
  EXPECT_EQ((*r)->fields, (FieldValues{{"firstname", "Ann"}}));
  EXPECT_EQ((*r)->state, RecipientState::kActive);
  EXPECT_FALSE(directory().FindRecipient(1, 11, "a@example.com")->has_value());
  EXPECT_FALSE(directory().FindRecipient(1, 10, "b@example.com")->has_value());
}

TEST_F(DirectoryTest, NoLookupCrossesClients) {
  ClientSpec third = SampleClient(3);
  third.lists[0].id = 30;
  third.recipients = {{30, "c@example.com", {}, RecipientState::kActive}};
  third.mailings[0].id = 300;
  third.mailings[0].list_ids = {30};
  third.codes[0].list_id = 30;
  third.dkim_keys.clear();
  third.blocklist = {{"*@three.example", "three"}};
  ASSERT_TRUE(provisioner().Apply({third}).ok());
  EXPECT_FALSE(directory().FindList(1, 30)->has_value());
  EXPECT_FALSE(directory().FindList(3, 10)->has_value());
  EXPECT_FALSE(directory().FindMailing(1, 300)->has_value());
  EXPECT_FALSE(directory().FindMailing(3, 100)->has_value());
  EXPECT_FALSE(directory().FindRecipient(1, 30, "c@example.com")->has_value());
  EXPECT_FALSE(directory().FindRecipient(3, 10, "a@example.com")->has_value());
  EXPECT_TRUE(directory().FindDkimKeys(3)->empty());
  EXPECT_EQ((*directory().FindCode("hash-3"))->client_id, 3);
  EXPECT_FALSE(directory().CheckSuppression(1, 10, "x@three.example")->blocked);
  EXPECT_TRUE(directory().CheckSuppression(3, 30, "x@three.example")->blocked);
  EXPECT_FALSE(directory().CheckSuppression(3, 30, "x@spam.example")->blocked);
}

TEST_F(DirectoryTest, SuppressionBlocklistExactAndWildcards) {
  auto blocked = [&](std::string_view address) {
    Result<Suppression> s = directory().CheckSuppression(1, 10, address);
    EXPECT_TRUE(s.ok()) << s.status().ToString();
    return s.ok() && s->blocked;
  };
  EXPECT_TRUE(blocked("blocked@example.com"));  // stored from "Blocked@Example.com"
  EXPECT_TRUE(blocked("BLOCKED@example.COM"));
  EXPECT_FALSE(blocked("blocked2@example.com"));
  EXPECT_TRUE(blocked("anyone@spam.example"));
  EXPECT_TRUE(blocked("Anyone@SPAM.example"));
  EXPECT_FALSE(blocked("anyone@spam.example.org"));
  EXPECT_FALSE(blocked("a@example.com"));
  ClientSpec more = SampleClient(1);
  more.blocklist = {{"b?b@example.com", "single character"}};
  ASSERT_TRUE(provisioner().Apply({more}).ok());
  EXPECT_TRUE(blocked("bob@example.com"));
  EXPECT_FALSE(blocked("boob@example.com"));
  EXPECT_TRUE(blocked("blocked@example.com")) << "apply never deletes entries";
}

TEST_F(DirectoryTest, SuppressionUnsubscribedPerListAndClientWide) {
  ClientSpec spec = SampleClient(1);
  spec.recipients = {{10, "u@example.com", {}, RecipientState::kUnsubscribed},
                     {11, "u@example.com", {}, RecipientState::kActive}};
  ASSERT_TRUE(provisioner().Apply({spec}).ok());
  EXPECT_TRUE(directory().CheckSuppression(1, 10, "u@example.com")->unsubscribed);
  EXPECT_FALSE(directory().CheckSuppression(1, 11, "u@example.com")->unsubscribed);
  EXPECT_FALSE(directory().CheckSuppression(2, 10, "u@example.com")->unsubscribed);

  ExecSql("INSERT INTO unsubscribes (client_id, address) VALUES (2, 'w@example.com')");
  EXPECT_TRUE(directory().CheckSuppression(2, 10, "w@example.com")->unsubscribed);
  EXPECT_TRUE(directory().CheckSuppression(2, 11, "W@Example.com")->unsubscribed);
  EXPECT_TRUE(directory().CheckSuppression(2, 99, "w@example.com")->unsubscribed)
      << "client-wide covers every list";
  EXPECT_FALSE(directory().CheckSuppression(1, 10, "w@example.com")->unsubscribed);
}

TEST_F(DirectoryTest, SuppressionHardBounces) {
  ClientSpec spec = SampleClient(1);
  spec.bounces = {{"Bouncy@example.com", 2}};
  ASSERT_TRUE(provisioner().Apply({spec}).ok());
  Result<Suppression> s = directory().CheckSuppression(1, 10, "bouncy@example.com");
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->hard_bounces, 2);
  EXPECT_FALSE(s->blocked);
  EXPECT_FALSE(s->unsubscribed);
  EXPECT_EQ(directory().CheckSuppression(2, 10, "bouncy@example.com")->hard_bounces, 0);
  spec.bounces = {{"bouncy@example.com", 0}};
  ASSERT_TRUE(provisioner().Apply({spec}).ok());
  EXPECT_EQ(directory().CheckSuppression(1, 10, "bouncy@example.com")->hard_bounces, 0);
}

TEST_F(DirectoryTest, SuppressionOfAClientWithoutWildcards) {
  ClientSpec third = SampleClient(3);
  third.blocklist = {{"Exact@example.com", "manual"}};
  third.bounces = {{"exact@example.com", 1}};
  ASSERT_TRUE(provisioner().Apply({third}).ok());
  Result<Suppression> s = directory().CheckSuppression(3, 10, "EXACT@example.com");
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_TRUE(s->blocked);
  EXPECT_FALSE(s->unsubscribed);
  EXPECT_EQ(s->hard_bounces, 1);
  s = directory().CheckSuppression(3, 10, "other@spam.example");
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_FALSE(s->blocked) << "client 1's wildcard is not client 3's";
  EXPECT_EQ(s->hard_bounces, 0);
  s = directory().CheckSuppression(99, 10, "a@example.com");
  ASSERT_TRUE(s.ok()) << "an unknown client has nothing suppressed";
  EXPECT_FALSE(s->blocked || s->unsubscribed || s->hard_bounces > 0);
}

TEST_F(DirectoryTest, ConcurrentReadersShareThePoolWhileWritesGoOn) {
  std::atomic<int> failures{0};
  std::vector<std::thread> readers;
  for (int t = 0; t < 12; ++t) {  // more threads than connections
    readers.emplace_back([&] {
      for (int i = 0; i < 50; ++i) {
        Result<std::optional<Client>> client = directory().FindClient(1 + i % 2);
        if (!client.ok() || !client->has_value()) ++failures;
      }
    });
  }
  for (int i = 0; i < 20; ++i) {
    ClientSpec spec = SampleClient(1);
    spec.client.name = "name " + std::to_string(i);
    ASSERT_TRUE(provisioner().Apply({spec}).ok());
    EXPECT_EQ((*directory().FindClient(1))->name, spec.client.name) << "reads see commits";
  }
  for (std::thread& reader : readers) reader.join();
  EXPECT_EQ(failures.load(), 0);
}

TEST_F(DirectoryTest, LookupsAfterCloseAreUnavailable) {
  engine_->Close();
  Result<std::optional<Client>> client = directory().FindClient(1);
  ASSERT_FALSE(client.ok());
  EXPECT_TRUE(client.status().IsUnavailable()) << client.status().ToString();
}

}  // namespace
}  // namespace campaignd::store
