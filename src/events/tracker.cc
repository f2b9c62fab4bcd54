#include "events/tracker.h"

#include <arpa/inet.h>

#include <array>
#include <cstring>

#include "core/fields.h"
#include "core/percent_encoding.h"
#include "core/tracking_token.h"

namespace campaignd::events {
namespace {

using http::TrackingAnswer;

// Mail security gateways and link previewers that fetch every link of a
// mail (lower case, matched anywhere in the agent).
constexpr std::string_view kScannerAgents[] = {"barracuda",   "proofpoint",
                                               "mimecast",    "ironport",
                                               "trendmicro",  "forcepoint",
                                               "fireeye",     "sophos",
                                               "symantec",    "safelinks",
                                               "bingpreview", "urlscan",
                                               "slackbot",    "facebookexternalhit",
                                               "linkedinbot", "twitterbot",
                                               "whatsapp",    "skypeuripreview",
                                               "discordbot",  "zgrab",
                                               "bot;",        "spider",
                                               "crawler"};

}  // namespace

std::string StoredIp(std::string_view ip, IpPolicy policy) {
  if (policy == IpPolicy::kNone || ip.size() >= INET6_ADDRSTRLEN) return "";
  const std::string text(ip);
  char out[INET6_ADDRSTRLEN] = {};
  std::array<unsigned char, 16> bytes{};
  if (inet_pton(AF_INET, text.c_str(), bytes.data()) == 1) {
    bytes[3] = 0;
    return inet_ntop(AF_INET, bytes.data(), out, sizeof out) ? out : "";
  }
  if (inet_pton(AF_INET6, text.c_str(), bytes.data()) != 1) return "";
  static constexpr unsigned char kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  if (std::memcmp(bytes.data(), kMapped, sizeof kMapped) == 0) {
    bytes[15] = 0;
    return inet_ntop(AF_INET, bytes.data() + 12, out, sizeof out) ? out : "";
  }
  std::memset(bytes.data() + 6, 0, 10);
  return inet_ntop(AF_INET6, bytes.data(), out, sizeof out) ? out : "";
}

bool IsScannerAgent(std::string_view user_agent) {
  const std::string lower = LowerAscii(user_agent.substr(0, 1024));
  for (std::string_view agent : kScannerAgents) {
    if (lower.find(agent) != std::string::npos) return true;
  }
  return false;
}

Tracker::Tracker(store::Directory& directory, store::Directory& memory_only, Record record,
                 const Clock& clock, TrackerOptions options)
    : directory_(directory),
      memory_only_(memory_only),
      record_(std::move(record)),
      clock_(clock),
      options_(options) {}

Tracker::Links Tracker::LinksOf(const store::Mailing& mailing) {
  const std::size_t hash = std::hash<std::string>{}(mailing.html);
  const auto key = std::pair(mailing.client_id, mailing.id);
  {
    std::lock_guard lock(mu_);
    auto it = link_tables_.find(key);
    if (it != link_tables_.end() && it->second.html_hash == hash &&
        it->second.html_size == mailing.html.size()) {
      return it->second.links;
    }
  }
  Links links = std::make_shared<const std::vector<render::TrackedLink>>(
      render::FindTrackedLinks(mailing.html));
  std::lock_guard lock(mu_);
  if (link_tables_.size() >= options_.max_link_tables) link_tables_.clear();
  link_tables_[key] = LinkTable{hash, mailing.html.size(), links};
  return links;
}

TrackingAnswer Tracker::Handle(const http::TrackingRequest& request, bool may_block) {
  const TrackingAnswer not_found{};
  Result<ParsedTrackingToken> parsed = ParseTrackingToken(request.token);
  if (!parsed.ok()) return not_found;
  const TrackingToken& token = parsed->token;
  if (request.click == (token.link_index == TrackingToken::kOpen)) return not_found;
  store::Directory& directory = may_block ? directory_ : memory_only_;
  Result<std::optional<store::Client>> client = directory.FindClient(token.client_id);
  if (!client.ok()) {
    return client.status().IsUnavailable() && !may_block
               ? TrackingAnswer{TrackingAnswer::Kind::kBlocking, ""}
               : not_found;
  }
  if (!client->has_value() ||
      !VerifyTrackingToken(*parsed, DeriveTrackingKey((*client)->mail_id_secret))) {
    return not_found;
  }
  Result<std::optional<store::Mailing>> mailing =
      directory.FindMailing(token.client_id, token.mailing_id);
  if (!mailing.ok()) {
    return mailing.status().IsUnavailable() && !may_block
               ? TrackingAnswer{TrackingAnswer::Kind::kBlocking, ""}
               : not_found;
  }
  if (!mailing->has_value()) return not_found;
  TrackingAnswer answer{TrackingAnswer::Kind::kPixel, ""};
  if (request.click) {
    std::optional<std::string> url = render::ResolveTrackedLink(*LinksOf(**mailing), token);
    if (!url) return not_found;
    answer = TrackingAnswer{TrackingAnswer::Kind::kRedirect, PercentEncode(*url, kUrlMarks)};
  }
  store::events::TrackingHit hit;
  hit.client_id = token.client_id;
  hit.mail_seq = token.mail_seq;
  hit.mailing_id = token.mailing_id;
  hit.click = request.click;
  hit.link_index = request.click ? token.link_index : -1;
  hit.url = request.click ? answer.location : "";
  hit.user_agent = request.user_agent.substr(0, options_.max_user_agent_bytes);
  hit.ip = StoredIp(request.client_ip, options_.ip);
  hit.machine = request.head || IsScannerAgent(request.user_agent);
  hit.at = clock_.Now();
  record_(std::move(hit));  // a dropped hit still gets its answer
  return answer;
}

}  // namespace campaignd::events
