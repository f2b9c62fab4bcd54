// HandleInline: the accept path on the I/O thread gives the answers
// HandleRequest gives, from memory only, and leaves to the pool whatever it
// cannot answer without blocking. Real store (both engines), real cache.
#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <thread>

#include "core/mail_id.h"
#include "ops/operation.h"
#include "ops/ops_testutil.h"
#include "store/directory_cache.h"

namespace campaignd::ops {
namespace {

using auth::Service;
namespace fx = campaignd::testing;

class InlineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto cache = store::OpenDirectoryCache(env.store.engine());
    ASSERT_TRUE(cache.ok()) << cache.status().ToString();
    cache_ = std::move(*cache);
    // Nothing is kept until the change counter was read once.
    for (int i = 0; i < 500 && !cache_->memory_only().FindClient(1).ok(); ++i) {
      ASSERT_TRUE(cache_->FindClient(1).ok());
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }
  Deps Over(store::Directory& directory) {
    Deps d{directory, env.store.queue(), env.store.engine().recipients(), env.clock, env.notifier,
           env.settings};
    d.coordination = &env.store.engine().coordination();
    return d;
  }
  // The request through HandleRequest over the cache (the pool's way).
  Answer Pooled(const auth::RequestInfo& info, const Params& params) {
    Deps d = Over(*cache_);
    return HandleRequest(info, params, d);
  }
  // The request through HandleInline; nullopt when it was not taken.
  std::optional<Answer> Inline(const auth::RequestInfo& info, const Params& params) {
    Deps d = Over(cache_->memory_only());
    std::promise<Answer> answered;
    AnswerDone done = [&answered](Answer a) { answered.set_value(std::move(a)); };
    if (!HandleInline(info, params, d, done)) return std::nullopt;
    return answered.get_future().get();
  }
  static auth::RequestInfo Info(std::string code, std::string op, Service service = Service::kForm) {
    return auth::RequestInfo{service, std::move(code), std::move(op), "GET", "http", "127.0.0.1"};
  }
  static Params Send(const std::string& recipient, const std::string& mailing) {
    Params p;
    p.Add("bmRecipientId", recipient);
    p.Add("bmMailingId", mailing);
    return p;
  }

  OpsTestEnv env;
  std::unique_ptr<store::DirectoryCache> cache_;
};

TEST_F(InlineTest, AMissGoesToThePoolThenTheSameRequestIsAnsweredInline) {
  const auto info = Info(fx::kFormCode, "sendeventmail");
  const Params params = Send("john.smith@example.com", "5000");
  EXPECT_FALSE(Inline(info, params).has_value()) << "code, list, mailing not in memory yet";
  EXPECT_EQ(env.notifier.count, 0);

  Answer pooled = Pooled(info, params);
  ASSERT_EQ(Body(pooled).rfind("enqueued: ", 0), 0u) << Body(pooled);
  std::optional<Answer> answered = Inline(info, params);
  ASSERT_TRUE(answered.has_value());
  const std::string body = Body(*answered);
  ASSERT_EQ(body.rfind("enqueued: ", 0), 0u) << body;
  EXPECT_EQ(answered->redirect_hosts, pooled.redirect_hosts);
  EXPECT_EQ(env.notifier.count, 2);
  // The answer's mail ID is a durable mail of the client, signed as usual.
  auto id = MailId::Parse(body.substr(10));
  ASSERT_TRUE(id.ok());
  EXPECT_TRUE(id->Verify(std::string(fx::kSecret) + "1"));
  auto mail = env.store.queue().FindMail(1, id->sequence());
  ASSERT_TRUE(mail.ok() && mail->has_value());
  EXPECT_EQ((*mail)->recipient_id, "john.smith@example.com");
  EXPECT_EQ((*mail)->mailing_id, 5000);
}

TEST_F(InlineTest, BusinessAnswersAreTheSameAsOnThePool) {
  struct Case {
    std::string code, op, recipient, mailing;
  };
  const Case cases[] = {
      {"UNKNOWN-CODE", "sendeventmail", "john.smith@example.com", "5000"},  // wrong_tag: 501
      {fx::kDisabledCode, "sendeventmail", "john.smith@example.com", "5000"},
      {fx::kNopCode, "sendeventmail", "john.smith@example.com", "5000"},  // 506
      {fx::kFormCode, "sendeventmail", "", "5000"},                       // missing_id
      {fx::kFormCode, "sendeventmail", "not an address", "5000"},         // syntax_error
      {fx::kFormCode, "sendeventmail", "john.smith@example.com", "5001"},  // wrong_mailing_type
      {fx::kFormCode, "sendeventmail", "john.smith@example.com", "5002"},  // wrong_mailing_status
      {fx::kFormCode, "sendeventmail", "john.smith@example.com", "5003"},  // wrong_tag: 505
      {fx::kFormCode, "sendeventmail", "john.smith@example.com", "4711"},  // not_found
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.code + " " + c.mailing + " " + c.recipient);
    const auto info = Info(c.code, c.op);
    const Params params = Send(c.recipient, c.mailing);
    const std::string pooled = Body(Pooled(info, params));  // fills the cache
    ASSERT_EQ(pooled.rfind("enqueued", 0), std::string::npos);
    std::optional<Answer> answered = Inline(info, params);
    ASSERT_TRUE(answered.has_value());
    EXPECT_EQ(Body(*answered), pooled);
  }
  EXPECT_EQ(env.notifier.count, 0);
}

TEST_F(InlineTest, OtherOperationsAndTheMailServiceStayOnThePool) {
  const auto nop = Info(fx::kFormCode, "nop");
  ASSERT_EQ(Body(Pooled(nop, {})), "ok");
  EXPECT_FALSE(Inline(nop, {}).has_value());
  EXPECT_FALSE(Inline(Info(fx::kFormCode, "getsendstatus"), {}).has_value());
  EXPECT_FALSE(Inline(Info(fx::kFormCode, "nosuchop"), {}).has_value());
  // A mail ID is checked against the queue: a read.
  const Answer sent = Pooled(Info(fx::kFormCode, "sendeventmail"),
                             Send("john.smith@example.com", "5000"));
  const std::string mail_id = Body(sent).substr(10);
  EXPECT_FALSE(Inline(Info(mail_id, "sendeventmail", Service::kMail), {}).has_value());
}

}  // namespace
}  // namespace campaignd::ops
