// What one API request asks for: the route of its path and its parameters
// (query and body merged, charset decoded to UTF-8), behaviour.md §2.
// Callers: http/session.cc; pure functions, heavily unit-tested.
// Input: untrusted, size-limited by the session (URL, headers, body).
// Threads: pure functions.
// Errors: DecodeStatus: kTooManyParams (answer 413), kMalformed (broken
// multipart: answer syntax_error without calling the handler).
#ifndef CAMPAIGND_HTTP_REQUEST_H_
#define CAMPAIGND_HTTP_REQUEST_H_

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "auth/caller.h"
#include "core/params.h"

namespace campaignd::http {

struct Target {
  std::string_view path;   // "/http/form/CODE/op"
  std::string_view query;  // after '?', without a '#fragment'
};

// Splits a request target; an absolute-form target ("http://host/p?q")
// loses its scheme and authority.
Target SplitTarget(std::string_view target);

struct Route {
  enum class Kind { kApi, kHealth, kNotFound, kClick, kOpen };
  Kind kind = Kind::kNotFound;
  auth::Service service = auth::Service::kForm;
  std::string code;       // percent-decoded path segment; never log it (kClick, kOpen: the token)
  std::string operation;  // percent-decoded, ASCII lower-cased
};

// "/http/{form|mail}/{code}/{operation}" -> kApi (the service name is
// matched case-insensitively, code and operation must not be empty);
// "/healthz" -> kHealth; "/r/{token}" -> kClick and "/o/{token}.gif" ->
// kOpen (the token as sent, non-empty, without '/'; core/tracking_token.h);
// anything else -> kNotFound.
Route ParseRoute(std::string_view path);

// For a header block that overflowed the parser's limit: true when the
// request line (as far as `raw` shows it) carries a target longer than
// `max_url_bytes` (answer 414), false when the header fields are at fault
// (answer 431).
bool RequestLineTooLong(std::string_view raw, std::size_t max_url_bytes);

// How a request says where its body ends (RFC 9112 §6): the one
// Transfer-Encoding accepted is a single field "chunked" (any case, blanks
// around it), in HTTP/1.1, without Content-Length. Anything else -
// "gzip, chunked", "chunked, gzip", "identity", two Transfer-Encoding
// fields, Transfer-Encoding with Content-Length or in HTTP/1.0 - could make
// the server and a proxy in front of it disagree where the body ends
// (request smuggling, §6.3, §11.2): the caller answers 400 and closes.
// `transfer_encodings` holds the value of every Transfer-Encoding field.
// Returns what is wrong, or nullopt.
std::optional<std::string> FramingProblem(unsigned version,
                                          std::span<const std::string_view> transfer_encodings,
                                          bool has_content_length);

enum class DecodeStatus { kOk, kTooManyParams, kMalformed };

struct DecodedParams {
  DecodeStatus status = DecodeStatus::kOk;
  Params params;                 // empty unless status == kOk
  std::string unknown_encoding;  // a bmEncoding we do not know (log it)
};

// Parses the query, then the body when `content_type` is
// application/x-www-form-urlencoded or multipart/form-data (any other body
// is ignored), and merges them: query first, the first value of a repeated
// name wins. Values and names are converted to UTF-8 by bmEncoding (a
// multipart part's own charset= beats it); without a known bmEncoding each
// value is UTF-8 when valid, else ISO-8859-1. More than `max_params`
// parameters and files together: kTooManyParams.
DecodedParams DecodeParams(std::string_view query, std::string_view content_type,
                           std::string_view body, std::size_t max_params);

}  // namespace campaignd::http

#endif  // CAMPAIGND_HTTP_REQUEST_H_
