// RunApply and RunMailHistory against a real SQLite database in a temp dir.
#include "admin/commands.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include "auth/code_hash.h"
#include "core/clock.h"
#include "core/mail_id.h"
#include "store/sql/events.h"
#include "store/store.h"

namespace campaignd::admin {
namespace {

constexpr char kFile[] = R"([[client]]
id = 1
name = "Shoe Store"
transport = "file:outbox"
  [[client.list]]
  id = 100
  name = "Customers"
  fields = [ { name = "firstname", type = "text" }, { name = "orders", type = "int" } ]
  [[client.list]]
  id = 200
  name = "Partners"
  [[client.recipient]]
  list = 100
  id = "john.smith@example.com"
  fields = { firstname = "John", orders = 3 }
  [[client.recipient]]
  list = 100
  id = "jane@example.com"
  fields = { firstname = "Jane" }
  [[client.recipient]]
  list = 200
  id = "partner@example.com"
  [[client.mailing]]
  id = 5000
  name = "order-confirmation"
  type = "event"
  status = "SENDING"
  lists = [100]
  from = "Shoe Store <shop@example.com>"
  subject = "Thank you, {firstname}"
  text = "Hello {firstname|customer}"
  [[client.code]]
  code = "DHS45MDL2"
  list = 100
  [[client.code]]
  list = 100
)";

class CommandsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("admin_commands_test_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
    url_ = "sqlite:" + (dir_ / "campaignd.db").string();
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string Write(std::string_view name, std::string_view text) {
    std::ofstream(dir_ / name) << text;
    return (dir_ / name).string();
  }
  int Apply(const std::string& file) {
    out_.str("");
    err_.str("");
    return RunApply(url_, file, out_, err_);
  }
  std::unique_ptr<store::Engine> Open() {
    auto engine = store::OpenEngine(url_, store::EngineOptions{});
    EXPECT_TRUE(engine.ok()) << engine.status().ToString();
    return engine.ok() ? std::move(*engine) : nullptr;
  }

  std::filesystem::path dir_;
  std::string url_;
  std::ostringstream out_, err_;
};

TEST_F(CommandsTest, ApplyStoresEverythingAndPrintsTheGeneratedCodeOnce) {
  ASSERT_EQ(Apply(Write("p.toml", kFile)), kExitOk) << err_.str();
  const std::string out = out_.str();
  EXPECT_EQ(out.substr(0, out.find('\n')),
            "applied: 1 client, 2 lists, 3 recipients, 1 mailing, 2 codes");
  const std::regex generated(
      "new code for client 1 list 100 \\(name list100-code2\\): ([A-Za-z0-9]{32}) \u2014 store it "
      "now, it is not shown again\n");
  std::smatch match;
  ASSERT_TRUE(std::regex_search(out, match, generated)) << out;
  const std::string code = match[1];

  auto engine = Open();
  ASSERT_NE(engine, nullptr);
  auto& directory = engine->directory();
  auto client = directory.FindClient(1);
  ASSERT_TRUE(client.ok() && client->has_value());
  EXPECT_EQ((*client)->name, "Shoe Store");
  EXPECT_FALSE((*client)->mail_id_secret.empty());
  auto john = directory.FindRecipient(1, 100, "john.smith@example.com");
  ASSERT_TRUE(john.ok() && john->has_value());
  EXPECT_EQ((*john)->fields.at("orders"), "3");
  auto given = directory.FindCode(auth::HashCode("DHS45MDL2"));
  ASSERT_TRUE(given.ok() && given->has_value());
  EXPECT_EQ((*given)->name, "list100-code1");
  auto made = directory.FindCode(auth::HashCode(code));
  ASSERT_TRUE(made.ok() && made->has_value());
  EXPECT_EQ((*made)->name, "list100-code2");
  engine->Close();
}

TEST_F(CommandsTest, ReapplyIsIdempotentAndKeepsGeneratedCodesAndSecret) {
  const std::string file = Write("p.toml", kFile);
  ASSERT_EQ(Apply(file), kExitOk) << err_.str();
  std::smatch match;
  const std::string first = out_.str();
  ASSERT_TRUE(std::regex_search(first, match, std::regex(": ([A-Za-z0-9]{32}) ")));
  const std::string code = match[1];
  std::string secret;
  {
    auto engine = Open();
    secret = (*engine->directory().FindClient(1))->mail_id_secret;
    engine->Close();
  }

  ASSERT_EQ(Apply(file), kExitOk) << err_.str();
  EXPECT_EQ(out_.str(), "applied: 1 client, 2 lists, 3 recipients, 1 mailing, 2 codes\n");

  auto engine = Open();
  auto& directory = engine->directory();
  EXPECT_EQ((*directory.FindClient(1))->mail_id_secret, secret);
  auto made = directory.FindCode(auth::HashCode(code));
  ASSERT_TRUE(made.ok() && made->has_value()) << "re-apply replaced the generated code";
  auto names = engine->provisioner().CodeNames(1);
  ASSERT_TRUE(names.ok());
  EXPECT_EQ(names->size(), 2u);
  engine->Close();
}

TEST_F(CommandsTest, ReapplyUpdatesButNeverDeletes) {
  ASSERT_EQ(Apply(Write("p.toml", kFile)), kExitOk) << err_.str();
  // A smaller file: John's orders change, the mailing pauses; Jane, the
  // partner list and the codes are not mentioned.
  ASSERT_EQ(Apply(Write("q.toml", R"([[client]]
id = 1
name = "Shoe Store"
transport = "file:outbox"
  [[client.recipient]]
  list = 100
  id = "John.Smith@example.com"
  fields = { firstname = "John", orders = 4 }
  [[client.mailing]]
  id = 5000
  name = "order-confirmation"
  type = "event"
  status = "PAUSED"
  lists = [100]
  from = "Shoe Store <shop@example.com>"
  subject = "Thank you, {firstname}"
  text = "Hello {firstname|customer}"
)")),
            kExitOk)
      << err_.str();
  EXPECT_EQ(out_.str(), "applied: 1 client, 0 lists, 1 recipient, 1 mailing, 0 codes\n");
  auto engine = Open();
  auto& directory = engine->directory();
  EXPECT_EQ((*directory.FindRecipient(1, 100, "john.smith@example.com"))->fields.at("orders"), "4");
  EXPECT_EQ((*directory.FindMailing(1, 5000))->status, store::MailingStatus::kPaused);
  EXPECT_TRUE(directory.FindRecipient(1, 100, "jane@example.com")->has_value());
  EXPECT_TRUE(directory.FindList(1, 200)->has_value());
  EXPECT_TRUE(directory.FindCode(auth::HashCode("DHS45MDL2"))->has_value());
  engine->Close();
}

TEST_F(CommandsTest, ABadFileAppliesNothing) {
  // Valid except for the last line: nothing of it may reach the database.
  const std::string bad =
      std::string(kFile) + "  [[client.recipient]]\n  list = 100\n  id = \"x\"\n";
  EXPECT_EQ(Apply(Write("bad.toml", bad)), kExitBadInput);
  EXPECT_EQ(out_.str(), "");
  const auto line = std::count(bad.begin(), bad.end(), '\n');
  EXPECT_NE(
      err_.str().find("bad.toml:" + std::to_string(line) + ": id: 'x' is not a valid address"),
      std::string::npos)
      << err_.str();
  EXPECT_NE(err_.str().find("nothing applied"), std::string::npos);
  auto engine = Open();
  auto client = engine->directory().FindClient(1);
  ASSERT_TRUE(client.ok());
  EXPECT_FALSE(client->has_value());
  engine->Close();

  EXPECT_EQ(Apply((dir_ / "missing.toml").string()), kExitBadInput);
  EXPECT_NE(err_.str().find("No such file"), std::string::npos);
}

TEST_F(CommandsTest, AnUnopenableDatabaseIsExitCodeTwo) {
  std::ostringstream out, err;
  EXPECT_EQ(
      RunApply("sqlite:" + (dir_ / "no/such/dir/x.db").string(), Write("p.toml", kFile), out, err),
      kExitDatabaseError);
  EXPECT_NE(err.str().find("cannot open"), std::string::npos) << err.str();
  EXPECT_EQ(RunApply("mysql://x", Write("p.toml", kFile), out, err), kExitDatabaseError);
}

TEST_F(CommandsTest, MailHistoryShowsAnEnqueuedMail) {
  ASSERT_EQ(Apply(Write("p.toml", kFile)), kExitOk) << err_.str();
  std::string secret;
  int64_t sequence = 0;
  {
    auto engine = Open();
    secret = (*engine->directory().FindClient(1))->mail_id_secret;
    store::NewMail mail;
    mail.client_id = 1;
    mail.list_id = 100;
    mail.mailing_id = 5000;
    mail.recipient_id = "john.smith@example.com";
    mail.created_at = FromUnixMillis(1714557600000);  // 2024-05-01T10:00:00Z
    auto enqueued = engine->queue().Enqueue(mail);
    ASSERT_TRUE(enqueued.ok()) << enqueued.status().ToString();
    sequence = *enqueued;
    engine->Close();
  }
  const MailId id = MailId::Make(1, sequence, secret);
  std::ostringstream out, err;
  ASSERT_EQ(RunMailHistory(url_, id.ToString(), out, err), kExitOk) << err.str();
  const std::string text = out.str();
  EXPECT_NE(text.find("mail       " + id.ToString() + "\n"), std::string::npos) << text;
  EXPECT_NE(text.find("client     1 (Shoe Store)\n"), std::string::npos) << text;
  EXPECT_NE(text.find("list       100 (Customers)\n"), std::string::npos) << text;
  EXPECT_NE(text.find("mailing    5000 (order-confirmation)\n"), std::string::npos) << text;
  EXPECT_NE(text.find("recipient  john.smith@example.com\n"), std::string::npos) << text;
  EXPECT_NE(text.find("status     enqueued\n"), std::string::npos) << text;
  EXPECT_NE(text.find("attempts   0\n"), std::string::npos) << text;
  EXPECT_NE(text.find("\n2024-05-01T10:00:00.000Z  enqueued\n"), std::string::npos) << text;
  EXPECT_NE(text.find("\n\nevents     none\n"), std::string::npos) << "no events yet: " << text;

  // Lower case is the same mail ID (case-insensitive).
  std::string lower = id.ToString();
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  std::ostringstream out2, err2;
  EXPECT_EQ(RunMailHistory(url_, lower, out2, err2), kExitOk) << err2.str();
}

TEST_F(CommandsTest, MailHistoryListsTheMailsEventsAfterItsHistory) {
  ASSERT_EQ(Apply(Write("p.toml", kFile)), kExitOk) << err_.str();
  std::string secret;
  int64_t sequence = 0;
  {
    auto engine = Open();
    secret = (*engine->directory().FindClient(1))->mail_id_secret;
    auto enqueued = engine->queue().Enqueue({.client_id = 1,
                                             .list_id = 100,
                                             .mailing_id = 5000,
                                             .recipient_id = "john.smith@example.com",
                                             .created_at = FromUnixMillis(1714557600000)});
    ASSERT_TRUE(enqueued.ok()) << enqueued.status().ToString();
    sequence = *enqueued;
    store::events::Event open{.client_id = 1,
                              .type = store::events::EventType::kOpen,
                              .at = FromUnixMillis(1714557660000),
                              .mail_seq = sequence,
                              .mailing_id = 5000,
                              .data = R"({"userAgent":"Mail/1.0"})",
                              .first = true};
    store::events::Event foreign = open;
    foreign.client_id = 2;  // another client's mail with the same number: not shown
    Status s = engine->runner().Write([&](store::SqlSession& session) -> Status {
      CAMPAIGND_RETURN_IF_ERROR(store::events::Append(session, open).status());
      return store::events::Append(session, foreign).status();
    });
    ASSERT_TRUE(s.ok()) << s.ToString();
    engine->Close();
  }
  std::ostringstream out, err;
  ASSERT_EQ(RunMailHistory(url_, MailId::Make(1, sequence, secret).ToString(), out, err), kExitOk)
      << err.str();
  const std::string text = out.str();
  const std::string events =
      "\nevents\n"
      "  time                      type  data\n"
      "  2024-05-01T10:01:00.000Z  open  "
      "{\"first\":true,\"machine\":false,\"userAgent\":\"Mail/1.0\"}\n";
  ASSERT_GE(text.size(), events.size());
  EXPECT_EQ(text.substr(text.size() - events.size()), events) << text;
}

TEST_F(CommandsTest, MailPurgeDeletesWhatIsPastItsRetentionAndSaysSo) {
  ASSERT_EQ(Apply(Write("p.toml", kFile)), kExitOk) << err_.str();
  const TimePoint now = SystemClock().Now();
  {
    auto engine = Open();
    for (TimePoint at : {now - std::chrono::hours(24 * 20), now - std::chrono::hours(1)}) {
      auto id = engine->queue().Enqueue({.client_id = 1,
                                         .list_id = 100,
                                         .mailing_id = 5000,
                                         .recipient_id = "john.smith@example.com",
                                         .created_at = at});
      ASSERT_TRUE(id.ok()) << id.status().ToString();
      Status s = engine->runner().Write([&](store::SqlSession& session) -> Status {
        CAMPAIGND_RETURN_IF_ERROR(session
                                      .Execute("UPDATE mails SET status = 'sent' WHERE id = $1",
                                               std::vector<store::SqlValue>{*id}, "test")
                                      .status());
        return store::events::Append(session, {.client_id = 1,
                                               .type = store::events::EventType::kSent,
                                               .at = at,
                                               .mail_seq = *id})
            .status();
      });
      ASSERT_TRUE(s.ok()) << s.ToString();
    }
    engine->Close();
  }
  config::Config config;
  config.db = url_;
  config.event_retention = std::chrono::hours(24 * 10);
  std::ostringstream out, err;
  ASSERT_EQ(RunPurge(config, out, err), kExitOk) << err.str();
  EXPECT_EQ(out.str(),
            "deleted 1 mails (with their history) older than 14d, 1 events older than 10d, 0 "
            "webhook attempts older than 90d\n");
  std::ostringstream again;
  ASSERT_EQ(RunPurge(config, again, err), kExitOk) << err.str();
  EXPECT_EQ(again.str().rfind("deleted 0 mails (with their history) older than 14d, 0 events", 0),
            0u)
      << again.str();
  config.db = "mysql://nowhere";
  std::ostringstream failed_out, failed_err;
  EXPECT_EQ(RunPurge(config, failed_out, failed_err), kExitDatabaseError);
  EXPECT_EQ(failed_out.str(), "");
}

TEST_F(CommandsTest, MailHistoryRefusesBadIds) {
  ASSERT_EQ(Apply(Write("p.toml", kFile)), kExitOk) << err_.str();
  std::string secret;
  {
    auto engine = Open();
    secret = (*engine->directory().FindClient(1))->mail_id_secret;
    engine->Close();
  }
  std::ostringstream out, err;
  EXPECT_EQ(RunMailHistory(url_, "not-a-mail-id!", out, err), kExitBadInput);
  EXPECT_NE(err.str().find("is not a mail ID"), std::string::npos) << err.str();

  err.str("");
  const MailId forged = MailId::Make(1, 1, "some other secret");
  EXPECT_EQ(RunMailHistory(url_, forged.ToString(), out, err), kExitBadInput);
  EXPECT_NE(err.str().find("is not a valid mail ID (forged"), std::string::npos) << err.str();

  err.str("");
  const MailId other_client = MailId::Make(9, 1, secret);
  EXPECT_EQ(RunMailHistory(url_, other_client.ToString(), out, err), kExitBadInput);
  EXPECT_NE(err.str().find("is not a valid mail ID"), std::string::npos) << err.str();

  err.str("");
  const MailId unknown = MailId::Make(1, 424242, secret);
  EXPECT_EQ(RunMailHistory(url_, unknown.ToString(), out, err), kExitBadInput);
  EXPECT_NE(err.str().find("no mail " + unknown.ToString()), std::string::npos) << err.str();
  EXPECT_EQ(out.str(), "");
}

}  // namespace
}  // namespace campaignd::admin
