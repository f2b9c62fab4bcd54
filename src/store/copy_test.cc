// copy-db: the engine the environment names is the source; the copy goes to
// a fresh SQLite file and from there into a fresh database of the source's
// engine, so on PostgreSQL both directions run. Everything the interfaces
// can see must arrive unchanged.
#include "store/copy.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <sstream>

#include "store/catalog.h"
#include "store/sql/events.h"
#include "store/store_testutil.h"

namespace campaignd::store {
namespace {

using std::chrono::hours;
using std::chrono::seconds;

const TimePoint kT0 = FromUnixMillis(1'700'000'000'000);

std::string Hex(const std::string& bytes) {
  std::string out;
  char buf[3];
  for (unsigned char c : bytes) {
    std::snprintf(buf, sizeof buf, "%02x", c);
    out += buf;
  }
  return out;
}

std::string Join(const std::vector<std::string>& v) {
  std::string out;
  for (const std::string& s : v) out += s + ",";
  return out;
}

class CopyTest : public EngineTest {
 protected:
  void SetUp() override {
    EngineTest::SetUp();
    ClientSpec one = SampleClient(1);
    one.client.rate_limit = 50;
    one.client.attachments = true;
    one.bounces = {{"Bouncy@example.com", 2}};
    one.optins = {{0, 7, "newsletter", OptInKind::kDouble, 100, "https://shop.example/ok"}};
    ClientSpec three = SampleClient(3);
    three.client.mail_id_secret = std::string("\0\x01\xff\x00z", 5);
    ASSERT_TRUE(provisioner().Apply({one, three}).ok());
    ExecSql("INSERT INTO unsubscribes (client_id, address) VALUES (2, 'gone@example.com')");
    ExecSql("INSERT INTO api_keys (client_id, id, name, key_hash, created_at) "
            "VALUES (3, 1, 'ci', 'copied-key-hash', 1700000000002)");
    NewUpload upload{1, std::string(64, 'a'), kT0, kT0 + seconds(3600),
                     {{"a.pdf", "application/pdf", std::string("%PDF\0\xff", 6)},
                      {"b.txt", "text/plain", "B"}}};
    ASSERT_TRUE(engine_->attachments().StoreUpload(upload).ok());
    ExecSql("INSERT INTO unsubscribes (client_id, address, mail_id, mailing_id, at) "
            "VALUES (1, 'gone@example.com', 3, 100, 1700000000000)");
    ExecSql("UPDATE recipients SET tracking_opt_out = 1, optin_id = 7, optin_at = 1700000000001, "
            "optin_source = 'Shop/1.0', state = 'pending' WHERE client_id = 1");
    // Mails in every state: enqueued, claimed (leased), sent, deferred, bounced.
    for (const char* to : {"e1@example.com", "e2@example.com", "e3@example.com",
                           "e4@example.com", "e5@example.com"}) {
      mail_ids_.push_back(*queue().Enqueue({1, 10, 100, to, {{"firstname", "F"}}, kT0}));
    }
    mail_ids_.push_back(*queue().Enqueue({2, 10, 100, "other@example.com", {}, kT0}));
    std::vector<Mail> claimed = *queue().Claim({"w1", 5, 0, kT0 + seconds(1), seconds(600)});
    ASSERT_EQ(claimed.size(), 5u);
    Record(mail_ids_[2], MailStatus::kSent, "250 ok", false);
    Record(mail_ids_[3], MailStatus::kSending, "451 later", false);
    Record(mail_ids_[4], MailStatus::kCouldNotBeSent, "550 unknown", true);
    // Events (with their outbox rows and counters, a click's per link too),
    // a webhook with a secret of raw bytes, and a failed attempt.
    events::Webhook hook{.client_id = 1,
                         .id = 1,
                         .url = "https://hooks.shop.example/in",
                         .types = {events::EventType::kBounce, events::EventType::kClick},
                         .auth = events::WebhookAuth::kBasicAuth,
                         .auth_name = "user",
                         .auth_secret = "pass",
                         .signing_secret = std::string("\0\xffsecret", 8),
                         .created_at = kT0};
    const std::vector<events::Event> happened = {{.client_id = 1,
                                                  .type = events::EventType::kBounce,
                                                  .at = kT0 + seconds(5),
                                                  .mail_seq = mail_ids_[2],
                                                  .mailing_id = 100,
                                                  .list_id = 10,
                                                  .recipient_id = "e3@example.com",
                                                  .address = "e3@example.com",
                                                  .data = R"({"status":"5.1.1"})",
                                                  .hard = true},
                                                 {.client_id = 1,
                                                  .type = events::EventType::kClick,
                                                  .at = kT0 + seconds(6),
                                                  .mail_seq = mail_ids_[2],
                                                  .mailing_id = 100,
                                                  .list_id = 10,
                                                  .recipient_id = "e3@example.com",
                                                  .address = "e3@example.com",
                                                  .data = R"({"url":"https://shop.example/a"})",
                                                  .first = true,
                                                  .link_index = 2},
                                                 {.client_id = 3,
                                                  .type = events::EventType::kBlocklist,
                                                  .at = kT0 + seconds(7),
                                                  .data = R"({"pattern":"x@spam.example"})"}};
    ASSERT_TRUE(
        engine_->runner()
            .Write([&](SqlSession& session) -> Status {
              CAMPAIGND_RETURN_IF_ERROR(
                  events::WriteWebhook(session, hook, events::WebhookWrite::kInsert).status());
              CAMPAIGND_RETURN_IF_ERROR(events::AppendAll(session, happened));
              return events::Failed(session, {.client_id = 1,
                                              .webhook_id = 1,
                                              .at = kT0 + seconds(8),
                                              .first_event_id = 1,
                                              .events = 2,
                                              .http_status = 500,
                                              .duration = std::chrono::milliseconds(12),
                                              .response = "oops"})
                  .status();
            })
            .ok());
  }

  // The events, counters, webhooks, attempts and outbox of `client`.
  static std::string DescribeEvents(Engine& engine, int64_t client) {
    std::ostringstream out;
    Status status = engine.runner().Read([&](SqlSession& s) -> Status {
      auto all = events::ClientEvents(s, client, 0, 100);
      CAMPAIGND_RETURN_IF_ERROR(all.status());
      for (const events::StoredEvent& e : *all) {
        out << " event " << e.id << " " << events::Name(e.event.type) << " "
            << ToUnixMillis(e.event.at) << " " << e.event.mail_seq.value_or(-1) << " "
            << e.event.mailing_id << " " << e.event.list_id << " " << e.event.recipient_id << " "
            << e.event.address << " " << e.event.data << "\n";
      }
      auto hours_rows = events::Stats(s, client, std::nullopt, kT0 - hours(1), kT0 + hours(1),
                                      events::Step::kHour);
      CAMPAIGND_RETURN_IF_ERROR(hours_rows.status());
      for (const events::StatsRow& row : *hours_rows) {
        out << " stats " << ToUnixMillis(row.start);
        for (int64_t n : row.counts) out << " " << n;
        out << "\n";
      }
      auto links = events::LinkStats(s, client, 100, kT0 - hours(1), kT0 + hours(1));
      CAMPAIGND_RETURN_IF_ERROR(links.status());
      for (const events::LinkClicks& l : *links) {
        out << " link " << l.link_index << " " << l.clicks << " " << l.unique << "\n";
      }
      auto hooks = events::ListWebhooks(s, client);
      CAMPAIGND_RETURN_IF_ERROR(hooks.status());
      for (const events::Webhook& w : *hooks) {
        out << " webhook " << w.id << " " << w.url << " " << w.types.size() << " "
            << events::Name(w.auth) << " " << w.auth_name << " " << w.auth_secret << " "
            << Hex(w.signing_secret) << " " << events::Name(w.state) << " " << w.attempts << " "
            << ToUnixMillis(w.next_attempt_at) << "\n";
        auto attempts = events::Attempts(s, client, w.id, 10);
        CAMPAIGND_RETURN_IF_ERROR(attempts.status());
        for (const events::Attempt& a : *attempts) {
          out << "  attempt " << ToUnixMillis(a.at) << " " << a.first_event_id << " " << a.events
              << " " << a.http_status << " " << a.duration.count() << " " << a.response << "\n";
        }
        auto outbox = events::NextBatch(s, client, w.id, 10);
        CAMPAIGND_RETURN_IF_ERROR(outbox.status());
        for (const events::StoredEvent& e : *outbox) out << "  outbox " << e.id << "\n";
      }
      return Status::Ok();
    });
    EXPECT_TRUE(status.ok()) << status.ToString();
    return out.str();
  }

  void Record(int64_t id, MailStatus status, const std::string& reply, bool bounce) {
    Outcome outcome;
    outcome.mail_id = id;
    outcome.worker = "w1";
    outcome.status = status;
    outcome.reply = reply;
    outcome.at = kT0 + seconds(2);
    outcome.retry_at = kT0 + seconds(300);
    outcome.attempted = true;
    outcome.hard_bounce = bounce;
    ASSERT_TRUE(queue().Record(outcome).ok());
  }

  // Everything the interfaces show about the sample data.
  std::string Describe(Engine& engine) {
    std::ostringstream out;
    Directory& d = engine.directory();
    for (int64_t id : {1, 2, 3}) {
      std::optional<Client> c = *d.FindClient(id);
      out << "client " << c->name << " " << c->transport << " " << Join(c->redirect_hosts)
          << " " << c->bounce_limit << " " << c->rate_limit << " " << Hex(c->mail_id_secret)
          << " " << c->attachments << "\n";
      auto files = *engine.attachments().FindUpload(id, std::string(64, 'a'), kT0);
      for (const AttachmentFile& f : files.value_or(std::vector<AttachmentFile>{})) {
        out << " upload " << f.file_name << " " << f.content_type << " " << Hex(f.data) << "\n";
      }
      if (auto key = *Catalog(engine.runner()).FindApiKey("copied-key-hash");
          key && key->client_id == id) {
        out << " api key " << key->id << " " << key->name << " " << ToUnixMillis(key->created_at)
            << "\n";
      }
      const std::vector<DkimKey> keys = *d.FindDkimKeys(id);
      for (const DkimKey& k : keys) {
        out << " dkim " << k.domain << " " << k.selector << " " << k.algorithm << " "
            << k.private_key_pem << "\n";
      }
      for (int64_t list_id : {10, 11}) {
        std::optional<RecipientList> l = *d.FindList(id, list_id);
        out << " list " << l->name << " " << Name(l->kind) << " " << l->test;
        for (const FieldDef& f : l->fields) out << " " << f.name << ":" << f.type;
        out << "\n";
      }
      std::optional<Mailing> m = *d.FindMailing(id, 100);
      out << " mailing " << m->name << " " << Name(m->status) << " " << m->subject << " "
          << m->from << " " << m->list_ids.size() << "\n";
      std::optional<Recipient> r = *d.FindRecipient(id, 10, "a@example.com");
      out << " recipient " << r->fields.size() << " " << Name(r->state) << "\n";
      std::optional<Recipient> full = *engine.recipients().FindRecipient(id, 10, "a@example.com");
      out << " opt-in " << full->tracking_opt_out << " " << full->optin_id << " "
          << ToUnixMillis(full->optin_at) << " " << full->optin_source << "\n";
      if (auto p = *engine.recipients().FindOptIn(id, 7)) {
        out << " process " << p->name << " " << Name(p->kind) << " " << p->mailing_id << " "
            << p->confirmation_url << "\n";
      }
      if (auto u = *engine.recipients().FindUnsubscribe(id, "gone@example.com")) {
        out << " unsubscribe " << u->mail_id << " " << u->mailing_id << " "
            << ToUnixMillis(u->at) << "\n";
      }
      std::optional<AuthCode> code = *d.FindCode("hash-" + std::to_string(id));
      out << " code " << code->name << " " << Join(code->operations) << " " << Join(code->ips)
          << " " << code->enabled << " " << Join(*engine.provisioner().CodeNames(id)) << "\n";
      out << DescribeEvents(engine, id);
      for (const char* a : {"blocked@example.com", "x@spam.example", "bouncy@example.com",
                            "gone@example.com", "e5@example.com"}) {
        Suppression s = *d.CheckSuppression(id, 10, a);
        out << " " << a << " " << s.blocked << s.unsubscribed << s.hard_bounces << "\n";
      }
    }
    for (int64_t id : mail_ids_) {
      for (int64_t client : {1, 2}) {
        std::optional<Mail> m = *engine.queue().FindMail(client, id);
        if (!m) continue;
        out << "mail " << m->id << " " << m->client_id << " " << m->recipient_id << " "
            << m->fields.size() << " " << MailStatusName(m->status) << " " << m->attempts << " "
            << ToUnixMillis(m->updated_at) << " " << ToUnixMillis(m->next_attempt_at) << " "
            << m->last_reply << "\n";
        const std::vector<MailEvent> history = *engine.queue().History(client, id);
        for (const MailEvent& e : history) {
          out << "  " << ToUnixMillis(e.at) << " " << MailStatusName(e.status) << " " << e.reply
              << "\n";
        }
      }
    }
    return out.str();
  }

  std::unique_ptr<Engine> Open(const std::string& url) {
    Result<std::unique_ptr<Engine>> engine = OpenEngine(url, {});
    EXPECT_TRUE(engine.ok()) << engine.status().ToString();
    return engine.ok() ? std::move(*engine) : nullptr;
  }

  std::vector<int64_t> mail_ids_;
};

TEST_F(CopyTest, CopiesEverythingThereAndBackAndCountsEachTable) {
  const std::string expected = Describe(*engine_);
  TempDir dir = TempDir::Create("copy-test").value();
  const std::string middle = "sqlite:" + dir.File("middle.db");
  Result<CopyReport> there = CopyDatabase(db_->url(), middle);
  ASSERT_TRUE(there.ok()) << there.status().ToString();
  for (const auto& [table, rows] : there->rows) {
    EXPECT_EQ(rows, QueryInt("SELECT count(*) FROM " + table)) << table;
  }
  ASSERT_EQ(there->rows.size(), CopyTables().size());
  EXPECT_EQ(there->rows[0], (std::pair<std::string, int64_t>("clients", 3)));
  EXPECT_EQ(there->mail_id_high_water, mail_ids_.back());
  EXPECT_EQ(Describe(*Open(middle)), expected);

  std::unique_ptr<TestDatabase> back_db = TestDatabase::CreateOrDie();
  Result<CopyReport> back = CopyDatabase(middle, back_db->url());
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  std::unique_ptr<Engine> back_engine = Open(back_db->url());
  EXPECT_EQ(Describe(*back_engine), expected);

  // The copy keeps working: leases, claims and new mails.
  std::vector<Mail> due = *back_engine->queue().Claim({"w2", 10, 10, kT0 + seconds(400),
                                                       seconds(60)});
  EXPECT_EQ(due.size(), 2u) << "the deferred mail and the other client's";
  Result<int64_t> next = back_engine->queue().Enqueue({1, 10, 100, "n@example.com", {}, kT0});
  ASSERT_TRUE(next.ok()) << next.status().ToString();
  EXPECT_GT(*next, mail_ids_.back());
  EXPECT_EQ(back_engine->queue().History(1, *next)->size(), 1u) << "event ids continue too";
  // Events and attempts continue after the copied ids.
  Result<int64_t> event = WriteResult<int64_t>(back_engine->runner(), [](SqlSession& session) {
    return events::Append(
        session, {.client_id = 1, .type = events::EventType::kBounce, .at = kT0 + seconds(9)});
  });
  ASSERT_TRUE(event.ok()) << event.status().ToString();
  // The three events of SetUp and the provisioned blocklist entries' ones were copied.
  EXPECT_EQ(*event, QueryInt("SELECT max(id) FROM events") + 1) << "event ids continue";
  ASSERT_TRUE(back_engine->runner()
                  .Write([](SqlSession& session) -> Status {
                    return events::Failed(session, {.client_id = 1,
                                                    .webhook_id = 1,
                                                    .at = kT0 + seconds(10),
                                                    .first_event_id = 1,
                                                    .events = 1})
                        .status();
                  })
                  .ok());
  EXPECT_EQ(*back_db->QueryInt("SELECT count(DISTINCT id) FROM webhook_attempts"), 2);
}

TEST_F(CopyTest, TablesLongerThanOneReadPageArriveWhole) {
  // More rows than one page the reader fetches (1,000): recipients are keyed
  // by three columns (the last one text), mails by one.
  ExecSql("INSERT INTO recipients (client_id, list_id, recipient_id, fields, state) "
          "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2500) "
          "SELECT 2, 10 + i % 2, 'r' || i || '@example.com', '{}', 'active' FROM n");
  ExecSql("INSERT INTO mails (id, client_id, list_id, mailing_id, recipient_id, fields, status, "
          "created_at, updated_at, next_attempt_at) "
          "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1500) "
          "SELECT 10000 + i, 2, 10, 100, 'r' || i || '@example.com', '{}', 'sent', 0, 0, 0 "
          "FROM n");
  const int64_t recipients = QueryInt("SELECT count(*) FROM recipients");
  const int64_t mails = QueryInt("SELECT count(*) FROM mails");
  ASSERT_GT(recipients, 2500);
  auto copied = [](const CopyReport& report, std::string_view table) {
    for (const auto& [name, rows] : report.rows) {
      if (name == table) return rows;
    }
    return int64_t{-1};
  };
  TempDir dir = TempDir::Create("copy-test").value();
  const std::string middle = "sqlite:" + dir.File("middle.db");
  Result<CopyReport> there = CopyDatabase(db_->url(), middle);
  ASSERT_TRUE(there.ok()) << there.status().ToString();
  EXPECT_EQ(copied(*there, "recipients"), recipients);
  EXPECT_EQ(copied(*there, "mails"), mails);
  EXPECT_EQ(there->mail_id_high_water, 11500);

  std::unique_ptr<TestDatabase> back_db = TestDatabase::CreateOrDie();
  Result<CopyReport> back = CopyDatabase(middle, back_db->url());
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(copied(*back, "recipients"), recipients);
  EXPECT_EQ(copied(*back, "mails"), mails);
  EXPECT_EQ(*back_db->QueryInt("SELECT count(*) FROM recipients"), recipients);
  EXPECT_EQ(*back_db->QueryInt("SELECT count(*) FROM mails WHERE id > 10000"), 1500);
  std::unique_ptr<Engine> engine = Open(back_db->url());
  EXPECT_TRUE(engine->directory().FindRecipient(2, 10, "r2500@example.com")->has_value());
  EXPECT_TRUE(engine->directory().FindRecipient(2, 11, "r1@example.com")->has_value());
  EXPECT_TRUE(engine->queue().FindMail(2, 11500)->has_value());
}

TEST_F(CopyTest, NewMailIdsStayAboveADeletedHighestMail) {
  const int64_t highest = *queue().Enqueue({1, 10, 100, "last@example.com", {}, kT0});
  ExecSql("DELETE FROM mail_events WHERE mail_id = " + std::to_string(highest));
  ExecSql("DELETE FROM mails WHERE id = " + std::to_string(highest));
  TempDir dir = TempDir::Create("copy-test").value();
  const std::string target = "sqlite:" + dir.File("t.db");
  Result<CopyReport> report = CopyDatabase(db_->url(), target);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->mail_id_high_water, highest);
  Result<int64_t> next = Open(target)->queue().Enqueue({1, 10, 100, "n@example.com", {}, kT0});
  ASSERT_TRUE(next.ok());
  EXPECT_GT(*next, highest) << "a MailId handed out once is never handed out again";
}

TEST_F(CopyTest, RefusesANonEmptyTargetAndChangesNothing) {
  std::unique_ptr<TestDatabase> target = TestDatabase::CreateOrDie();
  {
    std::unique_ptr<Engine> engine = Open(target->url());
    ASSERT_TRUE(engine->provisioner().Apply({SampleClient(9)}).ok());
  }
  Result<CopyReport> report = CopyDatabase(db_->url(), target->url());
  ASSERT_FALSE(report.ok());
  EXPECT_TRUE(report.status().IsInvalidArgument()) << report.status().ToString();
  EXPECT_NE(report.status().message().find("table clients has 1 rows"), std::string::npos)
      << report.status().message();
  EXPECT_EQ(*target->QueryInt("SELECT count(*) FROM mails"), 0);
  EXPECT_EQ(*target->QueryInt("SELECT count(*) FROM clients"), 1);

  EXPECT_TRUE(CopyDatabase(db_->url(), db_->url()).status().IsInvalidArgument());
  EXPECT_TRUE(CopyDatabase(db_->url(), "mysql://x").status().IsInvalidArgument());
}

TEST_F(CopyTest, RefusesAMissingSqliteSourceAndCreatesNothing) {
  TempDir dir = TempDir::Create("copy-test").value();
  const std::string missing = dir.File("typo.db");
  std::unique_ptr<TestDatabase> target = TestDatabase::CreateOrDie();
  Result<CopyReport> report = CopyDatabase("sqlite:" + missing, target->url());
  ASSERT_FALSE(report.ok());
  EXPECT_TRUE(report.status().IsInvalidArgument()) << report.status().ToString();
  EXPECT_NE(report.status().message().find("does not exist"), std::string::npos)
      << report.status().message();
  EXPECT_FALSE(std::filesystem::exists(missing));
}

TEST_F(CopyTest, AFailureHalfWayLeavesTheTargetEmpty) {
  // A mail of a client that does not exist breaks the foreign key on the
  // way in (the source is made inconsistent on purpose).
  const std::string unchecked = db_->postgres()
                                    ? "ALTER TABLE mails DROP CONSTRAINT mails_client_id_fkey; "
                                    : "PRAGMA foreign_keys = OFF; ";
  ExecSql(unchecked +
          "INSERT INTO mails (id, client_id, list_id, mailing_id, recipient_id, fields, status, "
          "created_at, updated_at, next_attempt_at) VALUES (900, 77, 1, 1, 'x@y.z', '{}', "
          "'enqueued', 0, 0, 0)");
  TempDir dir = TempDir::Create("copy-test").value();
  const std::string target = "sqlite:" + dir.File("t.db");
  Result<CopyReport> report = CopyDatabase(db_->url(), target);
  ASSERT_FALSE(report.ok());
  EXPECT_NE(report.status().message().find("copy table mails"), std::string::npos)
      << report.status().ToString();
  std::unique_ptr<Engine> engine = Open(target);
  EXPECT_FALSE(engine->directory().FindClient(1)->has_value()) << "one transaction: nothing kept";
}

}  // namespace
}  // namespace campaignd::store
