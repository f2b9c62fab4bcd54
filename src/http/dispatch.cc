#include "http/dispatch.h"

#include <spdlog/spdlog.h>

#include <boost/asio/async_result.hpp>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/http/field.hpp>
#include <atomic>
#include <exception>
#include <memory>
#include <optional>

#include "http/blocking_call.h"
#include "http/client_origin.h"
#include "http/request.h"

namespace campaignd::http {
namespace {

namespace bhttp = boost::beast::http;

constexpr std::string_view kSyntaxError = "syntax_error";

// Comma-joined values of every header `field` (they may repeat).
std::string JoinedHeader(const Request& request, std::string_view field) {
  std::string joined;
  for (auto [it, end] = request.equal_range(field); it != end; ++it) {
    if (!joined.empty()) joined += ',';
    joined.append(it->value());
  }
  return joined;
}

// The answer when the parameters cannot be decoded; nullopt when they can.
std::optional<Dispatched> DecodeFailure(const DecodedParams& decoded, ReplyContext ctx,
                                        AccessRecord& record) {
  if (decoded.status == DecodeStatus::kOk) return std::nullopt;
  record.token = kSyntaxError;
  if (decoded.status == DecodeStatus::kMalformed) {  // a business answer, not an HTTP error
    return Dispatched{MakeTextResponse(bhttp::status::ok, std::string(kSyntaxError), ctx), false};
  }
  ctx.keep_alive = false;
  return Dispatched{
      MakeTextResponse(bhttp::status::payload_too_large, std::string(kSyntaxError), ctx), true};
}

// The inline handler's answer, resumed on the connection's strand; nullopt
// when it did not take the request (or threw: the pool then runs it, and
// its guard turns a second throw into system_error). References as
// CallBlocking's.
boost::asio::awaitable<std::optional<ops::Answer>> CallInline(const InlineHandler& handler,
                                                              const auth::RequestInfo& info,
                                                              const Params& params) {
  using Signature = void(std::optional<ops::Answer>);
  return boost::asio::async_initiate<const boost::asio::use_awaitable_t<>&, Signature>(
      [&](auto completion) {
        // Shared: `done` may run on the store's thread while we still hold
        // it here; std::function needs a copyable target. Only the first
        // resume counts.
        using Completion = decltype(completion);
        struct Waiting {
          // A constructor, not an aggregate: clang 14 (the sanitizer and fuzz
          // builds) cannot make_shared an aggregate from parentheses.
          explicit Waiting(Completion c) : completion(std::move(c)) {}
          Completion completion;
          std::atomic<bool> resumed{false};
        };
        auto waiting = std::make_shared<Waiting>(std::move(completion));
        auto resume = [waiting](std::optional<ops::Answer> answer) {
          if (waiting->resumed.exchange(true)) return;
          auto executor = boost::asio::get_associated_executor(waiting->completion);
          boost::asio::post(executor, [waiting, answer = std::move(answer)]() mutable {
            std::move(waiting->completion)(std::move(answer));
          });
        };
        ops::AnswerDone done = [resume](ops::Answer answer) { resume(std::move(answer)); };
        bool taken = false;
        try {
          taken = handler(info, params, done);
        } catch (const std::exception& e) {
          spdlog::error("inline handler threw: {}", e.what());
        }
        if (!taken) resume(std::nullopt);
      },
      boost::asio::use_awaitable);
}

// GET /r/{token}, GET|HEAD /o/{token}.gif: from memory on the I/O thread,
// on the pool when the handler needs the store (a cold cache).
boost::asio::awaitable<Dispatched> DispatchTracking(const Request& request, const Route& route,
                                                    const ClientOrigin& origin, ReplyContext ctx,
                                                    const DispatchDeps& deps,
                                                    AccessRecord& record) {
  const bool click = route.kind == Route::Kind::kClick;
  record.path = click ? "/r/***" : "/o/***.gif";
  const bool head = request.method() == bhttp::verb::head;
  TrackingAnswer answer;
  if (deps.tracking && (head || request.method() == bhttp::verb::get)) {
    const TrackingRequest tracking{
        click, route.code, head, std::string(request[bhttp::field::user_agent]), origin.client_ip};
    try {
      answer = deps.tracking(tracking, false);
    } catch (const std::exception& e) {
      spdlog::error("request {}: tracking handler threw: {}", ctx.request_id, e.what());
    }
    if (answer.kind == TrackingAnswer::Kind::kBlocking) {
      InFlightSlot slot(deps.in_flight, deps.options.max_in_flight);
      if (!slot.admitted()) {
        record.token = "system_error";
        co_return Dispatched{MakeUnavailableResponse(ctx), false};
      }
      answer = co_await CallBlocking(deps.pool, deps.tracking, tracking);
    }
  }
  static constexpr std::string_view kTokens[] = {"not_found", "redirect", "pixel", "not_found"};
  record.token = kTokens[static_cast<int>(answer.kind)];
  co_return Dispatched{MakeTrackingResponse(answer, head, ctx), false};
}

}  // namespace

boost::asio::awaitable<Dispatched> Dispatch(const Request& request, const std::string& peer_ip,
                                            bool tls_listener, ReplyContext ctx,
                                            const DispatchDeps& deps, AccessRecord& record) {
  const ClientOrigin origin =
      ResolveOrigin(OriginInput{peer_ip, tls_listener, JoinedHeader(request, "X-Forwarded-For"),
                                JoinedHeader(request, "X-Forwarded-Proto")},
                    deps.options.trusted_proxies);
  record.peer = origin.client_ip;

  const Target target = SplitTarget(request.target());
  const Route route = ParseRoute(target.path);
  if (route.kind == Route::Kind::kHealth) {
    record.token = "ok";
    co_return Dispatched{MakeTextResponse(bhttp::status::ok, "ok", ctx), false};
  }
  if (route.kind == Route::Kind::kClick || route.kind == Route::Kind::kOpen) {
    co_return co_await DispatchTracking(request, route, origin, ctx, deps, record);
  }
  if (route.kind == Route::Kind::kNotFound) {
    co_return Dispatched{MakeTextResponse(bhttp::status::not_found, "", ctx), false};
  }
  record.service = route.service == auth::Service::kForm ? "form" : "mail";
  record.operation = route.operation;

  const DecodedParams decoded = DecodeParams(target.query, request[bhttp::field::content_type],
                                             request.body(), deps.options.limits.max_params);
  if (!decoded.unknown_encoding.empty()) {
    spdlog::warn("request {}: unknown bmEncoding '{}', guessing per value", ctx.request_id,
                 LogWord(decoded.unknown_encoding));
  }
  if (auto failure = DecodeFailure(decoded, ctx, record)) co_return std::move(*failure);
  if (auto mailing = decoded.params.Get("bmMailingId")) record.mailing_id = *mailing;

  InFlightSlot slot(deps.in_flight, deps.options.max_in_flight);
  if (!slot.admitted()) {
    record.token = "system_error";
    co_return Dispatched{MakeUnavailableResponse(ctx), false};
  }
  const auth::RequestInfo info{route.service,   route.code,
                               route.operation, std::string(request.method_string()),
                               origin.protocol, origin.client_ip};
  const Params& params = decoded.params;
  std::optional<ops::Answer> answered;
  if (deps.inline_handler) answered = co_await CallInline(deps.inline_handler, info, params);
  if (!answered) answered = co_await CallBlocking(deps.pool, deps.handler, info, params);
  const ops::Answer& answer = *answered;
  HttpReply reply = MakeApiReply(answer, params, ctx);
  record.token = std::move(reply.log_token);
  co_return Dispatched{std::move(reply.response), false};
}

}  // namespace campaignd::http
