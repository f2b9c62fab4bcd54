// Open and click tracking at render time (events.md §3; decision
// docs/decisions/0021-tracking.md): the HTML links a mailing tracks, their
// rewriting to {public_url}/r/TOKEN and the open pixel {public_url}/o/TOKEN.gif.
// The link index is the position of a tracked link among the tracked links
// of the mailing's HTML *template*, so the redirect (events/tracking.h)
// finds the URL by running FindTrackedLinks over the same template; a link
// whose URL has field functions in it carries its rendered URL in the
// token (under the token's MAC) instead.
// Callers: message.cc (RenderMessage), events/tracking.cc (the redirect).
// Input: templates are trusted but may be malformed HTML: nothing here
// fails on it (a tag that cannot be read is left as it is).
// Threads: pure functions. Errors: none.
#ifndef CAMPAIGND_RENDER_TRACKING_H_
#define CAMPAIGND_RENDER_TRACKING_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/tracking_token.h"

namespace campaignd::render {

// What one mail tracks; both false: nothing (tracking none, or the
// recipient opted out).
struct TrackingInput {
  bool links = false;      // rewrite the HTML part's links
  bool pixel = false;      // add the open pixel to the HTML part
  std::string public_url;  // without a trailing '/'
  TrackingKey key{};       // DeriveTrackingKey(the client's mail ID secret)
  int64_t client_id = 0;
  int64_t mail_seq = 0;
  int64_t mailing_id = 0;
};

// One tracked link of an HTML template: the href value's span [begin, end)
// (inside the quotes, if any), the value as written and whether it has a
// field function in it ('{').
struct TrackedLink {
  std::size_t begin = 0;
  std::size_t end = 0;
  std::string value;
  bool personalised = false;
};

// The tracked links of `html`, in order: every <a ...> tag (any case,
// attributes in any order, quoted with " or ' or unquoted) outside
// comments whose href, entity-decoded and trimmed, starts with http:// or
// https:// (any case), that has no data-notrack attribute and does not
// name {bmUnsubscribeUrl}, {bmOnlineVersionUrl} or {bmOptInUrl}, and whose
// scheme://host[:port] part (up to the first '/', '?' or '#') has no '{':
// a link whose host is a field is not tracked (no open redirect).
std::vector<TrackedLink> FindTrackedLinks(std::string_view html);

// `text` with the HTML character references &amp; &lt; &gt; &quot; &apos;
// &#NN; &#xHH; decoded (others stay as written).
std::string DecodeHtmlEntities(std::string_view text);

// The HTML template `html` with each tracked link's href replaced by its
// redirect URL. A personalised link's URL is rendered by `render_url`
// (the template value -> the rendered, still entity-encoded value; nullopt:
// the link stays as it is, as it does when the rendered URL is not http(s)
// or has another scheme://host[:port] than the template's). The result is a template again: '{' and
// '}' of the inserted URL are doubled.
std::string RewriteTrackedLinks(
    std::string_view html, const TrackingInput& tracking,
    const std::function<std::optional<std::string>(std::string_view)>& render_url);

// The rendered `html` with the open pixel before its last </body> (any
// case), or at its end when there is none.
std::string InsertOpenPixel(std::string_view html, const TrackingInput& tracking);

// The redirect's target of `token` (verified by the caller) in a mailing
// whose template's tracked links are `links`: the token's own URL for a
// personalised link, else the link's URL; nullopt when the index is not a
// tracked link of the mailing, the URL is not http(s) or a personalised
// link's token URL has another scheme://host[:port] than the template's
// link (never an open redirect).
std::optional<std::string> ResolveTrackedLink(const std::vector<TrackedLink>& links,
                                              const TrackingToken& token);

}  // namespace campaignd::render

#endif  // CAMPAIGND_RENDER_TRACKING_H_
