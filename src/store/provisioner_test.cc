// Provisioner::Apply rules, on the engine the environment names.
#include <gtest/gtest.h>

#include "store/store_testutil.h"

namespace campaignd::store {
namespace {

using ProvisionerTest = EngineTest;

TEST_F(ProvisionerTest, ReapplyIsIdempotent) {
  const char* kTables[] = {"clients",  "dkim_keys", "lists", "list_fields", "recipients",
                           "mailings", "mailing_lists", "codes", "blocklist", "bounces"};
  std::vector<int64_t> before;
  for (const char* table : kTables) {
    before.push_back(QueryInt(std::string("SELECT count(*) FROM ") + table));
  }
  ASSERT_TRUE(provisioner().Apply({SampleClient(1), SampleClient(2)}).ok());
  for (std::size_t i = 0; i < std::size(kTables); ++i) {
    EXPECT_EQ(QueryInt(std::string("SELECT count(*) FROM ") + kTables[i]),
              before[i])
        << kTables[i];
  }
  EXPECT_EQ((*directory().FindList(1, 10))->fields.size(), 2u);
}

TEST_F(ProvisionerTest, UpdatesRecordsAndReplacesFieldsAndAssignments) {
  ClientSpec spec = SampleClient(1);
  spec.client.name = "renamed";
  spec.client.bounce_limit = 5;
  spec.lists[0].name = "news";
  spec.lists[0].fields = {{"Orders", "int"}, {"country", "text"}};
  spec.recipients[0].fields = {{"orders", "4"}};
  spec.recipients[0].state = RecipientState::kPending;
  spec.mailings[0].status = MailingStatus::kPaused;
  spec.mailings[0].list_ids = {11, 10};
  spec.blocklist = {{"*@spam.example", "still spam"}};
  ASSERT_TRUE(provisioner().Apply({spec}).ok());

  EXPECT_EQ((*directory().FindClient(1))->name, "renamed");
  EXPECT_EQ((*directory().FindClient(1))->bounce_limit, 5);
  RecipientList list = **directory().FindList(1, 10);
  EXPECT_EQ(list.name, "news");
  ASSERT_EQ(list.fields.size(), 2u);
  EXPECT_EQ(list.fields[0].name, "orders");  // names are stored lower-case
  EXPECT_EQ(list.fields[1].name, "country");
  Recipient r = **directory().FindRecipient(1, 10, "a@example.com");
  EXPECT_EQ(r.fields, (FieldValues{{"orders", "4"}})) << "fields replaced, not merged";
  EXPECT_EQ(r.state, RecipientState::kPending);
  Mailing m = **directory().FindMailing(1, 100);
  EXPECT_EQ(m.status, MailingStatus::kPaused);
  EXPECT_EQ(m.list_ids, (std::vector<int64_t>{10, 11}));
  spec.mailings[0].list_ids = {11};
  ASSERT_TRUE(provisioner().Apply({spec}).ok());
  EXPECT_EQ((*directory().FindMailing(1, 100))->list_ids, std::vector<int64_t>{11});
  EXPECT_EQ((*directory().FindClient(2))->name, "client 2") << "other clients untouched";
}

TEST_F(ProvisionerTest, SecretIsKeptOnReapply) {
  ClientSpec spec = SampleClient(1);
  spec.client.mail_id_secret = "another secret";
  ASSERT_TRUE(provisioner().Apply({spec}).ok());
  EXPECT_EQ((*directory().FindClient(1))->mail_id_secret, "secret-of-1");
  spec.client.mail_id_secret.clear();
  ASSERT_TRUE(provisioner().Apply({spec}).ok());
  EXPECT_EQ((*directory().FindClient(1))->mail_id_secret, "secret-of-1");
}

TEST_F(ProvisionerTest, NewClientNeedsASecret) {
  ClientSpec spec = SampleClient(5);
  spec.client.mail_id_secret.clear();
  Status status = provisioner().Apply({spec});
  ASSERT_TRUE(status.IsInvalidArgument()) << status.ToString();
  EXPECT_NE(status.message().find("client 5"), std::string::npos) << status.message();
  EXPECT_FALSE(directory().FindClient(5)->has_value());
}

TEST_F(ProvisionerTest, BinarySecretRoundTrips) {
  ClientSpec spec = SampleClient(6);
  spec.client.mail_id_secret = std::string("\0\x01\xff\x00z", 5);
  spec.codes[0].code_hash = "hash-6";
  ASSERT_TRUE(provisioner().Apply({spec}).ok());
  EXPECT_EQ((*directory().FindClient(6))->mail_id_secret, spec.client.mail_id_secret);
}

TEST_F(ProvisionerTest, CodeHashReplacedOnlyWhenGiven) {
  ClientSpec spec = SampleClient(1);
  spec.codes[0].code_hash = "";
  spec.codes[0].operations = {"sendeventmail", "getsendstatus"};
  spec.codes[0].enabled = false;
  ASSERT_TRUE(provisioner().Apply({spec}).ok());
  AuthCode kept = **directory().FindCode("hash-1");
  EXPECT_EQ(kept.operations, (std::vector<std::string>{"sendeventmail", "getsendstatus"}));
  EXPECT_FALSE(kept.enabled);

  spec.codes[0].code_hash = "hash-1-new";
  ASSERT_TRUE(provisioner().Apply({spec}).ok());
  EXPECT_FALSE(directory().FindCode("hash-1")->has_value());
  EXPECT_EQ((*directory().FindCode("hash-1-new"))->name, "main");
  EXPECT_EQ(*provisioner().CodeNames(1), std::vector<std::string>{"main"});
}

TEST_F(ProvisionerTest, NewCodeNeedsAHash) {
  ClientSpec spec = SampleClient(1);
  AuthCode extra = spec.codes[0];
  extra.name = "extra";
  extra.code_hash = "";
  spec.codes.push_back(extra);
  Status status = provisioner().Apply({spec});
  ASSERT_TRUE(status.IsInvalidArgument()) << status.ToString();
  EXPECT_NE(status.message().find("code 'extra'"), std::string::npos) << status.message();
}

TEST_F(ProvisionerTest, CodeNamesPerClient) {
  ClientSpec spec = SampleClient(1);
  AuthCode extra = spec.codes[0];
  extra.name = "api";
  extra.code_hash = "hash-api";
  spec.codes.push_back(extra);
  ASSERT_TRUE(provisioner().Apply({spec}).ok());
  EXPECT_EQ(*provisioner().CodeNames(1), (std::vector<std::string>{"api", "main"}));
  EXPECT_EQ(*provisioner().CodeNames(2), std::vector<std::string>{"main"});
  EXPECT_TRUE(provisioner().CodeNames(9)->empty());
}

TEST_F(ProvisionerTest, AllOrNothingAcrossClients) {
  ClientSpec good = SampleClient(1);
  good.client.name = "must not be saved";
  good.recipients.push_back({10, "new@example.com", {}, RecipientState::kActive});
  ClientSpec bad = SampleClient(7);
  bad.codes[0].code_hash = "hash-7";
  bad.recipients.push_back({99, "x@example.com", {}, RecipientState::kActive});  // no list 99
  Status status = provisioner().Apply({good, bad});
  ASSERT_TRUE(status.IsInvalidArgument()) << status.ToString();
  EXPECT_NE(status.message().find("client 7: recipient x@example.com of list 99"),
            std::string::npos)
      << status.message();
  EXPECT_EQ((*directory().FindClient(1))->name, "client 1");
  EXPECT_FALSE(directory().FindRecipient(1, 10, "new@example.com")->has_value());
  EXPECT_FALSE(directory().FindClient(7)->has_value());
  EXPECT_FALSE(directory().FindCode("hash-7")->has_value());
}

TEST_F(ProvisionerTest, ConstraintViolationsAreInvalidArgument) {
  ClientSpec taken = SampleClient(1);
  taken.codes[0].name = "second";
  taken.codes[0].code_hash = "hash-2";  // client 2's code
  EXPECT_TRUE(provisioner().Apply({taken}).IsInvalidArgument());

  ClientSpec foreign = SampleClient(1);
  foreign.lists[0].client_id = 2;
  Status status = provisioner().Apply({foreign});
  EXPECT_TRUE(status.IsInvalidArgument()) << status.ToString();

  ClientSpec bad_mailing = SampleClient(1);
  bad_mailing.mailings[0].list_ids = {42};
  EXPECT_TRUE(provisioner().Apply({bad_mailing}).IsInvalidArgument());

  ClientSpec bad_field = SampleClient(1);
  bad_field.lists[0].fields = {{"x", "blob"}};
  EXPECT_TRUE(provisioner().Apply({bad_field}).IsInvalidArgument());

  ClientSpec no_id = SampleClient(0);
  EXPECT_TRUE(provisioner().Apply({no_id}).IsInvalidArgument());
  EXPECT_EQ((*directory().FindList(1, 10))->fields.size(), 2u) << "nothing changed";
}

}  // namespace
}  // namespace campaignd::store
