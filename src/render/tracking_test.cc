#include "render/tracking.h"

#include <gtest/gtest.h>

#include "render/dkim.h"
#include "render/message.h"
#include "render/test_keys.h"

namespace campaignd::render {
namespace {

TrackingInput Tracking(bool links, bool pixel) {
  return TrackingInput{links, pixel, "https://t.example", DeriveTrackingKey("secret"), 3, 77, 9};
}

std::vector<std::string> Values(std::string_view html) {
  std::vector<std::string> out;
  for (const TrackedLink& l : FindTrackedLinks(html)) out.push_back(l.value);
  return out;
}

// The token of the i-th redirect URL in `html`, parsed and verified.
std::vector<TrackingToken> Tokens(std::string_view html) {
  std::vector<TrackingToken> out;
  const std::string prefix = "https://t.example/r/";
  for (std::size_t at = html.find(prefix); at != std::string_view::npos;
       at = html.find(prefix, at + 1)) {
    std::size_t end = html.find_first_of("\"' >", at + prefix.size());
    auto parsed = ParseTrackingToken(html.substr(at + prefix.size(), end - at - prefix.size()));
    EXPECT_TRUE(parsed.ok());
    if (!parsed.ok()) continue;
    EXPECT_TRUE(VerifyTrackingToken(*parsed, DeriveTrackingKey("secret")));
    out.push_back(parsed->token);
  }
  return out;
}

std::string Rewrite(std::string_view html) {
  return RewriteTrackedLinks(html, Tracking(true, false),
                             [](std::string_view v) { return std::string(v) + "-rendered"; });
}

TEST(FindTrackedLinksTest, AttributesInAnyOrderQuotesAndCase) {
  EXPECT_EQ(Values("<a href=\"https://a.example/1\">x</a>"
                   "<A class=b HREF='http://b.example/2'>y</A>"
                   "<a\n  title=\"t > u\"\n  href=https://c.example/3>z</a>"
                   "<a target=_blank href = \"HTTPS://d.example/4\" >w</a>"),
            (std::vector<std::string>{"https://a.example/1", "http://b.example/2",
                                      "https://c.example/3", "HTTPS://d.example/4"}));
}

TEST(FindTrackedLinksTest, LeavesSystemMailtoNotrackAndOtherSchemesAlone) {
  EXPECT_TRUE(Values("<a href=\"{bmUnsubscribeUrl}\">u</a>"
                     "<a href=\"{bmOnlineVersionUrl}\">o</a>"
                     "<a href=\"{BMOPTINURL}\">c</a>"
                     "<a href=\"mailto:x@example.com\">m</a>"
                     "<a data-notrack href=\"https://a.example/\">n</a>"
                     "<a href=\"https://a.example/\" data-notrack=\"1\">n</a>"
                     "<a href=\"javascript:alert(1)\">j</a>"
                     "<a href=\"#top\">h</a><a name=\"x\">no href</a>"
                     "<abbr title=\"https://a.example\">abbr</abbr>"
                     "<area href=\"https://a.example/\">"
                     "<!-- <a href=\"https://commented.example/\"> -->")
                  .empty());
}

TEST(FindTrackedLinksTest, EntitiesAndQueryStrings) {
  auto links = FindTrackedLinks("<a href=\"https://a.example/p?x=1&amp;y=&#50;&#x33;\">");
  ASSERT_EQ(links.size(), 1u);
  EXPECT_EQ(DecodeHtmlEntities(links[0].value), "https://a.example/p?x=1&y=23");
  EXPECT_EQ(Values("<a href=\"&#104;ttps://a.example/\">"),
            std::vector<std::string>{"&#104;ttps://a.example/"});
  EXPECT_EQ(DecodeHtmlEntities("&bogus; & &amp &#xZZ; &#1114112; &lt;&gt;&quot;&apos;"),
            "&bogus; & &amp &#xZZ; \xEF\xBF\xBD <>\"'");
}

TEST(FindTrackedLinksTest, MalformedHtmlIsNotAnError) {
  EXPECT_TRUE(Values("<a href=\"https://a.example/").empty());  // no closing quote
  EXPECT_TRUE(Values("<a href=https://a.example/").empty());    // no '>'
  EXPECT_TRUE(Values("<a href=").empty());
  EXPECT_TRUE(Values("<").empty());
  EXPECT_TRUE(Values("<!-- never closed <a href=\"https://a.example/\">").empty());
  EXPECT_EQ(Values("<a <a href=\"https://b.example/\">"),
            std::vector<std::string>{"https://b.example/"});
  EXPECT_EQ(Values("<a href=\"https://a.example/\" href=\"https://b.example/\">"),
            std::vector<std::string>{"https://a.example/"});
}

TEST(RewriteTrackedLinksTest, RewritesOnlyTrackedLinksInOrder) {
  const std::string html =
      "<p><a href=\"https://a.example/?q=1&amp;r=2\">A</a> "
      "<a href=\"mailto:x@example.com\">M</a> <a href='http://b.example/'>B</a> "
      "<a href=\"{bmUnsubscribeUrl}\">U</a></p>";
  const std::string out = Rewrite(html);
  EXPECT_EQ(out.find("a.example"), std::string::npos) << out;
  EXPECT_EQ(out.find("b.example"), std::string::npos) << out;
  EXPECT_NE(out.find("<a href=\"mailto:x@example.com\">M</a>"), std::string::npos);
  EXPECT_NE(out.find("<a href=\"{bmUnsubscribeUrl}\">U</a>"), std::string::npos);
  EXPECT_NE(out.find("<a href='https://t.example/r/"), std::string::npos);
  const auto tokens = Tokens(out);
  ASSERT_EQ(tokens.size(), 2u);
  EXPECT_EQ(tokens[0], (TrackingToken{3, 77, 9, 0, ""}));
  EXPECT_EQ(tokens[1], (TrackingToken{3, 77, 9, 1, ""}));
  // The redirect finds the URLs from the template alone.
  const auto links = FindTrackedLinks(html);
  EXPECT_EQ(ResolveTrackedLink(links, tokens[0]), "https://a.example/?q=1&r=2");
  EXPECT_EQ(ResolveTrackedLink(links, tokens[1]), "http://b.example/");
  EXPECT_EQ(ResolveTrackedLink(links, TrackingToken{3, 77, 9, 2, ""}), std::nullopt);
  EXPECT_EQ(ResolveTrackedLink(links, TrackingToken{3, 77, 9, TrackingToken::kOpen, ""}),
            std::nullopt);
  // A URL in a token of a link that is not personalised is refused.
  EXPECT_EQ(ResolveTrackedLink(links, TrackingToken{3, 77, 9, 0, "https://evil.example/"}),
            std::nullopt);
}

TEST(RewriteTrackedLinksTest, PersonalisedUrlTravelsInTheToken) {
  const std::string html = "<a href=\"https://a.example/u/{id}?x=1\">A</a>";
  const std::string out = Rewrite(html);
  const auto tokens = Tokens(out);
  ASSERT_EQ(tokens.size(), 1u);
  EXPECT_EQ(tokens[0].url, "https://a.example/u/{id}?x=1-rendered");
  EXPECT_EQ(ResolveTrackedLink(FindTrackedLinks(html), tokens[0]), tokens[0].url);
  // The token of a personalised link needs its URL, and only http(s).
  EXPECT_EQ(ResolveTrackedLink(FindTrackedLinks(html), TrackingToken{3, 77, 9, 0, ""}),
            std::nullopt);
  EXPECT_EQ(
      ResolveTrackedLink(FindTrackedLinks(html), TrackingToken{3, 77, 9, 0, "javascript:alert(1)"}),
      std::nullopt);
}

TEST(RewriteTrackedLinksTest, AFieldInTheHostIsNotTrackedOneInThePathOrQueryIs) {
  // A recipient's value must never choose where a signed redirect goes.
  const std::string html =
      "<a href=\"https://{website}/x\">W</a>"
      "<a href=\"http://shop.{domain}:8080/\">D</a>"
      "<a href=\"https://a.example{path}\">P</a>"
      "<a href=\"https://{user}@a.example/\">U</a>"
      "<a href=\"https://a.example/u/{id}\">I</a>"
      "<a href=\"https://a.example:8443?q={id}\">Q</a>"
      "<a href=\"https://a.example#{id}\">F</a>";
  EXPECT_EQ(Values(html),
            (std::vector<std::string>{"https://a.example/u/{id}", "https://a.example:8443?q={id}",
                                      "https://a.example#{id}"}));
  const std::string out = Rewrite(html);
  EXPECT_NE(out.find("<a href=\"https://{website}/x\">W</a>"), std::string::npos) << out;
  EXPECT_NE(out.find("<a href=\"http://shop.{domain}:8080/\">D</a>"), std::string::npos);
  EXPECT_NE(out.find("<a href=\"https://a.example{path}\">P</a>"), std::string::npos);
  EXPECT_NE(out.find("<a href=\"https://{user}@a.example/\">U</a>"), std::string::npos);
  EXPECT_EQ(out.find("a.example/u/"), std::string::npos) << out;
  EXPECT_EQ(Tokens(out).size(), 3u);
  // A rendered URL whose origin is not the template's is not rewritten.
  const std::string same =
      RewriteTrackedLinks("<a href=\"https://a.example/{p}\">", Tracking(true, false),
                          [](std::string_view) { return std::string("https://evil.example/"); });
  EXPECT_EQ(same, "<a href=\"https://a.example/{p}\">");
}

TEST(ResolveTrackedLinkTest, APersonalisedTokenUrlMustKeepTheTemplatesOrigin) {
  const auto links = FindTrackedLinks("<a href=\"HTTPS://A.example/u/{id}\">");
  ASSERT_EQ(links.size(), 1u);
  auto resolve = [&](std::string url) {
    return ResolveTrackedLink(links, TrackingToken{3, 77, 9, 0, std::move(url)});
  };
  EXPECT_EQ(resolve("https://a.example/u/7"), "https://a.example/u/7");
  EXPECT_EQ(resolve("https://a.example?x"), "https://a.example?x");
  for (const char* other :
       {"https://evil.example/u/7", "http://a.example/u/7", "https://a.example:8443/u/7",
        "https://a.example.evil.example/u/7", "https://a.example@evil.example/",
        "https://user@a.example/", "https://a.example\\@evil.example/", " https://a.example/"}) {
    EXPECT_EQ(resolve(other), std::nullopt) << other;
  }
}

TEST(RewriteTrackedLinksTest, BracesOfThePublicUrlAreEscapedForTheTemplate) {
  TrackingInput t = Tracking(true, false);
  t.public_url = "https://t.example/{x}";
  const std::string out = RewriteTrackedLinks("<a href=\"https://a.example/\">", t,
                                              [](std::string_view) { return std::nullopt; });
  EXPECT_NE(out.find("https://t.example/{{x}}/r/"), std::string::npos) << out;
}

TEST(InsertOpenPixelTest, BeforeTheLastBodyEndOrAppended) {
  const TrackingInput t = Tracking(false, true);
  const std::string with_body = InsertOpenPixel("<html><BODY>x</BODY ></html>", t);
  EXPECT_TRUE(with_body.starts_with("<html><BODY>x<img src=\"https://t.example/o/")) << with_body;
  EXPECT_TRUE(
      with_body.ends_with(".gif\" width=\"1\" height=\"1\" alt=\"\" "
                          "style=\"display:block;border:0;width:1px;height:1px\">"
                          "</BODY ></html>"))
      << with_body;
  const std::string bare = InsertOpenPixel("<p>x</p>", t);
  EXPECT_TRUE(bare.starts_with("<p>x</p><img src=\"https://t.example/o/")) << bare;
  const std::size_t at = bare.find("/o/") + 3;
  auto parsed = ParseTrackingToken(bare.substr(at, bare.find(".gif") - at));
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->token, (TrackingToken{3, 77, 9, TrackingToken::kOpen, ""}));
}

MessageInput TrackedInput(bool links, bool pixel) {
  MessageInput in;
  in.from = "Shop <news@shop.example>";
  in.subject = "Hi";
  in.text = "See https://a.example/ now\n";
  in.html =
      "<html><body><a href=\"https://a.example/{firstname}\">{firstname}</a> "
      "<a href=\"https://b.example/\">b</a></body></html>";
  in.to = "jane@example.com";
  in.fields = {{"firstname", "J<a>ne"}};
  in.mail_id = "1-7K2M-A81C";
  in.date = TimePoint(std::chrono::seconds(1714979289));
  in.boundary_seed = "test";
  in.tracking = Tracking(links, pixel);
  return in;
}

TEST(RenderTrackedMessageTest, HtmlRewrittenTextUntouchedBodyHashStillRight) {
  Result<RenderedMessage> m = RenderMessage(TrackedInput(true, true));
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_NE(m->bytes.find("See https://a.example/ now"), std::string::npos);  // text part
  EXPECT_EQ(m->bytes.find("https://b.example/"), std::string::npos);
  EXPECT_NE(m->bytes.find("https://t.example/r/"), std::string::npos);
  EXPECT_NE(m->bytes.find("https://t.example/o/"), std::string::npos);
  // bh= taken while writing equals bh= of the bytes read again.
  for (const char* algorithm : {"rsa-sha256", "ed25519-sha256"}) {
    Result<DkimSigner> signer =
        DkimSigner::Load(m->from_domain, "s", algorithm,
                         (algorithm[0] == 'r' ? SharedRsaKey() : SharedEd25519Key()).private_pem);
    ASSERT_TRUE(signer.ok());
    auto given =
        signer->Sign(m->bytes, m->dkim_body_hash, TimePoint(std::chrono::seconds(1714979289)));
    auto taken = signer->Sign(m->bytes, TimePoint(std::chrono::seconds(1714979289)));
    ASSERT_TRUE(given.ok() && taken.ok());
    EXPECT_EQ(*given, *taken) << algorithm;
  }
}

TEST(RenderTrackedMessageTest, NothingTrackedLeavesTheMailAsItWas) {
  MessageInput plain = TrackedInput(false, false);
  plain.tracking = {};
  Result<RenderedMessage> a = RenderMessage(plain);
  Result<RenderedMessage> b = RenderMessage(TrackedInput(false, false));
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(a->bytes, b->bytes);
  EXPECT_NE(a->bytes.find("https://b.example/"), std::string::npos);
  EXPECT_EQ(a->bytes.find("t.example"), std::string::npos);
}

}  // namespace
}  // namespace campaignd::render
