#include "render/field_functions.h"

#include <gtest/gtest.h>

namespace campaignd::render {
namespace {

class FieldFunctionsTest : public ::testing::Test {
 protected:
  std::string Apply(std::string_view tmpl, EscapeMode mode = EscapeMode::kText) {
    Result<std::string> out = ApplyFieldFunctions(tmpl, FieldContext{values_, types_}, mode);
    EXPECT_TRUE(out.ok()) << out.status().ToString();
    return out.ok() ? *out : std::string();
  }
  FieldValues values_ = {
      {"firstname", "Jörg"},
      {"empty", ""},
      {"markup", "<b>\"Tom\" & 'Jerry'</b>"},
      {"evil", "Hi\r\nBcc: x@evil.example\x01\x7f\tend"},
      {"birthday", "1980-02-29"},
      {"lastorder", "2024-05-06 07:08:09"},
      {"signup", "2024-12-31T23:59:58"},
      {"baddate", "31.12.2024"},
      {"bmmailid", "1-7K2M-A81C"},
      {"shop.name", "Laden"},
  };
  std::map<std::string, std::string> types_ = {
      {"birthday", "date"}, {"lastorder", "datetime"}, {"signup", "datetime"},
      {"baddate", "date"},  {"firstname", "text"},
  };
};

TEST_F(FieldFunctionsTest, InsertsValuesCaseInsensitively) {
  EXPECT_EQ(Apply("Hallo {firstname}!"), "Hallo Jörg!");
  EXPECT_EQ(Apply("Hallo {FirstName}!"), "Hallo Jörg!");
  EXPECT_EQ(Apply("{bmMailId}"), "1-7K2M-A81C");
  EXPECT_EQ(Apply("{Shop.Name}"), "Laden");
  EXPECT_EQ(Apply("{firstname}{firstname}"), "JörgJörg");
}

TEST_F(FieldFunctionsTest, UnknownFieldRendersEmpty) {
  EXPECT_EQ(Apply("a{nosuchfield}b"), "ab");
  EXPECT_EQ(Apply("a{_x-1.y}b"), "ab");
}

TEST_F(FieldFunctionsTest, FallbackForEmptyOrMissingValue) {
  EXPECT_EQ(Apply("Hallo {empty|Kunde}"), "Hallo Kunde");
  EXPECT_EQ(Apply("Hallo {missing|liebe Kundin: willkommen}"), "Hallo liebe Kundin: willkommen");
  EXPECT_EQ(Apply("Hallo {firstname|Kunde}"), "Hallo Jörg");
  EXPECT_EQ(Apply("[{missing|}]"), "[]");
}

TEST_F(FieldFunctionsTest, FallbackIsTemplateTextNotEscaped) {
  EXPECT_EQ(Apply("{missing|<i>friend</i>}", EscapeMode::kHtml), "<i>friend</i>");
}

TEST_F(FieldFunctionsTest, DatesRenderIsoUnlessFormatted) {
  EXPECT_EQ(Apply("{birthday}"), "1980-02-29");
  EXPECT_EQ(Apply("{lastorder}"), "2024-05-06");
  EXPECT_EQ(Apply("{signup}"), "2024-12-31");
  EXPECT_EQ(Apply("{birthday:dd.MM.yyyy}"), "29.02.1980");
  EXPECT_EQ(Apply("{lastorder:dd.MM.yyyy HH:mm:ss}"), "06.05.2024 07:08:09");
  EXPECT_EQ(Apply("{signup:yyyyMMddHHmmss}"), "20241231235958");
  EXPECT_EQ(Apply("{birthday:HH:mm}"), "00:00");
  EXPECT_EQ(Apply("{BIRTHDAY:d/M/yy at ss}"), "d/M/yy at 00");
}

TEST_F(FieldFunctionsTest, DateFormatWithFallback) {
  EXPECT_EQ(Apply("{birthday:dd.MM.|unbekannt}"), "29.02.");
  types_["nodate"] = "date";
  EXPECT_EQ(Apply("{nodate:dd.MM.yyyy|unbekannt}"), "unbekannt");
  EXPECT_EQ(Apply("{nodate:dd.MM.yyyy}"), "");
}

TEST_F(FieldFunctionsTest, UnparseableDateRendersAsStored) {
  EXPECT_EQ(Apply("{baddate}"), "31.12.2024");
  EXPECT_EQ(Apply("{baddate:yyyy}"), "31.12.2024");
  values_["baddate"] = "2024-13-01";
  EXPECT_EQ(Apply("{baddate}"), "2024-13-01");
  values_["baddate"] = "2024-01-01 25:00:00";
  EXPECT_EQ(Apply("{baddate}"), "2024-01-01 25:00:00");
}

TEST_F(FieldFunctionsTest, FormatOnNonDateFieldStaysLiteral) {
  EXPECT_EQ(Apply("p{color:red}"), "p{color:red}");
  EXPECT_EQ(Apply("{firstname:yyyy}"), "{firstname:yyyy}");
}

TEST_F(FieldFunctionsTest, DoubledBracesAreLiteral) {
  EXPECT_EQ(Apply("{{firstname}}"), "{firstname}");
  EXPECT_EQ(Apply("{{{firstname}}}"), "{Jörg}");
  EXPECT_EQ(Apply("a {{ b }} c"), "a { b } c");
  EXPECT_EQ(Apply("{{"), "{");
}

TEST_F(FieldFunctionsTest, CssAndOtherBracesSurvive) {
  std::string css =
      "<style>p { color: red; } @media (max-width:600px){.a{width:100%}}</style>"
      "<script>if(x){y()}</script>{ } {} {1a} {a b} {a|b {x}";
  // "{a|b {x}": the first '{' does not close, so only {x} (unknown) is replaced.
  std::string want =
      "<style>p { color: red; } @media (max-width:600px){.a{width:100%}}</style>"
      "<script>if(x){y()}</script>{ } {} {1a} {a b} {a|b ";
  EXPECT_EQ(Apply(css, EscapeMode::kHtml), want);
  EXPECT_EQ(Apply("}"), "}");
  EXPECT_EQ(Apply("a}}b"), "a}}b");
  EXPECT_EQ(Apply("{firstname"), "{firstname");
  EXPECT_EQ(Apply("{firstname:}"), "{firstname:}");
}

TEST_F(FieldFunctionsTest, HtmlModeEscapesValues) {
  EXPECT_EQ(Apply("<p>{markup}</p>", EscapeMode::kHtml),
            "<p>&lt;b&gt;&quot;Tom&quot; &amp; &#39;Jerry&#39;&lt;/b&gt;</p>");
  EXPECT_EQ(Apply("{markup}", EscapeMode::kText), "<b>\"Tom\" & 'Jerry'</b>");
}

TEST_F(FieldFunctionsTest, HeaderModeRemovesControlCharacters) {
  EXPECT_EQ(Apply("S: {evil}", EscapeMode::kHeader), "S: HiBcc: x@evil.example end");
  EXPECT_EQ(Apply("{evil}", EscapeMode::kText), "Hi\r\nBcc: x@evil.example\x01\x7f\tend");
}

TEST(SanitizeHeaderTextTest, RemovesEveryKindOfLineBreakAndControl) {
  std::string nul("a\0b", 3);
  EXPECT_EQ(SanitizeHeaderText(nul), "ab");
  EXPECT_EQ(SanitizeHeaderText("a\rb\nc\r\nd\x0b\x0c"
                               "e"),
            "abcde");
  EXPECT_EQ(SanitizeHeaderText("a\u0085b\u009fc\u2028d\u2029e"), "abcde");
  EXPECT_EQ(SanitizeHeaderText("tab\there"), "tab here");
  EXPECT_EQ(SanitizeHeaderText("Grüße € 😀 \u00a0"), "Grüße € 😀 \u00a0");
}

// Found by fuzz/field_functions_fuzz.cc: removing a control character from
// between the bytes of a broken sequence joined them into U+2028 (or a C1
// control), which the header text then carried.
TEST(SanitizeHeaderTextTest, RemovingControlsNeverJoinsALineSeparator) {
  EXPECT_EQ(SanitizeHeaderText("a\xE2\x01\x80\xA8" "b"), "ab");
  EXPECT_EQ(SanitizeHeaderText("a\xE2\x80\r\n\xA9" "b"), "ab");
  EXPECT_EQ(SanitizeHeaderText("a\xC2\x7F\x85" "b"), "ab");
  // Removing one separator must not join another: nested twice.
  EXPECT_EQ(SanitizeHeaderText("a\xE2\x80\xE2\x80\xA8\xA9" "b"), "ab");
  EXPECT_EQ(SanitizeHeaderText("a\xE2\xC2\x85\x80\xA8" "b"), "ab");
  const std::string sanitized = SanitizeHeaderText("\xE2\x1F\x80\xA8\xE2\x80\xA9\xC2\x85");
  EXPECT_EQ(sanitized.find("\xE2\x80\xA8"), std::string::npos);
  EXPECT_EQ(sanitized, "");
}

TEST(EscapeHtmlTest, EscapesTheFiveCharacters) {
  EXPECT_EQ(EscapeHtml("&<>\"'x"), "&amp;&lt;&gt;&quot;&#39;x");
  EXPECT_EQ(EscapeHtml("plain ü"), "plain ü");
}

TEST_F(FieldFunctionsTest, StopsAtTheSizeLimitInsteadOfBuildingAHugeText) {
  values_["big"] = std::string(10 * 1024, '"');  // 60 KiB once HTML-escaped
  std::string tmpl;
  for (int i = 0; i < 100000; ++i) tmpl += "{big}";  // 6 GB if rendered whole
  const FieldContext context{values_, types_};
  Result<std::string> html = ApplyFieldFunctions(tmpl, context, EscapeMode::kHtml, 1024 * 1024);
  ASSERT_FALSE(html.ok());
  EXPECT_TRUE(html.status().IsInvalidArgument());
  EXPECT_EQ(html.status().message(), "rendered text larger than 1048576 bytes");
  // Exactly at the limit is fine; one byte more is not (text and values alike).
  EXPECT_EQ(*ApplyFieldFunctions("abc{empty}", context, EscapeMode::kText, 3), "abc");
  EXPECT_FALSE(ApplyFieldFunctions("abcd", context, EscapeMode::kText, 3).ok());
  EXPECT_FALSE(ApplyFieldFunctions("{firstname}", context, EscapeMode::kText, 4).ok());
  EXPECT_EQ(*ApplyFieldFunctions("{firstname}", context, EscapeMode::kText, 5), "Jörg");
  EXPECT_FALSE(ApplyFieldFunctions("{{x", context, EscapeMode::kText, 1).ok());
}

TEST_F(FieldFunctionsTest, RenderTextsSharesOneBudgetAndNamesThePart) {
  const FieldContext context{values_, types_};
  const Templates templates{"{firstname} <a@example.com>", "", "Hi {firstname}", "0123456789",
                            "<p>{markup}</p>"};
  Result<RenderedTexts> texts = RenderTexts(templates, context);
  ASSERT_TRUE(texts.ok());
  EXPECT_EQ(texts->from, "Jörg <a@example.com>");
  EXPECT_EQ(texts->subject, "Hi Jörg");
  EXPECT_EQ(texts->text, "0123456789");
  EXPECT_EQ(texts->html, "<p>&lt;b&gt;&quot;Tom&quot; &amp; &#39;Jerry&#39;&lt;/b&gt;</p>");
  // From 21 + Subject 8 + text 10 = 39 bytes: the html part is the one over 45.
  Result<RenderedTexts> over = RenderTexts(templates, context, 45);
  ASSERT_FALSE(over.ok());
  EXPECT_EQ(over.status().message(), "html: rendered message larger than 45 bytes");
  EXPECT_EQ(RenderTexts(templates, context, 30).status().message(),
            "text: rendered message larger than 30 bytes");
}

}  // namespace
}  // namespace campaignd::render
