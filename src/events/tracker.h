// Tracker: the public listener's opens and clicks (events.md §3; decision
// docs/decisions/0021-tracking.md). GET /r/{token} -> 302 to the link's URL,
// GET|HEAD /o/{token}.gif -> the pixel; a token that does not parse, whose
// MAC does not verify under its client's key, of the wrong kind, or whose
// link is not a tracked link of its mailing -> 404 and nothing recorded.
// It answers from memory (the directory cache's clients and mailings, and
// its own table of each mailing's tracked links) and hands the hit to the
// recorder (store/sql/tracking.h), which writes it later in a batch;
// whether the mail exists, the recipient opted out and it is the first
// open or click is decided there, off the request path.
// Callers: main.cc (as the http::TrackingHandler). Input: the token, user
// agent and IP are untrusted. Threads: Handle is safe from any thread;
// with may_block false it never blocks (a cache miss answers kBlocking).
#ifndef CAMPAIGND_EVENTS_TRACKER_H_
#define CAMPAIGND_EVENTS_TRACKER_H_

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/clock.h"
#include "http/server_options.h"
#include "render/tracking.h"
#include "store/sql/tracking.h"
#include "store/store.h"

namespace campaignd::events {

enum class IpPolicy { kTruncate, kNone };

struct TrackerOptions {
  IpPolicy ip = IpPolicy::kTruncate;
  std::size_t max_user_agent_bytes = 512;
  std::size_t max_link_tables = 1000;  // mailings whose links are kept parsed
};

// The address as stored: IPv4 a.b.c.0 (/24), IPv6 its /48 ("2001:db8:1::"),
// an IPv4-mapped IPv6 address as IPv4; "" for kNone or what is not an IP.
std::string StoredIp(std::string_view ip, IpPolicy policy);

// True for the user agents of known link scanners and prefetchers (mail
// security gateways, link previews): their hits are flagged `machine`.
bool IsScannerAgent(std::string_view user_agent);

class Tracker {
 public:
  // Where a verified hit goes (TrackingRecorder::Record); false: dropped.
  using Record = std::function<bool(store::events::TrackingHit)>;

  // `directory` blocks on a miss (the DirectoryCache), `memory_only` fails
  // it with Unavailable (DirectoryCache::memory_only()). REQUIRES: both and
  // `clock` outlive this.
  Tracker(store::Directory& directory, store::Directory& memory_only, Record record,
          const Clock& clock, TrackerOptions options = {});

  http::TrackingAnswer Handle(const http::TrackingRequest& request, bool may_block);

 private:
  using Links = std::shared_ptr<const std::vector<render::TrackedLink>>;
  // The tracked links of the mailing's current HTML (parsed once per version).
  Links LinksOf(const store::Mailing& mailing);

  store::Directory& directory_;
  store::Directory& memory_only_;
  const Record record_;
  const Clock& clock_;
  const TrackerOptions options_;

  struct LinkTable {
    std::size_t html_hash = 0;
    std::size_t html_size = 0;
    Links links;
  };
  std::mutex mu_;
  std::map<std::pair<int64_t, int64_t>, LinkTable> link_tables_;  // guarded by mu_
};

}  // namespace campaignd::events

#endif  // CAMPAIGND_EVENTS_TRACKER_H_
