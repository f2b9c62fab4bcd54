#include "ops/operation.h"

#include <gtest/gtest.h>

#include "ops/ops_testutil.h"

namespace campaignd::ops {
namespace {

using auth::Service;
namespace fx = campaignd::testing;

class OperationTest : public ::testing::Test {
 protected:
  std::string Call(const std::string& code, const std::string& op, std::string method = "GET",
                   std::string protocol = "http", std::string ip = "127.0.0.1",
                   Service service = Service::kForm) {
    return Body(env.Call(service, code, op, {}, std::move(method), std::move(protocol),
                         std::move(ip)));
  }
  OpsTestEnv env;
};

TEST_F(OperationTest, NopAnswersOkAndCarriesTheRedirectAllowlist) {
  Answer a = env.Form("nop", {});
  EXPECT_EQ(Body(a), "ok");
  EXPECT_TRUE(a.result->success);
  EXPECT_EQ(a.redirect_hosts, std::vector<std::string>{"www.example.com"});
}

TEST_F(OperationTest, WrongTag501ForUnknownDisabledOrMalformedCodes) {
  EXPECT_EQ(Call("UNKNOWN-CODE", "nop"), "wrong_tag: 501");
  EXPECT_EQ(Call(fx::kDisabledCode, "nop"), "wrong_tag: 501");
  EXPECT_EQ(Call("", "nop"), "wrong_tag: 501");
  EXPECT_EQ(Call("a b\r\n", "nop"), "wrong_tag: 501");
  // The code is case-sensitive.
  EXPECT_EQ(Call("formcode-1", "nop"), "wrong_tag: 501");
  // 501 before 507: an unknown code never learns which operations exist.
  EXPECT_EQ(Call("UNKNOWN-CODE", "nosuchop"), "wrong_tag: 501");
  EXPECT_EQ(Call("UNKNOWN-CODE", "nop", "DELETE"), "wrong_tag: 501");
  EXPECT_TRUE(env.Call(Service::kForm, "UNKNOWN-CODE", "nop", {}).redirect_hosts.empty());
}

TEST_F(OperationTest, WrongTag502ForADisallowedIp) {
  EXPECT_EQ(Call(fx::kIpCode, "nop", "GET", "http", "10.1.2.3"), "ok");
  EXPECT_EQ(Call(fx::kIpCode, "nop", "GET", "http", "::ffff:10.1.2.3"), "ok");
  EXPECT_EQ(Call(fx::kIpCode, "nop", "GET", "http", "127.0.0.1"), "wrong_tag: 502");
  EXPECT_EQ(Call(fx::kIpCode, "nop", "GET", "http", "11.0.0.1"), "wrong_tag: 502");
  EXPECT_EQ(Call(fx::kIpCode, "nop", "GET", "http", "::1"), "wrong_tag: 502");
  EXPECT_EQ(Call(fx::kIpCode, "nop", "GET", "http", "garbage"), "wrong_tag: 502");
  // 502 wins over 503, 504 and 507.
  EXPECT_EQ(Call(fx::kIpCode, "nosuchop", "PUT", "https", "127.0.0.1"), "wrong_tag: 502");
}

TEST_F(OperationTest, WrongTag503ForADisallowedMethod) {
  EXPECT_EQ(Call(fx::kPostCode, "nop", "POST"), "ok");
  EXPECT_EQ(Call(fx::kPostCode, "nop", "GET"), "wrong_tag: 503");
  for (const char* m : {"PUT", "DELETE", "HEAD", "OPTIONS", "PATCH", "get"}) {
    EXPECT_EQ(Call(fx::kFormCode, "nop", m), "wrong_tag: 503") << m;
  }
  EXPECT_EQ(Call(fx::kPostCode, "nop", "GET", "ftp"), "wrong_tag: 503");  // before 504
}

TEST_F(OperationTest, WrongTag504ForADisallowedProtocol) {
  EXPECT_EQ(Call(fx::kHttpsCode, "nop", "GET", "https"), "ok");
  EXPECT_EQ(Call(fx::kHttpsCode, "nop", "GET", "http"), "wrong_tag: 504");
  EXPECT_EQ(Call(fx::kHttpsCode, "nosuchop", "GET", "http"), "wrong_tag: 504");  // before 507
}

TEST_F(OperationTest, WrongTag506And507) {
  EXPECT_EQ(Call(fx::kNopCode, "nop"), "ok");
  EXPECT_EQ(Call(fx::kNopCode, "sendeventmail"), "wrong_tag: 506");
  EXPECT_EQ(Call(fx::kNopCode, "getsendstatus"), "wrong_tag: 506");
  EXPECT_EQ(Call(fx::kFormCode, "nosuchop"), "wrong_tag: 507");
  EXPECT_EQ(Call(fx::kNopCode, "nosuchop"), "wrong_tag: 507");
}

TEST_F(OperationTest, MailServiceAuthenticatesByMailId) {
  Answer sent = env.Form("sendeventmail", {{"bmRecipientId", "jane@example.com"}, {"bmMailingId", "5004"}});
  ASSERT_TRUE(sent.result.ok());
  std::string mail_id = sent.result->detail;
  EXPECT_EQ(Call(mail_id, "nop", "GET", "http", "203.0.113.9", Service::kMail), "ok");
  EXPECT_EQ(Call(mail_id, "nop", "POST", "https", "2001:db8::1", Service::kMail), "ok");
  // getsendstatus is a form-service operation: 506 in the mail service.
  EXPECT_EQ(Call(mail_id, "getsendstatus", "GET", "http", "1.2.3.4", Service::kMail),
            "wrong_tag: 506");
  EXPECT_EQ(Call(mail_id, "nosuchop", "GET", "http", "1.2.3.4", Service::kMail), "wrong_tag: 507");
  EXPECT_EQ(Call(mail_id, "nop", "PUT", "http", "1.2.3.4", Service::kMail), "wrong_tag: 503");
  // Forged or altered IDs, and form codes, are 501 in the mail service.
  std::string forged = mail_id;
  forged.back() = forged.back() == '0' ? '1' : '0';
  EXPECT_EQ(Call(forged, "nop", "GET", "http", "1.2.3.4", Service::kMail), "wrong_tag: 501");
  EXPECT_EQ(Call(fx::kFormCode, "nop", "GET", "http", "1.2.3.4", Service::kMail), "wrong_tag: 501");
  // ...and a mail ID is not a form code.
  EXPECT_EQ(Call(mail_id, "nop"), "wrong_tag: 501");
}

TEST_F(OperationTest, StoreFailureDuringAuthorizationIsAStatus) {
  env.errors.FailReads(Status::Unavailable("database is locked"));
  Answer a = env.Form("nop", {});
  ASSERT_FALSE(a.result.ok());
  EXPECT_TRUE(a.result.status().IsUnavailable());
  EXPECT_TRUE(a.redirect_hosts.empty());
}

}  // namespace
}  // namespace campaignd::ops
