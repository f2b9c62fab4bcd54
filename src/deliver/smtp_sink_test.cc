// SmtpTransport against postfix's smtp-sink and its fault options: soft and
// hard rejects, 421, dropped connections, and the relay rate limit.
#include <gtest/gtest.h>
#include <unistd.h>

#include "deliver/child_process.h"
#include "deliver/transport.h"

namespace campaignd::deliver {
namespace {

using std::chrono::milliseconds;

constexpr const char* kSmtpSink = "/usr/sbin/smtp-sink";
const std::string kMessage = "From: a@shop.example\r\nSubject: x\r\n\r\n.dot\r\nbody\r\n";

class SmtpSinkTest : public ::testing::Test {
 protected:
  // Starts smtp-sink with fault options; returns its port (0 on failure).
  uint16_t StartSink(std::vector<std::string> options) {
    for (int attempt = 0; attempt < 3; ++attempt) {  // the free port may be taken meanwhile
      uint16_t port = FreeTcpPort();
      std::vector<std::string> argv = {kSmtpSink};
      if (::geteuid() == 0) argv.insert(argv.end(), {"-u", "nobody"});
      argv.insert(argv.end(), options.begin(), options.end());
      argv.insert(argv.end(), {"127.0.0.1:" + std::to_string(port), "64"});
      Result<std::unique_ptr<ChildProcess>> p = ChildProcess::Start(argv);
      if (!p.ok()) {
        ADD_FAILURE() << p.status().ToString();
        return 0;
      }
      sink_ = std::move(*p);
      if (WaitForTcpPort(port, milliseconds(3000))) return port;
      sink_->Stop();
    }
    ADD_FAILURE() << "smtp-sink did not start";
    return 0;
  }
  DeliveryResult DeliverTo(uint16_t port, std::string options = "") {
    Result<std::unique_ptr<Transport>> t =
        OpenTransport("smtp://127.0.0.1:" + std::to_string(port) + options, {});
    EXPECT_TRUE(t.ok()) << t.status().ToString();
    if (!t.ok()) return {};
    return (*t)->Deliver({"bounce@shop.example", "rcpt@x.example", "m1"}, kMessage);
  }
  std::unique_ptr<ChildProcess> sink_;
};

TEST_F(SmtpSinkTest, Accepts) {
  DeliveryResult r = DeliverTo(StartSink({}));
  EXPECT_EQ(r.kind, DeliveryKind::kDelivered) << r.reply;
  EXPECT_EQ(r.smtp_code, 250);
  EXPECT_EQ(r.reply, "250 2.0.0 Ok");  // smtp-sink's fixed answer to "."
}

TEST_F(SmtpSinkTest, SoftRejectOfRecipientIsTemporary) {
  DeliveryResult r = DeliverTo(StartSink({"-r", "RCPT"}));
  EXPECT_EQ(r.kind, DeliveryKind::kTemporaryFailure);
  EXPECT_EQ(r.smtp_code, 450);
  EXPECT_EQ(r.reply, "450 4.3.0 Error: command failed");
}

TEST_F(SmtpSinkTest, HardRejectOfRecipientIsPermanentWithItsText) {
  DeliveryResult r =
      DeliverTo(StartSink({"-f", "RCPT", "-B", "550 5.1.1 <rcpt@x.example>: User unknown"}));
  EXPECT_EQ(r.kind, DeliveryKind::kPermanentFailure);
  EXPECT_EQ(r.smtp_code, 550);
  EXPECT_EQ(r.reply, "550 5.1.1 <rcpt@x.example>: User unknown");
}

TEST_F(SmtpSinkTest, HardRejectOfSenderOrMessageIsPermanent) {
  DeliveryResult mail = DeliverTo(StartSink({"-f", "MAIL"}));
  EXPECT_EQ(mail.kind, DeliveryKind::kPermanentFailure) << mail.reply;
  EXPECT_EQ(mail.smtp_code, 500);
  sink_->Stop();
  DeliveryResult dot = DeliverTo(StartSink({"-f", "."}));
  EXPECT_EQ(dot.kind, DeliveryKind::kPermanentFailure) << dot.reply;
  EXPECT_EQ(dot.smtp_code, 500);
}

TEST_F(SmtpSinkTest, HardRejectOfHelloIsTemporary) {
  // Not the recipient's fault: the relay refuses us, so retry (and alert).
  DeliveryResult r = DeliverTo(StartSink({"-f", "EHLO,HELO"}));
  EXPECT_EQ(r.kind, DeliveryKind::kTemporaryFailure) << r.reply;
  EXPECT_EQ(r.smtp_code, 500);
}

TEST_F(SmtpSinkTest, ServiceClosingIsTemporary) {
  DeliveryResult r = DeliverTo(StartSink({"-Q", "RCPT"}));
  EXPECT_EQ(r.kind, DeliveryKind::kTemporaryFailure);
  EXPECT_EQ(r.smtp_code, 421);
  EXPECT_NE(r.reply.find("421"), std::string::npos) << r.reply;
}

TEST_F(SmtpSinkTest, DisconnectDuringDataIsTemporary) {
  for (const char* command : {"DATA", "."}) {
    DeliveryResult r = DeliverTo(StartSink({"-q", command}));
    EXPECT_EQ(r.kind, DeliveryKind::kTemporaryFailure) << command << ": " << r.reply;
    EXPECT_EQ(r.smtp_code, 0) << command;
    EXPECT_FALSE(r.reply.empty());
    sink_->Stop();
  }
}

TEST_F(SmtpSinkTest, RateLimitPacesMessages) {
  uint16_t port = StartSink({});
  auto time_100 = [&](const std::string& url) {
    Result<std::unique_ptr<Transport>> t = OpenTransport(url, {});
    EXPECT_TRUE(t.ok());
    auto start = std::chrono::steady_clock::now();
    for (int i = 0; i < 100; ++i) {
      EXPECT_EQ((*t)->Deliver({"a@shop.example", "b@x.example", "m"}, kMessage).kind,
                DeliveryKind::kDelivered);
    }
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  };
  std::string base = "smtp://127.0.0.1:" + std::to_string(port);
  double limited = time_100(base + "?rate=50&connections=2");
  EXPECT_GT(limited, 1.9);  // 99 gaps of 20 ms
  EXPECT_LT(limited, 3.0);
  double unlimited = time_100(base);
  EXPECT_LT(unlimited, 1.0);
}

}  // namespace
}  // namespace campaignd::deliver
