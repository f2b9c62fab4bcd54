// The inbound SMTP listener over real loopback sockets: a client writes
// exact bytes and the tests assert exact replies (smtp_server.h).
#include "events/smtp_server.h"

#include <gtest/gtest.h>
#include <sys/resource.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/write.hpp>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "testing/self_signed_cert.h"

namespace campaignd::events {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;

constexpr char kHost[] = "mx.campaignd.test";
constexpr char kGreeting[] = "220 mx.campaignd.test ESMTP campaignd\r\n";
constexpr char kEhloReply[] =
    "250-mx.campaignd.test\r\n250-PIPELINING\r\n250-SIZE 1000000\r\n250-ENHANCEDSTATUSCODES\r\n"
    "250-8BITMIME\r\n250 SMTPUTF8\r\n";

// A blocking SMTP client with a timeout on every read and write.
class Client {
 public:
  explicit Client(uint16_t port, std::chrono::milliseconds timeout = 5s) : timeout_(timeout) {
    socket_.connect({asio::ip::make_address("127.0.0.1"), port});
  }

  bool Send(std::string_view bytes) {
    boost::system::error_code result = asio::error::timed_out;
    auto done = [&](boost::system::error_code ec, std::size_t) { result = ec; };
    if (tls_) {
      asio::async_write(*tls_, asio::buffer(bytes.data(), bytes.size()), done);
    } else {
      asio::async_write(socket_, asio::buffer(bytes.data(), bytes.size()), done);
    }
    Run();
    return !result;
  }

  // One whole reply (all its lines), raw; "" on EOF, error or timeout.
  std::string Reply() {
    for (;;) {
      // A reply ends with a line "NNN text\r\n" (a space after the code).
      std::size_t start = 0;
      for (std::size_t eol; (eol = pending_.find("\r\n", start)) != std::string::npos;
           start = eol + 2) {
        if (eol - start >= 4 && pending_[start + 3] == ' ') {
          std::string reply = pending_.substr(0, eol + 2);
          pending_.erase(0, eol + 2);
          return reply;
        }
        if (eol - start < 4) break;
      }
      if (!ReadMore()) return "";
    }
  }

  // Sends `line` + CRLF and returns the reply.
  std::string Command(std::string_view line) {
    if (!Send(std::string(line) + "\r\n")) return "";
    return Reply();
  }

  // The TLS handshake after "220 2.0.0 Ready to start TLS".
  bool Handshake() {
    tls_context_.set_verify_mode(asio::ssl::verify_none);
    tls_ = std::make_unique<asio::ssl::stream<asio::ip::tcp::socket&>>(socket_, tls_context_);
    boost::system::error_code result = asio::error::timed_out;
    tls_->async_handshake(asio::ssl::stream_base::client,
                          [&](boost::system::error_code ec) { result = ec; });
    Run();
    return !result;
  }

  // True when the server closes the connection (after sending anything).
  bool WaitForClose() {
    while (ReadMore()) pending_.clear();
    return closed_;
  }

  const std::string& pending() const { return pending_; }

 private:
  bool ReadMore() {
    char chunk[16384];
    boost::system::error_code result = asio::error::timed_out;
    std::size_t got = 0;
    auto done = [&](boost::system::error_code ec, std::size_t n) {
      result = ec;
      got = n;
    };
    if (tls_) {
      tls_->async_read_some(asio::buffer(chunk), done);
    } else {
      socket_.async_read_some(asio::buffer(chunk), done);
    }
    Run();
    if (result) {
      closed_ = result != asio::error::timed_out && result != asio::error::operation_aborted;
      return false;
    }
    pending_.append(chunk, got);
    return true;
  }

  // Runs the pending operation; cancels it after the timeout.
  void Run() {
    io_.restart();
    io_.run_for(timeout_);
    if (!io_.stopped()) {
      boost::system::error_code ignored;
      socket_.cancel(ignored);
      io_.restart();
      io_.run();
    }
  }

  const std::chrono::milliseconds timeout_;
  asio::io_context io_;
  asio::ssl::context tls_context_{asio::ssl::context::tls_client};
  asio::ip::tcp::socket socket_{io_};
  std::unique_ptr<asio::ssl::stream<asio::ip::tcp::socket&>> tls_;
  std::string pending_;
  bool closed_ = false;
};

// What the policy was asked and what it answers; Deliver can be held.
class FakePolicy {
 public:
  SmtpPolicy Policy() {
    return SmtpPolicy{[this](std::string_view address) {
                        std::lock_guard lock(mu_);
                        checked_.emplace_back(address);
                        if (address.find("tempfail") != std::string_view::npos) {
                          return RecipientVerdict::kTempfail;
                        }
                        return address.ends_with("@bounce.shop.example")
                                   ? RecipientVerdict::kAccept
                                   : RecipientVerdict::kReject;
                      },
                      [this](const Envelope& envelope, std::string message) {
                        std::unique_lock lock(mu_);
                        envelopes_.push_back(envelope);
                        messages_.push_back(std::move(message));
                        ++delivering_;
                        changed_.notify_all();
                        changed_.wait(lock, [&] { return !hold_; });
                        --delivering_;
                        return answer_;
                      }};
  }
  void Hold() {
    std::lock_guard lock(mu_);
    hold_ = true;
  }
  void Release() {
    std::lock_guard lock(mu_);
    hold_ = false;
    changed_.notify_all();
  }
  bool WaitDelivering(int n) {
    std::unique_lock lock(mu_);
    return changed_.wait_for(lock, 5s, [&] { return delivering_ == n; });
  }
  void Answer(DeliverResult r) {
    std::lock_guard lock(mu_);
    answer_ = std::move(r);
  }
  std::vector<std::string> checked() {
    std::lock_guard lock(mu_);
    return checked_;
  }
  std::vector<Envelope> envelopes() {
    std::lock_guard lock(mu_);
    return envelopes_;
  }
  std::vector<std::string> messages() {
    std::lock_guard lock(mu_);
    return messages_;
  }

 private:
  std::mutex mu_;
  std::condition_variable changed_;
  bool hold_ = false;
  int delivering_ = 0;
  DeliverResult answer_ = DeliverResult::Accepted("Q1");
  std::vector<std::string> checked_;
  std::vector<Envelope> envelopes_;
  std::vector<std::string> messages_;
};

class SmtpServerTest : public ::testing::Test {
 protected:
  static SmtpServerOptions Options() {
    SmtpServerOptions options;
    options.listen = {"127.0.0.1:0"};
    options.hostname = kHost;
    options.max_message_bytes = 1000000;
    options.timeouts.shutdown_grace = 2s;
    return options;
  }
  void Start(SmtpServerOptions options = Options()) {
    server_ = std::make_unique<SmtpServer>(std::move(options), policy_.Policy());
    const Status status = server_->Start();
    ASSERT_TRUE(status.ok()) << status.ToString();
  }
  void TearDown() override {
    policy_.Release();
    if (server_) server_->Stop();
  }
  // A connected client that read the greeting and said EHLO.
  std::unique_ptr<Client> Greeted() {
    auto client = std::make_unique<Client>(server_->BoundPort());
    EXPECT_EQ(client->Reply(), kGreeting);
    EXPECT_EQ(client->Command("EHLO client.example"), kEhloReply);
    return client;
  }

  FakePolicy policy_;
  std::unique_ptr<SmtpServer> server_;
};

TEST_F(SmtpServerTest, GreetingEhloHeloQuit) {
  Start();
  Client c(server_->BoundPort());
  EXPECT_EQ(c.Reply(), kGreeting);
  EXPECT_EQ(c.Command("EHLO"), "501 5.5.4 Syntax: EHLO hostname\r\n");
  EXPECT_EQ(c.Command("ehlo client.example"), kEhloReply);
  EXPECT_EQ(c.Command("HELO client.example"), "250 mx.campaignd.test\r\n");
  EXPECT_EQ(c.Command("QUIT"), "221 2.0.0 Bye\r\n");
  EXPECT_TRUE(c.WaitForClose());
}

TEST_F(SmtpServerTest, OneMessageWithDotUnstuffing) {
  Start();
  auto c = Greeted();
  EXPECT_EQ(c->Command("MAIL FROM:<> BODY=8BITMIME SIZE=100"), "250 2.1.0 Ok\r\n");
  EXPECT_EQ(c->Command("RCPT TO:<bounces+1-1-ABC@bounce.shop.example>"), "250 2.1.5 Ok\r\n");
  EXPECT_EQ(c->Command("DATA"), "354 End data with <CR><LF>.<CR><LF>\r\n");
  ASSERT_TRUE(c->Send("Subject: x\r\n\r\n..dot\r\n.\r\n"));
  EXPECT_EQ(c->Reply(), "250 2.0.0 Ok: queued as Q1\r\n");
  EXPECT_EQ(c->Command("QUIT"), "221 2.0.0 Bye\r\n");
  ASSERT_EQ(policy_.messages().size(), 1u);
  EXPECT_EQ(policy_.messages()[0], "Subject: x\r\n\r\n.dot\r\n");
  const Envelope e = policy_.envelopes()[0];
  EXPECT_EQ(e.sender, "");
  EXPECT_EQ(e.recipients, std::vector<std::string>{"bounces+1-1-ABC@bounce.shop.example"});
  EXPECT_EQ(e.helo, "client.example");
  EXPECT_EQ(e.client_ip, "127.0.0.1");
  EXPECT_FALSE(e.tls);
}

TEST_F(SmtpServerTest, OtherCommands) {
  Start();
  Client c(server_->BoundPort());
  EXPECT_EQ(c.Reply(), kGreeting);
  EXPECT_EQ(c.Command("NOOP"), "250 2.0.0 Ok\r\n");
  EXPECT_EQ(c.Command("RSET"), "250 2.0.0 Ok\r\n");
  EXPECT_EQ(c.Command("VRFY postmaster"),
            "252 2.0.0 Cannot VRFY user; try RCPT to attempt delivery\r\n");
  EXPECT_EQ(c.Command("HELP"),
            "214 2.0.0 Commands: EHLO HELO MAIL RCPT DATA RSET NOOP QUIT VRFY HELP\r\n");
  EXPECT_EQ(c.Command("XYZZY"), "500 5.5.2 Error: command not recognized\r\n");
  EXPECT_EQ(c.Command("EXPN list"), "502 5.5.1 Error: command not implemented\r\n");
  EXPECT_EQ(c.Command("AUTH PLAIN AGFAYg=="), "502 5.5.1 Error: command not implemented\r\n");
  EXPECT_EQ(c.Command("STARTTLS"), "502 5.5.1 Error: command not implemented\r\n");
  EXPECT_EQ(c.Command(std::string("NO\0OP", 5)), "500 5.5.2 Error: bad syntax\r\n");
  EXPECT_EQ(c.Command("GET / HTTP/1.1"), "221 2.7.0 Error: I can break rules, too. Goodbye.\r\n");
  EXPECT_TRUE(c.WaitForClose());
}

TEST_F(SmtpServerTest, BadSequence) {
  Start();
  Client c(server_->BoundPort());
  EXPECT_EQ(c.Reply(), kGreeting);
  EXPECT_EQ(c.Command("MAIL FROM:<>"), "503 5.5.1 Error: send HELO/EHLO first\r\n");
  EXPECT_EQ(c.Command("EHLO client.example"), kEhloReply);
  EXPECT_EQ(c.Command("RCPT TO:<a@bounce.shop.example>"), "503 5.5.1 Error: need MAIL command\r\n");
  EXPECT_EQ(c.Command("DATA"), "503 5.5.1 Error: need MAIL command\r\n");
  EXPECT_EQ(c.Command("MAIL FROM:<>"), "250 2.1.0 Ok\r\n");
  EXPECT_EQ(c.Command("MAIL FROM:<>"), "503 5.5.1 Error: nested MAIL command\r\n");
  EXPECT_EQ(c.Command("DATA"), "503 5.5.1 Error: need RCPT command\r\n");
  EXPECT_EQ(c.Command("RCPT TO:<a@foreign.example>"),
            "550 5.7.1 <a@foreign.example>: Relay access denied\r\n");
  EXPECT_EQ(c.Command("DATA"), "554 5.5.1 Error: no valid recipients\r\n");
  EXPECT_EQ(c.Command("RSET"), "250 2.0.0 Ok\r\n");
  EXPECT_EQ(c.Command("RCPT TO:<a@bounce.shop.example>"), "503 5.5.1 Error: need MAIL command\r\n");
  EXPECT_EQ(c.Command("MAIL FROM:sender@x.example"), "501 5.5.4 Syntax: MAIL FROM:<address>\r\n");
  EXPECT_EQ(c.Command("MAIL FROM:<a b@x.example>"), "501 5.1.7 Bad sender address syntax\r\n");
  EXPECT_EQ(c.Command("MAIL FROM:<> FOO=1"), "555 5.5.4 Unsupported option\r\n");
  EXPECT_EQ(c.Command("MAIL FROM:<> SIZE=abc"), "501 5.5.4 Bad SIZE syntax\r\n");
  EXPECT_EQ(c.Command("MAIL FROM:<> SIZE=1000001"),
            "552 5.3.4 Message size exceeds fixed limit\r\n");
  EXPECT_EQ(c.Command("MAIL FROM:<> SIZE=1000000"), "250 2.1.0 Ok\r\n");
  EXPECT_EQ(c.Command("RCPT TO:<a@bounce.shop.example> NOTIFY=NEVER"),
            "555 5.5.4 Unsupported option\r\n");
  EXPECT_EQ(c.Command("DATA now"), "501 5.5.4 Syntax: DATA\r\n");
  EXPECT_TRUE(policy_.messages().empty());
}

TEST_F(SmtpServerTest, PipelinedCommandsAreAnsweredInOrder) {
  Start();
  Client c(server_->BoundPort());
  EXPECT_EQ(c.Reply(), kGreeting);
  ASSERT_TRUE(
      c.Send("EHLO client.example\r\nMAIL FROM:<mailer-daemon@mx.example>\r\n"
             "RCPT TO:<bounces+1@bounce.shop.example>\r\nRCPT TO:<x@foreign.example>\r\n"
             "RCPT TO:<bounces+2@bounce.shop.example>\r\nDATA\r\n"));
  EXPECT_EQ(c.Reply(), kEhloReply);
  EXPECT_EQ(c.Reply(), "250 2.1.0 Ok\r\n");
  EXPECT_EQ(c.Reply(), "250 2.1.5 Ok\r\n");
  EXPECT_EQ(c.Reply(), "550 5.7.1 <x@foreign.example>: Relay access denied\r\n");
  EXPECT_EQ(c.Reply(), "250 2.1.5 Ok\r\n");
  EXPECT_EQ(c.Reply(), "354 End data with <CR><LF>.<CR><LF>\r\n");
  // The message, the final dot and the next transaction in one write.
  ASSERT_TRUE(c.Send("a\r\n.\r\nMAIL FROM:<>\r\nRCPT TO:<b@bounce.shop.example>\r\nDATA\r\n"));
  EXPECT_EQ(c.Reply(), "250 2.0.0 Ok: queued as Q1\r\n");
  EXPECT_EQ(c.Reply(), "250 2.1.0 Ok\r\n");
  EXPECT_EQ(c.Reply(), "250 2.1.5 Ok\r\n");
  EXPECT_EQ(c.Reply(), "354 End data with <CR><LF>.<CR><LF>\r\n");
  ASSERT_TRUE(c.Send("b\r\n.\r\nQUIT\r\n"));
  EXPECT_EQ(c.Reply(), "250 2.0.0 Ok: queued as Q1\r\n");
  EXPECT_EQ(c.Reply(), "221 2.0.0 Bye\r\n");
  ASSERT_EQ(policy_.messages(), (std::vector<std::string>{"a\r\n", "b\r\n"}));
  EXPECT_EQ(policy_.envelopes()[0].sender, "mailer-daemon@mx.example");
  EXPECT_EQ(
      policy_.envelopes()[0].recipients,
      (std::vector<std::string>{"bounces+1@bounce.shop.example", "bounces+2@bounce.shop.example"}));
}

TEST_F(SmtpServerTest, OpenRelayProbesAreRefused) {
  Start();
  auto c = Greeted();
  EXPECT_EQ(c->Command("MAIL FROM:<probe@relay-test.example>"), "250 2.1.0 Ok\r\n");
  // Refused by the policy (a domain that is not a bounce domain).
  EXPECT_EQ(c->Command("RCPT TO:<victim@foreign.example>"),
            "550 5.7.1 <victim@foreign.example>: Relay access denied\r\n");
  // Refused by the server before the policy is asked.
  EXPECT_EQ(c->Command("RCPT TO:<@bounce.shop.example,@hop.example:victim@foreign.example>"),
            "550 5.7.1 <@bounce.shop.example,@hop.example:victim@foreign.example>: Relay access "
            "denied\r\n");
  EXPECT_EQ(c->Command("RCPT TO:<victim%foreign.example@bounce.shop.example>"),
            "550 5.7.1 <victim%foreign.example@bounce.shop.example>: Relay access denied\r\n");
  EXPECT_EQ(c->Command("RCPT TO:<foreign.example!victim@bounce.shop.example>"),
            "550 5.7.1 <foreign.example!victim@bounce.shop.example>: Relay access denied\r\n");
  EXPECT_EQ(c->Command("RCPT TO:<\"victim@foreign.example\"@bounce.shop.example>"),
            "550 5.7.1 <\"victim@foreign.example\"@bounce.shop.example>: Relay access denied\r\n");
  EXPECT_EQ(c->Command("RCPT TO:<victim@[192.0.2.1]>"),
            "550 5.7.1 <victim@[192.0.2.1]>: Relay access denied\r\n");
  EXPECT_EQ(c->Command("RCPT TO:<\"quoted\"@bounce.shop.example>"),
            "501 5.1.3 Bad recipient address syntax\r\n");
  EXPECT_EQ(c->Command("RCPT TO:<postmaster>"), "501 5.1.3 Bad recipient address syntax\r\n");
  EXPECT_EQ(c->Command("RCPT TO:<>"), "501 5.1.3 Bad recipient address syntax\r\n");
  EXPECT_EQ(c->Command("RCPT TO:<" + std::string(65, 'a') + "@bounce.shop.example>"),
            "501 5.1.3 Bad recipient address syntax\r\n");
  EXPECT_EQ(c->Command("RCPT TO:<j\xc3\xb6rg@bounce.shop.example>"),
            "553 5.6.7 Must declare SMTPUTF8 to send non-ASCII addresses\r\n");
  EXPECT_EQ(c->Command("RCPT TO:victim@foreign.example"),
            "501 5.5.4 Syntax: RCPT TO:<address>\r\n");
  EXPECT_EQ(c->Command("RCPT TO:<tempfail@bounce.shop.example>"),
            "451 4.3.0 <tempfail@bounce.shop.example>: Temporary lookup failure\r\n");
  EXPECT_EQ(c->Command("DATA"), "554 5.5.1 Error: no valid recipients\r\n");
  // Only the addresses that passed the server's own checks reached the policy.
  EXPECT_EQ(policy_.checked(),
            (std::vector<std::string>{"victim@foreign.example", "tempfail@bounce.shop.example"}));
}

TEST_F(SmtpServerTest, Smtputf8IsAcceptedWhenDeclared) {
  Start();
  auto c = Greeted();
  EXPECT_EQ(c->Command("MAIL FROM:<postmaster@b\xc3\xbc"
                       "cher.example>"),
            "553 5.6.7 Must declare SMTPUTF8 to send non-ASCII addresses\r\n");
  EXPECT_EQ(c->Command("MAIL FROM:<postmaster@b\xc3\xbc"
                       "cher.example> SMTPUTF8"),
            "250 2.1.0 Ok\r\n");
  EXPECT_EQ(c->Command("RCPT TO:<j\xc3\xb6rg@bounce.shop.example>"),
            "501 5.1.3 Bad recipient address syntax\r\n");
  EXPECT_EQ(c->Command("RCPT TO:<bounces+1@bounce.shop.example>"), "250 2.1.5 Ok\r\n");
  EXPECT_EQ(c->Command("DATA"), "354 End data with <CR><LF>.<CR><LF>\r\n");
  ASSERT_TRUE(c->Send("Subject: \xc3\xa4\r\n\r\n.\r\n"));
  EXPECT_EQ(c->Reply(), "250 2.0.0 Ok: queued as Q1\r\n");
  ASSERT_EQ(policy_.envelopes().size(), 1u);
  EXPECT_TRUE(policy_.envelopes()[0].smtputf8);
  EXPECT_EQ(policy_.envelopes()[0].sender,
            "postmaster@b\xc3\xbc"
            "cher.example");
  EXPECT_EQ(policy_.messages()[0], "Subject: \xc3\xa4\r\n\r\n");
}

TEST_F(SmtpServerTest, DeliverRejectAndTempfailAreRelayed) {
  Start();
  auto c = Greeted();
  auto send = [&] {
    EXPECT_EQ(c->Command("MAIL FROM:<>"), "250 2.1.0 Ok\r\n");
    EXPECT_EQ(c->Command("RCPT TO:<b@bounce.shop.example>"), "250 2.1.5 Ok\r\n");
    EXPECT_EQ(c->Command("DATA"), "354 End data with <CR><LF>.<CR><LF>\r\n");
    EXPECT_TRUE(c->Send("x\r\n.\r\n"));
    return c->Reply();
  };
  policy_.Answer(DeliverResult::Rejected(554, "5.6.0 unreadable report\r\nforged: line"));
  EXPECT_EQ(send(), "554 5.6.0 unreadable report??forged: line\r\n");
  policy_.Answer(DeliverResult::Rejected(250, "5.6.0 not a 5xx"));
  EXPECT_EQ(send(), "554 5.6.0 not a 5xx\r\n");
  policy_.Answer(DeliverResult::Tempfail());
  EXPECT_EQ(send(), "451 4.3.0 Error: temporary failure, try again later\r\n");
}

TEST_F(SmtpServerTest, OverlongCommandLine) {
  Start();
  auto c = Greeted();
  // The limit is 1024 bytes with the CRLF.
  EXPECT_EQ(c->Command("NOOP " + std::string(200000, 'x')), "500 5.5.2 Error: line too long\r\n");
  EXPECT_EQ(c->Command("NOOP " + std::string(1018, 'x')), "500 5.5.2 Error: line too long\r\n");
  EXPECT_EQ(c->Command("NOOP " + std::string(1017, 'x')), "250 2.0.0 Ok\r\n");
}

TEST_F(SmtpServerTest, TooManyRecipients) {
  SmtpServerOptions options = Options();
  options.max_recipients = 2;
  Start(options);
  auto c = Greeted();
  EXPECT_EQ(c->Command("MAIL FROM:<>"), "250 2.1.0 Ok\r\n");
  EXPECT_EQ(c->Command("RCPT TO:<a@bounce.shop.example>"), "250 2.1.5 Ok\r\n");
  EXPECT_EQ(c->Command("RCPT TO:<b@bounce.shop.example>"), "250 2.1.5 Ok\r\n");
  EXPECT_EQ(c->Command("RCPT TO:<c@bounce.shop.example>"),
            "452 4.5.3 Error: too many recipients\r\n");
  EXPECT_EQ(c->Command("DATA"), "354 End data with <CR><LF>.<CR><LF>\r\n");
  ASSERT_TRUE(c->Send(".\r\n"));
  EXPECT_EQ(c->Reply(), "250 2.0.0 Ok: queued as Q1\r\n");
  EXPECT_EQ(policy_.envelopes()[0].recipients.size(), 2u);
}

TEST_F(SmtpServerTest, TooManyErrorsEndsTheSession) {
  SmtpServerOptions options = Options();
  options.max_errors = 3;
  Start(options);
  Client c(server_->BoundPort());
  EXPECT_EQ(c.Reply(), kGreeting);
  EXPECT_EQ(c.Command("BAD1"), "500 5.5.2 Error: command not recognized\r\n");
  EXPECT_EQ(c.Command("NOOP"), "250 2.0.0 Ok\r\n");
  EXPECT_EQ(c.Command("RCPT TO:<a@b.example>"), "503 5.5.1 Error: need MAIL command\r\n");
  EXPECT_EQ(c.Command("BAD3"), "500 5.5.2 Error: command not recognized\r\n");
  EXPECT_EQ(c.Reply(), "421 4.7.0 mx.campaignd.test Error: too many errors\r\n");
  EXPECT_TRUE(c.WaitForClose());
}

TEST_F(SmtpServerTest, CommandTimeout) {
  SmtpServerOptions options = Options();
  options.timeouts.command = 300ms;
  Start(options);
  Client c(server_->BoundPort());
  EXPECT_EQ(c.Reply(), kGreeting);
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(c.Reply(), "421 4.4.2 mx.campaignd.test Error: timeout exceeded\r\n");
  EXPECT_GE(std::chrono::steady_clock::now() - start, 250ms);
  EXPECT_TRUE(c.WaitForClose());
}

TEST_F(SmtpServerTest, DataTimeoutHoldsEvenWhileTheClientTrickles) {
  SmtpServerOptions options = Options();
  options.timeouts.command = 2s;
  options.timeouts.data = 500ms;
  Start(options);
  auto c = Greeted();
  EXPECT_EQ(c->Command("MAIL FROM:<>"), "250 2.1.0 Ok\r\n");
  EXPECT_EQ(c->Command("RCPT TO:<a@bounce.shop.example>"), "250 2.1.5 Ok\r\n");
  EXPECT_EQ(c->Command("DATA"), "354 End data with <CR><LF>.<CR><LF>\r\n");
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < 8 && c->pending().empty(); ++i) {  // a byte every 100 ms
    c->Send("x");
    std::this_thread::sleep_for(100ms);
  }
  EXPECT_EQ(c->Reply(), "421 4.4.2 mx.campaignd.test Error: timeout exceeded\r\n");
  EXPECT_LT(std::chrono::steady_clock::now() - start, 1800ms);
  EXPECT_TRUE(policy_.messages().empty());
}

TEST_F(SmtpServerTest, ConnectionLimit) {
  SmtpServerOptions options = Options();
  options.max_connections = 2;
  Start(options);
  auto a = std::make_unique<Client>(server_->BoundPort());
  Client b(server_->BoundPort());
  EXPECT_EQ(a->Reply(), kGreeting);
  EXPECT_EQ(b.Reply(), kGreeting);
  Client refused(server_->BoundPort());
  EXPECT_EQ(refused.Reply(), "421 4.7.0 mx.campaignd.test Error: too many connections\r\n");
  EXPECT_TRUE(refused.WaitForClose());
  EXPECT_EQ(a->Command("QUIT"), "221 2.0.0 Bye\r\n");
  a.reset();
  for (int i = 0; i < 100 && server_->open_sessions() > 1; ++i) std::this_thread::sleep_for(10ms);
  Client again(server_->BoundPort());
  EXPECT_EQ(again.Reply(), kGreeting);
}

// Peak resident memory of this process (server and client), in KiB.
long MaxRssKib() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss;
}

TEST_F(SmtpServerTest, FiftyMegabyteStreamIsRefusedWithoutBeingHeld) {
  Start();  // limit 1 MB
  auto c = Greeted();
  EXPECT_EQ(c->Command("MAIL FROM:<>"), "250 2.1.0 Ok\r\n");
  EXPECT_EQ(c->Command("RCPT TO:<a@bounce.shop.example>"), "250 2.1.5 Ok\r\n");
  EXPECT_EQ(c->Command("DATA"), "354 End data with <CR><LF>.<CR><LF>\r\n");
  const long rss_before = MaxRssKib();
  const std::string line = std::string(998, 'b') + "\r\n";
  std::string chunk;
  for (int i = 0; i < 64; ++i) chunk += line;  // 64 000 bytes
  std::size_t sent = 0;
  while (sent < 50u * 1000 * 1000) {
    ASSERT_TRUE(c->Send(chunk));
    sent += chunk.size();
  }
  ASSERT_TRUE(c->Send(".\r\n"));
  EXPECT_EQ(c->Reply(), "552 5.3.4 Message size exceeds fixed limit\r\n");
  const long growth_kib = MaxRssKib() - rss_before;
  std::printf("[ measure ] 50 MB DATA stream, limit 1 MB: peak RSS grew by %ld KiB\n", growth_kib);
  EXPECT_LT(growth_kib, 8 * 1024);  // the limit (1 MB) plus buffers, not 50 MB
  EXPECT_TRUE(policy_.messages().empty());
  // The session goes on.
  EXPECT_EQ(c->Command("MAIL FROM:<>"), "250 2.1.0 Ok\r\n");
}

TEST_F(SmtpServerTest, MessageJustOverTheLimitIsRefused) {
  SmtpServerOptions options = Options();
  options.max_message_bytes = 10;
  Start(options);
  Client c(server_->BoundPort());
  EXPECT_EQ(c.Reply(), kGreeting);
  c.Command("EHLO x.example");
  EXPECT_EQ(c.Command("MAIL FROM:<>"), "250 2.1.0 Ok\r\n");
  EXPECT_EQ(c.Command("RCPT TO:<a@bounce.shop.example>"), "250 2.1.5 Ok\r\n");
  EXPECT_EQ(c.Command("DATA"), "354 End data with <CR><LF>.<CR><LF>\r\n");
  ASSERT_TRUE(c.Send("123456789\r\n.\r\n"));  // 11 bytes
  EXPECT_EQ(c.Reply(), "552 5.3.4 Message size exceeds fixed limit\r\n");
  EXPECT_EQ(c.Command("MAIL FROM:<>"), "250 2.1.0 Ok\r\n");
  EXPECT_EQ(c.Command("RCPT TO:<a@bounce.shop.example>"), "250 2.1.5 Ok\r\n");
  EXPECT_EQ(c.Command("DATA"), "354 End data with <CR><LF>.<CR><LF>\r\n");
  ASSERT_TRUE(c.Send("12345678\r\n.\r\n"));  // 10 bytes
  EXPECT_EQ(c.Reply(), "250 2.0.0 Ok: queued as Q1\r\n");
}

TEST_F(SmtpServerTest, BlockingDeliverDoesNotStallOtherSessions) {
  Start();
  policy_.Hold();
  auto a = Greeted();
  EXPECT_EQ(a->Command("MAIL FROM:<>"), "250 2.1.0 Ok\r\n");
  EXPECT_EQ(a->Command("RCPT TO:<a@bounce.shop.example>"), "250 2.1.5 Ok\r\n");
  EXPECT_EQ(a->Command("DATA"), "354 End data with <CR><LF>.<CR><LF>\r\n");
  ASSERT_TRUE(a->Send("held\r\n.\r\n"));
  ASSERT_TRUE(policy_.WaitDelivering(1));
  // While a's delivery blocks, b is served (its RCPT also runs on the pool).
  auto b = Greeted();
  EXPECT_EQ(b->Command("MAIL FROM:<>"), "250 2.1.0 Ok\r\n");
  EXPECT_EQ(b->Command("RCPT TO:<b@bounce.shop.example>"), "250 2.1.5 Ok\r\n");
  EXPECT_EQ(b->Command("QUIT"), "221 2.0.0 Bye\r\n");
  policy_.Release();
  EXPECT_EQ(a->Reply(), "250 2.0.0 Ok: queued as Q1\r\n");
}

TEST_F(SmtpServerTest, StartTls) {
  campaignd::testing::SelfSignedCert cert;
  ASSERT_TRUE(cert.ok());
  SmtpServerOptions options = Options();
  options.tls_cert_file = cert.cert();
  options.tls_key_file = cert.key();
  Start(options);
  Client c(server_->BoundPort());
  EXPECT_EQ(c.Reply(), kGreeting);
  EXPECT_EQ(c.Command("EHLO client.example"),
            "250-mx.campaignd.test\r\n250-PIPELINING\r\n250-SIZE 1000000\r\n"
            "250-ENHANCEDSTATUSCODES\r\n250-8BITMIME\r\n250-SMTPUTF8\r\n250 STARTTLS\r\n");
  EXPECT_EQ(c.Command("STARTTLS now"), "501 5.5.4 Syntax: STARTTLS\r\n");
  EXPECT_EQ(c.Command("MAIL FROM:<>"), "250 2.1.0 Ok\r\n");
  // A command pipelined after STARTTLS in the clear is dropped, not run
  // inside the TLS session (CVE-2011-0411).
  ASSERT_TRUE(c.Send("STARTTLS\r\nRSET\r\n"));
  EXPECT_EQ(c.Reply(), "220 2.0.0 Ready to start TLS\r\n");
  ASSERT_TRUE(c.Handshake());
  // The state is cleared: EHLO again, and the MAIL before TLS is gone.
  EXPECT_EQ(c.Command("MAIL FROM:<>"), "503 5.5.1 Error: send HELO/EHLO first\r\n");
  EXPECT_EQ(c.Command("EHLO client.example"), kEhloReply);  // no STARTTLS any more
  EXPECT_EQ(c.Command("STARTTLS"), "503 5.5.1 Error: TLS already active\r\n");
  EXPECT_EQ(c.Command("MAIL FROM:<>"), "250 2.1.0 Ok\r\n");
  EXPECT_EQ(c.Command("RCPT TO:<a@bounce.shop.example>"), "250 2.1.5 Ok\r\n");
  EXPECT_EQ(c.Command("DATA"), "354 End data with <CR><LF>.<CR><LF>\r\n");
  ASSERT_TRUE(c.Send("secret\r\n.\r\n"));
  EXPECT_EQ(c.Reply(), "250 2.0.0 Ok: queued as Q1\r\n");
  EXPECT_EQ(c.Command("QUIT"), "221 2.0.0 Bye\r\n");
  ASSERT_EQ(policy_.envelopes().size(), 1u);
  EXPECT_TRUE(policy_.envelopes()[0].tls);
  EXPECT_EQ(policy_.messages()[0], "secret\r\n");
}

TEST_F(SmtpServerTest, MissingCertificateIsAClearStatus) {
  SmtpServerOptions options = Options();
  options.tls_cert_file = "/nonexistent/cert.pem";
  options.tls_key_file = "/nonexistent/key.pem";
  SmtpServer server(options, policy_.Policy());
  const Status status = server.Start();
  ASSERT_FALSE(status.ok());
  EXPECT_NE(status.message().find("/nonexistent/cert.pem"), std::string::npos);
}

TEST_F(SmtpServerTest, StopClosesOpenSessions) {
  Start();
  auto a = Greeted();
  const auto start = std::chrono::steady_clock::now();
  server_->Stop();
  EXPECT_LT(std::chrono::steady_clock::now() - start, 1s);
  EXPECT_TRUE(a->WaitForClose());
  server_.reset();
}

}  // namespace
}  // namespace campaignd::events
