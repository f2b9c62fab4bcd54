// webhook/: the signature against a vector computed by `openssl dgst`
// (the README's one-line check), the SSRF classification of addresses, the
// payload's JSON shape and the subscription rules.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "webhook/address_guard.h"
#include "webhook/payload.h"
#include "webhook/signature.h"
#include "webhook/subscription.h"

namespace campaignd::webhook {
namespace {

using store::events::EventType;
using store::events::StoredEvent;
using store::events::Webhook;
using store::events::WebhookAuth;

TEST(SignatureTest, MatchesOpensslDgstHmac) {
  // printf '%s.%s' 1700000000 '[{"id":"1","type":"open"}]' | openssl dgst -sha256 -hmac key
  EXPECT_EQ(Signature("key", 1700000000, R"([{"id":"1","type":"open"}])"),
            "t=1700000000,v1=718c828e9b09bbe7bba64130ec6f0c2c73e8ddca4f97475b6d6b555ab3a2751b");
}

TEST(SignatureTest, KeyIsTheHexOfTheSecret) {
  EXPECT_EQ(SigningKey(std::string("\x00\x01\xfe\xff", 4)), "0001feff");
  const std::string secret = NewSigningSecret();
  EXPECT_EQ(secret.size(), 32u);
  EXPECT_EQ(SigningKey(secret).size(), 64u);
  EXPECT_NE(NewSigningSecret(), secret);
  // Another key or body: another MAC.
  EXPECT_NE(Signature("key", 1, "a"), Signature("kez", 1, "a"));
  EXPECT_NE(Signature("key", 1, "a"), Signature("key", 1, "b"));
  EXPECT_NE(Signature("key", 1, "a"), Signature("key", 2, "a"));
}

TEST(AddressGuardTest, RefusesInternalRanges) {
  const std::pair<const char*, std::string_view> cases[] = {
      {"127.0.0.1", "loopback"},
      {"127.255.0.9", "loopback"},
      {"::1", "loopback"},
      {"10.1.2.3", "private"},
      {"172.16.0.1", "private"},
      {"172.31.255.255", "private"},
      {"192.168.0.10", "private"},
      {"fd00::1", "private"},
      {"fc12::1", "private"},
      {"169.254.169.254", "link-local"},
      {"fe80::1", "link-local"},
      {"100.64.0.1", "CGNAT"},
      {"100.127.255.254", "CGNAT"},
      {"224.0.0.1", "multicast"},
      {"ff02::1", "multicast"},
      {"0.0.0.0", "unspecified"},
      {"::", "unspecified"},
      {"255.255.255.255", "broadcast"},
      {"::ffff:127.0.0.1", "loopback"},
      {"::ffff:10.0.0.1", "private"},
      {"::ffff:169.254.169.254", "link-local"},
      {"::127.0.0.1", "loopback"},
      {"64:ff9b::a00:1", "private"},
      {"64:ff9b:1::808:808", "private"},  // local-use NAT64, whatever it embeds
      {"64:ff9b:1:ffff::1", "private"},
      {"::ffff:0:808:808", "reserved"},  // SIIT
      {"::ffff:0:7f00:1", "reserved"},
      {"2002:7f00:1::1", "loopback"},       // 6to4 of 127.0.0.1
      {"2002:a00:1::", "private"},          // 6to4 of 10.0.0.1
      {"2002:a9fe:a9fe::1", "link-local"},  // 6to4 of 169.254.169.254
      {"2001::1", "reserved"},              // Teredo
      {"2001:0:4136:e378:8000:63bf:3fff:fdd2", "reserved"},
      {"100::1", "reserved"},  // discard-only
      {"100::ffff:ffff:ffff:ffff", "reserved"},
      {"localhost", "not an IP address"},
  };
  for (const auto& [ip, range] : cases) EXPECT_EQ(ForbiddenRange(ip), range) << ip;
}

TEST(AddressGuardTest, AllowsPublicAddresses) {
  for (const char* ip : {"93.184.216.34", "8.8.8.8", "172.32.0.1", "172.15.255.255", "100.128.0.1",
                         "192.169.0.1", "2001:db8::1", "2606:4700::1111", "::ffff:8.8.8.8",
                         "2002:808:808::1", "2001:1::1", "100:0:0:1::1", "64:ff9b:2::1"}) {
    EXPECT_EQ(ForbiddenRange(ip), "") << ip;
  }
}

StoredEvent Bounce() {
  StoredEvent s;
  s.id = 42;
  s.event.client_id = 7;
  s.event.type = EventType::kBounce;
  s.event.at = FromUnixMillis(1'700'000'000'123);
  s.event.mail_seq = 9;
  s.event.mailing_id = 100;
  s.event.list_id = 0;
  s.event.recipient_id = "a@example.com";
  s.event.data = R"({"category":"hard","status":"5.1.1","id":"not-this","client":0})";
  return s;
}

TEST(PayloadTest, EventsAsAJsonArrayWithTheirDataMerged) {
  StoredEvent open;
  open.id = 43;
  open.event.client_id = 7;
  open.event.type = EventType::kUnsubscribe;
  open.event.at = FromUnixMillis(0);
  const StoredEvent events[] = {Bounce(), open};
  const std::string body = PayloadJson(events, [](int64_t client, int64_t seq) {
    return std::to_string(client) + "-" + std::to_string(seq) + "-MAC";
  });
  const auto json = nlohmann::json::parse(body);
  ASSERT_TRUE(json.is_array());
  ASSERT_EQ(json.size(), 2u);
  EXPECT_EQ(json[0],
            nlohmann::json::parse(R"({"id":"42","type":"bounce","time":"2023-11-14T22:13:20.123Z",
              "client":7,"mailId":"7-9-MAC","mailing":100,"recipient":"a@example.com",
              "category":"hard","status":"5.1.1"})"));
  EXPECT_EQ(json[1], nlohmann::json::parse(
                         R"({"id":"43","type":"unsubscribe","time":"1970-01-01T00:00:00.000Z",
                             "client":7})"));
  // An unknown mail ID is left out.
  const StoredEvent one[] = {Bounce()};
  EXPECT_FALSE(
      nlohmann::json::parse(PayloadJson(one, [](int64_t, int64_t) { return std::string(); }))[0]
          .contains("mailId"));
}

Webhook Valid() {
  Webhook w;
  w.client_id = 1;
  w.url = "https://hooks.example.com/campaignd?x=1";
  w.types = {EventType::kOpen};
  return w;
}

std::string FirstProblem(const Webhook& w, bool keep = false) {
  auto problems = SubscriptionProblems(w, keep);
  return problems.empty() ? "" : problems.front().member + ": " + problems.front().message;
}

TEST(SubscriptionTest, Urls) {
  EXPECT_EQ(UrlProblem("https://hooks.example.com/x"), std::nullopt);
  EXPECT_EQ(UrlProblem("http://127.0.0.1:8000/"), std::nullopt);  // the guard is at send time
  EXPECT_EQ(UrlProblem("http://[::1]:8000/"), std::nullopt);
  EXPECT_NE(UrlProblem(""), std::nullopt);
  EXPECT_NE(UrlProblem("ftp://hooks.example.com/"), std::nullopt);
  EXPECT_NE(UrlProblem("file:///etc/passwd"), std::nullopt);
  EXPECT_NE(UrlProblem("gopher://x/"), std::nullopt);
  EXPECT_NE(UrlProblem("https://user:pw@hooks.example.com/"), std::nullopt);
  EXPECT_NE(UrlProblem("/relative"), std::nullopt);
  EXPECT_NE(UrlProblem("https:///nohost"), std::nullopt);
  EXPECT_NE(UrlProblem("https://hooks.example.com/\r\nX: y"), std::nullopt);
  EXPECT_NE(UrlProblem("https://hooks.example.com:0/"), std::nullopt);
  EXPECT_NE(UrlProblem("https://h/" + std::string(kMaxUrlBytes, 'a')), std::nullopt);
}

TEST(SubscriptionTest, TypesAndAuth) {
  EXPECT_EQ(FirstProblem(Valid()), "");
  Webhook w = Valid();
  w.types.clear();
  EXPECT_EQ(FirstProblem(w), "types: expected at least one event type");
  w.types = {EventType::kOpen, EventType::kOpen};
  EXPECT_EQ(FirstProblem(w), "types: names a type twice");

  w = Valid();
  w.auth_name = "x";
  EXPECT_EQ(FirstProblem(w), "auth: none takes no name or secret");

  w = Valid();
  w.auth = WebhookAuth::kBasicAuth;
  EXPECT_EQ(FirstProblem(w), "auth_name: basicAuth needs a user");
  w.auth_name = "shop";
  EXPECT_EQ(FirstProblem(w), "auth_secret: basicAuth needs a password");
  EXPECT_EQ(FirstProblem(w, true), "");  // an update keeps the stored one
  w.auth_secret = "pw";
  EXPECT_EQ(FirstProblem(w), "");
  w.auth_name = "a:b";
  EXPECT_EQ(FirstProblem(w), "auth_name: a basicAuth user must not contain ':'");
  w.auth_name = "shop";
  w.auth_secret = "pw\r\nX-Evil: 1";
  EXPECT_EQ(FirstProblem(w), "auth_secret: must not contain a line break (CR or LF)");

  w = Valid();
  w.auth = WebhookAuth::kKeyAuth;
  w.auth_name = "X-Api-Key";
  w.auth_secret = "k";
  EXPECT_EQ(FirstProblem(w), "");
  w.auth_name = "Authorization";  // "Bearer ..." is what many receivers expect
  EXPECT_EQ(FirstProblem(w), "");
  for (const char* bad : {"Host", "content-length", "Transfer-Encoding", "Connection",
                          "X-Campaignd-Signature", "Content-Type", "Proxy-Authorization"}) {
    w.auth_name = bad;
    EXPECT_NE(FirstProblem(w).find("is set by campaignd or the connection"), std::string::npos)
        << bad;
  }
  for (const char* bad : {"", "X Key", "X-Key:", "X-Key\r\n", "Ä"}) {
    w.auth_name = bad;
    EXPECT_EQ(FirstProblem(w), "auth_name: keyAuth needs a header name (letters, digits, -)")
        << bad;
  }
  w.auth_name = "X-Key";
  w.auth_secret = "a\nb";
  EXPECT_EQ(FirstProblem(w), "auth_secret: must not contain a line break (CR or LF)");
}

TEST(SubscriptionTest, ParsesNames) {  // the store's one table of names
  using store::events::ParseWebhookAuth;
  using store::events::ParseWebhookState;
  EXPECT_EQ(ParseWebhookAuth("basicAuth"), WebhookAuth::kBasicAuth);
  EXPECT_EQ(ParseWebhookAuth("keyAuth"), WebhookAuth::kKeyAuth);
  EXPECT_EQ(ParseWebhookAuth("none"), WebhookAuth::kNone);
  EXPECT_EQ(ParseWebhookAuth("basic"), std::nullopt);
  EXPECT_EQ(ParseWebhookState("suspended"), store::events::WebhookState::kSuspended);
  EXPECT_EQ(ParseWebhookState("on"), std::nullopt);
  ASSERT_EQ(store::events::EventTypeNames().size(), 11u);
  EXPECT_EQ(store::events::EventTypeNames()[0], "sent");
}

TEST(SubscriptionTest, TheAuthSecretIsKeptOnlyForTheSameKindAndUrl) {
  Webhook stored;
  stored.url = "https://one.example/hook";
  stored.auth = WebhookAuth::kKeyAuth;
  Webhook changed = stored;
  EXPECT_TRUE(AuthSecretMayBeKept(stored, changed));
  changed.url = "https://two.example/hook";
  EXPECT_FALSE(AuthSecretMayBeKept(stored, changed));
  changed = stored;
  changed.auth = WebhookAuth::kBasicAuth;
  EXPECT_FALSE(AuthSecretMayBeKept(stored, changed));
}

}  // namespace
}  // namespace campaignd::webhook
