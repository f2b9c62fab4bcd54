#include "http/redirect.h"

#include <gtest/gtest.h>

#include "core/limits.h"

namespace campaignd::http {
namespace {

const std::vector<std::string> kHosts = {"good.com", "Shop.Example.ORG", "192.0.2.10"};

TEST(RedirectTest, Allowed) {
  struct Row {
    const char* url;
    const char* want;
  };
  const Row rows[] = {
      {"http://good.com/thanks", "http://good.com/thanks?bmResult=ok%3A%20x"},
      {"https://GOOD.com", "https://GOOD.com?bmResult=ok%3A%20x"},
      {"https://shop.example.org:8443/a/b?x=1",
       "https://shop.example.org:8443/a/b?x=1&bmResult=ok%3A%20x"},
      {"http://good.com/p?", "http://good.com/p?bmResult=ok%3A%20x"},
      {"http://good.com/p?x=1&", "http://good.com/p?x=1&bmResult=ok%3A%20x"},
      {"http://good.com/p#top", "http://good.com/p?bmResult=ok%3A%20x#top"},
      {"http://good.com/p?a=b#frag?x", "http://good.com/p?a=b&bmResult=ok%3A%20x#frag?x"},
      {"HTTP://192.0.2.10/x", "HTTP://192.0.2.10/x?bmResult=ok%3A%20x"},
  };
  for (const Row& r : rows) {
    Result<std::string> loc = BuildRedirectLocation(r.url, "ok: x", kHosts);
    ASSERT_TRUE(loc.ok()) << r.url << ": " << loc.status().ToString();
    EXPECT_EQ(*loc, r.want);
  }
}

TEST(RedirectTest, Refused) {
  const std::string too_long = "http://good.com/" + std::string(limits::kMaxUrlBytes, 'a');
  const std::string refused[] = {
      "http://evil.com/",
      "//evil.com/x",
      "//good.com/x",
      "/relative/path",
      "javascript:alert(1)",
      "JavaScript://good.com/%0Aalert(1)",
      "data:text/html,<script>alert(1)</script>",
      "ftp://good.com/",
      "http://good.com@evil.com/",
      "http://user:pw@good.com/",
      "http://evil.com\\@good.com/",
      "http://good.com\\evil.com/",
      "http://good.com.evil.com/",
      "http://evilgood.com/",
      "http://good.com./",
      "http://good.com/\r\nSet-Cookie: a=b",
      "http://good.com/\nx",
      "http://good.com/a b",
      "http://go%6Fd.com/",
      "http://g\xC3\xB6od.com/",
      "http://xn--good-com/",
      "http:///good.com",
      "http:good.com",
      "http://[::1]/",
      "http://192.0.2.11/",
      " http://good.com/",
      "",
      too_long,
  };
  for (const std::string& url : refused) {
    EXPECT_FALSE(BuildRedirectLocation(url, "ok", kHosts).ok()) << url;
  }
}

// Found by fuzz/http_url_fuzz.cc: Boost.URL 1.81 parses the authority
// "192.0.2.10.evil.com" as the IPv4 host 192.0.2.10, so an allowlisted IPv4
// address let a redirect go to any name that starts with it.
TEST(RedirectTest, AllowedIpv4PrefixOfAnotherHostIsRefused) {
  for (const char* url :
       {"https://192.0.2.10.evil.com/", "https://192.0.2.10evil.com/", "https://192.0.2.10&:443/x",
        "https://192.0.2.10!evil/", "https://192.0.2.10,evil.com/", "https://192.0.2.10;x/",
        "https://192.0.2.10=evil.com:80/", "https://192.0.2.10(x)/", "https://192.0.2.10$/"}) {
    EXPECT_FALSE(BuildRedirectLocation(url, "ok", kHosts).ok()) << url;
  }
  EXPECT_TRUE(BuildRedirectLocation("https://192.0.2.10:8443/x", "ok", kHosts).ok());
  EXPECT_TRUE(BuildRedirectLocation("https://192.0.2.10", "ok", kHosts).ok());
}

TEST(RedirectTest, EmptyAllowlistRefusesEverything) {
  EXPECT_FALSE(BuildRedirectLocation("https://good.com/", "ok", {}).ok());
}

}  // namespace
}  // namespace campaignd::http
