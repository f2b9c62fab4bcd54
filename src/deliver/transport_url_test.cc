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
  EXPECT_EQ(*ParseOk("file:outbox").file_dir, "outbox");
  EXPECT_EQ(*ParseOk("file://relative/dir").file_dir, "relative/dir");
  EXPECT_EQ(*ParseOk("FILE:out").file_dir, "out");
  EXPECT_EQ(*ParseOk("file:a/./b..c/.d/").file_dir, "a/./b..c/.d/");
  EXPECT_EQ(ParseOk("file://x").described, "file:x");
  EXPECT_FALSE(ParseOk("file:x").smtp);
  EXPECT_NE(ParseError("file:").find("no directory"), std::string::npos);
  EXPECT_NE(ParseError("file://").find("no directory"), std::string::npos);
}

// docs/decisions/0014-relay-policy.md: a file: directory is below outbox_root.
TEST(TransportUrlTest, FileDirectoriesStayBelowTheOutboxRoot) {
  for (const char* url : {"file:/tmp/x", "file:///etc/cron.d", "file:/", "file:////x"}) {
    std::string dir = std::string(url).substr(5);
    if (dir.starts_with("//")) dir = dir.substr(2);
    EXPECT_EQ(ParseError(url), "file transport directory '" + dir +
                                   "' is absolute; give a directory below outbox_root, e.g. "
                                   "file:outbox");
  }
  for (const char* url :
       {"file:../../..", "file:..", "file:a/../..", "file://../x", "file:a/..", "file:a/../b"}) {
    std::string dir = std::string(url).substr(5);
    if (dir.starts_with("//")) dir = dir.substr(2);
    EXPECT_EQ(ParseError(url), "file transport directory '" + dir +
                                   "' has a '..' segment; it must stay below outbox_root");
  }
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
      "&cafile=/etc/ca.pem&verify=false&helo=mx.shop.example&allow_plain_auth=false");
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
  EXPECT_FALSE(u.smtp->allow_plain_auth);
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
  EXPECT_EQ(ParseError("smtp://127.0.0.%31"),
            "SMTP URL host '127.0.0.%31' is not a host name or an IP address");
  EXPECT_EQ(ParseError("smtp://relay_1.example"),
            "SMTP URL host 'relay_1.example' is not a host name or an IP address");
  EXPECT_EQ(ParseError("smtp://[v1.x]"),
            "SMTP URL host '[v1.x]' is not a host name or an IP address");
  EXPECT_EQ(ParseError("smtp://u:p@h?allow_plain_auth=yes"),
            "allow_plain_auth=yes: want true or false");
}

// Issue 15 item 5: a password never crosses a network in clear unless the
// operator says so.
TEST(TransportUrlTest, CredentialsRequireTls) {
  // A user makes STARTTLS required by default; without one, optional stays.
  EXPECT_EQ(ParseOk("smtp://u:p@relay.example").smtp->starttls, StartTls::kRequired);
  EXPECT_EQ(ParseOk("smtp://u@relay.example:587").smtp->starttls, StartTls::kRequired);
  EXPECT_EQ(ParseOk("smtp://u:p@127.0.0.1:2525").smtp->starttls, StartTls::kRequired);
  EXPECT_EQ(ParseOk("smtp://relay.example").smtp->starttls, StartTls::kOptional);
  EXPECT_EQ(ParseOk("smtps://u:p@relay.example").smtp->starttls, StartTls::kRequired);
  EXPECT_EQ(ParseOk("smtp://u:p@relay.example?starttls=required").smtp->starttls,
            StartTls::kRequired);

  const std::string optional =
      "starttls=optional with a user name would send the password in clear to a relay that "
      "offers no STARTTLS (or to anyone who strips it); use starttls=required (the default "
      "with a user) or smtps://, or add allow_plain_auth=true if that is intended";
  const std::string never =
      "starttls=never with a user name sends the password in clear; use starttls=required (the "
      "default with a user) or smtps://, or add allow_plain_auth=true if that is intended";
  EXPECT_EQ(ParseError("smtp://u:secret@relay.example?starttls=optional"), optional);
  EXPECT_EQ(ParseError("smtp://u:secret@relay.example:587?starttls=never"), never);
  EXPECT_EQ(ParseError("smtp://u:secret@10.0.0.5?starttls=never"), never);
  EXPECT_EQ(ParseError("smtp://u:secret@relay.example?starttls=never&allow_plain_auth=false"),
            never);
  EXPECT_EQ(ParseError("smtp://u:secret@128.0.0.1?starttls=optional"), optional);
  EXPECT_EQ(ParseError("smtp://u:secret@[::2]?starttls=optional"), optional);
  EXPECT_EQ(ParseError("smtp://u:secret@localhost.example?starttls=never"), never);

  // The operator's explicit word, or a relay on this machine.
  TransportUrl plain = ParseOk("smtp://u:p@relay.example?starttls=never&allow_plain_auth=true");
  EXPECT_EQ(plain.smtp->starttls, StartTls::kNever);
  EXPECT_TRUE(plain.smtp->allow_plain_auth);
  EXPECT_EQ(plain.described, "smtp://u@relay.example?starttls=never&allow_plain_auth=true");
  EXPECT_EQ(
      ParseOk("smtp://u:p@relay.example?starttls=optional&allow_plain_auth=true").smtp->starttls,
      StartTls::kOptional);
  for (const char* loopback : {"127.0.0.1:2525", "127.9.8.7", "[::1]:25", "[::ffff:127.0.0.1]",
                               "localhost:25", "LOCALHOST"}) {
    for (const char* mode : {"optional", "never"}) {
      const std::string url = "smtp://u:p@" + std::string(loopback) + "?starttls=" + mode;
      TransportUrl u = ParseOk(url);
      ASSERT_TRUE(u.smtp) << url;
      EXPECT_FALSE(u.smtp->allow_plain_auth);
    }
  }

  // allow_plain_auth= means something only for smtp:// with a user.
  EXPECT_EQ(ParseError("smtp://relay.example?starttls=never&allow_plain_auth=true"),
            "allow_plain_auth= applies to smtp:// with a user name only");
  EXPECT_EQ(ParseError("smtps://u:p@relay.example?allow_plain_auth=true"),
            "allow_plain_auth= applies to smtp:// with a user name only");
}

TEST(TransportUrlTest, RelayHostPatterns) {
  for (const char* ok : {"relay.example.com", "relay.example.com:2525", "relay.example.com:*",
                         "*.example.com", "*.example.com:587", "192.0.2.7", "127.0.0.1:2525",
                         "[2001:db8::7]", "[::1]:587", "[::1]:*", "localhost", "RELAY.Example"}) {
    EXPECT_EQ(RelayHostPatternProblem(ok), std::nullopt) << ok;
  }
  for (const char* bad : {"", "*", "*.", "*.[::1]", "relay..example", ".relay", "relay.", "relay:0",
                          "relay:65536", "relay:x", "relay:", "[::g]", "[::1", "[::1]x",
                          "smtp://relay", "relay/x", "a b", "user@relay"}) {
    std::optional<std::string> problem = RelayHostPatternProblem(bad);
    ASSERT_TRUE(problem.has_value()) << bad;
    EXPECT_EQ(*problem, "'" + std::string(bad) +
                            "' is not a relay host pattern like relay.example.com, "
                            "relay.example.com:2525, *.example.com:*, 192.0.2.7 or "
                            "[2001:db8::7]:587");
  }
}

// Issue 15 item 2: what a client's own API key may choose as its relay.
TEST(TransportUrlTest, ClientRelayChoice) {
  const std::vector<std::string> allowed = {"relay.example.com", "*.mailer.example:2525",
                                            "127.0.0.1:2600", "[::1]:*"};
  const auto problem = [&](std::string_view url) {
    if (!url.starts_with("file:")) ParseOk(url);
    return ClientRelayProblem(url, allowed);
  };
  for (const char* ok :
       {"smtp://relay.example.com", "smtp://RELAY.example.com:587", "smtps://relay.example.com",
        "smtp://u:p@relay.example.com:25?starttls=required&connections=2&rate=5&helo=shop.example",
        "smtp://a.mailer.example:2525", "smtp://x.y.mailer.example:2525", "smtp://127.0.0.1:2600",
        "smtp://u:p@127.0.0.1:2600?starttls=never", "smtp://[::1]:9", "smtp://[0:0::1]:2525"}) {
    EXPECT_EQ(problem(ok), std::nullopt) << ok;
  }
  const std::string listed =
      " is not one the operator allows for client keys (client_relay_hosts: relay.example.com, "
      "*.mailer.example:2525, 127.0.0.1:2600, [::1]:*)";
  EXPECT_EQ(problem("smtp://relay.example.com:2525"), "relay relay.example.com:2525" + listed);
  EXPECT_EQ(problem("smtp://relay.example.com:22"), "relay relay.example.com:22" + listed);
  EXPECT_EQ(problem("smtp://mailer.example:2525"), "relay mailer.example:2525" + listed);
  EXPECT_EQ(problem("smtp://a.mailer.example"), "relay a.mailer.example:25" + listed);
  EXPECT_EQ(problem("smtp://127.0.0.1:25"), "relay 127.0.0.1:25" + listed);
  EXPECT_EQ(problem("smtp://127.0.0.2:2600"), "relay 127.0.0.2:2600" + listed);
  EXPECT_EQ(problem("smtp://2130706433:2600"), "relay 2130706433:2600" + listed);
  EXPECT_EQ(problem("smtp://relay.example.com.:25"), "relay relay.example.com.:25" + listed);
  EXPECT_EQ(problem("smtp://u:hunter2@10.1.2.3:25").value_or("").find("hunter2"),
            std::string::npos);

  const std::string file =
      "a file: transport writes on the server: only the operator sets one; a client key may "
      "choose an smtp:// or smtps:// relay the operator allows";
  for (const char* url : {"file:outbox", "file:x/y", "file:/tmp/x", "file:///etc/cron.d",
                          "file:../../..", "FILE:", "file:"}) {
    EXPECT_EQ(ClientRelayProblem(url, allowed), file) << url;
  }
  // A URL that does not parse is ParseTransportUrl's to answer.
  EXPECT_EQ(ClientRelayProblem("smtp://relay.example.com?bogus=1", allowed), std::nullopt);
  EXPECT_EQ(ClientRelayProblem("ftp://relay.example.com", allowed), std::nullopt);
  EXPECT_EQ(problem("smtp://relay.example.com?cafile=/etc/shadow"),
            "cafile= names a file on the server: only the operator sets it");
  EXPECT_EQ(problem("smtp://relay.example.com?verify=false"),
            "verify=false: only the operator may turn off the certificate check");
  EXPECT_EQ(problem("smtp://u:p@relay.example.com?starttls=never&allow_plain_auth=true"),
            "allow_plain_auth=: only the operator may let a password travel without TLS");

  EXPECT_EQ(ClientRelayProblem("smtp://relay.example.com", {}),
            "client keys may not choose their relay here (the operator allows no relay host: "
            "client_relay_hosts is empty)");
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
