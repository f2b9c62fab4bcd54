#include "deliver/transport_url.h"

#include <gtest/gtest.h>

namespace campaignd::deliver {
namespace {

constexpr int kDefaultConnections = 4;

TransportUrl ParseOk(std::string_view url) {
  Result<TransportUrl> r = ParseTransportUrl(url, kDefaultConnections);
  EXPECT_TRUE(r.ok()) << url << ": " << r.status().ToString();
  return r.ok() ? *r : TransportUrl{};
}

std::string ParseError(std::string_view url) {
  Result<TransportUrl> r = ParseTransportUrl(url, kDefaultConnections);
  EXPECT_FALSE(r.ok()) << url;
  EXPECT_TRUE(r.status().IsInvalidArgument()) << r.status().ToString();
  return r.status().message();
}

TEST(TransportUrlTest, FileForms) {
  EXPECT_EQ(*ParseOk("file:/var/mail/out").file_dir, "/var/mail/out");
  EXPECT_EQ(*ParseOk("file:///var/mail/out").file_dir, "/var/mail/out");
  EXPECT_EQ(*ParseOk("file://relative/dir").file_dir, "relative/dir");
  EXPECT_EQ(*ParseOk("FILE:out").file_dir, "out");
  EXPECT_EQ(ParseOk("file:///x").described, "file:/x");
  EXPECT_FALSE(ParseOk("file:/x").smtp);
  EXPECT_NE(ParseError("file:").find("no directory"), std::string::npos);
  EXPECT_NE(ParseError("file://").find("no directory"), std::string::npos);
}

TEST(TransportUrlTest, SmtpDefaults) {
  TransportUrl u = ParseOk("smtp://relay.example");
  ASSERT_TRUE(u.smtp);
  EXPECT_FALSE(u.file_dir);
  EXPECT_FALSE(u.smtp->implicit_tls);
  EXPECT_EQ(u.smtp->host, "relay.example");
  EXPECT_EQ(u.smtp->port, 25);
  EXPECT_EQ(u.smtp->starttls, StartTls::kOptional);
  EXPECT_EQ(u.smtp->connections, kDefaultConnections);
  EXPECT_EQ(u.smtp->rate_per_second, 0);
  EXPECT_TRUE(u.smtp->verify);
  EXPECT_TRUE(u.smtp->user.empty());
  EXPECT_TRUE(u.smtp->helo.empty());

  TransportUrl s = ParseOk("smtps://relay.example/");
  EXPECT_TRUE(s.smtp->implicit_tls);
  EXPECT_EQ(s.smtp->port, 465);
  EXPECT_EQ(s.smtp->starttls, StartTls::kRequired);
}

TEST(TransportUrlTest, SmtpAllOptions) {
  TransportUrl u = ParseOk(
      "smtp://mail%40shop:p%40ss%3Aw%2Frd@[::1]:2525?starttls=required&connections=8&rate=12.5"
      "&cafile=/etc/ca.pem&verify=false&helo=mx.shop.example");
  ASSERT_TRUE(u.smtp);
  EXPECT_EQ(u.smtp->user, "mail@shop");
  EXPECT_EQ(u.smtp->password, "p@ss:w/rd");
  EXPECT_EQ(u.smtp->host, "[::1]");
  EXPECT_EQ(u.smtp->port, 2525);
  EXPECT_EQ(u.smtp->starttls, StartTls::kRequired);
  EXPECT_EQ(u.smtp->connections, 8);
  EXPECT_DOUBLE_EQ(u.smtp->rate_per_second, 12.5);
  EXPECT_EQ(u.smtp->cafile, "/etc/ca.pem");
  EXPECT_FALSE(u.smtp->verify);
  EXPECT_EQ(u.smtp->helo, "mx.shop.example");
  EXPECT_EQ(ParseOk("smtp://h?starttls=never").smtp->starttls, StartTls::kNever);
  EXPECT_EQ(ParseOk("smtp://h?helo=%5B192.0.2.1%5D").smtp->helo, "[192.0.2.1]");
}

TEST(TransportUrlTest, DescribeDropsThePassword) {
  TransportUrl u = ParseOk("smtp://user:secret%21@relay.example:587?starttls=required");
  EXPECT_EQ(u.described, "smtp://user@relay.example:587?starttls=required");
  EXPECT_EQ(u.described.find("secret"), std::string::npos);
  EXPECT_EQ(ParseOk("smtp://relay.example").described, "smtp://relay.example");
}

TEST(TransportUrlTest, ErrorsNameTheProblem) {
  EXPECT_NE(ParseError("ftp://x").find("unknown transport scheme 'ftp'"), std::string::npos);
  EXPECT_NE(ParseError("relay.example").find("no scheme"), std::string::npos);
  EXPECT_NE(ParseError("smtp://").find("no host"), std::string::npos);
  EXPECT_NE(ParseError("smtp://h:0").find("bad port"), std::string::npos);
  EXPECT_NE(ParseError("smtp://h:99999").find("bad port"), std::string::npos);
  EXPECT_NE(ParseError("smtp://h/helo.example").find("helo="), std::string::npos);
  EXPECT_NE(ParseError("smtp://h#frag").find("fragment"), std::string::npos);
  EXPECT_NE(ParseError("smtp://h?bogus=1").find("unknown option 'bogus'"), std::string::npos);
  EXPECT_NE(ParseError("smtp://h?starttls=maybe").find("starttls=maybe"), std::string::npos);
  EXPECT_NE(ParseError("smtps://h?starttls=never").find("smtp:// only"), std::string::npos);
  EXPECT_NE(ParseError("smtp://h?connections=0").find("connections=0"), std::string::npos);
  EXPECT_NE(ParseError("smtp://h?connections=65").find("connections=65"), std::string::npos);
  EXPECT_NE(ParseError("smtp://h?connections=2x").find("connections=2x"), std::string::npos);
  EXPECT_NE(ParseError("smtp://h?rate=-1").find("rate=-1"), std::string::npos);
  EXPECT_NE(ParseError("smtp://h?rate=fast").find("rate=fast"), std::string::npos);
  EXPECT_NE(ParseError("smtp://h?verify=no").find("verify=no"), std::string::npos);
  EXPECT_NE(ParseError("smtp://h?helo=bad%20name").find("helo="), std::string::npos);
  EXPECT_NE(ParseError("smtp://h?cafile=").find("cafile"), std::string::npos);
  EXPECT_NE(ParseError("smtp://h?rate=1&rate=2").find("twice"), std::string::npos);
  EXPECT_NE(ParseError("smtp://h?verify").find("no =value"), std::string::npos);
  EXPECT_NE(ParseError("smtp://:pw@h").find("no user"), std::string::npos);
}

TEST(TransportUrlTest, ErrorsNeverContainThePassword) {
  for (const char* url :
       {"smtp://u:hunter2@h?bogus=1", "smtp://u:hunter2@h:bad", "smtp://u:hunter2@"}) {
    Result<TransportUrl> r = ParseTransportUrl(url, kDefaultConnections);
    ASSERT_FALSE(r.ok()) << url;
    EXPECT_EQ(r.status().message().find("hunter2"), std::string::npos) << r.status().message();
  }
}

}  // namespace
}  // namespace campaignd::deliver
