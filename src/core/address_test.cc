#include "core/address.h"

#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "core/limits.h"

namespace campaignd {
namespace {

using std::string_literals::operator""s;

struct ValidCase {
  std::string input;
  std::string str;
  std::string ascii;  // ToAscii()
};

TEST(AddressTest, AcceptsValidAddresses) {
  const ValidCase cases[] = {
      {"user@example.com", "user@example.com", "user@example.com"},
      {"User.Name@Example.COM", "user.name@example.com", "user.name@example.com"},
      {"a+b@example.com", "a+b@example.com", "a+b@example.com"},
      {"x@a.b", "x@a.b", "x@a.b"},
      {"!#$%&'*+-/=?^_`{|}~@example.org", "!#$%&'*+-/=?^_`{|}~@example.org",
       "!#$%&'*+-/=?^_`{|}~@example.org"},
      {"first.last@sub-domain.example.co.uk", "first.last@sub-domain.example.co.uk",
       "first.last@sub-domain.example.co.uk"},
      {"u@123.example.com", "u@123.example.com", "u@123.example.com"},
      {"u@example.c0m", "u@example.c0m", "u@example.c0m"},
      // Quoted local parts: kept quoted when needed, unquoted when a dot-atom.
      {"\"john doe\"@example.com", "\"john doe\"@example.com", "\"john doe\"@example.com"},
      {"\"a@b\"@example.com", "\"a@b\"@example.com", "\"a@b\"@example.com"},
      {"\"Plain\"@example.com", "plain@example.com", "plain@example.com"},
      {"\"a\\\"b\"@example.com", "\"a\\\"b\"@example.com", "\"a\\\"b\"@example.com"},
      {"\"a\\bc\"@example.com", "abc@example.com", "abc@example.com"},
      {"\"a..b\"@example.com", "\"a..b\"@example.com", "\"a..b\"@example.com"},
      {"\"a,b\"@example.com", "\"a,b\"@example.com", "\"a,b\"@example.com"},
      // IDN domains.
      {"user@bücher.de", "user@bücher.de", "user@xn--bcher-kva.de"},
      {"user@BÜCHER.de", "user@bücher.de", "user@xn--bcher-kva.de"},
      {"user@xn--bcher-kva.de", "user@bücher.de", "user@xn--bcher-kva.de"},
      {"user@XN--BCHER-KVA.DE", "user@bücher.de", "user@xn--bcher-kva.de"},
      {"user@straße.de", "user@straße.de", "user@xn--strae-oqa.de"},
      {"user@例え.テスト", "user@例え.テスト", "user@xn--r8jz45g.xn--zckzah"},
  };
  for (const auto& c : cases) {
    auto a = Address::Parse(c.input);
    ASSERT_TRUE(a.ok()) << c.input << ": " << a.status().ToString();
    EXPECT_EQ(a->str(), c.str) << c.input;
    EXPECT_EQ(a->ToAscii(), c.ascii) << c.input;
    // Normalisation is idempotent: both forms parse back to the same value.
    auto again = Address::Parse(a->str());
    ASSERT_TRUE(again.ok()) << a->str();
    EXPECT_EQ(*again, *a);
    auto ascii = Address::Parse(a->ToAscii());
    ASSERT_TRUE(ascii.ok()) << a->ToAscii();
    EXPECT_EQ(*ascii, *a);
    // Allowing literals changes nothing for a host name.
    auto allowed = Address::Parse(c.input, AddressLiterals::kAllow);
    ASSERT_TRUE(allowed.ok()) << c.input;
    EXPECT_EQ(*allowed, *a);
  }
}

TEST(AddressTest, AddressLiteralsOnlyWhenAllowed) {
  const ValidCase cases[] = {
      {"u@[192.0.2.1]", "u@[192.0.2.1]", "u@[192.0.2.1]"},
      {"u@[127.0.0.1]", "u@[127.0.0.1]", "u@[127.0.0.1]"},
      {"u@[IPv6:2001:DB8::1]", "u@[ipv6:2001:db8::1]", "u@[IPv6:2001:db8::1]"},
      {"u@[ipv6:::1]", "u@[ipv6:::1]", "u@[IPv6:::1]"},
      {"\"a b\"@[10.0.0.1]", "\"a b\"@[10.0.0.1]", "\"a b\"@[10.0.0.1]"},
  };
  for (const auto& c : cases) {
    auto refused = Address::Parse(c.input);
    ASSERT_FALSE(refused.ok()) << c.input;
    EXPECT_TRUE(refused.status().IsInvalidArgument());
    EXPECT_EQ(refused.status().message(),
              "address literals like [192.0.2.1] are not allowed (allow_address_literals)");
    EXPECT_FALSE(Address::Parse(c.input, AddressLiterals::kRefuse).ok()) << c.input;
    EXPECT_FALSE(Address::Parse(c.input, Address::Literals(false)).ok()) << c.input;

    auto a = Address::Parse(c.input, AddressLiterals::kAllow);
    ASSERT_TRUE(a.ok()) << c.input << ": " << a.status().ToString();
    EXPECT_EQ(a->str(), c.str) << c.input;
    EXPECT_EQ(a->ToAscii(), c.ascii) << c.input;
    EXPECT_TRUE(Address::Parse(c.input, Address::Literals(true)).ok()) << c.input;
    auto again = Address::Parse(a->str(), AddressLiterals::kAllow);
    ASSERT_TRUE(again.ok()) << a->str();
    EXPECT_EQ(*again, *a);
    auto ascii = Address::Parse(a->ToAscii(), AddressLiterals::kAllow);
    ASSERT_TRUE(ascii.ok()) << a->ToAscii();
    EXPECT_EQ(*ascii, *a);
  }
}

TEST(AddressTest, ExposesParts) {
  auto a = Address::Parse("Jane.Doe@BÜCHER.de");
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->local_part(), "jane.doe");
  EXPECT_EQ(a->domain(), "bücher.de");
  EXPECT_EQ(a->domain_ascii(), "xn--bcher-kva.de");
  auto b = Address::Parse("jane.doe@xn--bcher-kva.de");
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(*a, *b);
}

struct InvalidCase {
  std::string input;
  std::string reason;  // a substring of the message
};

TEST(AddressTest, RefusesInvalidAddresses) {
  const InvalidCase cases[] = {
      {"", "empty address"},
      {"plainaddress", "no '@'"},
      {"@example.com", "empty local part"},
      {"user@", "empty domain"},
      {"a@b@example.com", "more than one '@'"},
      {"a@b.com,c@d.com", "more than one '@'"},
      {"a,b@example.com", "invalid character ','"},
      {"a b@example.com", "invalid character a space"},
      {" a@example.com", "invalid character a space"},
      {"a@example.com ", "invalid domain"},
      {"<a@b.com>", "invalid character '<'"},
      {"Name <a@b.com>", "invalid character"},
      {".a@example.com", "starts or ends with '.'"},
      {"a.@example.com", "starts or ends with '.'"},
      {"a..b@example.com", "'..'"},
      {"a(comment)@example.com", "invalid character '('"},
      {"jörg@example.com", "non-ASCII local part"},
      {"\"jörg\"@example.com", "non-ASCII local part"},
      {"\"\"@example.com", "empty quoted local part"},
      {"\"abc@example.com", "unterminated"},
      {"\"a\"b@example.com", "text after the quoted local part"},
      {"\"a\".\"b\"@example.com", "text after the quoted local part"},
      {"\"a\"", "no '@'"},
      {"a@localhost", "at least two labels"},
      {"a@example..com", "empty label"},
      {"a@.example.com", "empty label"},
      {"a@example.com.", "empty label"},
      {"a@-example.com", "starts or ends with '-'"},
      {"a@example-.com", "starts or ends with '-'"},
      {"a@ex_ample.com", "invalid domain"},
      {"a@example.123", "all-numeric"},
      {"a@1.2.3.4", "all-numeric"},
      {"a@[1.2.3]", "invalid IPv4"},
      {"a@[256.1.1.1]", "invalid IPv4"},
      {"a@[1.2.3.4", "invalid address literal"},
      {"a@[IPv6:2001:db8::g]", "invalid IPv6"},
      {"a@[IPv6:1.2.3.4]", "invalid IPv6"},
      {"a@[2001:db8::1]", "invalid IPv4"},
      {"a@xn--bcher-kv.de", "invalid domain"},
      {"a@💩.la", "invalid domain"},
      {"a@xn--bcher-kvaxn--xn--bcher-kva.de", "malformed A-label"},  // decodes to a space
      {"a@b\xff.de", "invalid domain"},
      {"a@b.com\r\nBcc: x@y.com", "control character 0x0D at position 8"},
      {"\"a\r\n\"@b.com", "control character 0x0D"},
      {"a\nb@example.com", "control character 0x0A"},
      {"a\tb@example.com", "control character 0x09"},
      {"a@b.com\x7f", "control character 0x7F"},
      {"a\0b@example.com"s, "control character 0x00"},
      {"a@b.com\0"s, "control character 0x00"},
  };
  for (const auto& c : cases) {
    auto a = Address::Parse(c.input);
    ASSERT_FALSE(a.ok()) << c.input << " parsed as " << a->str();
    Status status = a.status();
    EXPECT_TRUE(status.IsInvalidArgument()) << c.input;
    EXPECT_NE(status.message().find(c.reason), std::string::npos)
        << c.input << ": " << status.message();
    for (char ch : status.message()) {
      EXPECT_TRUE(static_cast<unsigned char>(ch) >= 32 && ch != 127) << c.input;
    }
  }
}

TEST(AddressTest, LocalPartLengthLimit) {
  std::string at_limit(limits::kMaxLocalPartBytes, 'a');
  EXPECT_TRUE(Address::Parse(at_limit + "@example.com").ok());
  auto over = Address::Parse(at_limit + "a@example.com");
  ASSERT_FALSE(over.ok());
  EXPECT_EQ(over.status().message(), "local part too long");
  // Quoted: the limit applies to the canonical form, quotes included.
  std::string quoted = "\"" + std::string(limits::kMaxLocalPartBytes - 3, 'a') + " \"";
  EXPECT_TRUE(Address::Parse(quoted + "@example.com").ok());
  EXPECT_FALSE(Address::Parse("\"a" + quoted.substr(1) + "@example.com").ok());
}

// A domain of `bytes` octets made of 63-octet labels, ending in ".com".
std::string DomainOf(std::size_t bytes) {
  std::string d;
  while (d.size() + 4 < bytes) {
    if (!d.empty()) d += '.';
    std::size_t room = bytes - 4 - d.size();
    d += std::string(std::min<std::size_t>(63, room), 'd');
  }
  return d + ".com";
}

TEST(AddressTest, AddressLengthLimit) {
  std::string local(limits::kMaxLocalPartBytes, 'a');
  std::size_t domain_bytes = limits::kMaxAddressBytes - local.size() - 1;
  std::string domain = DomainOf(domain_bytes);
  ASSERT_EQ(domain.size(), domain_bytes);
  auto at = Address::Parse(local + "@" + domain);
  ASSERT_TRUE(at.ok()) << at.status().ToString();
  EXPECT_EQ(at->str().size(), limits::kMaxAddressBytes);
  auto over = Address::Parse(local + "@" + DomainOf(domain_bytes + 1));
  ASSERT_FALSE(over.ok());
  EXPECT_EQ(over.status().message(), "address too long");
}

TEST(AddressTest, DomainLimits) {
  std::string label63(63, 'l');
  EXPECT_TRUE(Address::Parse("a@" + label63 + ".com").ok());
  auto long_label = Address::Parse("a@" + label63 + "l.com");
  ASSERT_FALSE(long_label.ok());
  EXPECT_NE(long_label.status().message().find("63"), std::string::npos);
  auto long_domain = Address::Parse("a@" + DomainOf(limits::kMaxDomainBytes + 1));
  ASSERT_FALSE(long_domain.ok());
  EXPECT_EQ(long_domain.status().message(), "domain too long");
  // A Unicode label is measured in its A-label form.
  std::string u40, u70;
  for (int i = 0; i < 40; ++i) u40 += "\u00fc";
  for (int i = 0; i < 70; ++i) u70 += "\u00fc";
  auto a40 = Address::Parse("a@" + u40 + ".de");
  ASSERT_TRUE(a40.ok()) << a40.status().ToString();
  EXPECT_LE(a40->domain_ascii().size(), 63u + 3u);
  auto a70 = Address::Parse("a@" + u70 + ".de");
  ASSERT_FALSE(a70.ok());
  EXPECT_NE(a70.status().message().find("invalid domain"), std::string::npos);
  EXPECT_FALSE(Address::Parse(std::string(10000, 'a') + "@example.com").ok());
}

TEST(AddressTest, CaseInsensitiveIdentity) {
  auto a = Address::Parse("John.Smith@Example.Com");
  auto b = Address::Parse("john.smith@example.com");
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(*a, *b);
  EXPECT_EQ(a->str(), "john.smith@example.com");
}

TEST(MatchesPatternTest, Wildcards) {
  EXPECT_TRUE(MatchesPattern("*@example.com", "user@example.com"));
  EXPECT_TRUE(MatchesPattern("*@EXAMPLE.com", "User@Example.COM"));
  EXPECT_FALSE(MatchesPattern("*@example.com", "user@example.org"));
  EXPECT_TRUE(MatchesPattern("user@example.com", "USER@example.com"));
  EXPECT_FALSE(MatchesPattern("user@example.com", "user@example.co"));
  EXPECT_FALSE(MatchesPattern("user@example.co", "user@example.com"));
  EXPECT_TRUE(MatchesPattern("u?er@*", "user@x.de"));
  EXPECT_FALSE(MatchesPattern("u?er@*", "uer@x.de"));
  EXPECT_TRUE(MatchesPattern("*", ""));
  EXPECT_TRUE(MatchesPattern("", ""));
  EXPECT_FALSE(MatchesPattern("", "a"));
  EXPECT_FALSE(MatchesPattern("?", ""));
  EXPECT_TRUE(MatchesPattern("*a*b*", "xxaxxbxx"));
  EXPECT_FALSE(MatchesPattern("*a*b*", "xxbxxaxx"));
  EXPECT_TRUE(MatchesPattern("a*b*c", "abxbc"));
  EXPECT_TRUE(MatchesPattern("**x**", "x"));
}

TEST(MatchesPatternTest, QuestionMarkIsOneCodePoint) {
  EXPECT_TRUE(MatchesPattern("j?rg@*", "jürg@x.de"));
  EXPECT_FALSE(MatchesPattern("j??rg@*", "jürg@x.de"));
  EXPECT_TRUE(MatchesPattern("*@b?cher.de", "a@bücher.de"));
  EXPECT_TRUE(MatchesPattern("*?", "ü"));
  EXPECT_FALSE(MatchesPattern("*??", "ü"));
  EXPECT_TRUE(MatchesPattern("?@例?.jp", "a@例え.jp"));
}

TEST(MatchesPatternTest, PathologicalPatternIsFast) {
  std::string pattern;
  for (int i = 0; i < 30; ++i) pattern += "*a";
  pattern += "b";
  std::string text(100000, 'a');
  auto start = std::chrono::steady_clock::now();
  EXPECT_FALSE(MatchesPattern(pattern, text));
  EXPECT_TRUE(MatchesPattern(pattern.substr(0, pattern.size() - 1), text));
  auto elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_LT(elapsed, std::chrono::seconds(1));
}

}  // namespace
}  // namespace campaignd

namespace campaignd {
namespace {

TEST(ParseBlockPatternTest, AddressesAreNormalisedAndPatternsLowerCased) {
  EXPECT_EQ(*ParseBlockPattern("John@Example.COM"), "john@example.com");
  EXPECT_EQ(*ParseBlockPattern("*@Spam.Example"), "*@spam.example");
  EXPECT_EQ(*ParseBlockPattern("j?hn@example.com"), "j?hn@example.com");
  EXPECT_EQ(*ParseBlockPattern("a*@*"), "a*@*");  // one literal character is enough
  EXPECT_EQ(*ParseBlockPattern("*@*.de"), "*@*.de");
  EXPECT_EQ(*ParseBlockPattern("info@*"), "info@*");
}

TEST(ParseBlockPatternTest, PatternsThatMatchEveryAddressAreRefused) {
  for (const char* every : {"*@*", "?*@*", "**@*", "*@**", "*?@?*", "*@*.*", "?@*", "*.*@*.*"}) {
    Result<std::string> parsed = ParseBlockPattern(every);
    ASSERT_FALSE(parsed.ok()) << every;
    EXPECT_EQ(parsed.status().message(),
              std::string("'") + every +
                  "' would match every address: it needs a character besides * ? @ and .");
    // ...but one stored before the rule can still be removed.
    EXPECT_EQ(*ParseBlockPattern(every, /*for_removal=*/true), every);
  }
}

TEST(ParseBlockPatternTest, MalformedPatternsNameTheProblem) {
  EXPECT_EQ(ParseBlockPattern("").status().message(), "empty");
  EXPECT_EQ(ParseBlockPattern("*").status().message(),
            "needs exactly one '@' (like *@example.com)");
  EXPECT_FALSE(ParseBlockPattern("a@b@c").ok());
  EXPECT_EQ(ParseBlockPattern("has space@x.de").status().message(),
            "contains a blank or control character");
  EXPECT_FALSE(ParseBlockPattern("x\r\n@y.de").ok());
  EXPECT_FALSE(ParseBlockPattern("bad@").ok());                           // not an address
  EXPECT_FALSE(ParseBlockPattern(std::string(250, 'a') + "@*.de").ok());  // too long
}

}  // namespace
}  // namespace campaignd
