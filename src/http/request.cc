#include "http/request.h"

#include <optional>
#include <tuple>

#include "core/tracking_token.h"
#include "http/charset.h"
#include "http/header_value.h"
#include "http/multipart.h"
#include "http/raw_params.h"
#include "http/url_decode.h"

namespace campaignd::http {
namespace {

constexpr std::string_view kApiPrefix = "/http/";
constexpr std::string_view kHealthPath = "/healthz";

// The first bmEncoding value, and whether it names a charset we know.
struct RequestCharset {
  std::optional<Charset> charset;
  std::string unknown_label;
};

RequestCharset FindRequestCharset(const RawParams& raw) {
  for (const RawParam& p : raw.params) {
    if (p.name != "bmEncoding") continue;
    RequestCharset rc;
    rc.charset = ParseCharsetName(p.value);
    if (!rc.charset) rc.unknown_label = ToUtf8Guessing(p.value);
    return rc;
  }
  return {};
}

std::string Convert(std::string_view bytes, std::optional<Charset> charset) {
  return charset ? ToUtf8(bytes, *charset) : ToUtf8Guessing(bytes);
}

Params ToParams(RawParams& raw, std::optional<Charset> request_charset) {
  Params params;
  for (RawParam& p : raw.params) {
    params.Add(Convert(p.name, request_charset),
               Convert(p.value, p.charset ? p.charset : request_charset));
  }
  for (RawFile& f : raw.files) {
    params.AddFile(UploadedFile{Convert(f.field_name, request_charset),
                                Convert(f.file_name, request_charset),
                                Convert(f.content_type, std::nullopt), std::move(f.data)});
  }
  return params;
}

}  // namespace

Target SplitTarget(std::string_view target) {
  for (std::string_view scheme : {"http://", "https://"}) {
    if (target.size() >= scheme.size() &&
        EqualsIgnoreCase(target.substr(0, scheme.size()), scheme)) {
      const std::size_t slash = target.find_first_of("/?", scheme.size());
      target = slash == std::string_view::npos ? std::string_view("/") : target.substr(slash);
      break;
    }
  }
  target = target.substr(0, target.find('#'));
  const std::size_t q = target.find('?');
  if (q == std::string_view::npos) return Target{target, {}};
  return Target{target.substr(0, q), target.substr(q + 1)};
}

Route ParseRoute(std::string_view path) {
  Route route;
  if (path == kHealthPath) {
    route.kind = Route::Kind::kHealth;
    return route;
  }
  for (const auto [prefix, suffix, kind] :
       {std::tuple{kRedirectPath, std::string_view(), Route::Kind::kClick},
        std::tuple{kPixelPath, kPixelSuffix, Route::Kind::kOpen}}) {
    if (!path.starts_with(prefix) || !path.ends_with(suffix)) continue;
    if (path.size() <= prefix.size() + suffix.size()) return route;
    const std::string_view token =
        path.substr(prefix.size(), path.size() - prefix.size() - suffix.size());
    if (token.find('/') != std::string_view::npos) return route;
    route.kind = kind;
    route.code = std::string(token);
    return route;
  }
  if (path.substr(0, kApiPrefix.size()) != kApiPrefix) return route;
  std::string_view rest = path.substr(kApiPrefix.size());

  const std::size_t s1 = rest.find('/');
  const std::size_t s2 = s1 == std::string_view::npos ? s1 : rest.find('/', s1 + 1);
  if (s2 == std::string_view::npos || rest.find('/', s2 + 1) != std::string_view::npos) {
    return route;
  }
  const std::string_view service = rest.substr(0, s1);
  if (EqualsIgnoreCase(service, "form")) {
    route.service = auth::Service::kForm;
  } else if (EqualsIgnoreCase(service, "mail")) {
    route.service = auth::Service::kMail;
  } else {
    return route;
  }
  route.code = PercentDecode(rest.substr(s1 + 1, s2 - s1 - 1), /*plus_as_space=*/false);
  route.operation = PercentDecode(rest.substr(s2 + 1), /*plus_as_space=*/false);
  if (route.code.empty() || route.operation.empty()) return Route{};
  for (char& c : route.operation) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  route.kind = Route::Kind::kApi;
  return route;
}

bool RequestLineTooLong(std::string_view raw, std::size_t max_url_bytes) {
  const std::size_t eol = raw.find("\r\n");
  std::string_view line = raw.substr(0, eol);
  const std::size_t first_space = line.find(' ');
  if (first_space == std::string_view::npos) return line.size() > max_url_bytes;
  line.remove_prefix(first_space + 1);
  if (eol != std::string_view::npos) line = line.substr(0, line.rfind(' '));  // drop the version
  return line.size() > max_url_bytes;
}

std::optional<std::string> FramingProblem(unsigned version,
                                          std::span<const std::string_view> transfer_encodings,
                                          bool has_content_length) {
  if (transfer_encodings.empty()) return std::nullopt;
  if (version < 11) return "Transfer-Encoding is not allowed in HTTP/1.0";
  if (transfer_encodings.size() > 1) return "more than one Transfer-Encoding field";
  if (has_content_length) return "Transfer-Encoding together with Content-Length";
  std::string_view value = transfer_encodings.front();
  const auto first = value.find_first_not_of(" \t");
  value = first == std::string_view::npos
              ? std::string_view()
              : value.substr(first, value.find_last_not_of(" \t") - first + 1);
  if (!EqualsIgnoreCase(value, "chunked")) {
    return "Transfer-Encoding must be exactly 'chunked'";
  }
  return std::nullopt;
}

DecodedParams DecodeParams(std::string_view query, std::string_view content_type,
                           std::string_view body, std::size_t max_params) {
  DecodedParams result;
  RawParams raw;
  if (!ParseUrlEncoded(query, max_params, &raw)) {
    result.status = DecodeStatus::kTooManyParams;
    return result;
  }
  const std::string media_type = MediaType(content_type);
  if (media_type == "application/x-www-form-urlencoded") {
    if (!ParseUrlEncoded(body, max_params, &raw)) {
      result.status = DecodeStatus::kTooManyParams;
      return result;
    }
  } else if (media_type == "multipart/form-data") {
    switch (ParseMultipart(content_type, body, max_params, &raw)) {
      case MultipartResult::kOk:
        break;
      case MultipartResult::kMalformed:
        result.status = DecodeStatus::kMalformed;
        return result;
      case MultipartResult::kTooMany:
        result.status = DecodeStatus::kTooManyParams;
        return result;
    }
  }
  RequestCharset request_charset = FindRequestCharset(raw);
  result.unknown_encoding = std::move(request_charset.unknown_label);
  result.params = ToParams(raw, request_charset.charset);
  return result;
}

}  // namespace campaignd::http
