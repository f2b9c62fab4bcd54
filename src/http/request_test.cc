#include "http/request.h"

#include <gtest/gtest.h>

#include "http/url_decode.h"

namespace campaignd::http {
namespace {

constexpr std::size_t kMax = 200;
constexpr std::string_view kForm = "application/x-www-form-urlencoded";

Params Decode(std::string_view query, std::string_view content_type = {},
              std::string_view body = {}) {
  DecodedParams d = DecodeParams(query, content_type, body, kMax);
  EXPECT_EQ(d.status, DecodeStatus::kOk);
  return std::move(d.params);
}

std::string Value(const Params& p, std::string_view name) {
  auto v = p.Get(name);
  return v ? std::string(*v) : "<absent>";
}

TEST(PercentDecodeTest, Table) {
  struct Row {
    const char* in;
    bool plus_as_space;
    const char* want;
  };
  const Row rows[] = {
      {"a%20b", true, "a b"},       {"a+b", true, "a b"}, {"a+b", false, "a+b"},
      {"%2B", true, "+"},           {"%2b", false, "+"},  {"100%", true, "100%"},
      {"%zz1", true, "%zz1"},       {"%4", true, "%4"},   {"%%41", true, "%A"},
      {"%C3%BC", true, "\xC3\xBC"}, {"", true, ""},
  };
  for (const Row& r : rows) EXPECT_EQ(PercentDecode(r.in, r.plus_as_space), r.want) << r.in;
}

TEST(SplitTargetTest, SplitsPathQueryAndDropsFragmentAndAuthority) {
  Target t = SplitTarget("/http/form/C/nop?a=1&b=2");
  EXPECT_EQ(t.path, "/http/form/C/nop");
  EXPECT_EQ(t.query, "a=1&b=2");
  t = SplitTarget("/healthz");
  EXPECT_EQ(t.path, "/healthz");
  EXPECT_EQ(t.query, "");
  t = SplitTarget("http://api.example.com/http/mail/M/nop?x=1#frag");
  EXPECT_EQ(t.path, "/http/mail/M/nop");
  EXPECT_EQ(t.query, "x=1");
}

TEST(ParseRouteTest, ApiPaths) {
  Route r = ParseRoute("/http/form/Secret%2DCode/sendEventMail");
  ASSERT_EQ(r.kind, Route::Kind::kApi);
  EXPECT_EQ(r.service, auth::Service::kForm);
  EXPECT_EQ(r.code, "Secret-Code");
  EXPECT_EQ(r.operation, "sendeventmail");
  r = ParseRoute("/http/mail/7K2M-1-4F9Q/NOP");
  ASSERT_EQ(r.kind, Route::Kind::kApi);
  EXPECT_EQ(r.service, auth::Service::kMail);
  EXPECT_EQ(r.operation, "nop");
}

TEST(ParseRouteTest, OtherPaths) {
  EXPECT_EQ(ParseRoute("/healthz").kind, Route::Kind::kHealth);
  for (const char* path :
       {"/", "/http/", "/http/form/C", "/http/form//nop", "/http/form/C/", "/http/sms/C/nop",
        "/http/form/C/nop/extra", "/other/form/C/nop", "/healthz/x", "/HTTP/form/C/nop"}) {
    EXPECT_EQ(ParseRoute(path).kind, Route::Kind::kNotFound) << path;
  }
}

TEST(ParseRouteTest, TrackingPaths) {
  Route r = ParseRoute("/r/AbC-_9");
  EXPECT_EQ(r.kind, Route::Kind::kClick);
  EXPECT_EQ(r.code, "AbC-_9");
  r = ParseRoute("/o/AbC-_9.gif");
  EXPECT_EQ(r.kind, Route::Kind::kOpen);
  EXPECT_EQ(r.code, "AbC-_9");
  for (const char* path : {"/r/", "/r", "/o/.gif", "/o/abc", "/o/abc.GIF", "/r/a/b", "/o/a/b.gif",
                           "/R/abc", "/x/r/abc"}) {
    EXPECT_EQ(ParseRoute(path).kind, Route::Kind::kNotFound) << path;
  }
}

TEST(DecodeParamsTest, GetQuery) {
  Params p = Decode("bmRecipientId=a%40example.com&bmMailingId=42&name=J%C3%BCrgen+M");
  EXPECT_EQ(Value(p, "bmRecipientId"), "a@example.com");
  EXPECT_EQ(Value(p, "bmMailingId"), "42");
  EXPECT_EQ(Value(p, "name"), "J\xC3\xBCrgen M");
  EXPECT_EQ(p.size(), 3u);
}

TEST(DecodeParamsTest, UrlEncodedBodyMergedAfterQueryFirstValueWins) {
  Params p = Decode("bmMailingId=1&a=q", kForm, "bmMailingId=2&b=body&a=again");
  EXPECT_EQ(Value(p, "bmMailingId"), "1");
  EXPECT_EQ(Value(p, "a"), "q");
  EXPECT_EQ(Value(p, "b"), "body");
  ASSERT_EQ(p.all().size(), 3u);
  EXPECT_EQ(p.all()[0].first, "bmMailingId");
  EXPECT_EQ(p.all()[2].first, "b");
}

TEST(DecodeParamsTest, RepeatedNameInQueryFirstWins) {
  Params p = Decode("x=1&x=2&&=skipped&flag");
  EXPECT_EQ(Value(p, "x"), "1");
  EXPECT_EQ(Value(p, "flag"), "");
  EXPECT_EQ(p.size(), 2u);
}

TEST(DecodeParamsTest, BodyIgnoredForOtherContentTypes) {
  Params p = Decode("a=1", "application/json", "b=2");
  EXPECT_EQ(p.size(), 1u);
  p = Decode("a=1", "", "b=2");
  EXPECT_EQ(p.size(), 1u);
  p = Decode("", "Application/X-WWW-Form-Urlencoded; charset=UTF-8", "b=2");
  EXPECT_EQ(Value(p, "b"), "2");
}

TEST(DecodeParamsTest, LiteralPlusKeptOnlyInAddressParameters) {
  Params p = Decode(
      "bmRecipientId=a+b@example.com&bmPattern=*+x@example.com&bmNewRecipientId=c+d@example.com"
      "&firstname=Anna+Lena&bmReason=a+b");
  EXPECT_EQ(Value(p, "bmRecipientId"), "a+b@example.com");
  EXPECT_EQ(Value(p, "bmPattern"), "*+x@example.com");
  EXPECT_EQ(Value(p, "bmNewRecipientId"), "c+d@example.com");
  EXPECT_EQ(Value(p, "firstname"), "Anna Lena");
  EXPECT_EQ(Value(p, "bmReason"), "a b");
}

TEST(DecodeParamsTest, EscapedPlusIsPlusEverywhere) {
  Params p = Decode("bmRecipientId=a%2Bb%40example.com&note=1%2B1", kForm, "x=%2b");
  EXPECT_EQ(Value(p, "bmRecipientId"), "a+b@example.com");
  EXPECT_EQ(Value(p, "note"), "1+1");
  EXPECT_EQ(Value(p, "x"), "+");
}

TEST(DecodeParamsTest, LiteralPlusRuleAppliesToBodyToo) {
  Params p = Decode("", kForm, "bmRecipientId=a+b@example.com&city=Bad+Ems");
  EXPECT_EQ(Value(p, "bmRecipientId"), "a+b@example.com");
  EXPECT_EQ(Value(p, "city"), "Bad Ems");
}

TEST(DecodeParamsTest, InvalidEscapesStayLiteral) {
  Params p = Decode("discount=50%&code=%G1&t=%");
  EXPECT_EQ(Value(p, "discount"), "50%");
  EXPECT_EQ(Value(p, "code"), "%G1");
  EXPECT_EQ(Value(p, "t"), "%");
}

TEST(DecodeParamsTest, Iso88591BytesWithoutEncodingAreGuessed) {
  Params p = Decode("name=M%FCller&city=K%C3%B6ln");
  EXPECT_EQ(Value(p, "name"), "M\xC3\xBCller");  // invalid UTF-8 -> Latin-1
  EXPECT_EQ(Value(p, "city"), "K\xC3\xB6ln");    // valid UTF-8 kept
}

TEST(DecodeParamsTest, BmEncodingNamesTheCharsetOfAllValues) {
  // With ISO-8859-1 declared, even bytes that happen to be valid UTF-8 are
  // read as Latin-1.
  Params p = Decode("bmEncoding=ISO-8859-1&name=M%FCller&x=%C3%B6", kForm, "y=%E9");
  EXPECT_EQ(Value(p, "name"), "M\xC3\xBCller");
  EXPECT_EQ(Value(p, "x"), "\xC3\x83\xC2\xB6");
  EXPECT_EQ(Value(p, "y"), "\xC3\xA9");
}

TEST(DecodeParamsTest, BmEncodingInBodyAppliesToQueryValues) {
  Params p = Decode("name=M%FCller", kForm, "bmEncoding=latin1");
  EXPECT_EQ(Value(p, "name"), "M\xC3\xBCller");
}

TEST(DecodeParamsTest, Windows1252Euro) {
  Params p = Decode("bmEncoding=windows-1252&price=5%80");
  EXPECT_EQ(Value(p, "price"), "5\xE2\x82\xAC");
  p = Decode("bmEncoding=iso-8859-1&price=5%80");
  EXPECT_EQ(Value(p, "price"), "5\xC2\x80");
}

TEST(DecodeParamsTest, Utf8DeclaredWithBadBytesGetsReplacement) {
  Params p = Decode("bmEncoding=utf-8&name=M%FCller");
  EXPECT_EQ(Value(p, "name"), "M\xEF\xBF\xBDller");
}

TEST(DecodeParamsTest, UnknownEncodingIsReportedAndValuesGuessed) {
  DecodedParams d = DecodeParams("bmEncoding=koi8-r&name=M%FCller", "", "", kMax);
  ASSERT_EQ(d.status, DecodeStatus::kOk);
  EXPECT_EQ(d.unknown_encoding, "koi8-r");
  EXPECT_EQ(Value(d.params, "name"), "M\xC3\xBCller");
}

TEST(DecodeParamsTest, BooleansAreLeftToParams) {
  Params p = Decode("bmVerbose=TRUE&bmOverwrite=1&bmRemoveId=off");
  EXPECT_EQ(Value(p, "bmVerbose"), "TRUE");
  EXPECT_TRUE(p.GetBool("bmVerbose"));
  EXPECT_TRUE(p.GetBool("bmOverwrite"));
  EXPECT_FALSE(p.GetBool("bmRemoveId"));
}

TEST(DecodeParamsTest, TooManyParameters) {
  std::string query;
  for (int i = 0; i < 201; ++i) query += "p" + std::to_string(i) + "=1&";
  EXPECT_EQ(DecodeParams(query, "", "", kMax).status, DecodeStatus::kTooManyParams);
  // Repeats count too, and query and body count together.
  EXPECT_EQ(DecodeParams("a=1&a=2", kForm, "a=3", 2).status, DecodeStatus::kTooManyParams);
  EXPECT_EQ(DecodeParams("a=1", kForm, "a=3", 2).status, DecodeStatus::kOk);
}

TEST(RequestLineTooLongTest, Table) {
  const std::string long_target = "/http/form/C/nop?x=" + std::string(100, 'a');
  EXPECT_TRUE(RequestLineTooLong("GET " + long_target + " HTTP/1.1\r\nHost: x\r\n", 50));
  EXPECT_TRUE(RequestLineTooLong("GET " + long_target, 50));  // line not finished yet
  EXPECT_FALSE(RequestLineTooLong("GET /short HTTP/1.1\r\nX-Big: " + std::string(500, 'b'), 50));
  EXPECT_FALSE(RequestLineTooLong("GET " + long_target + " HTTP/1.1\r\n", 200));
}

TEST(FramingProblemTest, OnlyOneFinalChunkedIsAccepted) {
  using V = std::vector<std::string_view>;
  struct Row {
    unsigned version;
    V transfer_encodings;
    bool content_length;
    bool ok;
  };
  const Row rows[] = {
      {11, {}, false, true},
      {11, {}, true, true},
      {10, {}, true, true},
      {11, {"chunked"}, false, true},
      {11, {"Chunked"}, false, true},
      {11, {" chunked\t"}, false, true},
      {11, {"gzip, chunked"}, false, false},
      {11, {"chunked, gzip"}, false, false},
      {11, {"chunked, chunked"}, false, false},
      {11, {"identity"}, false, false},
      {11, {""}, false, false},
      {11, {"chunked;q=1"}, false, false},
      {11, {"chunked", "chunked"}, false, false},
      {11, {"gzip", "chunked"}, false, false},
      {11, {"chunked"}, true, false},
      {10, {"chunked"}, false, false},
  };
  for (const Row& r : rows) {
    const std::optional<std::string> problem =
        FramingProblem(r.version, r.transfer_encodings, r.content_length);
    std::string what = std::to_string(r.version) + (r.content_length ? " CL" : "");
    for (auto te : r.transfer_encodings) what += " [" + std::string(te) + "]";
    EXPECT_EQ(!problem.has_value(), r.ok) << what << ": " << problem.value_or("ok");
  }
  EXPECT_EQ(FramingProblem(11, V{"gzip, chunked"}, false),
            "Transfer-Encoding must be exactly 'chunked'");
  EXPECT_EQ(FramingProblem(11, V{"chunked"}, true),
            "Transfer-Encoding together with Content-Length");
}

}  // namespace
}  // namespace campaignd::http
