#include "render/message.h"

#include <gtest/gtest.h>

#include <set>

#include "core/limits.h"

namespace campaignd::render {
namespace {

MessageInput BaseInput() {
  MessageInput in;
  in.from = "{shop|Shop} <news@shop.example>";
  in.reply_to = "Service <service@shop.example>";
  in.subject = "Hallo {firstname|Kunde}";
  in.text = "Hallo {firstname}\n";
  in.html = "<p>Hallo {firstname}</p>";
  in.to = "jane@example.com";
  in.fields = {{"firstname", "Jane"}, {"bmmailid", "1-7K2M-A81C"}};
  in.mail_id = "1-7K2M-A81C";
  in.list_unsubscribe_url = "https://mail.example/http/mail/1-7K2M-A81C/unsubscribe";
  in.list_unsubscribe_mailto = "unsubscribe@shop.example";
  in.feedback_id = "12:1:campaignd";
  in.date = TimePoint(std::chrono::seconds(1714979289));  // 2024-05-06 07:08:09 UTC
  in.boundary_seed = "test";
  return in;
}

struct Header {
  std::string name, value;  // value unfolded, without the leading space
};

std::vector<Header> HeadersOf(std::string_view bytes) {
  std::vector<Header> headers;
  std::string_view block = bytes.substr(0, bytes.find("\r\n\r\n") + 2);
  std::size_t pos = 0;
  while (pos < block.size()) {
    std::size_t end = block.find("\r\n", pos);
    std::string_view line = block.substr(pos, end - pos);
    if (line.front() == ' ' || line.front() == '\t') {
      EXPECT_FALSE(headers.empty());
      headers.back().value += line;
    } else {
      std::size_t colon = line.find(':');
      EXPECT_NE(colon, std::string_view::npos) << line;
      std::string_view value = line.substr(colon + 1);
      if (!value.empty() && value.front() == ' ') value.remove_prefix(1);
      headers.push_back({std::string(line.substr(0, colon)), std::string(value)});
    }
    pos = end + 2;
  }
  return headers;
}

std::vector<std::string> NamesOf(const std::vector<Header>& headers) {
  std::vector<std::string> names;
  for (const Header& h : headers) names.push_back(h.name);
  return names;
}

std::string ValueOf(const std::vector<Header>& headers, std::string_view name) {
  for (const Header& h : headers) {
    if (h.name == name) return h.value;
  }
  return "<absent>";
}

TEST(RenderMessageTest, HeadersInTheContractOrder) {
  Result<RenderedMessage> m = RenderMessage(BaseInput());
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  std::vector<Header> h = HeadersOf(m->bytes);
  EXPECT_EQ(NamesOf(h),
            (std::vector<std::string>{"From", "Reply-To", "To", "Subject", "Date", "Message-ID",
                                      "MIME-Version", "List-Unsubscribe", "List-Unsubscribe-Post",
                                      "Feedback-ID", "X-Campaignd-Mail-Id", "Content-Type"}));
  EXPECT_EQ(ValueOf(h, "From"), "Shop <news@shop.example>");
  EXPECT_EQ(ValueOf(h, "Reply-To"), "Service <service@shop.example>");
  EXPECT_EQ(ValueOf(h, "To"), "jane@example.com");
  EXPECT_EQ(ValueOf(h, "Subject"), "Hallo Jane");
  EXPECT_EQ(ValueOf(h, "Date"), "Mon, 06 May 2024 07:08:09 +0000");
  EXPECT_EQ(ValueOf(h, "Message-ID"), "<1-7K2M-A81C@shop.example>");
  EXPECT_EQ(ValueOf(h, "MIME-Version"), "1.0");
  EXPECT_EQ(ValueOf(h, "List-Unsubscribe"),
            "<https://mail.example/http/mail/1-7K2M-A81C/unsubscribe>, "
            "<mailto:unsubscribe@shop.example?subject=unsubscribe>");
  EXPECT_EQ(ValueOf(h, "List-Unsubscribe-Post"), "List-Unsubscribe=One-Click");
  EXPECT_EQ(ValueOf(h, "Feedback-ID"), "12:1:campaignd");
  EXPECT_EQ(ValueOf(h, "X-Campaignd-Mail-Id"), "1-7K2M-A81C");
  EXPECT_TRUE(ValueOf(h, "Content-Type").starts_with("multipart/alternative; boundary=\"=_"));
  EXPECT_EQ(m->envelope_from, "news@shop.example");
  EXPECT_EQ(m->envelope_to, "jane@example.com");
  EXPECT_EQ(m->from_domain, "shop.example");
}

TEST(RenderMessageTest, OptionalHeadersOnlyWhenGiven) {
  MessageInput in = BaseInput();
  in.reply_to.clear();
  in.list_unsubscribe_url.clear();
  in.feedback_id.clear();
  in.html.clear();
  Result<RenderedMessage> m = RenderMessage(in);
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  std::vector<Header> h = HeadersOf(m->bytes);
  EXPECT_EQ(NamesOf(h),
            (std::vector<std::string>{"From", "To", "Subject", "Date", "Message-ID", "MIME-Version",
                                      "List-Unsubscribe", "X-Campaignd-Mail-Id", "Content-Type",
                                      "Content-Transfer-Encoding"}));
  EXPECT_EQ(ValueOf(h, "List-Unsubscribe"),
            "<mailto:unsubscribe@shop.example?subject=unsubscribe>");
  EXPECT_EQ(ValueOf(h, "Content-Type"), "text/plain; charset=utf-8");
  in.list_unsubscribe_mailto.clear();
  EXPECT_EQ(ValueOf(HeadersOf(RenderMessage(in)->bytes), "List-Unsubscribe"), "<absent>");
}

TEST(RenderMessageTest, ReplyToThatRendersEmptyIsLeftOut) {
  MessageInput in = BaseInput();
  in.reply_to = "{replyto}";
  std::vector<Header> h = HeadersOf(RenderMessage(in)->bytes);
  EXPECT_EQ(ValueOf(h, "Reply-To"), "<absent>");
  in.fields["replyto"] = "Desk <desk@shop.example>";
  h = HeadersOf(RenderMessage(in)->bytes);
  EXPECT_EQ(ValueOf(h, "Reply-To"), "Desk <desk@shop.example>");
}

TEST(RenderMessageTest, PartSelection) {
  MessageInput in = BaseInput();
  in.text.clear();
  std::string html_only = RenderMessage(in)->bytes;
  EXPECT_EQ(ValueOf(HeadersOf(html_only), "Content-Type"), "text/html; charset=utf-8");
  EXPECT_TRUE(html_only.ends_with("\r\n\r\n<p>Hallo Jane</p>\r\n"));
  in.html.clear();
  std::string empty = RenderMessage(in)->bytes;
  EXPECT_EQ(ValueOf(HeadersOf(empty), "Content-Type"), "text/plain; charset=utf-8");
  EXPECT_TRUE(empty.ends_with("Content-Transfer-Encoding: 7bit\r\n\r\n"));
  in.attachments.push_back({"a.txt", "text/plain", "hi"});
  std::string mixed = RenderMessage(in)->bytes;
  EXPECT_TRUE(ValueOf(HeadersOf(mixed), "Content-Type").starts_with("multipart/mixed;"));
}

TEST(RenderMessageTest, HtmlValuesAreEscapedTextValuesAreNot) {
  MessageInput in = BaseInput();
  in.fields["firstname"] = "<Tom & Jerry>";
  std::string bytes = RenderMessage(in)->bytes;
  EXPECT_NE(bytes.find("<p>Hallo &lt;Tom &amp; Jerry&gt;</p>"), std::string::npos);
  EXPECT_NE(bytes.find("Hallo <Tom & Jerry>\r\n"), std::string::npos);
}

TEST(RenderMessageTest, RandomBoundariesWithoutSeed) {
  MessageInput in = BaseInput();
  in.boundary_seed.clear();
  EXPECT_NE(RenderMessage(in)->bytes, RenderMessage(in)->bytes);
  in.boundary_seed = "fixed";
  EXPECT_EQ(RenderMessage(in)->bytes, RenderMessage(in)->bytes);
}

TEST(RenderMessageTest, IdnDomainsArePunycoded) {
  MessageInput in = BaseInput();
  in.from = "Bücher <info@bücher.example>";
  in.to = "kunde@müller.example";
  in.list_unsubscribe_mailto = "abmelden@bücher.example";
  Result<RenderedMessage> m = RenderMessage(in);
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  std::vector<Header> h = HeadersOf(m->bytes);
  EXPECT_EQ(ValueOf(h, "To"), "kunde@xn--mller-kva.example");
  EXPECT_EQ(ValueOf(h, "Message-ID"), "<1-7K2M-A81C@xn--bcher-kva.example>");
  EXPECT_NE(ValueOf(h, "List-Unsubscribe").find("<mailto:abmelden@xn--bcher-kva.example?"),
            std::string::npos);
  EXPECT_EQ(m->envelope_from, "info@xn--bcher-kva.example");
  EXPECT_EQ(m->envelope_to, "kunde@xn--mller-kva.example");
  EXPECT_EQ(m->from_domain, "xn--bcher-kva.example");
}

TEST(RenderMessageTest, InvalidAddressesAreRefusedWithTheField) {
  struct Case {
    void (*mutate)(MessageInput&);
    std::string_view context;
  };
  const Case cases[] = {
      {[](MessageInput& in) { in.from = "Shop <not-an-address>"; }, "From"},
      {[](MessageInput& in) { in.from = "{missing}"; }, "From"},
      {[](MessageInput& in) { in.reply_to = "Service <service@>"; }, "Reply-To"},
      {[](MessageInput& in) { in.to = "jane@example.com\r\nBcc: x@evil.example"; }, "To"},
      {[](MessageInput& in) { in.to = ""; }, "To"},
      {[](MessageInput& in) { in.list_unsubscribe_mailto = "no at sign"; }, "List-Unsubscribe"},
      {[](MessageInput& in) { in.mail_id = ""; }, "mail ID"},
      {[](MessageInput& in) { in.mail_id = "a>\r\nBcc: x@evil.example"; }, "mail ID"},
      {[](MessageInput& in) { in.mail_id = "a..b"; }, "mail ID"},
  };
  for (const Case& c : cases) {
    MessageInput in = BaseInput();
    c.mutate(in);
    Result<RenderedMessage> m = RenderMessage(in);
    ASSERT_FALSE(m.ok()) << c.context;
    EXPECT_TRUE(m.status().IsInvalidArgument()) << m.status().ToString();
    EXPECT_NE(m.status().message().find(c.context), std::string::npos) << m.status().ToString();
  }
}

// A template that repeats a large value stops at the size limit instead of
// building gigabytes; the reason names the part.
TEST(RenderMessageTest, AnExplodingTemplateIsRefusedAtTheSizeLimit) {
  MessageInput in = BaseInput();
  in.fields["big"] = std::string(10 * 1024, 'x');
  in.html.clear();
  for (int i = 0; i < 100000; ++i) in.html += "{big}";  // 1 GB if rendered whole
  Result<RenderedMessage> m = RenderMessage(in);
  ASSERT_FALSE(m.ok());
  EXPECT_TRUE(m.status().IsInvalidArgument());
  EXPECT_EQ(m.status().message(), "html: rendered message larger than " +
                                      std::to_string(limits::kMaxRenderedMessageBytes) + " bytes");
  // Within the limit as text, the transfer encoding takes it over.
  MessageInput quoted = BaseInput();
  quoted.html.clear();
  quoted.text = std::string(limits::kMaxRenderedMessageBytes / 2, '=');  // =3D each: 37.5 MiB
  Result<RenderedMessage> encoded = RenderMessage(quoted);
  ASSERT_FALSE(encoded.ok());
  EXPECT_EQ(encoded.status().message(), "message larger than " +
                                            std::to_string(limits::kMaxRenderedMessageBytes) +
                                            " bytes once encoded");
}

// Every field, every trick: no value may add a header field or a line.
TEST(RenderMessageTest, NoHeaderInjectionThroughAnyField) {
  const std::string evil[] = {
      "x\r\nBcc: victim@evil.example",   "x\nBcc: victim@evil.example",
      "x\rBcc: victim@evil.example",     std::string("x\0\r\nBcc: victim@evil.example", 29),
      "x%0D%0ABcc: victim@evil.example", "=?UTF-8?Q?x=0D=0ABcc:_victim@evil.example?=",
      "x\u2028Bcc: victim@evil.example", "x\u0085Bcc: victim@evil.example",
      "x\r\n\r\n<html>body</html>",      "x\tBcc:\x0b victim@evil.example",
  };
  using Setter = void (*)(MessageInput&, const std::string&);
  const Setter setters[] = {
      [](MessageInput& in, const std::string& v) { in.fields["firstname"] = v; },
      [](MessageInput& in, const std::string& v) { in.fields["shop"] = v; },
      [](MessageInput& in, const std::string& v) { in.subject = v; },
      [](MessageInput& in, const std::string& v) { in.from = v + " <news@shop.example>"; },
      [](MessageInput& in, const std::string& v) { in.reply_to = v + " <s@shop.example>"; },
      [](MessageInput& in, const std::string& v) { in.feedback_id = v; },
      [](MessageInput& in, const std::string& v) {
        in.list_unsubscribe_url = "https://u.example/" + v;
      },
      [](MessageInput& in, const std::string& v) {
        in.attachments.push_back({v, v, v});
      },
      [](MessageInput& in, const std::string& v) {
        in.text = v;
        in.html = v;
      },
  };
  const std::set<std::string> allowed = {"From",
                                         "Reply-To",
                                         "To",
                                         "Subject",
                                         "Date",
                                         "Message-ID",
                                         "MIME-Version",
                                         "List-Unsubscribe",
                                         "List-Unsubscribe-Post",
                                         "Feedback-ID",
                                         "X-Campaignd-Mail-Id",
                                         "Content-Type",
                                         "Content-Transfer-Encoding",
                                         "Content-Disposition"};
  for (const Setter& set : setters) {
    for (const std::string& value : evil) {
      MessageInput in = BaseInput();
      in.from = "{shop|Shop} <news@shop.example>";
      set(in, value);
      Result<RenderedMessage> m = RenderMessage(in);
      ASSERT_TRUE(m.ok()) << m.status().ToString();
      std::vector<Header> top = HeadersOf(m->bytes);
      std::set<std::string> seen;
      for (const Header& h : top) {
        EXPECT_TRUE(allowed.contains(h.name)) << h.name;
        EXPECT_TRUE(seen.insert(h.name).second) << "duplicate " << h.name;
      }
      // Every line of every header block (the top one and each part's)
      // is an allowed field or a continuation; no NUL anywhere.
      const std::string& b = m->bytes;
      EXPECT_EQ(b.find('\0'), std::string::npos);
      bool in_header = true;
      for (std::size_t pos = 0, end; pos < b.size(); pos = end + 2) {
        end = b.find("\r\n", pos);
        std::string_view line = std::string_view(b).substr(pos, end - pos);
        if (line.starts_with("--=_")) {
          in_header = !line.ends_with("--");
        } else if (line.empty()) {
          in_header = false;
        } else if (in_header && line[0] != ' ') {
          EXPECT_TRUE(allowed.contains(std::string(line.substr(0, line.find(':'))))) << line;
        }
      }
      for (std::size_t i = 0; i < b.size(); ++i) {
        if (b[i] == '\r') {
          ASSERT_EQ(b[i + 1], '\n');
        }
        if (b[i] == '\n') {
          ASSERT_EQ(b[i - 1], '\r');
        }
      }
    }
  }
}

}  // namespace
}  // namespace campaignd::render
