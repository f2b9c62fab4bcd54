// events/tracker.h over a real store (the engine the environment names):
// tokens made by render/ are answered, tampered ones are 404 and record
// nothing, the hit carries what the recorder needs.
#include "events/tracker.h"

#include <gtest/gtest.h>

#include "render/tracking.h"
#include "store/store_testutil.h"

namespace campaignd::events {
namespace {

using http::TrackingAnswer;
using Kind = http::TrackingAnswer::Kind;

class FixedClock final : public Clock {
 public:
  TimePoint Now() const override { return FromUnixMillis(1'700'000'000'000); }
};

// A directory whose every lookup is a miss of the memory-only cache.
class ColdDirectory final : public store::Directory {
 public:
  Result<std::optional<store::AuthCode>> FindCode(std::string_view) override { return Miss(); }
  Result<std::optional<store::Client>> FindClient(int64_t) override { return Miss(); }
  Result<std::vector<store::DkimKey>> FindDkimKeys(int64_t) override { return Miss(); }
  Result<std::optional<store::RecipientList>> FindList(int64_t, int64_t) override { return Miss(); }
  Result<std::optional<store::Mailing>> FindMailing(int64_t, int64_t) override { return Miss(); }
  Result<std::optional<store::Recipient>> FindRecipient(int64_t, int64_t,
                                                        std::string_view) override {
    return Miss();
  }
  Result<store::Suppression> CheckSuppression(int64_t, int64_t, std::string_view) override {
    return Miss();
  }

 private:
  static Status Miss() { return Status::Unavailable("not in memory"); }
};

constexpr std::string_view kHtml =
    "<p><a href=\"https://shop.example/a?x=1&amp;y=2\">A</a>"
    "<a href=\"https://shop.example/u/{firstname}\">U</a>"
    "<a href=\"https://shop.example/with space\">S</a></p>";

class TrackerTest : public store::EngineTest {
 protected:
  void SetUp() override {
    EngineTest::SetUp();
    store::ClientSpec spec = store::SampleClient(1);
    spec.mailings[0].html = std::string(kHtml);
    spec.mailings[0].tracking = store::Tracking::kAll;
    Status s = provisioner().Apply({spec, store::SampleClient(2)});
    ASSERT_TRUE(s.ok()) << s.ToString();
    tracker_ = std::make_unique<Tracker>(
        directory(), directory(),
        [this](store::events::TrackingHit hit) {
          hits_.push_back(std::move(hit));
          return true;
        },
        clock_, TrackerOptions{.max_user_agent_bytes = 16});
  }

  render::TrackingInput Input(std::string_view secret = "secret-of-1") {
    return render::TrackingInput{true, true, "https://t.example", DeriveTrackingKey(secret), 1,
                                 42,   100};
  }
  std::string Token(int link, std::string url = "", std::string_view secret = "secret-of-1") {
    return EncodeTrackingToken({1, 42, 100, link, std::move(url)}, DeriveTrackingKey(secret));
  }
  TrackingAnswer Click(const std::string& token, std::string agent = "Mail/1.0") {
    return tracker_->Handle({true, token, false, std::move(agent), "192.0.2.77"}, true);
  }
  TrackingAnswer Open(const std::string& token, bool head = false) {
    return tracker_->Handle({false, token, head, "Mail/1.0", "2001:db8:1:2::5"}, true);
  }

  FixedClock clock_;
  std::vector<store::events::TrackingHit> hits_;
  std::unique_ptr<Tracker> tracker_;
};

TEST_F(TrackerTest, RewrittenLinksRedirectToTheirUrlsAndAreRecorded) {
  // The tokens render/ put into the mail, as the recipient's client sends them.
  const std::string html = render::RewriteTrackedLinks(
      kHtml, Input(), [](std::string_view) { return std::string("https://shop.example/u/Ann"); });
  std::vector<std::string> tokens;
  for (std::size_t at = html.find("/r/"); at != std::string::npos; at = html.find("/r/", at + 1))
    tokens.push_back(html.substr(at + 3, html.find('"', at) - at - 3));
  ASSERT_EQ(tokens.size(), 3u);
  const TrackingAnswer a = Click(tokens[0]);
  EXPECT_EQ(a.kind, Kind::kRedirect);
  EXPECT_EQ(a.location, "https://shop.example/a?x=1&y=2");
  EXPECT_EQ(Click(tokens[1]).location, "https://shop.example/u/Ann");
  EXPECT_EQ(Click(tokens[2]).location, "https://shop.example/with%20space");
  ASSERT_EQ(hits_.size(), 3u);
  const auto& hit = hits_[0];
  EXPECT_TRUE(hit.click);
  EXPECT_EQ(hit.client_id, 1);
  EXPECT_EQ(hit.mail_seq, 42);
  EXPECT_EQ(hit.mailing_id, 100);
  EXPECT_EQ(hit.link_index, 0);
  EXPECT_EQ(hit.url, "https://shop.example/a?x=1&y=2");
  EXPECT_EQ(hit.ip, "192.0.2.0");
  EXPECT_EQ(hit.user_agent, "Mail/1.0");
  EXPECT_FALSE(hit.machine);
  EXPECT_EQ(hit.at, clock_.Now());
}

TEST_F(TrackerTest, PixelAnswersAndRecordsAnOpen) {
  EXPECT_EQ(Open(Token(TrackingToken::kOpen)).kind, Kind::kPixel);
  EXPECT_EQ(Open(Token(TrackingToken::kOpen), /*head=*/true).kind, Kind::kPixel);
  ASSERT_EQ(hits_.size(), 2u);
  EXPECT_FALSE(hits_[0].click);
  EXPECT_EQ(hits_[0].link_index, -1);
  EXPECT_EQ(hits_[0].ip, "2001:db8:1::");
  EXPECT_FALSE(hits_[0].machine);
  EXPECT_TRUE(hits_[1].machine);  // HEAD
}

TEST_F(TrackerTest, TamperedTruncatedForeignOrMisplacedTokensAre404AndRecordNothing) {
  std::string token = Token(0);
  std::string tampered = token;
  tampered[3] = tampered[3] == 'A' ? 'B' : 'A';
  for (const std::string& bad :
       {tampered, token.substr(0, token.size() - 1), token.substr(0, 10), std::string(),
        std::string("../../etc"), Token(0, "", "secret-of-2"),
        EncodeTrackingToken({2, 42, 100, 0, ""}, DeriveTrackingKey("secret-of-1")),
        Token(3),                           // no such link
        Token(0, "https://evil.example/"),  // a URL for a link that has none
        Token(1),                           // a personalised link without its URL
        Token(1, "javascript:alert(1)"),    // not http(s)
        EncodeTrackingToken({1, 42, 999, 0, ""}, DeriveTrackingKey("secret-of-1")),  // mailing
        Token(TrackingToken::kOpen)}) {  // a pixel token on /r/
    EXPECT_EQ(Click(bad).kind, Kind::kNotFound) << bad;
  }
  EXPECT_EQ(Open(Token(0)).kind, Kind::kNotFound);  // a link token on /o/
  EXPECT_TRUE(hits_.empty());
}

TEST_F(TrackerTest, APersonalisedLinkRedirectsOnlyToItsTemplatesOrigin) {
  // Signed tokens (as if a field value had put another host into the URL):
  // the template's link 1 is https://shop.example/u/{firstname}.
  for (const std::string& url :
       {std::string("https://evil.example/u/Ann"), std::string("http://shop.example/u/Ann"),
        std::string("https://shop.example:444/u/Ann"),
        std::string("https://shop.example.evil.example/u/Ann"),
        std::string("https://shop.example@evil.example/u/Ann")}) {
    EXPECT_EQ(Click(Token(1, url)).kind, Kind::kNotFound) << url;
  }
  EXPECT_TRUE(hits_.empty());
  EXPECT_EQ(Click(Token(1, "https://shop.example/u/Bob")).location, "https://shop.example/u/Bob");
  EXPECT_EQ(hits_.size(), 1u);
}

TEST_F(TrackerTest, ScannersAreMachinesAndAgentsAreCapped) {
  EXPECT_EQ(Click(Token(0), "Mozilla/5.0 (compatible; BingPreview/1.0b)").kind, Kind::kRedirect);
  EXPECT_EQ(Click(Token(0), std::string(100, 'x')).kind, Kind::kRedirect);
  ASSERT_EQ(hits_.size(), 2u);
  EXPECT_TRUE(hits_[0].machine);
  EXPECT_FALSE(hits_[1].machine);
  EXPECT_EQ(hits_[1].user_agent, std::string(16, 'x'));
}

TEST_F(TrackerTest, AColdCacheAsksForTheBlockingPool) {
  ColdDirectory cold;
  Tracker tracker(
      directory(), cold, [](store::events::TrackingHit) { return true; }, clock_);
  const http::TrackingRequest request{true, Token(0), false, "Mail/1.0", "192.0.2.1"};
  EXPECT_EQ(tracker.Handle(request, false).kind, Kind::kBlocking);
  EXPECT_EQ(tracker.Handle(request, true).kind, Kind::kRedirect);
}

TEST(StoredIpTest, TruncatesOrDrops) {
  EXPECT_EQ(StoredIp("203.0.113.77", IpPolicy::kTruncate), "203.0.113.0");
  EXPECT_EQ(StoredIp("2001:db8:abcd:12::1", IpPolicy::kTruncate), "2001:db8:abcd::");
  EXPECT_EQ(StoredIp("::ffff:198.51.100.9", IpPolicy::kTruncate), "198.51.100.0");
  EXPECT_EQ(StoredIp("203.0.113.77", IpPolicy::kNone), "");
  EXPECT_EQ(StoredIp("not an ip", IpPolicy::kTruncate), "");
  EXPECT_EQ(StoredIp("", IpPolicy::kTruncate), "");
}

TEST(ScannerAgentTest, KnownScannersOnly) {
  EXPECT_TRUE(IsScannerAgent("Barracuda Sentinel (EE)"));
  EXPECT_TRUE(IsScannerAgent("Mozilla/5.0 (compatible; proofpoint)"));
  EXPECT_FALSE(IsScannerAgent("Mozilla/5.0 (Windows NT 10.0; Win64; x64) Thunderbird/115.0"));
  EXPECT_FALSE(IsScannerAgent("Python-urllib/3.11"));
  EXPECT_FALSE(IsScannerAgent(""));
}

}  // namespace
}  // namespace campaignd::events
