#include "http/blocking_call.h"

#include <spdlog/spdlog.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <exception>
#include <string>

namespace campaignd::http {
namespace {

// The pool side. A plain coroutine function, not a capturing lambda: g++ 12
// frees a lambda's init-captures twice when the lambda is made inside a
// coroutine.
boost::asio::awaitable<ops::Answer> RunGuarded(const ApiHandler& handler,
                                               const auth::RequestInfo& info,
                                               const Params& params) {
  try {
    co_return handler(info, params);
  } catch (const std::exception& e) {
    co_return ops::Answer{Status::Internal(std::string("handler threw: ") + e.what()), {}};
  }
}

boost::asio::awaitable<RawResponse> RunGuardedRaw(const RawHandler& handler,
                                                  const RawRequest& request) {
  try {
    co_return handler.handle(request);
  } catch (const std::exception& e) {
    co_return handler.refuse(500, std::string("the handler threw: ") + e.what());
  }
}

boost::asio::awaitable<Status> RunGuardedStream(const RawResponse& response,
                                                const ChunkWriter& writer) {
  try {
    co_return response.stream(writer);
  } catch (const std::exception& e) {
    co_return Status::Internal(std::string("the answer's stream threw: ") + e.what());
  }
}

boost::asio::awaitable<TrackingAnswer> RunGuardedTracking(const TrackingHandler& handler,
                                                          const TrackingRequest& request) {
  try {
    co_return handler(request, true);
  } catch (const std::exception& e) {
    spdlog::error("tracking handler threw: {}", e.what());
    co_return TrackingAnswer{};
  }
}

}  // namespace

boost::asio::awaitable<TrackingAnswer> CallBlocking(boost::asio::thread_pool& pool,
                                                    const TrackingHandler& handler,
                                                    const TrackingRequest& request) {
  return boost::asio::co_spawn(pool, RunGuardedTracking(handler, request),
                               boost::asio::use_awaitable);
}

boost::asio::awaitable<RawResponse> CallBlocking(boost::asio::thread_pool& pool,
                                                 const RawHandler& handler,
                                                 const RawRequest& request) {
  return boost::asio::co_spawn(pool, RunGuardedRaw(handler, request), boost::asio::use_awaitable);
}

boost::asio::awaitable<Status> CallBlocking(boost::asio::thread_pool& pool,
                                            const RawResponse& response,
                                            const ChunkWriter& writer) {
  return boost::asio::co_spawn(pool, RunGuardedStream(response, writer),
                               boost::asio::use_awaitable);
}

boost::asio::awaitable<ops::Answer> CallBlocking(boost::asio::thread_pool& pool,
                                                 const ApiHandler& handler,
                                                 const auth::RequestInfo& info,
                                                 const Params& params) {
  return boost::asio::co_spawn(pool, RunGuarded(handler, info, params), boost::asio::use_awaitable);
}

}  // namespace campaignd::http
