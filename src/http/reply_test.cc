#include "http/reply.h"

#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <sstream>

#include "http/access_log.h"

namespace campaignd::http {
namespace {

namespace bhttp = boost::beast::http;

// Captures spdlog output for one test.
class LogCapture {
 public:
  LogCapture() : previous_(spdlog::default_logger()) {
    auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(out_);
    sink->set_pattern("%l %v");
    spdlog::set_default_logger(std::make_shared<spdlog::logger>("capture", sink));
  }
  ~LogCapture() { spdlog::set_default_logger(previous_); }
  std::string text() const { return out_.str(); }

 private:
  std::ostringstream out_;
  std::shared_ptr<spdlog::logger> previous_;
};

ReplyContext Ctx() { return ReplyContext{11, true, 42, std::chrono::seconds(5)}; }

ops::Answer Answer(Result<Reply> result, std::vector<std::string> hosts = {}) {
  return ops::Answer{std::move(result), std::move(hosts)};
}

Params WithParams(std::initializer_list<std::pair<const char*, const char*>> list) {
  Params p;
  for (const auto& [n, v] : list) p.Add(n, v);
  return p;
}

TEST(ReplyTest, SuccessIsPlainTextWithoutNewline) {
  HttpReply r = MakeApiReply(Answer(Reply::Success(Token::kEnqueued, "7K2M-1")), Params(), Ctx());
  EXPECT_EQ(r.response.result(), bhttp::status::ok);
  EXPECT_EQ(r.response.body(), "enqueued: 7K2M-1");
  EXPECT_EQ(r.response[bhttp::field::content_type], "text/plain; charset=utf-8");
  EXPECT_EQ(r.response[bhttp::field::cache_control], "no-store");
  EXPECT_EQ(r.response[bhttp::field::content_length], "16");
  EXPECT_EQ(r.log_token, "enqueued");  // the mail ID is a credential: not logged
}

TEST(ReplyTest, APageIsTextHtmlAndNeverRedirected) {
  Params p = WithParams({{"bmUrl", "https://www.example.com/x"}});
  HttpReply r = MakeApiReply(Answer(Reply::Page("<p>Hello &amp; bye</p>"), {"www.example.com"}),
                             p, Ctx());
  EXPECT_EQ(r.response.result(), bhttp::status::ok);
  EXPECT_EQ(r.response[bhttp::field::content_type], "text/html; charset=utf-8");
  EXPECT_EQ(r.response.body(), "<p>Hello &amp; bye</p>");
  EXPECT_EQ(r.response[bhttp::field::location], "");
  EXPECT_EQ(r.log_token, "ok");
}

TEST(ReplyTest, BusinessNoIsStill200) {
  HttpReply r = MakeApiReply(Answer(Reply::WrongTag(502)), Params(), Ctx());
  EXPECT_EQ(r.response.result(), bhttp::status::ok);
  EXPECT_EQ(r.response.body(), "wrong_tag: 502");
  EXPECT_EQ(r.log_token, "wrong_tag:502");
}

TEST(ReplyTest, UnavailableIs503WithRetryAfterAndNoRedirect) {
  Params p = WithParams({{"bmUrl", "https://good.com/"}});
  HttpReply r = MakeApiReply(Answer(Status::Unavailable("db locked"), {"good.com"}), p, Ctx());
  EXPECT_EQ(r.response.result(), bhttp::status::service_unavailable);
  EXPECT_EQ(r.response.body(), "system_error");
  EXPECT_EQ(r.response[bhttp::field::retry_after], "5");
}

TEST(ReplyTest, OtherFailureIs200SystemErrorAndOneErrorLine) {
  LogCapture log;
  HttpReply r = MakeApiReply(Answer(Status::IOError("disk on fire")), Params(), Ctx());
  EXPECT_EQ(r.response.result(), bhttp::status::ok);
  EXPECT_EQ(r.response.body(), "system_error");
  EXPECT_NE(log.text().find("error request 42: "), std::string::npos) << log.text();
  EXPECT_NE(log.text().find("disk on fire"), std::string::npos);
}

// An error message may quote what a client or relay sent (core/log_text.h):
// it stays one line and cannot close a quote or start a field of its own.
TEST(ReplyTest, AnErrorQuotingUntrustedTextCannotForgeALogLine) {
  LogCapture log;
  MakeApiReply(
      Answer(Status::Internal("reply \"550 x\" status=sent\r\nerror request 43: forged\x1b")),
      Params(), Ctx());
  EXPECT_EQ(log.text(),
            "error request 42: internal error: reply \\\"550 x\\\" status=sent\\r\\nerror request "
            "43: forged\\u001b\n");
}

TEST(ReplyTest, RedirectOnSuccessUsesSuccessUrlElseUrl) {
  Params p = WithParams({{"bmSuccessUrl", "https://good.com/ok"},
                         {"bmFailureUrl", "https://good.com/fail"},
                         {"bmUrl", "https://good.com/any"}});
  HttpReply r = MakeApiReply(Answer(Reply::Success(Token::kOk), {"good.com"}), p, Ctx());
  EXPECT_EQ(r.response.result(), bhttp::status::found);
  EXPECT_EQ(r.response[bhttp::field::location], "https://good.com/ok?bmResult=ok");
  EXPECT_EQ(r.response.body(), "");

  r = MakeApiReply(Answer(Reply::Failure(Token::kSyntaxError), {"good.com"}), p, Ctx());
  EXPECT_EQ(r.response[bhttp::field::location], "https://good.com/fail?bmResult=syntax_error");

  Params only_url = WithParams({{"bmUrl", "https://good.com/any?a=1"}});
  r = MakeApiReply(Answer(Reply::Failure(Token::kWrongTag, "501"), {"good.com"}), only_url, Ctx());
  EXPECT_EQ(r.response[bhttp::field::location],
            "https://good.com/any?a=1&bmResult=wrong_tag%3A%20501");
  r = MakeApiReply(Answer(Status::Internal("x"), {"good.com"}), only_url, Ctx());
  EXPECT_EQ(r.response[bhttp::field::location], "https://good.com/any?a=1&bmResult=system_error");
}

TEST(ReplyTest, RefusedRedirectAnswersTheTokenAndWarns) {
  LogCapture log;
  Params p = WithParams({{"bmUrl", "https://evil.com/"}});
  HttpReply r = MakeApiReply(Answer(Reply::Success(Token::kOk), {"good.com"}), p, Ctx());
  EXPECT_EQ(r.response.result(), bhttp::status::ok);
  EXPECT_EQ(r.response.body(), "ok");
  EXPECT_NE(log.text().find("warning request 42: redirect not followed"), std::string::npos)
      << log.text();
  EXPECT_EQ(log.text().find("evil.com"), std::string::npos);  // no parameter values in logs
}

TEST(ReplyTest, ConnectionCloseAndHttp10) {
  ReplyContext ctx = Ctx();
  ctx.keep_alive = false;
  Response res = MakeTextResponse(bhttp::status::uri_too_long, "syntax_error", ctx);
  EXPECT_EQ(res[bhttp::field::connection], "close");
  ctx.version = 10;
  ctx.keep_alive = true;
  res = MakeTextResponse(bhttp::status::ok, "ok", ctx);
  EXPECT_EQ(res.version(), 10u);
  EXPECT_EQ(res[bhttp::field::connection], "keep-alive");
}

TEST(ReplyTest, TrackingAnswers) {
  namespace bhttp = boost::beast::http;
  Response r = MakeTrackingResponse({TrackingAnswer::Kind::kRedirect, "https://a.example/?x=1"},
                                    false, Ctx());
  EXPECT_EQ(r.result(), bhttp::status::found);
  EXPECT_EQ(r[bhttp::field::location], "https://a.example/?x=1");
  r = MakeTrackingResponse({TrackingAnswer::Kind::kPixel, ""}, false, Ctx());
  EXPECT_EQ(r.result(), bhttp::status::ok);
  EXPECT_EQ(r[bhttp::field::content_type], "image/gif");
  EXPECT_EQ(r[bhttp::field::cache_control], "no-store");
  EXPECT_EQ(r.body().size(), 43u);
  EXPECT_EQ(r.body(), std::string(kTransparentGif));
  EXPECT_TRUE(r.body().starts_with("GIF89a") && r.body().ends_with(";"));
  r = MakeTrackingResponse({TrackingAnswer::Kind::kPixel, ""}, true, Ctx());  // HEAD
  EXPECT_EQ(r.body(), "");
  EXPECT_EQ(r[bhttp::field::content_length], "43");
  for (const std::string& bad : {std::string("https://a.example/\r\nSet-Cookie: x=1"),
                                 std::string("https://a.example/ x"), std::string()}) {
    r = MakeTrackingResponse({TrackingAnswer::Kind::kRedirect, bad}, false, Ctx());
    EXPECT_EQ(r.result(), bhttp::status::not_found);
    EXPECT_EQ(r.count(bhttp::field::location), 0u);
  }
  EXPECT_EQ(MakeTrackingResponse({}, false, Ctx()).result(), bhttp::status::not_found);
}

TEST(AccessLogTest, FormatsOneLineWithoutTheCode) {
  AccessRecord r;
  r.request_id = 7;
  r.peer = "192.0.2.1";
  r.method = "POST";
  r.service = "form";
  r.operation = "sendeventmail";
  r.mailing_id = "123";
  r.status = 200;
  r.token = "enqueued";
  r.bytes_in = 40;
  r.bytes_out = 30;
  r.elapsed = std::chrono::microseconds(1500);
  EXPECT_EQ(FormatAccessLine(r),
            "req=7 peer=192.0.2.1 method=POST path=/http/form/***/sendeventmail status=200 "
            "token=enqueued mailing=123 in=40 out=30 us=1500");
}

TEST(AccessLogTest, ClientTextCannotBreakTheLine) {
  AccessRecord r;
  r.method = "GE T\r\n";
  r.service = "mail";
  r.operation = std::string(100, 'x');
  r.mailing_id = "1\nfake=\"line\\";
  const std::string line = FormatAccessLine(r);
  EXPECT_EQ(line.find('\n'), std::string::npos);
  EXPECT_NE(line.find("method=GE_T__"), std::string::npos);
  EXPECT_NE(line.find("mailing=1_fake=_line_"), std::string::npos);
  EXPECT_NE(line.find("/http/mail/***/" + std::string(64, 'x') + "..."), std::string::npos);
  EXPECT_NE(line.find("path=/http/mail/***/"), std::string::npos);
  EXPECT_EQ(LogWord(""), "-");
}

}  // namespace
}  // namespace campaignd::http
