// The command line -> admin API request mapping of every noun, through the
// real CLI11 parser (the same AddXCommands main.cc registers).
#include "admin/cli/command.h"

#include <gtest/gtest.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <filesystem>
#include <fstream>

namespace campaignd::admin::cli {
namespace {

class CommandTest : public ::testing::Test {
 protected:
  void SetUp() override {
    AddClientCommands(set_, app_);
    AddListCommands(set_, app_);
    AddRecipientCommands(set_, app_);
    AddMailingCommands(set_, app_);
    AddAccessCommands(set_, app_);
    AddOptInCommands(set_, app_);
    AddMailCommands(set_, app_);
  }

  // Parses `args` and builds the selected command's invocation.
  Result<Invocation> Parse(std::vector<std::string> args) {
    std::reverse(args.begin(), args.end());  // CLI11 takes them last first
    app_.parse(args);
    const Leaf* leaf = set_.Parsed();
    if (leaf == nullptr) return Status::NotFound("no command parsed");
    last_ = leaf;
    return leaf->build();
  }

  // The request body as unordered JSON, for order-independent comparison.
  static nlohmann::json Body(const Invocation& inv) {
    return inv.body ? nlohmann::json::parse(inv.body->dump()) : nlohmann::json();
  }

  std::string TempFile(const std::string& name, const std::string& content) {
    const auto path = std::filesystem::temp_directory_path() /
                      ("cli-test-" + std::to_string(::getpid()) + "-" + name);
    std::ofstream(path, std::ios::binary) << content;
    files_.push_back(path);
    return path.string();
  }

  void TearDown() override {
    for (const auto& f : files_) std::filesystem::remove(f);
  }

  CLI::App app_{"campaignd"};
  CommandSet set_;
  const Leaf* last_ = nullptr;
  std::vector<std::filesystem::path> files_;
};

TEST_F(CommandTest, ClientCreateSendsTheGivenMembersOnly) {
  auto inv = Parse({"client", "create", "--name", "Shoe Store", "--transport",
                    "smtp://u:p@127.0.0.1:2525", "--redirect-host", "www.example.com",
                    "--redirect-host", "shop.example.com", "--bounce-limit", "3"});
  ASSERT_TRUE(inv.ok()) << inv.status().ToString();
  EXPECT_EQ(inv->method, "POST");
  EXPECT_EQ(inv->target, "/admin/v1/clients");
  EXPECT_EQ(Body(*inv), nlohmann::json::parse(R"({"name": "Shoe Store",
      "transport": "smtp://u:p@127.0.0.1:2525",
      "redirect_hosts": ["www.example.com", "shop.example.com"], "bounce_limit": 3})"));
  EXPECT_EQ(last_->name, "client create");
  EXPECT_EQ(inv->shape, Shape::kRecord);
}

TEST_F(CommandTest, ClientCreateNeedsAName) {
  EXPECT_THROW(Parse({"client", "create", "--id", "4"}), CLI::RequiredError);
}

TEST_F(CommandTest, ClientUpdateWithNothingToChangeIsBadInput) {
  auto inv = Parse({"client", "update", "7"});
  ASSERT_FALSE(inv.ok());
  EXPECT_TRUE(inv.status().IsInvalidArgument());
  EXPECT_NE(inv.status().message().find("nothing to change"), std::string::npos);
  inv = Parse({"client", "update", "7", "--rate-limit", "50"});
  ASSERT_TRUE(inv.ok());
  EXPECT_EQ(inv->method, "PATCH");
  EXPECT_EQ(inv->target, "/admin/v1/clients/7");
  EXPECT_EQ(Body(*inv), nlohmann::json::parse(R"({"rate_limit": 50})"));
}

TEST_F(CommandTest, ListCommandsPageWithLimitAndCursor) {
  auto inv = Parse({"client", "list", "--limit", "10", "--cursor", "a b/c", "--json"});
  ASSERT_TRUE(inv.ok());
  EXPECT_EQ(inv->target, "/admin/v1/clients?limit=10&cursor=a%20b%2Fc");
  EXPECT_EQ(inv->shape, Shape::kPage);
  EXPECT_TRUE(last_->json);
  EXPECT_FALSE(inv->body.has_value());
  EXPECT_THROW(Parse({"client", "list", "--limit", "0"}), CLI::ValidationError);
}

TEST_F(CommandTest, ListCreateWithFieldsAndItsErrors) {
  auto inv = Parse({"list", "create", "--client", "1", "--name", "Customers", "--id", "100",
                    "--field", "firstname:text", "--field", "orders:int"});
  ASSERT_TRUE(inv.ok()) << inv.status().ToString();
  EXPECT_EQ(inv->target, "/admin/v1/clients/1/lists");
  EXPECT_EQ(Body(*inv), nlohmann::json::parse(R"({"id": 100, "name": "Customers", "fields": [
      {"name": "firstname", "type": "text"}, {"name": "orders", "type": "int"}]})"));
  inv = Parse({"list", "create", "--client", "1", "--name", "X", "--field", "firstname"});
  ASSERT_FALSE(inv.ok());
  EXPECT_EQ(inv.status().message(), "--field 'firstname': expected NAME:VALUE");
  inv = Parse({"list", "create", "--client", "1", "--name", "X", "--field", "zip:number"});
  ASSERT_FALSE(inv.ok());
  EXPECT_NE(inv.status().message().find("zip:number"), std::string::npos);
  EXPECT_THROW(Parse({"list", "create", "--name", "X"}), CLI::RequiredError);  // no --client
}

TEST_F(CommandTest, ListUpdateTestFlagAndDelete) {
  auto inv = Parse({"list", "update", "--client", "1", "100", "--no-test"});
  ASSERT_TRUE(inv.ok());
  EXPECT_EQ(inv->method, "PATCH");
  EXPECT_EQ(inv->target, "/admin/v1/clients/1/lists/100");
  EXPECT_EQ(Body(*inv), nlohmann::json::parse(R"({"test": false})"));
  inv = Parse({"list", "delete", "--client", "1", "100"});
  ASSERT_TRUE(inv.ok());
  EXPECT_EQ(inv->method, "DELETE");
  EXPECT_EQ(inv->shape, Shape::kEmpty);
  EXPECT_EQ(inv->done, "deleted list 100");
}

TEST_F(CommandTest, FieldVerbs) {
  auto inv = Parse({"field", "add", "--client", "1", "--list", "100", "zip", "text"});
  ASSERT_TRUE(inv.ok());
  EXPECT_EQ(inv->method, "POST");
  EXPECT_EQ(inv->target, "/admin/v1/clients/1/lists/100/fields");
  EXPECT_EQ(Body(*inv), nlohmann::json::parse(R"({"name": "zip", "type": "text"})"));
  EXPECT_THROW(Parse({"field", "add", "--client", "1", "--list", "100", "zip", "money"}),
               CLI::ValidationError);
  inv = Parse({"field", "remove", "--client", "1", "--list", "100", "zip"});
  ASSERT_TRUE(inv.ok());
  EXPECT_EQ(inv->target, "/admin/v1/clients/1/lists/100/fields/zip");
}

TEST_F(CommandTest, RecipientAddressesAreEscapedInPaths) {
  auto inv = Parse({"recipient", "add", "--client", "1", "--list", "100", "john+x@example.com",
                    "--field", "firstname=John", "--field", "note=a=b"});
  ASSERT_TRUE(inv.ok()) << inv.status().ToString();
  EXPECT_EQ(inv->target, "/admin/v1/clients/1/lists/100/recipients");
  EXPECT_EQ(Body(*inv), nlohmann::json::parse(R"({"recipient_id": "john+x@example.com",
      "fields": {"firstname": "John", "note": "a=b"}})"));
  inv = Parse({"recipient", "show", "--client", "1", "--list", "100", "john+x@example.com"});
  ASSERT_TRUE(inv.ok());
  EXPECT_EQ(inv->target, "/admin/v1/clients/1/lists/100/recipients/john%2Bx%40example.com");
  inv = Parse({"recipient", "update", "--client", "1", "--list", "100", "a@b.example", "--state",
               "unsubscribed"});
  ASSERT_TRUE(inv.ok());
  EXPECT_EQ(inv->method, "PUT");
  EXPECT_EQ(Body(*inv), nlohmann::json::parse(
                            R"({"recipient_id": "a@b.example", "state": "unsubscribed",
                                "fields": {}})"));
  inv = Parse({"recipient", "remove", "--client", "1", "--list", "100", "a@b.example"});
  ASSERT_TRUE(inv.ok());
  EXPECT_EQ(inv->method, "DELETE");
}

TEST_F(CommandTest, RecipientImportStreamsTheFileAndExportWritesOne) {
  auto inv = Parse({"recipient", "import", "--client", "1", "--list", "100", "people.csv"});
  ASSERT_TRUE(inv.ok());
  EXPECT_EQ(inv->method, "POST");
  EXPECT_EQ(inv->target, "/admin/v1/clients/1/lists/100/recipients/import");
  EXPECT_EQ(inv->upload_file, "people.csv");
  EXPECT_FALSE(inv->body.has_value());
  inv = Parse({"recipient", "export", "--client", "1", "--list", "100", "-o", "out.csv"});
  ASSERT_TRUE(inv.ok());
  EXPECT_EQ(inv->method, "GET");
  EXPECT_EQ(inv->target, "/admin/v1/clients/1/lists/100/recipients/export");
  EXPECT_EQ(inv->shape, Shape::kCsv);
  EXPECT_EQ(inv->download_file, "out.csv");
}

TEST_F(CommandTest, MailingContentComesFromFiles) {
  const std::string text = TempFile("m.txt", "Hello {firstname}\n");
  const std::string html = TempFile("m.html", "<p>Hello</p>");
  auto inv = Parse({"mailing", "create", "--client", "1", "--name", "order", "--type", "event",
                    "--list", "100", "--from", "Shop <shop@example.com>", "--subject", "Hi",
                    "--text-file", text, "--html-file", html, "--target-group", "orders >= 1"});
  ASSERT_TRUE(inv.ok()) << inv.status().ToString();
  EXPECT_EQ(inv->target, "/admin/v1/clients/1/mailings");
  EXPECT_EQ(Body(*inv), nlohmann::json::parse(R"({"name": "order", "type": "event",
      "list_ids": [100], "from": "Shop <shop@example.com>", "subject": "Hi",
      "target_group": "orders >= 1", "text": "Hello {firstname}\n", "html": "<p>Hello</p>"})"));
  inv = Parse({"mailing", "update", "--client", "1", "5000", "--text-file", "/no/such/file"});
  ASSERT_FALSE(inv.ok());
  EXPECT_TRUE(inv.status().IsInvalidArgument());
  EXPECT_NE(inv.status().message().find("--text-file: cannot read /no/such/file: "),
            std::string::npos);
  // Input files are read with a bound: /dev/zero is refused, not read forever.
  inv = Parse({"mailing", "update", "--client", "1", "5000", "--html-file", "/dev/zero"});
  ASSERT_FALSE(inv.ok());
  EXPECT_EQ(inv.status().message(), "--html-file: cannot read /dev/zero: not a regular file");
  const std::string huge = TempFile("huge.txt", "");
  std::filesystem::resize_file(huge, kMaxInputFileBytes + 1);
  inv = Parse({"mailing", "update", "--client", "1", "5000", "--text-file", huge});
  ASSERT_FALSE(inv.ok());
  EXPECT_EQ(inv.status().message(), "--text-file: cannot read " + huge + ": larger than " +
                                        std::to_string(kMaxInputFileBytes) + " bytes");
}

TEST_F(CommandTest, MailingStatusVerbs) {
  const std::vector<std::pair<std::string, std::string>> verbs = {
      {"activate", "SENDING"}, {"pause", "PAUSED"}, {"resume", "SENDING"},
      {"finish", "DONE"},      {"cancel", "CANCELED"}};
  for (const auto& [verb, status] : verbs) {
    auto inv = Parse({"mailing", verb, "--client", "1", "5000"});
    ASSERT_TRUE(inv.ok()) << verb;
    EXPECT_EQ(inv->method, "POST") << verb;
    EXPECT_EQ(inv->target, "/admin/v1/clients/1/mailings/5000/status") << verb;
    EXPECT_EQ(Body(*inv), nlohmann::json({{"status", status}})) << verb;
  }
  auto inv = Parse({"mailing", "status", "--client", "1", "5000", "PAUSED"});
  ASSERT_TRUE(inv.ok());
  EXPECT_EQ(Body(*inv), nlohmann::json({{"status", "PAUSED"}}));
  EXPECT_THROW(Parse({"mailing", "status", "--client", "1", "5000", "SENT"}),
               CLI::ValidationError);
  inv = Parse({"mailing", "preview", "--client", "1", "5000", "--list", "100", "--recipient",
               "a@b.example"});
  ASSERT_TRUE(inv.ok());
  EXPECT_EQ(inv->target, "/admin/v1/clients/1/mailings/5000/preview");
  EXPECT_EQ(Body(*inv), nlohmann::json::parse(R"({"list_id": 100, "recipient_id": "a@b.example"})"));
  EXPECT_EQ(inv->shape, Shape::kMessage);
}

TEST_F(CommandTest, CodeCreateShowsTheCodeOnceAndUpdateDisables) {
  auto inv = Parse({"code", "create", "--client", "1", "--list", "100", "--name", "main",
                    "--operation", "sendeventmail", "--operation", "getsendstatus", "--ip",
                    "127.0.0.0/8"});
  ASSERT_TRUE(inv.ok());
  EXPECT_EQ(inv->target, "/admin/v1/clients/1/codes");
  EXPECT_EQ(Body(*inv), nlohmann::json::parse(R"({"name": "main", "list_id": 100,
      "operations": ["sendeventmail", "getsendstatus"], "ips": ["127.0.0.0/8"]})"));
  EXPECT_EQ(inv->shown_once, "code");
  inv = Parse({"code", "update", "--client", "1", "main", "--disabled"});
  ASSERT_TRUE(inv.ok());
  EXPECT_EQ(inv->method, "PATCH");
  EXPECT_EQ(inv->target, "/admin/v1/clients/1/codes/main");
  EXPECT_EQ(Body(*inv), nlohmann::json::parse(R"({"enabled": false})"));
  EXPECT_FALSE(Parse({"code", "update", "--client", "1", "main"}).ok());
  EXPECT_THROW(Parse({"code", "create", "--client", "1", "--name", "x"}), CLI::RequiredError);
}

TEST_F(CommandTest, KeyRelayBlocklistAndDkim) {
  auto inv = Parse({"key", "create", "--client", "3", "--name", "shop"});
  ASSERT_TRUE(inv.ok());
  EXPECT_EQ(inv->target, "/admin/v1/clients/3/keys");
  EXPECT_EQ(inv->shown_once, "key");
  inv = Parse({"key", "delete", "--client", "3", "12"});
  ASSERT_TRUE(inv.ok());
  EXPECT_EQ(inv->target, "/admin/v1/clients/3/keys/12");
  inv = Parse({"relay", "set", "--client", "3", "smtp://u:p@relay:25"});
  ASSERT_TRUE(inv.ok());
  EXPECT_EQ(inv->method, "PUT");
  EXPECT_EQ(Body(*inv), nlohmann::json({{"transport", "smtp://u:p@relay:25"}}));
  inv = Parse({"blocklist", "remove", "--client", "3", "*@spam.example"});
  ASSERT_TRUE(inv.ok());
  EXPECT_EQ(inv->target, "/admin/v1/clients/3/blocklist/%2A%40spam.example");
  const std::string pem = TempFile("key.pem", "-----BEGIN PRIVATE KEY-----\nAAAA\n");
  inv = Parse({"dkim", "add", "--client", "3", "--domain", "example.com", "--selector", "s1",
               "--key-file", pem});
  ASSERT_TRUE(inv.ok());
  EXPECT_EQ(Body(*inv), nlohmann::json::parse(R"({"domain": "example.com", "selector": "s1",
      "private_key_pem": "-----BEGIN PRIVATE KEY-----\nAAAA\n"})"));
  inv = Parse({"dkim", "remove", "--client", "3", "--domain", "example.com", "--selector", "s1"});
  ASSERT_TRUE(inv.ok());
  EXPECT_EQ(inv->target, "/admin/v1/clients/3/dkim-keys/example.com/s1");
  inv = Parse({"dkim", "add", "--client", "3", "--domain", "d", "--selector", "s", "--key-file",
               "/no/such.pem"});
  ASSERT_FALSE(inv.ok());
  EXPECT_NE(inv.status().message().find("--key-file: cannot read /no/such.pem"), std::string::npos);
}

TEST_F(CommandTest, OptInVerbs) {
  auto inv = Parse({"optin", "create", "--client", "1", "--name", "Newsletter", "--kind", "double",
                    "--mailing", "7", "--confirmation-url", "https://shop.example/thanks"});
  ASSERT_TRUE(inv.ok()) << inv.status().ToString();
  EXPECT_EQ(inv->method, "POST");
  EXPECT_EQ(inv->target, "/admin/v1/clients/1/optins");
  EXPECT_EQ(Body(*inv), nlohmann::json::parse(R"({"name": "Newsletter", "kind": "double",
      "mailing_id": 7, "confirmation_url": "https://shop.example/thanks"})"));
  EXPECT_EQ(last_->name, "optin create");
  inv = Parse({"optin", "create", "--client", "1", "--id", "3", "--name", "Checkout", "--kind",
               "single"});
  ASSERT_TRUE(inv.ok());
  EXPECT_EQ(Body(*inv), nlohmann::json::parse(R"({"id": 3, "name": "Checkout", "kind": "single"})"));
  EXPECT_THROW(Parse({"optin", "create", "--client", "1", "--name", "x"}), CLI::RequiredError);
  EXPECT_THROW(Parse({"optin", "create", "--client", "1", "--name", "x", "--kind", "triple"}),
               CLI::ValidationError);

  inv = Parse({"optin", "list", "--client", "1", "--limit", "5"});
  ASSERT_TRUE(inv.ok());
  EXPECT_EQ(inv->target, "/admin/v1/clients/1/optins?limit=5");
  EXPECT_EQ(inv->shape, Shape::kPage);
  inv = Parse({"optin", "show", "--client", "1", "3", "--json"});
  ASSERT_TRUE(inv.ok());
  EXPECT_EQ(inv->method, "GET");
  EXPECT_EQ(inv->target, "/admin/v1/clients/1/optins/3");
  EXPECT_TRUE(last_->json);

  inv = Parse({"optin", "update", "--client", "1", "3"});
  ASSERT_FALSE(inv.ok());
  EXPECT_NE(inv.status().message().find("nothing to change"), std::string::npos);
  inv = Parse({"optin", "update", "--client", "1", "3", "--confirmation-url", "", "--mailing", "0"});
  ASSERT_TRUE(inv.ok()) << inv.status().ToString();
  EXPECT_EQ(inv->method, "PATCH");
  EXPECT_EQ(inv->target, "/admin/v1/clients/1/optins/3");
  EXPECT_EQ(Body(*inv), nlohmann::json::parse(R"({"confirmation_url": "", "mailing_id": 0})"));

  inv = Parse({"optin", "delete", "--client", "1", "3"});
  ASSERT_TRUE(inv.ok());
  EXPECT_EQ(inv->method, "DELETE");
  EXPECT_EQ(inv->target, "/admin/v1/clients/1/optins/3");
  EXPECT_EQ(inv->shape, Shape::kEmpty);
  EXPECT_EQ(inv->done, "deleted opt-in process 3");
}

TEST_F(CommandTest, MailSearchAndMailId) {
  auto inv = Parse({"mail", "search", "--client", "1", "--recipient", "a+b@example.com",
                    "--status", "sent", "--since", "2026-11-28T10:00:00Z", "--limit", "5"});
  ASSERT_TRUE(inv.ok());
  EXPECT_EQ(inv->target,
            "/admin/v1/clients/1/mails?recipient=a%2Bb%40example.com&status=sent"
            "&since=2026-11-28T10%3A00%3A00Z&limit=5");
  EXPECT_EQ(last_->name, "mail search");
  inv = Parse({"mail", "SOMEID"});
  ASSERT_TRUE(inv.ok());
  EXPECT_TRUE(static_cast<bool>(inv->local));  // the store report of admin/commands.h
  EXPECT_EQ(last_->name, "mail");
  inv = Parse({"mail", "NOT-A-MAIL-ID", "--json"});
  ASSERT_FALSE(inv.ok());
  EXPECT_NE(inv.status().message().find("not a mail ID"), std::string::npos);
}

TEST_F(CommandTest, MailAloneAsksForAMailIdOrACommand) {
  auto inv = Parse({"mail"});
  ASSERT_FALSE(inv.ok());
  EXPECT_NE(inv.status().message().find("MAILID"), std::string::npos);
}

// Every command has help text; every leaf has --db, --config and --json;
// every flag and positional explains itself.
void ExpectDocumented(const CLI::App& app, const std::string& path) {
  for (const CLI::App* sub : app.get_subcommands([](const CLI::App*) { return true; })) {
    const std::string name = path + " " + sub->get_name();
    EXPECT_FALSE(sub->get_description().empty()) << name;
    for (const CLI::Option* opt : sub->get_options()) {
      EXPECT_FALSE(opt->get_description().empty()) << name << " " << opt->get_name();
    }
    ExpectDocumented(*sub, name);
  }
}

TEST_F(CommandTest, EveryCommandAndFlagIsDocumented) {
  ExpectDocumented(app_, "campaignd");
  std::size_t leaves = 0;
  for (const CLI::App* noun : app_.get_subcommands([](const CLI::App*) { return true; })) {
    for (const CLI::App* verb : noun->get_subcommands([](const CLI::App*) { return true; })) {
      ++leaves;
      for (const char* common : {"--db", "--config", "--json"}) {
        EXPECT_NO_THROW(verb->get_option(common)) << noun->get_name() << " " << verb->get_name();
      }
    }
  }
  EXPECT_GE(leaves, 40u);
}

}  // namespace
}  // namespace campaignd::admin::cli
