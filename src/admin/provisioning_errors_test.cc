// Each validation error of the provisioning file, with its line number.
#include <gtest/gtest.h>

#include "admin/admin_testutil.h"
#include "core/address.h"
#include "core/limits.h"

namespace campaignd::admin {
namespace {

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
  EXPECT_EQ(client_key("rate_limit = -1"),
            "p.toml:5: rate_limit: expected messages per second, 0 or more (0: unlimited)");
  EXPECT_EQ(client_key("rate_limit = 0"), "OK");
  EXPECT_EQ(client_key("attachments = true"), "OK");
  EXPECT_EQ(client_key("attachments = \"yes\""), "p.toml:5: attachments: expected true or false");
  EXPECT_EQ(client_key("rate_limit = \"fast\""), "p.toml:5: rate_limit: expected an integer");
  EXPECT_EQ(client_key("redirect_hosts = [\"https://x.example\"]"),
            "p.toml:5: redirect_hosts: 'https://x.example' is not a host name like "
            "www.example.com");
  EXPECT_EQ(client_key("bounce_domain = \"bounce.shop.example\""), "OK");
  EXPECT_EQ(client_key("bounce_domain = \"-x.example\""),
            "p.toml:5: bounce_domain: bounce domain is not a host name");
  EXPECT_EQ(client_key("bounce_local = \"b%c\""),
            "p.toml:5: bounce_local: bounce local part may hold only letters, digits, '.', '-', "
            "'_'");
  EXPECT_EQ(client_key("complaint_address = \"fbl\""),
            "p.toml:5: complaint_address: " + Address::Parse("fbl").status().message());
  EXPECT_EQ(client_key("list = 5"), "p.toml:5: list: expected [[client.list]] sections");
  EXPECT_EQ(client_key("naem = \"x\""),
            "p.toml:5: unknown key 'naem' in [[client]] (did you mean 'name'?)");
}

TEST_F(ProvisioningFileTest, TwoClientsNeverShareABounceDomainOrComplaintAddress) {
  const auto two = [this](std::string_view first, std::string_view second) {
    auto r = Parse("[[client]]\nid = 1\nname = \"a\"\ntransport = \"file:o\"\n" +
                   std::string(first) + "\n[[client]]\nid = 2\nname = \"b\"\n" +
                   "transport = \"file:o\"\n" + std::string(second) + "\n");
    return r.ok() ? std::string("OK") : r.status().message();
  };
  EXPECT_EQ(two("bounce_domain = \"bounce.a.example\"", "bounce_domain = \"Bounce.A.Example\""),
            "p.toml:10: bounce_domain: 'bounce.a.example' is already used by client 1");
  EXPECT_EQ(two("complaint_address = \"fbl@a.example\"", "complaint_address = \"FBL@a.example\""),
            "p.toml:10: complaint_address: 'fbl@a.example' is already used by client 1");
  EXPECT_EQ(two("bounce_domain = \"bounce.a.example\"", "bounce_domain = \"bounce.b.example\""),
            "OK");
  EXPECT_EQ(two("bounce_local = \"x\"", "bounce_local = \"x\""), "OK");  // no domain: none used
  // A stored client the file does not name keeps its domain; one it names
  // gets the file's settings, so its old domain is free.
  store::Client stored;
  stored.id = 7;
  stored.bounce_domain = "bounce.seven.example";
  db_.clients = {stored};
  EXPECT_EQ(two("", "bounce_domain = \"bounce.seven.example\""),
            "p.toml:10: bounce_domain: 'bounce.seven.example' is already used by client 7");
  db_.clients[0].id = 2;
  EXPECT_EQ(two("bounce_domain = \"bounce.seven.example\"", ""), "OK");
}

TEST_F(ProvisioningFileTest, TransportErrors) {
  const auto transport = [this](std::string_view t) {
    auto r = Parse("[[client]]\nid = 1\nname = \"a\"\ntransport = \"" + std::string(t) + "\"\n");
    return r.ok() ? std::string("OK") : r.status().message();
  };
  // The messages are deliver/transport_url.h's: one grammar for every entry.
  EXPECT_EQ(transport("file:"), "p.toml:4: transport: file transport URL has no directory");
  EXPECT_EQ(transport("file://"), "p.toml:4: transport: file transport URL has no directory");
  EXPECT_EQ(transport("http://relay"),
            "p.toml:4: transport: unknown transport scheme 'http'; want file:, smtp:// or "
            "smtps://");
  EXPECT_EQ(transport("relay.example.com"),
            "p.toml:4: transport: transport URL has no scheme; want file:DIR, smtp:// or "
            "smtps://");
  EXPECT_EQ(transport("smtp:///path"), "p.toml:4: transport: SMTP URL has no host");
  EXPECT_EQ(transport("smtps://relay:0"), "p.toml:4: transport: bad port '0'");
  EXPECT_EQ(transport("smtp://relay?bogus=1"), "p.toml:4: transport: unknown option 'bogus'");
  // The operator's file: outboxes stay below outbox_root.
  EXPECT_EQ(transport("file:/etc/cron.d"),
            "p.toml:4: transport: file transport directory '/etc/cron.d' is absolute; give a "
            "directory below outbox_root, e.g. file:outbox");
  EXPECT_EQ(transport("file:../../.."),
            "p.toml:4: transport: file transport directory '../../..' has a '..' segment; it "
            "must stay below outbox_root");
  // No password in clear without the operator's word.
  EXPECT_EQ(transport("smtp://u:p@relay.example.com?starttls=never"),
            "p.toml:4: transport: starttls=never with a user name sends the password in clear; "
            "use starttls=required (the default with a user) or smtps://, or add "
            "allow_plain_auth=true if that is intended");
  EXPECT_EQ(transport("smtp://u:p@relay.example.com?starttls=never&allow_plain_auth=true"), "OK");
  EXPECT_EQ(transport("smtps://u:p@relay.example.com:465"), "OK");
  EXPECT_EQ(transport("file:outbox/shop"), "OK");
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
  EXPECT_EQ(
      Errors("  [[client.list]]\n  id = 101\n  name = \"x\"\n"
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
  EXPECT_EQ(
      Errors(base + "  target_group = \"orders >>= 1\"\n").rfind("p.toml:17: target_group: ", 0),
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
  EXPECT_EQ(
      Errors("  [[client.mailing]]\n  id = 5001\n  name = \"m\"\n  type = \"event\"\n"
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
  EXPECT_EQ(
      Errors("  [[client.code]]\n  list = 100\n  [[client.code]]\n  name = \"list100-code1\"\n"
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
  // The key file is read with a bound: a device that never ends, a FIFO or a
  // huge file is refused by name, never read whole.
  EXPECT_EQ(Errors(dkim("ed25519-sha256", "/dev/zero")),
            "p.toml:13: private_key_file: cannot read /dev/zero: not a regular file");
  const std::filesystem::path big = dir_ / "keys" / "big.pem";
  std::ofstream(big).close();
  std::filesystem::resize_file(big, limits::kMaxKeyFileBytes + 1);
  EXPECT_EQ(Errors(dkim("ed25519-sha256", "keys/big.pem")),
            "p.toml:13: private_key_file: cannot read " + big.string() + ": larger than " +
                std::to_string(limits::kMaxKeyFileBytes) + " bytes");
  EXPECT_EQ(
      Errors(dkim("ed25519-sha256", "keys/garbage.pem"))
          .rfind("p.toml:13: private_key_file: " + (dir_ / "keys/garbage.pem").string() + ": ", 0),
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
            "p.toml:10: pattern: contains a blank or control character");
  EXPECT_EQ(Errors("  [[client.blocklist]]\n  pattern = \"?*@*\"\n"),
            "p.toml:10: pattern: '?*@*' would match every address: it needs a character "
            "besides * ? @ and .");
  EXPECT_EQ(Errors("  [[client.blocklist]]\n  pattern = \"*@x.example\"\n"
                   "  [[client.blocklist]]\n  pattern = \"*@X.example\"\n"),
            "p.toml:12: pattern: duplicate blocklist pattern '*@x.example' (first at line 10)");
}

}  // namespace
}  // namespace campaignd::admin

namespace campaignd::admin {
namespace {

TEST_F(ProvisioningFileTest, Webhooks) {
  const std::string head = "[[client]]\nid = 1\nname = \"a\"\ntransport = \"file:o\"\n";
  const auto hook = [&](std::string_view body) {
    auto r = Parse(head + "[[client.webhook]]\nid = 1\n" + std::string(body) + "\n");
    return r.ok() ? std::string("OK") : r.status().message();
  };
  EXPECT_EQ(hook("url = \"https://h.example/x\"\ntypes = [\"bounce\", \"open\"]"), "OK");
  EXPECT_EQ(hook("url = \"ftp://h.example/\"\ntypes = [\"open\"]"),
            "p.toml:7: url: expected an http:// or https:// URL, not ftp:");
  EXPECT_EQ(hook("url = \"https://u:p@h.example/\"\ntypes = [\"open\"]"),
            "p.toml:7: url: must not carry a user or password (use auth basicAuth)");
  EXPECT_EQ(hook("url = \"https://h.example/\"\ntypes = [\"opened\"]"),
            "p.toml:8: types: unknown event type 'opened'");
  EXPECT_EQ(hook("url = \"https://h.example/\""),
            "p.toml:5: types: required: the event types it receives, e.g. [\"bounce\", "
            "\"unsubscribe\"]");
  EXPECT_EQ(hook("url = \"https://h.example/\"\ntypes = [\"open\"]\nauth = \"keyAuth\"\n"
                 "auth_name = \"Host\"\nauth_secret = \"x\""),
            "p.toml:10: auth_name: header Host is set by campaignd or the connection");
  EXPECT_EQ(hook("url = \"https://h.example/\"\ntypes = [\"open\"]\nauth = \"basicAuth\"\n"
                 "auth_name = \"shop\""),
            "p.toml:5: auth_secret: basicAuth needs a password");
  EXPECT_EQ(hook("url = \"https://h.example/\"\ntypes = [\"open\"]\nauth = \"oauth\""),
            "p.toml:9: auth: expected none, basicAuth or keyAuth");

  // A new webhook gets a signing secret, shown once as its hex key.
  auto r = Parse(head +
                 "[[client.webhook]]\nid = 7\nurl = \"https://h.example/\"\n"
                 "types = [\"unsubscribe\"]\nauth = \"keyAuth\"\nauth_name = \"X-Key\"\n"
                 "auth_secret = \"k\"\n");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->webhooks.size(), 1u);
  EXPECT_EQ(r->webhooks[0].client_id, 1);
  EXPECT_EQ(r->webhooks[0].id, 7);
  EXPECT_EQ(r->webhooks[0].auth_secret, "k");
  EXPECT_EQ(r->webhooks[0].signing_secret.size(), 32u);
  ASSERT_EQ(r->generated_webhook_secrets.size(), 1u);
  EXPECT_EQ(r->generated_webhook_secrets[0].webhook_id, 7);
  EXPECT_EQ(r->generated_webhook_secrets[0].secret.size(), 64u);
}

}  // namespace
}  // namespace campaignd::admin
