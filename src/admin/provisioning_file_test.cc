#include "admin/provisioning_file.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "admin/admin_testutil.h"
#include "auth/code_hash.h"
#include "core/limits.h"

namespace campaignd::admin {
namespace {

constexpr char kFullFile[] = R"([[client]]
id = 1
name = "Shoe Store"
transport = "smtp://user:pass@relay.example.com:587?starttls=required"
redirect_hosts = ["WWW.example.com"]
bounce_limit = 5
rate_limit = 50
attachments = true
  [[client.dkim]]
  domain = "Example.com"
  selector = "s1"
  algorithm = "ed25519-sha256"
  private_key_file = "keys/s1.pem"
  [[client.list]]
  id = 100
  name = "Customers"
  kind = "standard"
  fields = [ { name = "firstname", type = "text" }, { name = "Orders", type = "int" },
             { name = "birthday", type = "date" }, { name = "vip", type = "bool" } ]
  [[client.list]]
  id = 300
  name = "Transactions"
  kind = "transaction"
  test = true
  [[client.recipient]]
  list = 100
  id = "John.Smith@Example.com"
  fields = { firstname = "John", orders = 3, birthday = 1990-05-01, VIP = true }
  [[client.recipient]]
  list = 100
  id = "gone@example.com"
  state = "unsubscribed"
  bounces = 2
  [[client.mailing]]
  id = 5000
  name = "order-confirmation"
  type = "event"
  status = "SENDING"
  lists = [100, 300]
  target_group = "orders >= 1"
  from = "Shoe Store <shop@example.com>"
  reply_to = "help@example.com"
  subject = "Thank you, {firstname}"
  text = "Hello {firstname|customer}, your order is on its way."
  html = "<p>Hello {firstname|customer}, your order is on its way.</p>"
  [[client.code]]
  code = "DHS45MDL2"
  list = 100
  operations = ["sendEventMail", "getsendstatus", "nop"]
  ips = ["127.0.0.0/8", "::1/128"]
  methods = ["post", "GET"]
  protocols = ["https"]
  [[client.code]]
  list = 100
  [[client.code]]
  name = "partner"
  list = 300
  enabled = false
  [[client.blocklist]]
  pattern = "*@Spam.example"
  reason = "spam trap"
  [[client.blocklist]]
  pattern = "bad@example.com"
[[client]]
id = 2
name = "Other"
transport = "file://outbox2"
)";

TEST_F(ProvisioningFileTest, FullFileClientsListsAndRecipients) {
  auto result = Parse(kFullFile);
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  ASSERT_EQ(result->clients.size(), 2u);
  const store::ClientSpec& c = result->clients[0];
  EXPECT_EQ(c.client.id, 1);
  EXPECT_EQ(c.client.name, "Shoe Store");
  EXPECT_EQ(c.client.transport, "smtp://user:pass@relay.example.com:587?starttls=required");
  EXPECT_EQ(c.client.redirect_hosts, std::vector<std::string>{"www.example.com"});
  EXPECT_EQ(c.client.bounce_limit, 5);
  EXPECT_FALSE(c.client.mail_id_secret.empty());
  EXPECT_NE(c.client.mail_id_secret, result->clients[1].client.mail_id_secret);
  EXPECT_EQ(result->clients[1].client.bounce_limit, 3);
  EXPECT_EQ(c.client.rate_limit, 50);
  EXPECT_TRUE(c.client.attachments);
  EXPECT_FALSE(result->clients[1].client.attachments) << "off by default";
  EXPECT_EQ(result->clients[1].client.rate_limit, 0) << "default: unlimited";

  ASSERT_EQ(c.dkim_keys.size(), 1u);
  EXPECT_EQ(c.dkim_keys[0].domain, "example.com");
  EXPECT_EQ(c.dkim_keys[0].selector, "s1");
  EXPECT_EQ(c.dkim_keys[0].algorithm, "ed25519-sha256");
  EXPECT_EQ(c.dkim_keys[0].private_key_pem, kTestKeyPem);

  ASSERT_EQ(c.lists.size(), 2u);
  EXPECT_EQ(c.lists[0].client_id, 1);
  EXPECT_EQ(c.lists[0].kind, store::ListKind::kStandard);
  ASSERT_EQ(c.lists[0].fields.size(), 4u);
  EXPECT_EQ(c.lists[0].fields[1].name, "orders");
  EXPECT_EQ(c.lists[0].fields[1].type, "int");
  EXPECT_EQ(c.lists[1].kind, store::ListKind::kTransaction);
  EXPECT_TRUE(c.lists[1].test);

  ASSERT_EQ(c.recipients.size(), 2u);
  EXPECT_EQ(c.recipients[0].list_id, 100);
  EXPECT_EQ(c.recipients[0].id, "john.smith@example.com");
  EXPECT_EQ(
      c.recipients[0].fields,
      (FieldValues{
          {"firstname", "John"}, {"orders", "3"}, {"birthday", "1990-05-01"}, {"vip", "true"}}));
  EXPECT_EQ(c.recipients[0].state, store::RecipientState::kActive);
  EXPECT_EQ(c.recipients[1].state, store::RecipientState::kUnsubscribed);
  EXPECT_EQ(c.bounces, (std::vector<std::pair<std::string, int>>{{"gone@example.com", 2}}));
}

TEST_F(ProvisioningFileTest, FullFileMailingsCodesAndBlocklist) {
  auto result = Parse(kFullFile);
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  const store::ClientSpec& c = result->clients[0];
  ASSERT_EQ(c.mailings.size(), 1u);
  const store::Mailing& m = c.mailings[0];
  EXPECT_EQ(m.client_id, 1);
  EXPECT_EQ(m.id, 5000);
  EXPECT_EQ(m.type, store::MailingType::kEvent);
  EXPECT_EQ(m.status, store::MailingStatus::kSending);
  EXPECT_EQ(m.list_ids, (std::vector<int64_t>{100, 300}));
  EXPECT_EQ(m.target_group, "orders >= 1");
  EXPECT_EQ(m.from, "Shoe Store <shop@example.com>");
  EXPECT_EQ(m.reply_to, "help@example.com");
  EXPECT_EQ(m.subject, "Thank you, {firstname}");

  ASSERT_EQ(c.codes.size(), 3u);
  EXPECT_EQ(c.codes[0].code_hash, auth::HashCode("DHS45MDL2"));
  EXPECT_EQ(c.codes[0].name, "list100-code1");
  EXPECT_EQ(c.codes[0].operations,
            (std::vector<std::string>{"getsendstatus", "nop", "sendeventmail"}));
  EXPECT_EQ(c.codes[0].ips, (std::vector<std::string>{"127.0.0.0/8", "::1/128"}));
  EXPECT_EQ(c.codes[0].methods, (std::vector<std::string>{"GET", "POST"}));
  EXPECT_EQ(c.codes[0].protocols, std::vector<std::string>{"https"});
  EXPECT_TRUE(c.codes[0].enabled);
  EXPECT_EQ(c.codes[1].name, "list100-code2");
  EXPECT_TRUE(c.codes[1].operations.empty());
  EXPECT_EQ(c.codes[2].name, "partner");
  EXPECT_EQ(c.codes[2].list_id, 300);
  EXPECT_FALSE(c.codes[2].enabled);

  ASSERT_EQ(result->generated_codes.size(), 2u);
  const GeneratedCode& g = result->generated_codes[0];
  EXPECT_EQ(g.client_id, 1);
  EXPECT_EQ(g.list_id, 100);
  EXPECT_EQ(g.name, "list100-code2");
  EXPECT_TRUE(auth::IsValidCode(g.code));
  EXPECT_EQ(c.codes[1].code_hash, auth::HashCode(g.code));
  EXPECT_EQ(result->generated_codes[1].name, "partner");

  ASSERT_EQ(c.blocklist.size(), 2u);
  EXPECT_EQ(c.blocklist[0].pattern, "*@spam.example");
  EXPECT_EQ(c.blocklist[0].reason, "spam trap");
  EXPECT_EQ(c.blocklist[1].reason, "provisioning");
}

TEST_F(ProvisioningFileTest, CodesAreGeneratedOnlyForNewNames) {
  db_.code_names[1] = {"list100-code1", "partner"};
  auto result = Parse(std::string(kHeader) + R"(  [[client.code]]
  list = 100
  [[client.code]]
  list = 100
  [[client.code]]
  name = "partner"
  list = 100
)");
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  const auto& codes = result->clients[0].codes;
  ASSERT_EQ(codes.size(), 3u);
  EXPECT_EQ(codes[0].name, "list100-code1");
  EXPECT_EQ(codes[0].code_hash, "");  // stored: the store keeps its hash
  EXPECT_EQ(codes[2].name, "partner");
  EXPECT_EQ(codes[2].code_hash, "");
  ASSERT_EQ(result->generated_codes.size(), 1u);
  EXPECT_EQ(result->generated_codes[0].name, "list100-code2");
  EXPECT_EQ(codes[1].code_hash, auth::HashCode(result->generated_codes[0].code));
}

TEST_F(ProvisioningFileTest, ListsInTheDatabaseCanBeReferred) {
  store::RecipientList stored;
  stored.client_id = 1;
  stored.id = 200;
  stored.fields = {{"score", "decimal"}};
  db_.lists[{1, 200}] = stored;
  auto ok = Parse(std::string(kHeader) + R"(  [[client.recipient]]
  list = 200
  id = "a@example.com"
  fields = { score = 1.5 }
)");
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_EQ(ok->clients[0].recipients[0].fields, (FieldValues{{"score", "1.5"}}));
  EXPECT_EQ(Errors(R"(  [[client.recipient]]
  list = 200
  id = "a@example.com"
  fields = { score = "high" }
)"),
            "p.toml:12: fields.score: expected a number like 19.90 (field type decimal)");
}

// The field-value rules of core/field_value.h (docs/decisions/0016) in the
// provisioning file, for TOML strings and TOML's own types: the stored text,
// or the problem reported for the line.
TEST_F(ProvisioningFileTest, FieldValuesFollowTheOneSetOfFieldRules) {
  store::RecipientList stored;
  stored.client_id = 1;
  stored.id = 200;
  stored.fields = {{"t", "text"}, {"n", "int"},    {"d", "decimal"},
                   {"b", "bool"}, {"day", "date"}, {"at", "datetime"}};
  db_.lists[{1, 200}] = stored;
  auto value = [&](const std::string& field, const std::string& toml) -> std::string {
    auto result = Parse(std::string(kHeader) + "  [[client.recipient]]\n  list = 200\n" +
                        "  id = \"a@example.com\"\n  fields = { " + field + " = " + toml + " }\n");
    if (!result.ok()) return result.status().message();
    return result->clients[0].recipients[0].fields.at(field);
  };
  const std::string line = "p.toml:12: fields.";
  EXPECT_EQ(value("t", "\"John\""), "John");
  EXPECT_EQ(value("t", "3"), line + "t: expected a string (field type text)");
  EXPECT_EQ(value("n", "-12"), "-12");
  EXPECT_EQ(value("n", "\"+7\""), "7");
  EXPECT_EQ(value("n", "4.5"), line + "n: expected an integer (field type int)");
  EXPECT_EQ(value("n", "\"99999999999999999999\""),
            line + "n: expected an integer (field type int)");
  EXPECT_EQ(value("n", "true"), line + "n: expected an integer (field type int)");
  EXPECT_EQ(value("d", "19.99"), "19.99");
  EXPECT_EQ(value("d", "3"), "3");
  EXPECT_EQ(value("d", "\"-0.50\""), "-0.50");
  EXPECT_EQ(value("d", "inf"), line + "d: expected a number like 19.90 (field type decimal)");
  EXPECT_EQ(value("b", "true"), "true");
  EXPECT_EQ(value("b", "\"false\""), "false");
  EXPECT_EQ(value("b", "\"yes\""), line + "b: expected true or false (field type bool)");
  EXPECT_EQ(value("b", "1"), line + "b: expected true or false (field type bool)");
  EXPECT_EQ(value("day", "1990-05-01"), "1990-05-01");
  EXPECT_EQ(value("day", "\"2024-02-29\""), "2024-02-29");
  EXPECT_EQ(value("day", "\"2024-02-31\""),
            line + "day: expected a date YYYY-MM-DD (field type date)");
  EXPECT_EQ(value("day", "1990-05-01T10:00:00Z"),
            line + "day: expected a date YYYY-MM-DD (field type date)");
  const std::string datetime =
      line + "at: expected a date-time like 2024-05-01T12:30:00Z (field type datetime)";
  EXPECT_EQ(value("at", "2024-05-01T12:30:00Z"), "2024-05-01T12:30:00Z");
  EXPECT_EQ(value("at", "2024-05-01T12:30:00+02:00"), "2024-05-01T12:30:00+02:00");
  EXPECT_EQ(value("at", "\"2024-05-01 12:30\""), "2024-05-01T12:30");
  EXPECT_EQ(value("at", "\"2024-05-01t12:30:59.5z\""), datetime);  // no fractional seconds
  EXPECT_EQ(value("at", "2024-05-01T12:30:59.5Z"), datetime);
  EXPECT_EQ(value("at", "\"2024-05-01T24:00\""), datetime);
  EXPECT_EQ(value("at", "2024-05-01"), datetime);
  for (auto f : {"t", "n", "d", "b", "day", "at"}) EXPECT_EQ(value(f, "\"\""), "") << f;
  EXPECT_EQ(value("t", "\"" + std::string(limits::kMaxFieldValueBytes + 1, 'x') + "\""),
            line + "t: longer than " + std::to_string(limits::kMaxFieldValueBytes) + " bytes");
}

TEST_F(ProvisioningFileTest, DatabaseFailuresKeepTheirStatus) {
  db_.failure = Status::Unavailable("database is locked");
  auto result = Parse(std::string(kHeader) + "  [[client.code]]\n  list = 100\n");
  ASSERT_FALSE(result.ok());
  EXPECT_TRUE(result.status().IsUnavailable()) << result.status().ToString();
  auto list = Parse(std::string(kHeader) + "  [[client.code]]\n  list = 999\n");
  EXPECT_TRUE(list.status().IsUnavailable()) << list.status().ToString();
}

TEST_F(ProvisioningFileTest, CodeInUseElsewhereIsRefused) {
  store::AuthCode other;
  other.client_id = 7;
  other.name = "theirs";
  db_.codes[auth::HashCode("SHARED-CODE")] = other;
  EXPECT_EQ(Errors("  [[client.code]]\n  code = \"SHARED-CODE\"\n  list = 100\n"),
            "p.toml:9: code: already in use by client 7 code 'theirs'");
  other.client_id = 1;
  other.name = "list100-code1";
  db_.codes[auth::HashCode("SHARED-CODE")] = other;
  EXPECT_EQ(Errors("  [[client.code]]\n  code = \"SHARED-CODE\"\n  list = 100\n"), "");
}

TEST_F(ProvisioningFileTest, LoadReadsTheFileAndResolvesKeysBesideIt) {
  const auto file = dir_ / "demo.toml";
  std::ofstream(file) << kFullFile;
  auto result = LoadProvisioningFile(file, db_.Records());
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(result->clients[0].dkim_keys[0].private_key_pem, kTestKeyPem);
  auto missing = LoadProvisioningFile(dir_ / "nope.toml", db_.Records());
  EXPECT_EQ(missing.status().message(),
            "cannot read " + (dir_ / "nope.toml").string() + ": No such file or directory");
  auto syntax = ParseProvisioning("[[client]\n", "p.toml", dir_, db_.Records());
  EXPECT_EQ(syntax.status().message().rfind("p.toml:1:", 0), 0u) << syntax.status().message();
}

TEST(ProvisioningExampleTest, DemoFileIsValid) {
  Database empty;
  auto demo = LoadProvisioningFile(std::filesystem::path(CAMPAIGND_EXAMPLES_DIR) / "demo.toml",
                                   empty.Records());
  ASSERT_TRUE(demo.ok()) << demo.status().ToString();
  ASSERT_EQ(demo->clients.size(), 1u);
  const store::ClientSpec& c = demo->clients[0];
  EXPECT_EQ(c.client.name, "Demo Shop");
  EXPECT_EQ(c.client.transport, "file:outbox");
  ASSERT_EQ(c.dkim_keys.size(), 1u);
  EXPECT_EQ(c.recipients.at(0).id, "john.smith@example.com");
  EXPECT_EQ(c.mailings.at(0).id, 5000);
  EXPECT_EQ(c.mailings.at(0).status, store::MailingStatus::kSending);
  ASSERT_EQ(c.codes.size(), 1u);
  EXPECT_EQ(c.codes[0].code_hash, auth::HashCode("DEMO-CODE-1234"));
  EXPECT_EQ(c.codes[0].ips, (std::vector<std::string>{"127.0.0.0/8", "::1/128"}));
  EXPECT_TRUE(demo->generated_codes.empty());
}

}  // namespace
}  // namespace campaignd::admin
