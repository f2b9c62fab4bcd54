// events/inbound.h on a real store (SQLite, and PostgreSQL in ctest's pg.*
// copy): attribution (VERP, header fallback, bad MAC, another client's
// mail, an unknown domain, a bounce of a bounce), the one write of a bounce
// (event, hard count, five soft in a row) and of a complaint (events and
// unsubscribe), and the listener policy's RCPT answers.
#include "events/inbound.h"

#include <gtest/gtest.h>

#include <fstream>
#include <regex>
#include <sstream>

#include "core/mail_id.h"
#include "store/sql/events.h"
#include "testing/fake_clock.h"
#include "testing/fixtures.h"
#include "testing/temp_store.h"

namespace campaignd::events {
namespace {

constexpr char kDomain[] = "bounce.shop.example";
constexpr char kOtherSecret[] = "another-clients-secret-32-bytes!";

std::string Fixture(const std::string& name) {
  std::ifstream in(std::string(CAMPAIGND_BOUNCE_FIXTURES) + "/" + name, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  EXPECT_FALSE(text.str().empty()) << name;
  return text.str();
}

// `fixture` with every mail ID in it replaced by `mail_id`.
std::string ForMail(const std::string& fixture, const std::string& mail_id) {
  static const std::regex kMailId("[0-9]+-[0-9A-Z]+-[0-9A-Z]{16}");
  return std::regex_replace(Fixture(fixture), kMailId, mail_id);
}

class InboundTest : public ::testing::Test {
 protected:
  void SetUp() override {
    clock_.Set(FromUnixMillis(1'796'600'000'000));
    store::ClientSpec one = testing::ShoeStore(1);
    one.client.bounce_domain = kDomain;
    one.client.mail_id_secret = testing::kSecret;
    store::ClientSpec two = testing::ShoeStore(2);
    two.client.bounce_domain = "bounce.other.example";
    two.client.complaint_address = "abuse-reports@other.example";
    two.client.mail_id_secret = kOtherSecret;
    Status applied = store_.provisioner().Apply({one, two});
    ASSERT_TRUE(applied.ok()) << applied.ToString();
  }

  // A mail of `client` to `address` (list and mailing of the fixture); its ID.
  MailId Enqueue(int64_t client = 1, const std::string& address = "john.smith@example.com") {
    const int64_t offset = (client - 1) * 10000;
    store::NewMail mail;
    mail.client_id = client;
    mail.list_id = 100 + offset;
    mail.mailing_id = 5004 + offset;
    mail.recipient_id = address;
    mail.created_at = clock_.Now();
    Result<int64_t> seq = store_.queue().Enqueue(mail);
    EXPECT_TRUE(seq.ok()) << seq.status().ToString();
    return MailId::Make(client, seq.ok() ? *seq : 1, client == 1 ? testing::kSecret : kOtherSecret);
  }

  static std::string Verp(const MailId& id, const std::string& domain = kDomain) {
    return "bounces+" + id.ToString() + "@" + domain;
  }

  InboundResult Process(const std::string& message, std::vector<std::string> recipients) {
    Result<InboundResult> result = inbound_.Process(message, recipients);
    EXPECT_TRUE(result.ok()) << result.status().ToString();
    return result.ok() ? *result : InboundResult{};
  }

  std::vector<store::events::StoredEvent> Events(int64_t client = 1) {
    store::StatementSession session(store_.engine().runner());
    auto events = store::events::ClientEvents(session, client, 0, 100);
    EXPECT_TRUE(events.ok()) << events.status().ToString();
    return events.ok() ? *events : std::vector<store::events::StoredEvent>{};
  }

  int HardBounces(const std::string& address = "john.smith@example.com", int64_t client = 1) {
    auto s = store_.directory().CheckSuppression(client, 100, address);
    EXPECT_TRUE(s.ok());
    return s.ok() ? s->hard_bounces : -1;
  }

  testing::TempStore store_;
  testing::FakeClock clock_;
  Inbound inbound_{store_.directory(), store_.engine().runner(), clock_};
};

TEST_F(InboundTest, HardBounceByVerpIsRecordedAndCounted) {
  MailId id = Enqueue();
  InboundResult r = Process(ForMail("postfix_user_unknown.eml", id.ToString()), {Verp(id)});
  EXPECT_EQ(r.outcome, InboundOutcome::kRecorded) << r.what;
  EXPECT_EQ(r.mail_id, id.ToString());
  auto events = Events();
  ASSERT_EQ(events.size(), 1u);
  const store::events::Event& e = events[0].event;
  EXPECT_EQ(e.type, store::events::EventType::kBounce);
  EXPECT_TRUE(e.hard);
  EXPECT_EQ(e.mail_seq, id.sequence());
  EXPECT_EQ(e.mailing_id, 5004);
  EXPECT_EQ(e.list_id, 100);
  EXPECT_EQ(e.address, "john.smith@example.com");
  EXPECT_NE(e.data.find(R"("status":"5.1.1")"), std::string::npos) << e.data;
  EXPECT_NE(e.data.find(R"("reportingMta":)"), std::string::npos) << e.data;
  EXPECT_EQ(HardBounces(), 1);
  EXPECT_EQ(inbound_.count(InboundOutcome::kRecorded), 1);
}

TEST_F(InboundTest, EveryDsnFormatIsAttributedByVerp) {
  for (const char* name : {"postfix_user_unknown.eml", "exim_dsn_mailbox_full.eml", "qmail.eml",
                           "microsoft365.eml", "gmail.eml", "exim_old.eml", "yahoo.eml"}) {
    MailId id = Enqueue();
    InboundResult r = Process(ForMail(name, id.ToString()), {Verp(id)});
    EXPECT_EQ(r.outcome, InboundOutcome::kRecorded) << name << ": " << r.what;
  }
  EXPECT_EQ(Events().size(), 7u);
}

TEST_F(InboundTest, HeaderFallbackWithoutEnvelopeRecipient) {
  MailId id = Enqueue();
  // No --recipient (procmail): the report's own headers name the mail.
  InboundResult r = Process(ForMail("postfix_user_unknown.eml", id.ToString()), {});
  EXPECT_EQ(r.outcome, InboundOutcome::kRecorded) << r.what;
  EXPECT_EQ(HardBounces(), 1);
}

TEST_F(InboundTest, ComplaintAddressUsesTheReturnedHeaders) {
  MailId id = Enqueue();
  InboundResult r = Process(ForMail("arf_abuse.eml", id.ToString()), {"fbl@bounce.shop.example"});
  EXPECT_EQ(r.outcome, InboundOutcome::kRecorded) << r.what;
  auto events = Events();
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].event.type, store::events::EventType::kSpamComplaint);
  EXPECT_NE(events[0].event.data.find(R"("feedbackType":"abuse")"), std::string::npos);
  EXPECT_EQ(events[1].event.type, store::events::EventType::kUnsubscribe);
  EXPECT_NE(events[1].event.data.find(R"("source":"complaint")"), std::string::npos);
  auto s = store_.directory().CheckSuppression(1, 100, "john.smith@example.com");
  ASSERT_TRUE(s.ok());
  EXPECT_TRUE(s->unsubscribed);
  auto recipient = store_.directory().FindRecipient(1, 100, "john.smith@example.com");
  ASSERT_TRUE(recipient.ok() && recipient->has_value());
  EXPECT_EQ((*recipient)->state, store::RecipientState::kUnsubscribed);
  // A second complaint: recorded, nothing to unsubscribe any more.
  r = Process(ForMail("arf_abuse.eml", id.ToString()), {"fbl@bounce.shop.example"});
  EXPECT_EQ(r.outcome, InboundOutcome::kRecorded);
  EXPECT_EQ(Events().size(), 3u);
}

TEST_F(InboundTest, BadMacIsNotAttributed) {
  MailId id = Enqueue();
  MailId forged = MailId::Make(1, id.sequence(), "not-the-secret");
  InboundResult r = Process(ForMail("postfix_user_unknown.eml", forged.ToString()), {Verp(forged)});
  EXPECT_EQ(r.outcome, InboundOutcome::kUnattributed);
  r = Process(ForMail("postfix_user_unknown.eml", forged.ToString()), {});
  EXPECT_EQ(r.outcome, InboundOutcome::kUnattributed);
  EXPECT_TRUE(Events().empty());
  EXPECT_EQ(HardBounces(), 0);
  EXPECT_EQ(inbound_.count(InboundOutcome::kUnattributed), 2);
  EXPECT_FALSE(*inbound_.Accepts(Verp(forged)));
}

TEST_F(InboundTest, AnotherClientsMailIsNotAttributed) {
  MailId theirs = Enqueue(2);
  // Client 2's genuine mail ID at client 1's bounce domain: refused.
  EXPECT_FALSE(*inbound_.Accepts(Verp(theirs)));
  InboundResult r = Process(ForMail("postfix_user_unknown.eml", theirs.ToString()), {Verp(theirs)});
  EXPECT_EQ(r.outcome, InboundOutcome::kUnattributed);
  // ... and named only in the headers of a message to client 1's complaint address.
  r = Process(ForMail("arf_abuse.eml", theirs.ToString()), {"fbl@bounce.shop.example"});
  EXPECT_EQ(r.outcome, InboundOutcome::kUnattributed);
  EXPECT_TRUE(Events(1).empty());
  EXPECT_TRUE(Events(2).empty());
  // At its own addresses it is client 2's.
  EXPECT_TRUE(*inbound_.Accepts(Verp(theirs, "bounce.other.example")));
  EXPECT_TRUE(*inbound_.Accepts("Abuse-Reports@other.example"));
  EXPECT_FALSE(*inbound_.Accepts("fbl@bounce.other.example"));  // it named another address
  r = Process(ForMail("arf_abuse.eml", theirs.ToString()), {"abuse-reports@other.example"});
  EXPECT_EQ(r.outcome, InboundOutcome::kRecorded) << r.what;
}

TEST_F(InboundTest, UnknownDomainAndForeignAddressesAreRefused) {
  MailId id = Enqueue();
  EXPECT_TRUE(*inbound_.Accepts(Verp(id)));
  EXPECT_TRUE(*inbound_.Accepts("FBL@Bounce.Shop.Example"));
  EXPECT_FALSE(*inbound_.Accepts(Verp(id, "bounce.elsewhere.example")));
  EXPECT_FALSE(*inbound_.Accepts("postmaster@bounce.shop.example"));
  EXPECT_FALSE(*inbound_.Accepts("someone@gmail.example"));
  InboundResult r = Process(ForMail("postfix_user_unknown.eml", id.ToString()),
                            {Verp(id, "bounce.elsewhere.example")});
  EXPECT_EQ(r.outcome, InboundOutcome::kUnattributed);
  r = Process(ForMail("postfix_user_unknown.eml", id.ToString()), {"someone@gmail.example"});
  EXPECT_EQ(r.outcome, InboundOutcome::kUnattributed);
  EXPECT_TRUE(Events().empty());
}

TEST_F(InboundTest, AutoRepliesBouncesOfBouncesAndGarbage) {
  MailId id = Enqueue();
  InboundResult r = Process(ForMail("autoreply_rfc3834.eml", id.ToString()), {Verp(id)});
  EXPECT_EQ(r.outcome, InboundOutcome::kIgnored);
  r = Process(Fixture("bounce_of_bounce.eml"), {Verp(id)});
  EXPECT_NE(r.outcome, InboundOutcome::kRecorded) << r.what;
  EXPECT_TRUE(Events().empty());
  Result<InboundResult> garbage = inbound_.Process("", std::vector<std::string>{Verp(id)});
  EXPECT_TRUE(garbage.status().IsInvalidArgument());
}

TEST_F(InboundTest, FiveSoftBouncesInARowCountAsOneHard) {
  auto soft = [&] {
    MailId id = Enqueue();
    return Process(ForMail("postfix_delayed.eml", id.ToString()), {Verp(id)});
  };
  for (int i = 1; i <= 4; ++i) {
    EXPECT_EQ(soft().outcome, InboundOutcome::kRecorded);
    EXPECT_EQ(HardBounces(), 0) << i;
  }
  InboundResult fifth = soft();
  EXPECT_NE(fifth.what.find("5 soft in a row"), std::string::npos) << fifth.what;
  EXPECT_EQ(HardBounces(), 1);
  auto events = Events();
  ASSERT_EQ(events.size(), 5u);
  EXPECT_FALSE(events[3].event.hard);
  EXPECT_TRUE(events[4].event.hard);
  // The run starts again after it: four more are still soft.
  for (int i = 0; i < 4; ++i) soft();
  EXPECT_EQ(HardBounces(), 1);
  // A delivery (`sent` event) in between ends a run.
  MailId delivered = Enqueue();
  Status sent = store_.engine().runner().Write([&](store::SqlSession& s) {
    store::events::Event e;
    e.client_id = 1;
    e.type = store::events::EventType::kSent;
    e.at = clock_.Now();
    e.mail_seq = delivered.sequence();
    e.mailing_id = 5004;
    e.list_id = 100;
    e.recipient_id = e.address = "john.smith@example.com";
    return store::events::Append(s, e).status();
  });
  ASSERT_TRUE(sent.ok()) << sent.ToString();
  soft();
  EXPECT_EQ(HardBounces(), 1);
}

TEST_F(InboundTest, RepeatedDelayedReportsForOneMailAreOneSoftBounce) {
  MailId id = Enqueue();
  for (int i = 0; i < 6; ++i) {
    EXPECT_EQ(Process(ForMail("postfix_delayed.eml", id.ToString()), {Verp(id)}).outcome,
              InboundOutcome::kRecorded);
  }
  EXPECT_EQ(HardBounces(), 0);
  EXPECT_EQ(Events().size(), 6u);
}

TEST_F(InboundTest, PolicyAnswers) {
  MailId id = Enqueue();
  SmtpPolicy policy = InboundPolicy(inbound_);
  EXPECT_EQ(policy.check_recipient(Verp(id)), RecipientVerdict::kAccept);
  EXPECT_EQ(policy.check_recipient("victim@gmail.example"), RecipientVerdict::kReject);
  Envelope envelope;
  envelope.recipients = {Verp(id)};
  DeliverResult ok = policy.deliver(envelope, ForMail("gmail.eml", id.ToString()));
  EXPECT_EQ(ok.kind, DeliverResult::Kind::kAccepted);
  envelope.recipients = {"fbl@bounce.shop.example"};
  DeliverResult unattributed =
      policy.deliver(envelope, ForMail("gmail.eml", MailId::Make(1, 999, "x").ToString()));
  EXPECT_EQ(unattributed.kind, DeliverResult::Kind::kAccepted);  // not the sender's to retry
  EXPECT_EQ(unattributed.queue_id, "unattributed");
  EXPECT_EQ(policy.deliver(envelope, "").kind, DeliverResult::Kind::kRejected);
}

}  // namespace
}  // namespace campaignd::events
