#include "http/reply.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <optional>
#include <string_view>

#include "core/log_text.h"
#include "http/redirect.h"

namespace campaignd::http {
namespace {

namespace bhttp = boost::beast::http;

constexpr std::string_view kTextPlain = "text/plain; charset=utf-8";
constexpr std::string_view kTextHtml = "text/html; charset=utf-8";
constexpr std::string_view kSystemError = "system_error";

// The URL parameter that applies: bmSuccessUrl or bmFailureUrl, else bmUrl.
std::optional<std::string_view> RedirectTarget(const Params& params, bool success) {
  if (auto url = params.Get(success ? "bmSuccessUrl" : "bmFailureUrl"); url && !url->empty()) {
    return url;
  }
  if (auto url = params.Get("bmUrl"); url && !url->empty()) return url;
  return std::nullopt;
}

template <class Message>
void SetConnection(Message& res, const ReplyContext& ctx) {
  if (ctx.keep_alive) {
    res.keep_alive(true);
  } else {
    res.set(bhttp::field::connection, "close");
  }
}

std::string LogToken(const Reply& reply) {
  std::string token(TokenName(reply.token));
  if (reply.token == Token::kWrongTag) token += ":" + reply.detail;  // one log word
  return token;
}

// 302 to `url` when it is allowed, else nullopt (and a warning line).
std::optional<Response> MakeRedirect(std::string_view url, const std::string& body,
                                     const ops::Answer& answer, const ReplyContext& ctx) {
  Result<std::string> location = BuildRedirectLocation(url, body, answer.redirect_hosts);
  if (!location.ok()) {
    spdlog::warn("request {}: redirect not followed: {}", ctx.request_id,
                 LogText(location.status().message()));
    return std::nullopt;
  }
  Response res{bhttp::status::found, ctx.version};
  res.set(bhttp::field::location, *location);
  res.set(bhttp::field::cache_control, "no-store");
  SetConnection(res, ctx);
  res.content_length(0);
  return res;
}

}  // namespace

Response MakeTextResponse(bhttp::status status, std::string body, const ReplyContext& ctx) {
  Response res{status, ctx.version};
  res.set(bhttp::field::content_type, kTextPlain);
  res.set(bhttp::field::cache_control, "no-store");
  SetConnection(res, ctx);
  res.body() = std::move(body);
  res.prepare_payload();
  return res;
}

Response MakeUnavailableResponse(const ReplyContext& ctx) {
  Response res =
      MakeTextResponse(bhttp::status::service_unavailable, std::string(kSystemError), ctx);
  res.set(bhttp::field::retry_after, std::to_string(ctx.retry_after.count()));
  return res;
}

namespace {

template <class Message>
void SetRawHeaders(Message& res, const RawResponse& raw, const ReplyContext& ctx) {
  if (!raw.content_type.empty()) res.set(bhttp::field::content_type, raw.content_type);
  res.set(bhttp::field::cache_control, "no-store");
  if (raw.status == static_cast<int>(bhttp::status::service_unavailable)) {
    res.set(bhttp::field::retry_after, std::to_string(ctx.retry_after.count()));
  }
  SetConnection(res, ctx);
}

}  // namespace

Response MakeTrackingResponse(const TrackingAnswer& answer, bool head, const ReplyContext& ctx) {
  const bool printable =
      !answer.location.empty() && std::all_of(answer.location.begin(), answer.location.end(),
                                              [](char c) { return c > 0x20 && c < 0x7f; });
  Response res;
  if (answer.kind == TrackingAnswer::Kind::kRedirect && printable) {
    res = MakeTextResponse(bhttp::status::found, "", ctx);
    res.set(bhttp::field::location, answer.location);
  } else if (answer.kind == TrackingAnswer::Kind::kPixel) {
    res = Response{bhttp::status::ok, ctx.version};
    res.set(bhttp::field::content_type, "image/gif");
    res.set(bhttp::field::cache_control, "no-store");
    SetConnection(res, ctx);
    res.body() = std::string(kTransparentGif);
    res.prepare_payload();
  } else {
    res = MakeTextResponse(bhttp::status::not_found, "", ctx);
  }
  if (head) {
    const std::size_t length = res.body().size();
    res.body().clear();
    res.content_length(length);
  }
  return res;
}

Response MakeRawResponse(const RawResponse& raw, const ReplyContext& ctx) {
  Response res{static_cast<bhttp::status>(raw.status), ctx.version};
  SetRawHeaders(res, raw, ctx);
  res.body() = raw.body;
  res.prepare_payload();
  return res;
}

bhttp::response<bhttp::empty_body> MakeRawStreamHeader(const RawResponse& raw,
                                                       const ReplyContext& ctx) {
  bhttp::response<bhttp::empty_body> res{static_cast<bhttp::status>(raw.status), ctx.version};
  SetRawHeaders(res, raw, ctx);
  res.chunked(true);
  return res;
}

HttpReply MakeApiReply(const ops::Answer& answer, const Params& params, const ReplyContext& ctx) {
  const Status& status = answer.result.status();
  if (status.IsUnavailable()) {
    spdlog::warn("request {}: unavailable: {}", ctx.request_id, LogText(status.message()));
    return HttpReply{MakeUnavailableResponse(ctx), std::string(kSystemError)};
  }
  std::string body;
  bool success = false;
  std::string log_token;
  if (status.ok()) {
    const Reply& reply = answer.result.value();
    if (!reply.page.empty()) {  // an HTML page is the answer itself: no redirect
      Response res = MakeTextResponse(bhttp::status::ok, reply.page, ctx);
      res.set(bhttp::field::content_type, kTextHtml);
      return HttpReply{std::move(res), LogToken(reply)};
    }
    body = reply.Body();
    success = reply.success;
    log_token = LogToken(reply);
  } else {
    spdlog::error("request {}: {}", ctx.request_id, LogText(status.ToString()));
    body = std::string(kSystemError);
    log_token = body;
  }
  if (auto url = RedirectTarget(params, success)) {
    if (auto redirect = MakeRedirect(*url, body, answer, ctx)) {
      return HttpReply{std::move(*redirect), std::move(log_token)};
    }
  }
  return HttpReply{MakeTextResponse(bhttp::status::ok, std::move(body), ctx), std::move(log_token)};
}

}  // namespace campaignd::http
