#include "http/redirect.h"

#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>

#include "core/limits.h"
#include "core/percent_encoding.h"
#include "http/header_value.h"

namespace campaignd::http {
namespace {

bool IsUnreserved(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '.' || c == '_' || c == '~';
}

// A host we compare by text: letters, digits, '-' and '.' only (this
// refuses percent-escapes and anything that is not plain ASCII DNS).
bool IsPlainHost(std::string_view host) {
  if (host.empty()) return false;
  for (char c : host) {
    if (!IsUnreserved(c) || c == '_' || c == '~') return false;
  }
  return true;
}

// The authority exactly as written: after "scheme://", up to the first
// '/', '?' or '#'. REQUIRES: `url` parsed as a URI with an authority.
std::string_view RawAuthority(std::string_view url) {
  std::string_view rest = url.substr(url.find("//") + 2);
  return rest.substr(0, rest.find_first_of("/?#"));
}

Status CheckUrl(std::string_view url, const boost::urls::url_view& u,
                const std::vector<std::string>& allowed_hosts) {
  if (u.scheme_id() != boost::urls::scheme::http && u.scheme_id() != boost::urls::scheme::https) {
    return Status::InvalidArgument("scheme is not http or https");
  }
  if (!u.has_authority()) return Status::InvalidArgument("no host");
  if (u.has_userinfo()) return Status::InvalidArgument("userinfo in URL");
  if (u.host_type() != boost::urls::host_type::name &&
      u.host_type() != boost::urls::host_type::ipv4) {
    return Status::InvalidArgument("host is not a name or IPv4 address");
  }
  const std::string_view host = u.encoded_host();
  if (!IsPlainHost(host)) return Status::InvalidArgument("host is not plain ASCII");
  // Boost.URL 1.81 takes the IPv4 prefix of "192.0.2.1.evil.example" (or of
  // "192.0.2.1&x") as the whole host: compare with the text as written, so
  // the host checked is the host a browser goes to (fuzz/http_url_fuzz.cc).
  std::string written(host);
  if (u.has_port()) written += ":" + std::string(u.port());
  if (RawAuthority(url) != written) return Status::InvalidArgument("host is not plain ASCII");
  for (const std::string& allowed : allowed_hosts) {
    if (EqualsIgnoreCase(host, allowed)) return Status::Ok();
  }
  return Status::InvalidArgument("host not on the redirect allowlist");
}

}  // namespace

Result<std::string> BuildRedirectLocation(std::string_view url, std::string_view result_body,
                                          const std::vector<std::string>& allowed_hosts) {
  if (url.size() > limits::kMaxUrlBytes) return Status::InvalidArgument("URL too long");
  auto parsed = boost::urls::parse_uri(url);
  if (!parsed) return Status::InvalidArgument("not an absolute URI: " + parsed.error().message());
  const boost::urls::url_view u = *parsed;
  if (Status s = CheckUrl(url, u, allowed_hosts); !s.ok()) return s;

  // parse_uri accepted it, so the first '#' starts the fragment.
  const std::size_t hash = url.find('#');
  std::string location(url.substr(0, hash));
  if (!u.has_query()) {
    location += '?';
  } else if (!u.encoded_query().empty() && location.back() != '&') {
    location += '&';
  }
  location += "bmResult=";
  location += PercentEncode(result_body);
  if (hash != std::string_view::npos) location.append(url.substr(hash));
  return location;
}

}  // namespace campaignd::http
