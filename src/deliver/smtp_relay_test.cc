// SmtpTransport against the aiosmtpd relay (tests/tools/smtp_relay.py):
// STARTTLS, implicit TLS, AUTH, byte-exact transfer, connection reuse and
// the pool limit, relay replies, timeouts.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "deliver/child_process.h"
#include "deliver/transport.h"

namespace campaignd::deliver {
namespace {

namespace fs = std::filesystem;
using std::chrono::milliseconds;

std::string ReadAll(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

struct Relay {
  std::unique_ptr<ChildProcess> process;
  uint16_t port = 0;
  fs::path dir;

  std::string Address() const { return "127.0.0.1:" + std::to_string(port); }
  boost::json::object Meta(int n) const {
    return boost::json::parse(ReadAll(dir / (std::to_string(n) + ".json"))).as_object();
  }
  std::string Message(int n) const { return ReadAll(dir / (std::to_string(n) + ".eml")); }
  // "sessions" or "max_concurrent" from sessions.txt.
  int Stat(std::string_view key) const {
    std::istringstream in(ReadAll(dir / "sessions.txt"));
    std::string k;
    int v = 0;
    while (in >> k >> v) {
      if (k == key) return v;
    }
    return -1;
  }
  int MessageCount() const {
    int n = 0;
    for (const auto& e : fs::directory_iterator(dir)) n += e.path().extension() == ".eml";
    return n;
  }
};

class SmtpRelayTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    char tmpl[] = "/tmp/smtp_relay_test.XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    root_ = new fs::path(tmpl);
    int rc =
        RunCommand({"/usr/bin/openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-subj",
                    "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
                    "-days", "2", "-keyout", Key(), "-out", Cert()});
    ASSERT_EQ(rc, 0) << "openssl req failed";
  }
  static void TearDownTestSuite() {
    fs::remove_all(*root_);
    delete root_;
  }
  static std::string Cert() { return (*root_ / "cert.pem").string(); }
  static std::string Key() { return (*root_ / "key.pem").string(); }

  // Starts the relay with extra arguments; it runs until the test ends.
  Relay StartRelay(std::vector<std::string> args) {
    Relay relay;
    relay.dir = *root_ / ("relay" + std::to_string(++relays_started_));
    std::vector<std::string> argv = {
        "/usr/bin/python3", CAMPAIGND_SMTP_RELAY, "--port", "0", "--dir", relay.dir.string()};
    argv.insert(argv.end(), args.begin(), args.end());
    Result<std::unique_ptr<ChildProcess>> p = ChildProcess::Start(argv);
    EXPECT_TRUE(p.ok()) << p.status().ToString();
    if (!p.ok()) return relay;
    relay.process = std::move(*p);
    std::string ready = relay.process->WaitForLine("READY ", milliseconds(10000));
    EXPECT_FALSE(ready.empty()) << "relay did not start";
    if (!ready.empty()) relay.port = static_cast<uint16_t>(std::stoi(ready.substr(6)));
    return relay;
  }
  std::vector<std::string> TlsArgs() { return {"--tls-cert", Cert(), "--tls-key", Key()}; }

  static std::unique_ptr<Transport> Open(const std::string& url, TransportOptions options = {}) {
    Result<std::unique_ptr<Transport>> t = OpenTransport(url, options);
    EXPECT_TRUE(t.ok()) << url << ": " << t.status().ToString();
    return t.ok() ? std::move(*t) : nullptr;
  }
  // Opens a transport for one message; an open failure is a failed test.
  static DeliveryResult Send(const std::string& url, int n) {
    std::unique_ptr<Transport> t = Open(url);
    if (!t) return {DeliveryKind::kTemporaryFailure, 0, "OpenTransport failed"};
    return t->Deliver(Env(), Message(n));
  }
  static std::string Message(int n) {
    return "From: Shop <news@shop.example>\r\nTo: <rcpt@x.example>\r\nSubject: Test " +
           std::to_string(n) +
           "\r\nMIME-Version: 1.0\r\n\r\nHello,\r\n.a line that starts with a dot\r\n.\r\n"
           "..\r\nthe end\r\n";
  }
  static Envelope Env(std::string rcpt = "rcpt@x.example") {
    return {"bounce@shop.example", std::move(rcpt), "1-2-ABC"};
  }

  static fs::path* root_;
  static int relays_started_;
};
fs::path* SmtpRelayTest::root_ = nullptr;
int SmtpRelayTest::relays_started_ = 0;

TEST_F(SmtpRelayTest, StartTlsAndAuthDeliverTheExactBytes) {
  Relay relay = StartRelay({"--tls-cert", Cert(), "--tls-key", Key(), "--require-starttls",
                            "--auth", "mailer:p@ss:w/rd"});
  std::unique_ptr<Transport> t = Open("smtp://mailer:p%40ss%3Aw%2Frd@" + relay.Address() +
                                      "?starttls=required&helo=mx.shop.example&cafile=" + Cert());
  ASSERT_TRUE(t);
  DeliveryResult r = t->Deliver(Env(), Message(1));
  EXPECT_EQ(r.kind, DeliveryKind::kDelivered) << r.reply;
  EXPECT_EQ(r.smtp_code, 250);
  EXPECT_EQ(r.reply, "250 2.0.0 Ok: queued as M1");
  // aiosmtpd undoes the dot-stuffing; the lines starting with '.' are intact.
  EXPECT_EQ(relay.Message(1), Message(1));
  boost::json::object meta = relay.Meta(1);
  EXPECT_EQ(meta["tls"], true);
  EXPECT_EQ(meta["user"], "mailer");
  EXPECT_EQ(meta["helo"], "mx.shop.example");
  EXPECT_EQ(meta["mail_from"], "bounce@shop.example");
  EXPECT_EQ(meta["rcpt_tos"], boost::json::array{"rcpt@x.example"});
  EXPECT_EQ(t->Describe().find("p%40ss"), std::string::npos);
  EXPECT_NE(t->Describe().find("mailer@127.0.0.1"), std::string::npos) << t->Describe();
  EXPECT_EQ(relay.Stat("auth_commands"), 1);
  EXPECT_EQ(relay.Stat("auth_in_clear"), 0);
}

// Issue 15 item 5: a relay that offers AUTH but no STARTTLS never sees the
// password unless the operator wrote allow_plain_auth=true (or the relay is
// on loopback and the URL says starttls=optional/never explicitly).
TEST_F(SmtpRelayTest, CredentialsNeverTravelInClearByDefault) {
  Relay relay = StartRelay({"--auth", "mailer:secret"});
  DeliveryResult r = Send("smtp://mailer:secret@" + relay.Address(), 1);
  EXPECT_EQ(r.kind, DeliveryKind::kTemporaryFailure) << "a user makes STARTTLS required";
  EXPECT_EQ(r.smtp_code, 0);
  EXPECT_NE(r.reply.find("STARTTLS"), std::string::npos) << r.reply;
  EXPECT_EQ(relay.Stat("auth_commands"), 0);
  EXPECT_EQ(relay.MessageCount(), 0);

  r = Send("smtp://mailer:secret@" + relay.Address() + "?starttls=never&allow_plain_auth=true", 1);
  EXPECT_EQ(r.kind, DeliveryKind::kDelivered) << r.reply;
  EXPECT_EQ(relay.Meta(1)["user"], "mailer");
  EXPECT_EQ(relay.Meta(1)["tls"], false);
  EXPECT_EQ(relay.Stat("auth_in_clear"), 1);
}

TEST_F(SmtpRelayTest, WrongPasswordIsTemporaryWithThe535Text) {
  Relay relay = StartRelay({"--tls-cert", Cert(), "--tls-key", Key(), "--auth", "mailer:right"});
  std::unique_ptr<Transport> t =
      Open("smtp://mailer:wrong@" + relay.Address() + "?starttls=required&cafile=" + Cert());
  ASSERT_TRUE(t);
  DeliveryResult r = t->Deliver(Env(), Message(1));
  EXPECT_EQ(r.kind, DeliveryKind::kTemporaryFailure);
  EXPECT_EQ(r.smtp_code, 535);
  EXPECT_NE(r.reply.find("535 5.7.8 Authentication credentials invalid"), std::string::npos)
      << r.reply;
  EXPECT_NE(r.reply.find("not at fault"), std::string::npos);
  // Without credentials the relay answers MAIL with 530: temporary as well.
  std::unique_ptr<Transport> anonymous = Open("smtp://" + relay.Address() + "?cafile=" + Cert());
  ASSERT_TRUE(anonymous);
  DeliveryResult r2 = anonymous->Deliver(Env(), Message(1));
  EXPECT_EQ(r2.kind, DeliveryKind::kTemporaryFailure) << r2.reply;
  EXPECT_EQ(r2.smtp_code, 530);
  EXPECT_EQ(relay.MessageCount(), 0);
}

TEST_F(SmtpRelayTest, StartTlsPolicies) {
  Relay plain = StartRelay({});
  DeliveryResult r = Send("smtp://" + plain.Address() + "?starttls=required", 1);
  EXPECT_EQ(r.kind, DeliveryKind::kTemporaryFailure) << "required, but not offered";
  EXPECT_EQ(r.smtp_code, 0);
  EXPECT_NE(r.reply.find("STARTTLS"), std::string::npos) << r.reply;
  EXPECT_EQ(plain.MessageCount(), 0);
  r = Send("smtp://" + plain.Address(), 1);
  EXPECT_EQ(r.kind, DeliveryKind::kDelivered) << "optional falls back to plain: " << r.reply;
  EXPECT_EQ(plain.Meta(1)["tls"], false);

  Relay tls = StartRelay(TlsArgs());
  r = Send("smtp://" + tls.Address() + "?cafile=" + Cert(), 1);
  EXPECT_EQ(r.kind, DeliveryKind::kDelivered) << r.reply;
  EXPECT_EQ(tls.Meta(1)["tls"], true) << "optional uses STARTTLS when offered";
  r = Send("smtp://" + tls.Address() + "?starttls=never", 2);
  EXPECT_EQ(r.kind, DeliveryKind::kDelivered) << r.reply;
  EXPECT_EQ(tls.Meta(2)["tls"], false);
}

TEST_F(SmtpRelayTest, UntrustedCertificateIsTemporaryUnlessVerifyIsOff) {
  Relay relay = StartRelay(TlsArgs());
  DeliveryResult r = Send("smtp://" + relay.Address() + "?starttls=required", 1);
  EXPECT_EQ(r.kind, DeliveryKind::kTemporaryFailure);
  EXPECT_EQ(r.smtp_code, 0);
  EXPECT_NE(r.reply.find("certificate"), std::string::npos) << r.reply;
  r = Send("smtp://" + relay.Address() + "?starttls=required&verify=false", 1);
  EXPECT_EQ(r.kind, DeliveryKind::kDelivered) << r.reply;
}

TEST_F(SmtpRelayTest, ImplicitTlsWithAuth) {
  Relay relay = StartRelay({"--tls-cert", Cert(), "--tls-key", Key(), "--smtps", "--auth", "u:p"});
  std::unique_ptr<Transport> t =
      Open("smtps://u:p@localhost:" + std::to_string(relay.port) + "?cafile=" + Cert());
  ASSERT_TRUE(t);
  DeliveryResult r = t->Deliver(Env(), Message(1));
  EXPECT_EQ(r.kind, DeliveryKind::kDelivered) << r.reply;
  EXPECT_EQ(relay.Meta(1)["tls"], true);
  EXPECT_EQ(relay.Meta(1)["user"], "u");
}

TEST_F(SmtpRelayTest, RejectedRecipientIsPermanentAndItsSessionIsNotReused) {
  Relay relay = StartRelay({"--reply-code", "RCPT:550:unknown"});
  std::unique_ptr<Transport> t = Open("smtp://" + relay.Address() + "?connections=1");
  ASSERT_TRUE(t);
  DeliveryResult r = t->Deliver(Env("unknown@x.example"), Message(1));
  EXPECT_EQ(r.kind, DeliveryKind::kPermanentFailure);
  EXPECT_EQ(r.smtp_code, 550);
  EXPECT_EQ(r.reply, "550 5.1.1 <unknown@x.example>: Recipient address rejected");
  EXPECT_EQ(t->Deliver(Env(), Message(2)).kind, DeliveryKind::kDelivered);
  EXPECT_EQ(t->Deliver(Env(), Message(3)).kind, DeliveryKind::kDelivered);
  EXPECT_EQ(relay.Stat("sessions"), 2);
  EXPECT_EQ(relay.Meta(1)["session"], 2);
  EXPECT_EQ(relay.Meta(2)["session"], 2);
}

TEST_F(SmtpRelayTest, RelayRepliesAfterDataDecide) {
  Relay relay = StartRelay({"--reply-code", "DATA:451:later", "--reply-code", "DATA:554:spam"});
  std::unique_ptr<Transport> t = Open("smtp://" + relay.Address());
  ASSERT_TRUE(t);
  DeliveryResult later = t->Deliver(Env("later@x.example"), Message(1));
  EXPECT_EQ(later.kind, DeliveryKind::kTemporaryFailure);
  EXPECT_EQ(later.smtp_code, 451);
  EXPECT_EQ(later.reply, "451 4.6.0 Message rejected by test relay");
  DeliveryResult spam = t->Deliver(Env("spam@x.example"), Message(1));
  EXPECT_EQ(spam.kind, DeliveryKind::kPermanentFailure);
  EXPECT_EQ(spam.smtp_code, 554);
  EXPECT_EQ(relay.MessageCount(), 0);
}

TEST_F(SmtpRelayTest, SequentialMessagesShareOneSession) {
  Relay relay = StartRelay(TlsArgs());
  std::unique_ptr<Transport> t = Open("smtp://" + relay.Address() + "?cafile=" + Cert());
  ASSERT_TRUE(t);
  for (int i = 1; i <= 20; ++i) {
    ASSERT_EQ(t->Deliver(Env(), Message(i)).kind, DeliveryKind::kDelivered) << i;
  }
  EXPECT_EQ(relay.MessageCount(), 20);
  EXPECT_EQ(relay.Stat("sessions"), 1);
  EXPECT_EQ(relay.Message(20), Message(20));
  EXPECT_EQ(relay.process->Stop(), 0) << "the relay exits cleanly on SIGTERM";
}

TEST_F(SmtpRelayTest, ParallelCallersShareAtMostConnectionsSessions) {
  Relay relay = StartRelay({});
  std::unique_ptr<Transport> t = Open("smtp://" + relay.Address() + "?connections=3");
  ASSERT_TRUE(t);
  constexpr int kThreads = 8;
  constexpr int kEach = 6;
  std::atomic<int> delivered{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&, i] {
      for (int j = 0; j < kEach; ++j) {
        delivered += t->Deliver(Env(), Message(i * kEach + j)).kind == DeliveryKind::kDelivered;
      }
    });
  }
  for (std::thread& th : threads) th.join();
  EXPECT_EQ(delivered, kThreads * kEach);
  EXPECT_EQ(relay.MessageCount(), kThreads * kEach);
  EXPECT_LE(relay.Stat("max_concurrent"), 3);
  EXPECT_LE(relay.Stat("sessions"), 3);
  EXPECT_GE(relay.Stat("max_concurrent"), 2) << "callers should have run in parallel";
}

TEST_F(SmtpRelayTest, ReusedSessionDyingSilentlyIsRetriedOnANewConnection) {
  Relay relay = StartRelay({"--drop-mail-after", "1"});
  std::unique_ptr<Transport> t = Open("smtp://" + relay.Address() + "?connections=1");
  ASSERT_TRUE(t);
  for (int i = 1; i <= 3; ++i) {
    DeliveryResult r = t->Deliver(Env(), Message(i));
    EXPECT_EQ(r.kind, DeliveryKind::kDelivered) << i << ": " << r.reply;
  }
  EXPECT_EQ(relay.MessageCount(), 3);
  EXPECT_EQ(relay.Stat("sessions"), 3);
  // A new connection that dies is not retried: the relay may be broken.
  Relay broken = StartRelay({"--drop-mail-after", "0"});
  DeliveryResult r = Send("smtp://" + broken.Address(), 1);
  EXPECT_EQ(r.kind, DeliveryKind::kTemporaryFailure);
  EXPECT_EQ(r.smtp_code, 0);
  EXPECT_EQ(broken.Stat("sessions"), 1);
}

TEST_F(SmtpRelayTest, SessionClosedByTheRelayIsReplacedTransparently) {
  Relay relay = StartRelay({"--idle-timeout", "0.3"});
  std::unique_ptr<Transport> t = Open("smtp://" + relay.Address());
  ASSERT_TRUE(t);
  ASSERT_EQ(t->Deliver(Env(), Message(1)).kind, DeliveryKind::kDelivered);
  std::this_thread::sleep_for(milliseconds(700));
  DeliveryResult r = t->Deliver(Env(), Message(2));
  EXPECT_EQ(r.kind, DeliveryKind::kDelivered) << r.reply;
  EXPECT_EQ(relay.Stat("sessions"), 2);
  EXPECT_EQ(relay.MessageCount(), 2);
}

TEST_F(SmtpRelayTest, IdleSessionsOlderThanIdleReuseAreNotReused) {
  Relay relay = StartRelay({});
  TransportOptions options;
  options.idle_reuse = std::chrono::seconds(1);
  std::unique_ptr<Transport> t = Open("smtp://" + relay.Address(), options);
  ASSERT_TRUE(t);
  ASSERT_EQ(t->Deliver(Env(), Message(1)).kind, DeliveryKind::kDelivered);
  ASSERT_EQ(t->Deliver(Env(), Message(2)).kind, DeliveryKind::kDelivered);
  EXPECT_EQ(relay.Stat("sessions"), 1);
  std::this_thread::sleep_for(milliseconds(2100));  // libcurl counts whole seconds, "> 1"
  ASSERT_EQ(t->Deliver(Env(), Message(3)).kind, DeliveryKind::kDelivered);
  EXPECT_EQ(relay.Stat("sessions"), 2);
}

TEST(SmtpTransportTest, NothingListeningIsTemporary) {
  uint16_t port = FreeTcpPort();
  Result<std::unique_ptr<Transport>> t =
      OpenTransport("smtp://127.0.0.1:" + std::to_string(port), {});
  ASSERT_TRUE(t.ok());
  DeliveryResult r = (*t)->Deliver({"a@b.example", "c@d.example", "m1"}, "Subject: x\r\n\r\nx\r\n");
  EXPECT_EQ(r.kind, DeliveryKind::kTemporaryFailure);
  EXPECT_EQ(r.smtp_code, 0);
  EXPECT_NE(r.reply.find("connect"), std::string::npos) << r.reply;
}

TEST(SmtpTransportTest, SilentServerTimesOut) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ASSERT_EQ(::listen(fd, 4), 0);  // accepts in the kernel, never says a word
  ASSERT_EQ(::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len), 0);
  TransportOptions options;
  options.timeouts.greeting = std::chrono::seconds(1);
  Result<std::unique_ptr<Transport>> t =
      OpenTransport("smtp://127.0.0.1:" + std::to_string(ntohs(addr.sin_port)), options);
  ASSERT_TRUE(t.ok());
  auto start = std::chrono::steady_clock::now();
  DeliveryResult r = (*t)->Deliver({"a@b.example", "c@d.example", "m1"}, "Subject: x\r\n\r\nx\r\n");
  auto took = std::chrono::steady_clock::now() - start;
  ::close(fd);
  EXPECT_EQ(r.kind, DeliveryKind::kTemporaryFailure);
  EXPECT_EQ(r.reply, "timed out after 1 s waiting for the greeting");
  EXPECT_GE(took, std::chrono::milliseconds(950));
  EXPECT_LT(took, std::chrono::seconds(3));
}

// Each phase of a session ends when its own limit runs out, and the reply
// says which; a session that timed out is not reused.
TEST_F(SmtpRelayTest, EachPhaseHasItsOwnTimeout) {
  struct Case {
    std::vector<std::string> relay_args;
    std::string expected_reply;
  };
  const std::vector<Case> cases = {
      {{"--hang", "MAIL"}, "timed out after 700 ms waiting for the reply to MAIL"},
      {{"--hang", "RCPT"}, "timed out after 800 ms waiting for the reply to RCPT"},
      {{"--hang", "DATA"}, "timed out after 900 ms waiting for the reply to the end of the message"},
  };
  for (const Case& c : cases) {
    Relay relay = StartRelay(c.relay_args);
    TransportOptions options;
    options.timeouts.command = milliseconds(c.relay_args[1] == "MAIL" ? 700 : 800);
    options.timeouts.data_done = milliseconds(900);
    std::unique_ptr<Transport> t = Open("smtp://" + relay.Address(), options);
    ASSERT_TRUE(t);
    auto start = std::chrono::steady_clock::now();
    DeliveryResult r = t->Deliver(Env(), Message(1));
    auto took = std::chrono::steady_clock::now() - start;
    EXPECT_EQ(r.kind, DeliveryKind::kTemporaryFailure) << c.relay_args[1];
    EXPECT_EQ(r.smtp_code, 0);
    EXPECT_EQ(r.reply, c.expected_reply);
    EXPECT_GE(took, milliseconds(650)) << c.relay_args[1];
    EXPECT_LT(took, milliseconds(2500)) << c.relay_args[1];
    EXPECT_EQ(relay.MessageCount(), 0);
    // The next mail gets a new session: the timed-out one was dropped.
    t->Deliver(Env(), Message(2));
    EXPECT_EQ(relay.Stat("sessions"), 2) << c.relay_args[1];
  }
}

TEST(SmtpTransportTest, UnsafeEnvelopeIsPermanentWithoutConnecting) {
  Result<std::unique_ptr<Transport>> t = OpenTransport("smtp://127.0.0.1:1", {});
  ASSERT_TRUE(t.ok());
  for (Envelope e : {Envelope{"a@b", "", "m"}, Envelope{"a@b", "x@y>\r\nRSET", "m"},
                     Envelope{"a b@c", "x@y", "m"}, Envelope{"a@b", "<x@y>", "m"}}) {
    DeliveryResult r = (*t)->Deliver(e, "x\r\n");
    EXPECT_EQ(r.kind, DeliveryKind::kPermanentFailure) << e.rcpt_to;
    EXPECT_NE(r.reply.find("envelope"), std::string::npos);
  }
}

TEST(SmtpTransportTest, OpenChecksTheCafile) {
  Result<std::unique_ptr<Transport>> t =
      OpenTransport("smtp://relay.example?cafile=/nonexistent/ca.pem", {});
  ASSERT_FALSE(t.ok());
  EXPECT_NE(t.status().message().find("/nonexistent/ca.pem"), std::string::npos);
}

}  // namespace
}  // namespace campaignd::deliver
