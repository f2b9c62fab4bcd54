// Catalog (catalog.h) on the engine the environment names: every test runs
// on SQLite and, as pg.*, on PostgreSQL.
#include "store/catalog.h"

#include <gtest/gtest.h>

#include "store/store_testutil.h"
#include "store/recipients.h"

namespace campaignd::store {
namespace {

class CatalogTest : public EngineTest {
 protected:
  void SetUp() override {
    EngineTest::SetUp();
    catalog_ = std::make_unique<Catalog>(engine_->runner());
  }
  void TearDown() override {
    catalog_.reset();
    EngineTest::TearDown();
  }
  Catalog& catalog() { return *catalog_; }

  template <typename T>
  static T Ok(Result<T> result) {
    EXPECT_TRUE(result.ok()) << result.status().ToString();
    return result.ok() ? std::move(*result) : T{};
  }

  std::unique_ptr<Catalog> catalog_;
};

TEST_F(CatalogTest, ClientsArePagedByIdAndCreatedWithTheNextFreeId) {
  std::vector<Client> first = Ok(catalog().ListClients({.after = "", .limit = 1}));
  ASSERT_EQ(first.size(), 1u);
  EXPECT_EQ(first[0].id, 1);
  std::vector<Client> rest = Ok(catalog().ListClients({.after = "1", .limit = 10}));
  ASSERT_EQ(rest.size(), 1u);
  EXPECT_EQ(rest[0].id, 2);
  EXPECT_FALSE(catalog().ListClients({.after = "x", .limit = 1}).ok());

  Client client{.id = 0, .name = "new", .transport = "file:out", .redirect_hosts = {"a.example"}};
  client.mail_id_secret = std::string("\0\x01secret", 8);
  EXPECT_EQ(Ok(catalog().CreateClient(client)), Change::kDone);
  EXPECT_EQ(client.id, 3);
  auto stored = Ok(directory().FindClient(3));
  ASSERT_TRUE(stored.has_value());
  EXPECT_EQ(stored->mail_id_secret, client.mail_id_secret);
  EXPECT_EQ(stored->redirect_hosts, client.redirect_hosts);
  Client again = client;
  EXPECT_EQ(Ok(catalog().CreateClient(again)), Change::kConflict);

  client.name = "renamed";
  client.rate_limit = 7;
  EXPECT_EQ(Ok(catalog().UpdateClient(client)), Change::kDone);
  EXPECT_EQ(Ok(directory().FindClient(3))->rate_limit, 7);
  client.id = 99;
  EXPECT_EQ(Ok(catalog().UpdateClient(client)), Change::kNotFound);
}

TEST_F(CatalogTest, ApiKeysAreFoundByHashAndDeletedPerClient) {
  ApiKey key{.client_id = 1, .id = 0, .name = "ci", .key_hash = "h1",
             .created_at = FromUnixMillis(1000)};
  EXPECT_EQ(Ok(catalog().CreateApiKey(key)), Change::kDone);
  EXPECT_EQ(key.id, 1);
  ApiKey other{.client_id = 2, .id = 0, .name = "", .key_hash = "h2"};
  EXPECT_EQ(Ok(catalog().CreateApiKey(other)), Change::kDone);
  ApiKey orphan{.client_id = 42, .id = 0, .name = "", .key_hash = "h3"};
  EXPECT_EQ(Ok(catalog().CreateApiKey(orphan)), Change::kNotFound);

  auto found = Ok(catalog().FindApiKey("h1"));
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->client_id, 1);
  EXPECT_EQ(found->created_at, FromUnixMillis(1000));
  EXPECT_FALSE(Ok(catalog().FindApiKey("nope")).has_value());
  EXPECT_EQ(Ok(catalog().ListApiKeys(1, {})).size(), 1u);
  EXPECT_EQ(other.id, key.id) << "ids count per client";
  EXPECT_EQ(Ok(catalog().DeleteApiKey(2, other.id)), Change::kDone);
  EXPECT_TRUE(Ok(catalog().FindApiKey("h1")).has_value()) << "client 1's key stays";
  EXPECT_EQ(Ok(catalog().DeleteApiKey(2, other.id)), Change::kNotFound);
  EXPECT_EQ(Ok(catalog().DeleteApiKey(1, key.id)), Change::kDone);
  EXPECT_FALSE(Ok(catalog().FindApiKey("h1")).has_value());
}

TEST_F(CatalogTest, ListsWithFieldsCreateUpdateAndDeleteOnlyWhenUnused) {
  RecipientList list{.client_id = 1, .id = 0, .name = "new", .kind = ListKind::kOptIn,
                     .test = true, .fields = {{"zip", "text"}, {"age", "int"}}};
  EXPECT_EQ(Ok(catalog().CreateList(list)), Change::kDone);
  EXPECT_EQ(list.id, 12);  // after the sample lists 10 and 11
  auto lists = Ok(catalog().ListLists(1, {.after = "10", .limit = 10}));
  ASSERT_EQ(lists.size(), 2u);
  EXPECT_EQ(lists[1].fields.size(), 2u);
  EXPECT_EQ(lists[1].fields[1].name, "age");
  EXPECT_TRUE(Ok(catalog().ListLists(3, {})).empty());
  EXPECT_EQ(Ok(catalog().CreateList(list)), Change::kConflict);

  list.fields = {{"age", "int"}};
  list.name = "changed";
  EXPECT_EQ(Ok(catalog().UpdateList(list)), Change::kDone);
  EXPECT_EQ(Ok(directory().FindList(1, 12))->fields.size(), 1u);
  EXPECT_EQ(Ok(directory().FindList(1, 12))->name, "changed");

  EXPECT_EQ(Ok(catalog().DeleteList(1, 10)), Change::kConflict);  // mailing 100 and code use it
  EXPECT_EQ(Ok(catalog().DeleteList(2, 12)), Change::kNotFound);
  EXPECT_EQ(Ok(catalog().DeleteList(1, 12)), Change::kDone);
  EXPECT_FALSE(Ok(directory().FindList(1, 12)).has_value());
}

TEST_F(CatalogTest, RecipientsUpsertInBatchesLastRowWinsAndPageByAddress) {
  std::vector<Recipient> batch;
  for (int i = 0; i < 450; ++i) {
    batch.push_back({10, "r" + std::to_string(1000 + i) + "@example.com",
                     {{"firstname", "n" + std::to_string(i)}}, RecipientState::kActive});
  }
  batch.push_back({10, "r1000@example.com", {{"firstname", "last"}}, RecipientState::kPending});
  EXPECT_EQ(Ok(catalog().UpsertRecipients(1, 10, batch)), Change::kDone);
  EXPECT_EQ(Ok(catalog().UpsertRecipients(1, 77, batch)), Change::kNotFound);
  auto first = Ok(directory().FindRecipient(1, 10, "r1000@example.com"));
  ASSERT_TRUE(first.has_value());
  EXPECT_EQ(first->fields.at("firstname"), "last");
  EXPECT_EQ(first->state, RecipientState::kPending);

  std::size_t seen = 0;
  PageRequest page{.after = "", .limit = 100};
  while (true) {
    auto rows = Ok(catalog().ListRecipients(1, 10, page));
    seen += rows.size();
    if (rows.size() < page.limit) break;
    page.after = rows.back().id;
  }
  EXPECT_EQ(seen, 451u);  // 450 + the sample a@example.com
  EXPECT_TRUE(Ok(catalog().ListRecipients(2, 10, {.after = "r", .limit = 10})).empty());
  EXPECT_EQ(Ok(catalog().DeleteRecipient(2, 10, "r1000@example.com")), Change::kNotFound);
  EXPECT_EQ(Ok(catalog().DeleteRecipient(1, 10, "r1000@example.com")), Change::kDone);
}

// Apply, the admin API and the recipient operations write the same rows
// (store/sql/records.h): each keeps the columns the others own.
TEST_F(CatalogTest, EachWriterKeepsTheColumnsTheOthersOwn) {
  ClientSpec spec = SampleClient(1);
  spec.client.attachments = true;
  ASSERT_TRUE(provisioner().Apply({spec}).ok());
  Client client = *Ok(directory().FindClient(1));
  client.name = "renamed by the admin API";
  client.attachments = false;  // the admin API's clients never carry it
  EXPECT_EQ(Ok(catalog().UpdateClient(client)), Change::kDone);
  EXPECT_TRUE(Ok(directory().FindClient(1))->attachments) << "the admin API has no say";
  EXPECT_EQ(Ok(directory().FindClient(1))->name, "renamed by the admin API");

  Recipient r{10, "a@example.com", {{"firstname", "Ann"}}, RecipientState::kPending};
  r.tracking_opt_out = true;
  r.optin_id = 7;
  r.optin_at = FromUnixMillis(1'700'000'000'000);
  r.optin_source = "Shop";
  ASSERT_TRUE(engine_->recipients().Write(1, {r.id}, [&](RecipientWrites& w) {
    return w.Put(r);
  }).ok());
  ASSERT_TRUE(provisioner().Apply({spec}).ok());  // fields and state: apply's
  Recipient admin{10, "a@example.com", {{"firstname", "Anna"}}, RecipientState::kActive};
  EXPECT_EQ(Ok(catalog().UpsertRecipients(1, 10, std::span(&admin, 1))), Change::kDone);
  auto read = Ok(engine_->recipients().FindRecipient(1, 10, "a@example.com"));
  ASSERT_TRUE(read.has_value());
  EXPECT_EQ(read->fields.at("firstname"), "Anna");
  EXPECT_EQ(read->state, RecipientState::kActive);
  EXPECT_TRUE(read->tracking_opt_out);
  EXPECT_EQ(read->optin_id, 7);
  EXPECT_EQ(read->optin_at, r.optin_at);
  EXPECT_EQ(read->optin_source, "Shop");
}

TEST_F(CatalogTest, MailingStatusChangesOnlyFromTheStoredStatus) {
  Mailing m;
  m.client_id = 1;
  m.name = "news";
  m.type = MailingType::kRegular;
  m.list_ids = {10, 11};
  m.subject = "S";
  EXPECT_EQ(Ok(catalog().CreateMailing(m)), Change::kDone);
  EXPECT_EQ(m.id, 101);
  EXPECT_EQ(Ok(directory().FindMailing(1, 101))->list_ids, (std::vector<int64_t>{10, 11}));
  m.subject = "changed";
  m.list_ids = {11};
  EXPECT_EQ(Ok(catalog().UpdateMailing(m)), Change::kDone);
  EXPECT_EQ(Ok(directory().FindMailing(1, 101))->subject, "changed");

  EXPECT_EQ(Ok(catalog().SetMailingStatus(1, 101, MailingStatus::kPaused, MailingStatus::kDone)),
            Change::kConflict);
  EXPECT_EQ(Ok(catalog().SetMailingStatus(1, 101, MailingStatus::kNew, MailingStatus::kSending)),
            Change::kDone);
  EXPECT_EQ(Ok(catalog().SetMailingStatus(2, 101, MailingStatus::kNew, MailingStatus::kSending)),
            Change::kNotFound);
  EXPECT_EQ(Ok(catalog().UpdateMailing(m)), Change::kConflict);  // SENDING
  EXPECT_EQ(Ok(catalog().DeleteMailing(1, 101)), Change::kConflict);
  EXPECT_EQ(Ok(directory().FindMailing(1, 101))->status, MailingStatus::kSending);
  auto page = Ok(catalog().ListMailings(1, {.after = "100", .limit = 5}));
  ASSERT_EQ(page.size(), 1u);
  EXPECT_EQ(page[0].id, 101);
}

TEST_F(CatalogTest, CodesBlocklistAndDkimKeysStayWithTheirClient) {
  AuthCode code;
  code.client_id = 1;
  code.name = "second";
  code.code_hash = "hash-new";
  code.list_id = 11;
  code.methods = {"POST"};
  EXPECT_EQ(Ok(catalog().CreateCode(code)), Change::kDone);
  EXPECT_EQ(Ok(catalog().CreateCode(code)), Change::kConflict);
  AuthCode same_hash = code;
  same_hash.name = "third";
  EXPECT_EQ(Ok(catalog().CreateCode(same_hash)), Change::kConflict);
  code.enabled = false;
  code.code_hash = "ignored";
  EXPECT_EQ(Ok(catalog().UpdateCode(code)), Change::kDone);
  auto stored = Ok(directory().FindCode("hash-new"));
  ASSERT_TRUE(stored.has_value());
  EXPECT_FALSE(stored->enabled);
  EXPECT_EQ(Ok(catalog().ListCodes(1, {})).size(), 2u);
  EXPECT_EQ(Ok(catalog().DeleteCode(2, "second")), Change::kNotFound);
  EXPECT_EQ(Ok(catalog().DeleteCode(1, "second")), Change::kDone);

  EXPECT_EQ(Ok(catalog().UpsertBlockEntry(1, {"*@bad.example", "why"})), Change::kDone);
  EXPECT_TRUE(Ok(directory().CheckSuppression(1, 10, "x@bad.example")).blocked);
  EXPECT_FALSE(Ok(directory().CheckSuppression(2, 10, "x@bad.example")).blocked);
  EXPECT_EQ(Ok(catalog().ListBlocklist(1, {})).size(), 3u);
  EXPECT_EQ(Ok(catalog().DeleteBlockEntry(2, "*@bad.example")), Change::kNotFound);
  EXPECT_EQ(Ok(catalog().DeleteBlockEntry(1, "*@bad.example")), Change::kDone);
  EXPECT_FALSE(Ok(directory().CheckSuppression(1, 10, "x@bad.example")).blocked);

  EXPECT_EQ(Ok(catalog().UpsertDkimKey(1, {"shop.example", "s2", "rsa-sha256", "PEM"})),
            Change::kDone);
  EXPECT_EQ(Ok(directory().FindDkimKeys(1)).size(), 2u);
  EXPECT_EQ(Ok(catalog().DeleteDkimKey(2, "shop.example", "s2")), Change::kNotFound);
  EXPECT_EQ(Ok(catalog().DeleteDkimKey(1, "shop.example", "s2")), Change::kDone);
}

TEST_F(CatalogTest, OptInProcessesNameAConfirmationMailingOfTheirClient) {
  Mailing confirm;
  confirm.client_id = 1;
  confirm.name = "confirm";
  confirm.type = MailingType::kConfirmation;
  confirm.list_ids = {10};
  ASSERT_EQ(Ok(catalog().CreateMailing(confirm)), Change::kDone);  // 101
  OptInProcess double_optin{.client_id = 1, .id = 0, .name = "newsletter",
                            .kind = OptInKind::kDouble, .mailing_id = confirm.id,
                            .confirmation_url = "https://shop.example/thanks"};
  EXPECT_EQ(Ok(catalog().CreateOptIn(double_optin)), Change::kDone);
  EXPECT_EQ(double_optin.id, 1);
  OptInProcess single{.client_id = 1, .id = 5, .name = "checkout", .kind = OptInKind::kSingle};
  EXPECT_EQ(Ok(catalog().CreateOptIn(single)), Change::kDone);
  EXPECT_EQ(Ok(catalog().CreateOptIn(single)), Change::kConflict);
  OptInProcess next{.client_id = 1, .id = 0, .name = "next", .kind = OptInKind::kSingle};
  EXPECT_EQ(Ok(catalog().CreateOptIn(next)), Change::kDone);
  EXPECT_EQ(next.id, 6);

  // What subscribe finds (store/recipients.h) is what the catalog wrote.
  auto found = Ok(engine_->recipients().FindOptIn(1, 1));
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->kind, OptInKind::kDouble);
  EXPECT_EQ(found->mailing_id, 101);
  EXPECT_EQ(found->confirmation_url, "https://shop.example/thanks");
  auto same = Ok(catalog().FindOptIn(1, 1));
  ASSERT_TRUE(same.has_value());
  EXPECT_EQ(same->name, "newsletter");
  EXPECT_FALSE(Ok(catalog().FindOptIn(2, 1)).has_value());

  auto page = Ok(catalog().ListOptIns(1, {.after = "", .limit = 2}));
  ASSERT_EQ(page.size(), 2u);
  EXPECT_EQ(page[1].id, 5);
  page = Ok(catalog().ListOptIns(1, {.after = "5", .limit = 2}));
  ASSERT_EQ(page.size(), 1u);
  EXPECT_EQ(page[0].id, 6);
  EXPECT_TRUE(Ok(catalog().ListOptIns(2, {})).empty());
  EXPECT_FALSE(catalog().ListOptIns(1, {.after = "x", .limit = 2}).ok());

  // A confirmed or double process needs a confirmation mailing of its client.
  OptInProcess no_mailing{.client_id = 1, .id = 0, .name = "x", .kind = OptInKind::kConfirmed};
  EXPECT_EQ(Ok(catalog().CreateOptIn(no_mailing)), Change::kInvalid);
  OptInProcess event_mailing = no_mailing;
  event_mailing.mailing_id = 100;  // type event
  EXPECT_EQ(Ok(catalog().CreateOptIn(event_mailing)), Change::kInvalid);
  OptInProcess foreign = double_optin;
  foreign.client_id = 2;  // client 2 has no mailing 101
  foreign.id = 0;
  EXPECT_EQ(Ok(catalog().CreateOptIn(foreign)), Change::kInvalid);
  OptInProcess orphan{.client_id = 42, .id = 0, .name = "x", .kind = OptInKind::kSingle};
  EXPECT_EQ(Ok(catalog().CreateOptIn(orphan)), Change::kNotFound);
  EXPECT_EQ(Ok(catalog().ListOptIns(1, {})).size(), 3u);

  single.kind = OptInKind::kDouble;
  EXPECT_EQ(Ok(catalog().UpdateOptIn(single)), Change::kInvalid);
  single.mailing_id = confirm.id;
  single.name = "checkout, double";
  EXPECT_EQ(Ok(catalog().UpdateOptIn(single)), Change::kDone);
  EXPECT_EQ(Ok(catalog().FindOptIn(1, 5))->kind, OptInKind::kDouble);
  EXPECT_EQ(Ok(catalog().FindOptIn(1, 5))->name, "checkout, double");
  single.client_id = 2;
  EXPECT_EQ(Ok(catalog().UpdateOptIn(single)), Change::kNotFound);

  EXPECT_EQ(Ok(catalog().DeleteOptIn(2, 5)), Change::kNotFound);
  EXPECT_EQ(Ok(catalog().DeleteOptIn(1, 5)), Change::kDone);
  EXPECT_EQ(Ok(catalog().DeleteOptIn(1, 5)), Change::kNotFound);
  EXPECT_FALSE(Ok(engine_->recipients().FindOptIn(1, 5)).has_value());
}

TEST_F(CatalogTest, MailSearchFiltersByRecipientMailingStatusAndTime) {
  for (int i = 0; i < 5; ++i) {
    NewMail mail{.client_id = i == 4 ? 2 : 1, .list_id = 10, .mailing_id = 100,
                 .recipient_id = i % 2 ? "odd@example.com" : "even@example.com",
                 .fields = {}, .created_at = FromUnixMillis(1000 * (i + 1))};
    ASSERT_TRUE(queue().Enqueue(mail).ok());
  }
  MailQuery all{.client_id = 1};
  auto mails = Ok(catalog().SearchMails(all));
  ASSERT_EQ(mails.size(), 4u);
  EXPECT_GT(mails[0].id, mails[1].id);  // newest first
  MailQuery odd{.client_id = 1, .recipient_id = "odd@example.com"};
  EXPECT_EQ(Ok(catalog().SearchMails(odd)).size(), 2u);
  MailQuery timed{.client_id = 1, .since = FromUnixMillis(2000), .until = FromUnixMillis(4000)};
  EXPECT_EQ(Ok(catalog().SearchMails(timed)).size(), 2u);
  MailQuery status{.client_id = 1, .status = MailStatus::kSent};
  EXPECT_TRUE(Ok(catalog().SearchMails(status)).empty());
  MailQuery mailing{.client_id = 1, .mailing_id = 100, .before = mails[1].id, .limit = 1};
  auto older = Ok(catalog().SearchMails(mailing));
  ASSERT_EQ(older.size(), 1u);
  EXPECT_EQ(older[0].id, mails[2].id);
  MailQuery other{.client_id = 2};
  EXPECT_EQ(Ok(catalog().SearchMails(other)).size(), 1u);
}

}  // namespace
}  // namespace campaignd::store
