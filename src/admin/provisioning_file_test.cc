#include "admin/provisioning_file.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>

#include "auth/code_hash.h"
#include "core/address.h"

namespace campaignd::admin {
namespace {

// A throwaway Ed25519 key for these tests only.
constexpr char kTestKeyPem[] =
    "-----BEGIN PRIVATE KEY-----\n"
    "MC4CAQAwBQYDK2VwBCIEIMcikpSD6j7z2+xj72UwP10bt+2PU+++V60snbRHAjU9\n"
    "-----END PRIVATE KEY-----\n";

// Lines 1-8 of every file below: client 1 with list 100.
constexpr char kHeader[] = R"([[client]]
id = 1
name = "Shoe Store"
transport = "file:outbox"
  [[client.list]]
  id = 100
  name = "Customers"
  fields = [ { name = "firstname", type = "text" }, { name = "Orders", type = "int" } ]
)";

// What the "database" holds in these tests: plain maps behind the callbacks.
struct Database {
  std::map<std::pair<int64_t, int64_t>, store::RecipientList> lists;
  std::map<int64_t, std::vector<std::string>> code_names;
  std::map<std::string, store::AuthCode> codes;  // by hash
  Status failure;                                // returned by every lookup when set

  ExistingRecords Records() {
    ExistingRecords r;
    r.find_list = [this](int64_t c, int64_t l) -> Result<std::optional<store::RecipientList>> {
      if (!failure.ok()) return failure;
      auto it = lists.find({c, l});
      if (it == lists.end()) return std::optional<store::RecipientList>();
      return std::optional(it->second);
    };
    r.code_names = [this](int64_t c) -> Result<std::vector<std::string>> {
      if (!failure.ok()) return failure;
      return code_names[c];
    };
    r.find_code = [this](const std::string& hash) -> Result<std::optional<store::AuthCode>> {
      if (!failure.ok()) return failure;
      auto it = codes.find(hash);
      if (it == codes.end()) return std::optional<store::AuthCode>();
      return std::optional(it->second);
    };
    return r;
  }
};

class ProvisioningFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("admin_provisioning_test_" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_ / "keys");
    std::ofstream(dir_ / "keys" / "s1.pem") << kTestKeyPem;
    std::ofstream(dir_ / "keys" / "garbage.pem") << "not a key";
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  Result<Provisioning> Parse(std::string_view text) {
    return ParseProvisioning(text, "p.toml", dir_, db_.Records());
  }
  // The problems reported for kHeader + `body`, or "" when it is valid.
  std::string Errors(std::string_view body) {
    auto result = Parse(std::string(kHeader) + std::string(body));
    if (result.ok()) return "";
    EXPECT_TRUE(result.status().IsInvalidArgument()) << result.status().ToString();
    return result.status().message();
  }

  std::filesystem::path dir_;
  Database db_;
};

constexpr char kFullFile[] = R"([[client]]
id = 1
name = "Shoe Store"
transport = "smtp://user:pass@relay.example.com:587?starttls=required"
redirect_hosts = ["WWW.example.com"]
bounce_limit = 5
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

TEST_F(ProvisioningFileTest, FullFileBecomesClientSpecs) {
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
  EXPECT_EQ(c.recipients[0].fields, (FieldValues{{"firstname", "John"},
                                                 {"orders", "3"},
                                                 {"birthday", "1990-05-01"},
                                                 {"vip", "true"}}));
  EXPECT_EQ(c.recipients[0].state, store::RecipientState::kActive);
  EXPECT_EQ(c.recipients[1].state, store::RecipientState::kUnsubscribed);
  EXPECT_EQ(c.bounces, (std::vector<std::pair<std::string, int>>{{"gone@example.com", 2}}));

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

TEST_F(ProvisioningFileTest, ClientLevelErrors) {
  EXPECT_EQ(Parse("").status().message(), "p.toml: no [[client]] section");
  EXPECT_EQ(Parse("[client]\nid = 1\n").status().message(),
            "p.toml:1: client: expected [[client]] sections");
  EXPECT_EQ(Parse("title = \"x\"\n[[client]]\nid = 1\nname = \"a\"\ntransport = \"file:o\"\n")
                .status()
                .message(),
            "p.toml:1: unknown key 'title' in the file (only [[client]] sections belong at the "
            "top)");
  EXPECT_EQ(Parse("[[client]]\nid = 0\nname = \"a\"\ntransport = \"file:o\"\n").status().message(),
            "p.toml:2: id: expected a positive integer ID");
  EXPECT_EQ(Parse("[[client]]\nid = 1\ntransport = \"file:o\"\n").status().message(),
            "p.toml:1: name: missing (a string is required)");
  EXPECT_EQ(Errors("[[client]]\nid = 1\nname = \"b\"\ntransport = \"file:o\"\n"),
            "p.toml:10: id: duplicate client 1 (first at line 2)");
  const auto client_key = [this](std::string_view line) {
    auto r = Parse("[[client]]\nid = 1\nname = \"a\"\ntransport = \"file:o\"\n" +
                   std::string(line) + "\n");
    return r.ok() ? std::string("OK") : r.status().message();
  };
  EXPECT_EQ(client_key("bounce_limit = 0"), "p.toml:5: bounce_limit: expected a positive integer");
  EXPECT_EQ(client_key("redirect_hosts = [\"https://x.example\"]"),
            "p.toml:5: redirect_hosts: 'https://x.example' is not a host name like "
            "www.example.com");
  EXPECT_EQ(client_key("list = 5"), "p.toml:5: list: expected [[client.list]] sections");
  EXPECT_EQ(client_key("naem = \"x\""),
            "p.toml:5: unknown key 'naem' in [[client]] (did you mean 'name'?)");
}

TEST_F(ProvisioningFileTest, TransportErrors) {
  const auto transport = [this](std::string_view t) {
    auto r = Parse("[[client]]\nid = 1\nname = \"a\"\ntransport = \"" + std::string(t) + "\"\n");
    return r.ok() ? std::string("OK") : r.status().message();
  };
  const std::string expected =
      "expected file:DIR, file://DIR, smtp://[USER:PASS@]HOST[:PORT] or smtps://...";
  EXPECT_EQ(transport("file:"), "p.toml:4: transport: a file transport needs a directory: " + expected);
  EXPECT_EQ(transport("file://"), "p.toml:4: transport: a file transport needs a directory: " + expected);
  EXPECT_EQ(transport("http://relay"), "p.toml:4: transport: " + expected);
  EXPECT_EQ(transport("relay.example.com"), "p.toml:4: transport: " + expected);
  EXPECT_EQ(transport("smtp:///path"), "p.toml:4: transport: an SMTP transport needs a host: " + expected);
  EXPECT_EQ(transport("smtps://relay:0"), "p.toml:4: transport: '0' is not a port number");
  EXPECT_EQ(transport("smtps://u:p@relay.example.com:465"), "OK");
}

TEST_F(ProvisioningFileTest, ListErrors) {
  EXPECT_EQ(Errors("  [[client.list]]\n  id = 100\n  name = \"again\"\n"),
            "p.toml:10: id: duplicate list 100 (first at line 6)");
  EXPECT_EQ(Errors("  [[client.list]]\n  id = 101\n  name = \"x\"\n  kind = \"promo\"\n"),
            "p.toml:12: kind: expected standard, optin or transaction");
  EXPECT_EQ(Errors("  [[client.list]]\n  id = 101\n  name = \"x\"\n"
                   "  fields = [ { name = \"a\", type = \"string\" } ]\n"),
            "p.toml:12: type: expected text, int, decimal, bool, date or datetime");
  EXPECT_EQ(Errors("  [[client.list]]\n  id = 101\n  name = \"x\"\n"
                   "  fields = [ { name = \"bmMailId\" } ]\n"),
            "p.toml:12: name: 'bmMailId': names starting with 'bm' are reserved for the API");
  EXPECT_EQ(Errors("  [[client.list]]\n  id = 101\n  name = \"x\"\n"
                   "  fields = [ { name = \"first name\" } ]\n"),
            "p.toml:12: name: 'first name' is not a field name (a letter, then letters, digits, _)");
  EXPECT_EQ(Errors("  [[client.list]]\n  id = 101\n  name = \"x\"\n"
                   "  fields = [ { name = \"a\" }, { name = \"A\" } ]\n"),
            "p.toml:12: name: duplicate field 'A'");
  EXPECT_EQ(Errors("  [[client.list]]\n  id = 101\n  name = \"x\"\n  fields = [\"a\"]\n"),
            "p.toml:12: fields: expected { name = \"...\", type = \"...\" }");
}

TEST_F(ProvisioningFileTest, RecipientErrors) {
  EXPECT_EQ(Errors("  [[client.recipient]]\n  list = 100\n  id = \"not-an-address\"\n")
                .rfind("p.toml:11: id: 'not-an-address' is not a valid address: ", 0),
            0u);
  EXPECT_EQ(Errors("  [[client.recipient]]\n  list = 999\n  id = \"a@example.com\"\n"),
            "p.toml:10: list: no list 999 in client 1 (neither in this file nor in the database)");
  EXPECT_EQ(Errors("  [[client.recipient]]\n  list = 100\n  id = \"a@example.com\"\n"
                   "  fields = { orders = \"many\" }\n"),
            "p.toml:12: fields.orders: expected an integer (field type int)");
  EXPECT_EQ(Errors("  [[client.recipient]]\n  list = 100\n  id = \"a@example.com\"\n"
                   "  fields = { lastname = \"Smith\" }\n"),
            "p.toml:12: fields.lastname: list 100 has no such field (fields: firstname, orders)");
  EXPECT_EQ(Errors("  [[client.recipient]]\n  list = 100\n  id = \"a@example.com\"\n"
                   "  state = \"pending\"\n"),
            "p.toml:12: state: expected active or unsubscribed");
  EXPECT_EQ(Errors("  [[client.recipient]]\n  list = 100\n  id = \"a@example.com\"\n"
                   "  bounces = -1\n"),
            "p.toml:12: bounces: expected a count >= 0");
  EXPECT_EQ(Errors("  [[client.recipient]]\n  list = 100\n  id = \"a@example.com\"\n"
                   "  [[client.recipient]]\n  list = 100\n  id = \"A@Example.COM\"\n"),
            "p.toml:14: id: duplicate recipient a@example.com in list 100 (first at line 11)");
}

TEST_F(ProvisioningFileTest, MailingErrors) {
  const std::string base =
      "  [[client.mailing]]\n  id = 5000\n  name = \"m\"\n  type = \"event\"\n"
      "  lists = [100]\n  from = \"Shop <shop@example.com>\"\n  subject = \"Hi\"\n  text = \"x\"\n";
  EXPECT_EQ(Errors(base), "");
  EXPECT_EQ(Errors(base + "  status = \"RUNNING\"\n"),
            "p.toml:17: status: expected NEW, SENDING, PAUSED, DONE or CANCELED");
  EXPECT_EQ(Errors(base + "  target_group = \"orders >>= 1\"\n").rfind("p.toml:17: target_group: ", 0),
            0u);
  EXPECT_EQ(Errors(base + "  reply_to = \"Help <help@>\"\n")
                .rfind("p.toml:17: reply_to: 'help@' is not a valid address", 0),
            0u);
  EXPECT_EQ(Errors(base + "  lsits = [100]\n"),
            "p.toml:17: unknown key 'lsits' in [[client.mailing]] (did you mean 'lists'?)");
  EXPECT_EQ(Errors(base + base), "p.toml:18: id: duplicate mailing 5000 (first at line 10)");
  EXPECT_EQ(Errors("  [[client.mailing]]\n  id = 5001\n  name = \"m\"\n  type = \"newsletter\"\n"
                   "  lists = [100, 7]\n  from = \"Shop shop@example.com\"\n  subject = \"Hi\"\n"),
            "p.toml:9: text: a mailing needs text or html (or both)\n"
            "p.toml:12: type: expected regular, event, confirmation or template\n"
            "p.toml:13: lists: no list 7 in client 1 (neither in this file nor in the "
            "database)\n"
            "p.toml:14: from: 'Shop shop@example.com' is not a valid address: " +
                Address::Parse("Shop shop@example.com").status().message());
  EXPECT_EQ(Errors("  [[client.mailing]]\n  id = 5001\n  name = \"m\"\n  type = \"event\"\n"
                   "  lists = []\n  from = \"a@example.com\"\n  subject = \"Hi\"\n  html = \"x\"\n"),
            "p.toml:13: lists: a mailing needs at least one list");
}

TEST_F(ProvisioningFileTest, CodeErrors) {
  EXPECT_EQ(Errors("  [[client.code]]\n  code = \"short\"\n  list = 100\n"),
            "p.toml:10: code: expected 6 to 128 characters of A-Z a-z 0-9 - _ . ~");
  EXPECT_EQ(Errors("  [[client.code]]\n  list = 100\n  operations = [\"sendmail\"]\n"),
            "p.toml:11: operations: 'sendmail' is not one of the API operations (sendeventmail, "
            "nop, ...)");
  EXPECT_EQ(Errors("  [[client.code]]\n  list = 100\n  operations = []\n"),
            "p.toml:11: operations: an empty array would allow nothing; leave the key out to "
            "allow all");
  EXPECT_EQ(Errors("  [[client.code]]\n  list = 100\n  ips = [\"127.0.0.1/40\"]\n"),
            "p.toml:11: ips: '127.0.0.1/40' is not a CIDR range like '10.0.0.0/8'");
  EXPECT_EQ(Errors("  [[client.code]]\n  list = 100\n  methods = [\"PUT\"]\n"),
            "p.toml:11: methods: 'PUT' is not one of GET, POST");
  EXPECT_EQ(Errors("  [[client.code]]\n  list = 100\n  protocols = [\"ftp\"]\n"),
            "p.toml:11: protocols: 'ftp' is not one of http, https");
  EXPECT_EQ(Errors("  [[client.code]]\n  list = 101\n"),
            "p.toml:10: list: no list 101 in client 1 (neither in this file nor in the database)");
  EXPECT_EQ(Errors("  [[client.code]]\n  name = \"a b\"\n  list = 100\n"),
            "p.toml:10: name: expected 1 to 64 characters of A-Z a-z 0-9 . _ -");
  EXPECT_EQ(Errors("  [[client.code]]\n  list = 100\n  [[client.code]]\n  name = \"list100-code1\"\n"
                   "  list = 100\n"),
            "p.toml:12: name: duplicate code name 'list100-code1' (first at line 10)");
  EXPECT_EQ(Errors("  [[client.code]]\n  code = \"SAME-CODE\"\n  list = 100\n"
                   "  [[client.code]]\n  code = \"SAME-CODE\"\n  list = 100\n"),
            "p.toml:12: code: the same code is given twice (first at line 9)");
}

TEST_F(ProvisioningFileTest, DkimErrors) {
  const auto dkim = [](std::string_view algorithm, std::string_view file) {
    return "  [[client.dkim]]\n  domain = \"example.com\"\n  selector = \"s1\"\n  algorithm = \"" +
           std::string(algorithm) + "\"\n  private_key_file = \"" + std::string(file) + "\"\n";
  };
  EXPECT_EQ(Errors(dkim("ed25519-sha256", "keys/s1.pem")), "");
  EXPECT_EQ(Errors(dkim("rsa-sha1", "keys/s1.pem")),
            "p.toml:12: algorithm: expected rsa-sha256 or ed25519-sha256");
  EXPECT_EQ(Errors(dkim("ed25519-sha256", "keys/missing.pem")),
            "p.toml:13: private_key_file: cannot read " + (dir_ / "keys/missing.pem").string() +
                ": No such file or directory");
  EXPECT_EQ(Errors(dkim("ed25519-sha256", "keys/garbage.pem"))
                .rfind("p.toml:13: private_key_file: " + (dir_ / "keys/garbage.pem").string() + ": ",
                       0),
            0u);
  EXPECT_EQ(Errors(dkim("rsa-sha256", "keys/s1.pem"))
                .rfind("p.toml:13: private_key_file: " + (dir_ / "keys/s1.pem").string() + ": ", 0),
            0u);
  EXPECT_EQ(Errors(dkim("ed25519-sha256", "keys/s1.pem") + dkim("ed25519-sha256", "keys/s1.pem")),
            "p.toml:16: selector: duplicate DKIM key s1._domainkey.example.com (first at line 11)");
}

TEST_F(ProvisioningFileTest, BlocklistErrors) {
  EXPECT_EQ(Errors("  [[client.blocklist]]\n  reason = \"x\"\n"),
            "p.toml:9: pattern: missing (a string is required)");
  EXPECT_EQ(Errors("  [[client.blocklist]]\n  pattern = \"a b@example.com\"\n"),
            "p.toml:10: pattern: expected an address or a pattern with * and ? (no spaces)");
  EXPECT_EQ(Errors("  [[client.blocklist]]\n  pattern = \"*@x.example\"\n"
                   "  [[client.blocklist]]\n  pattern = \"*@X.example\"\n"),
            "p.toml:12: pattern: duplicate blocklist pattern '*@x.example' (first at line 10)");
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
