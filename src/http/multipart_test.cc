#include "http/multipart.h"

#include <gtest/gtest.h>

#include "http/request.h"

namespace campaignd::http {
namespace {

constexpr std::size_t kMax = 200;

struct Part {
  std::string headers;  // CRLF-separated header lines, without the blank line
  std::string content;
};

std::string Body(const std::string& boundary, const std::vector<Part>& parts) {
  std::string body;
  for (const Part& p : parts) {
    body += "--" + boundary + "\r\n" + p.headers + "\r\n\r\n" + p.content + "\r\n";
  }
  return body + "--" + boundary + "--\r\n";
}

Part Text(const std::string& name, const std::string& value, const std::string& type = "") {
  std::string headers = "Content-Disposition: form-data; name=\"" + name + "\"";
  if (!type.empty()) headers += "\r\nContent-Type: " + type;
  return Part{headers, value};
}

std::string Value(const Params& p, std::string_view name) {
  auto v = p.Get(name);
  return v ? std::string(*v) : "<absent>";
}

TEST(MultipartTest, TextPartsAreRawNotPercentDecoded) {
  const std::string ct = "multipart/form-data; boundary=XyZ";
  RawParams raw;
  ASSERT_EQ(ParseMultipart(ct, Body("XyZ", {Text("a", "50%+1 a+b"), Text("b", "line1\r\nline2")}),
                           kMax, &raw),
            MultipartResult::kOk);
  ASSERT_EQ(raw.params.size(), 2u);
  EXPECT_EQ(raw.params[0].name, "a");
  EXPECT_EQ(raw.params[0].value, "50%+1 a+b");
  EXPECT_EQ(raw.params[1].value, "line1\r\nline2");
  EXPECT_FALSE(raw.params[0].charset.has_value());
}

TEST(MultipartTest, QuotedBoundaryPreambleAndEpilogue) {
  const std::string ct = "Multipart/Form-Data; charset=utf-8; boundary=\"a b:c\"";
  const std::string body = "preamble text\r\n" + Body("a b:c", {Text("x", "1")}) + "epilogue";
  RawParams raw;
  ASSERT_EQ(ParseMultipart(ct, body, kMax, &raw), MultipartResult::kOk);
  ASSERT_EQ(raw.params.size(), 1u);
  EXPECT_EQ(raw.params[0].value, "1");
}

TEST(MultipartTest, FilePartsBecomeFiles) {
  const std::string pdf = std::string("%PDF-1.4") + '\0' + "\r\n--not-the-boundary\r\n";
  const std::string body = Body(
      "B", {Text("bmMailingId", "9"),
            Part{"Content-Disposition: form-data; name=\"bmFile\"; filename=\"invoice.pdf\"\r\n"
                 "Content-Type: application/pdf",
                 pdf},
            Part{"content-disposition: form-data; name=bmFile; filename=\"\"\r\n"
                 "content-type: application/octet-stream",
                 ""}});
  RawParams raw;
  ASSERT_EQ(ParseMultipart("multipart/form-data; boundary=B", body, kMax, &raw),
            MultipartResult::kOk);
  ASSERT_EQ(raw.files.size(), 1u);  // the empty file input is skipped
  EXPECT_EQ(raw.files[0].field_name, "bmFile");
  EXPECT_EQ(raw.files[0].file_name, "invoice.pdf");
  EXPECT_EQ(raw.files[0].content_type, "application/pdf");
  EXPECT_EQ(raw.files[0].data, pdf);
  ASSERT_EQ(raw.params.size(), 1u);
}

TEST(MultipartTest, Malformed) {
  const std::string ct = "multipart/form-data; boundary=B";
  const std::string good = Body("B", {Text("a", "1")});
  const std::string unterminated = "--B\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n1";
  const std::string no_name = Body("B", {Part{"Content-Disposition: form-data", "1"}});
  const std::string not_form_data =
      Body("B", {Part{"Content-Disposition: attachment; name=a", "1"}});
  const std::string bad_header = Body("B", {Part{"this is no header", "1"}});
  const std::string no_headers_end = "--B\r\nContent-Disposition: form-data; name=a";
  const std::string garbage_after_delimiter = "--Bxx\r\n" + good.substr(5);
  struct Row {
    std::string content_type;
    std::string body;
  };
  const Row rows[] = {
      {"multipart/form-data", good},                // no boundary
      {"multipart/form-data; boundary=", good},     // empty boundary
      {"multipart/form-data; boundary=\"B", good},  // unclosed quote
      {"multipart/form-data; boundary=" + std::string(71, 'b'), good},
      {ct, "no delimiter at all"},
      {ct, unterminated},
      {ct, no_name},
      {ct, not_form_data},
      {ct, bad_header},
      {ct, no_headers_end},
      {ct, garbage_after_delimiter},
  };
  for (const Row& row : rows) {
    RawParams raw;
    EXPECT_EQ(ParseMultipart(row.content_type, row.body, kMax, &raw), MultipartResult::kMalformed)
        << row.content_type << " | " << row.body;
  }
}

TEST(MultipartTest, TooManyParts) {
  std::vector<Part> parts;
  for (int i = 0; i < 4; ++i) parts.push_back(Text("p" + std::to_string(i), "v"));
  RawParams raw;
  EXPECT_EQ(ParseMultipart("multipart/form-data; boundary=B", Body("B", parts), 3, &raw),
            MultipartResult::kTooMany);
}

// geeCommerce (real-clients.md A.1 #6): every parameter is a text part typed
// "application/x-www-form-urlencoded; charset=ISO-8859-1", plus bmEncoding.
TEST(DecodeMultipartTest, GeeCommerceShape) {
  const std::string type = "application/x-www-form-urlencoded; charset=ISO-8859-1";
  const std::string body =
      Body("geeB0undary",
           {Text("bmRecipientId", "a+b@example.com", type), Text("bmMailingId", "77", type),
            Text("firstname", "J\xFCrgen", type), Text("bmEncoding", "UTF-8", type),
            Text("bmSuccessUrl", "https://shop.example/ok?x=1%202", type)});
  DecodedParams d =
      DecodeParams("bmMailingId=1", "multipart/form-data; boundary=geeB0undary", body, kMax);
  ASSERT_EQ(d.status, DecodeStatus::kOk);
  EXPECT_EQ(Value(d.params, "bmRecipientId"), "a+b@example.com");
  EXPECT_EQ(Value(d.params, "bmMailingId"), "1");            // the query comes first
  EXPECT_EQ(Value(d.params, "firstname"), "J\xC3\xBCrgen");  // part charset beats bmEncoding
  EXPECT_EQ(Value(d.params, "bmSuccessUrl"), "https://shop.example/ok?x=1%202");
}

TEST(DecodeMultipartTest, PartsWithoutCharsetFollowTheRequestCharset) {
  const std::string body = Body("B", {Text("bmEncoding", "windows-1252"), Text("price", "9\x80")});
  DecodedParams d = DecodeParams("", "multipart/form-data; boundary=B", body, kMax);
  ASSERT_EQ(d.status, DecodeStatus::kOk);
  EXPECT_EQ(Value(d.params, "price"), "9\xE2\x82\xAC");

  d = DecodeParams("", "multipart/form-data; boundary=B", Body("B", {Text("n", "M\xFCller")}),
                   kMax);
  EXPECT_EQ(Value(d.params, "n"), "M\xC3\xBCller");  // guessed
}

TEST(DecodeMultipartTest, FilesReachParams) {
  const std::string body = Body(
      "B",
      {Part{"Content-Disposition: form-data; name=\"bmFile\"; filename=\"r\xE9sum\xE9.txt\"\r\n"
            "Content-Type: text/plain",
            "hello"}});
  DecodedParams d = DecodeParams("", "multipart/form-data; boundary=B", body, kMax);
  ASSERT_EQ(d.status, DecodeStatus::kOk);
  ASSERT_EQ(d.params.files().size(), 1u);
  EXPECT_EQ(d.params.files()[0].field_name, "bmFile");
  EXPECT_EQ(d.params.files()[0].file_name, "r\xC3\xA9sum\xC3\xA9.txt");
  EXPECT_EQ(d.params.files()[0].content_type, "text/plain");
  EXPECT_EQ(d.params.files()[0].data, "hello");
  EXPECT_EQ(d.params.size(), 0u);
}

TEST(DecodeMultipartTest, MalformedDiscardsEverything) {
  DecodedParams d =
      DecodeParams("bmMailingId=1", "multipart/form-data; boundary=B",
                   "--B\r\nContent-Disposition: form-data; name=a\r\n\r\nno end", kMax);
  EXPECT_EQ(d.status, DecodeStatus::kMalformed);
  EXPECT_EQ(d.params.size(), 0u);
}

TEST(DecodeMultipartTest, FilesCountAgainstTheParameterLimit) {
  std::vector<Part> parts;
  for (int i = 0; i < 3; ++i) {
    parts.push_back(
        Part{"Content-Disposition: form-data; name=bmFile; filename=f" + std::to_string(i), "x"});
  }
  EXPECT_EQ(DecodeParams("a=1", "multipart/form-data; boundary=B", Body("B", parts), 3).status,
            DecodeStatus::kTooManyParams);
}

}  // namespace
}  // namespace campaignd::http
