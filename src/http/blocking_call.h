// The one hand-off from an I/O coroutine to the blocking pool (design
// B6.2): the handler runs on a pool thread while the connection's coroutine
// is suspended; its I/O thread serves other connections meanwhile.
// Callers: http/dispatch.cc, http/session.cc (RawHandler). Threads: the handler runs on `pool`; the
// awaiting coroutine resumes on its own executor.
// Errors: an exception escaping the handler becomes a failed Internal
// Status (answered system_error), so nothing throws into the I/O path.
#ifndef CAMPAIGND_HTTP_BLOCKING_CALL_H_
#define CAMPAIGND_HTTP_BLOCKING_CALL_H_

#include <boost/asio/awaitable.hpp>
#include <boost/asio/thread_pool.hpp>

#include "http/raw_handler.h"
#include "http/server_options.h"

namespace campaignd::http {

// Runs handler(info, params) on `pool` and returns its answer. All three
// references must stay valid until the returned awaitable completes (the
// awaiting frame that owns them is suspended meanwhile).
boost::asio::awaitable<ops::Answer> CallBlocking(boost::asio::thread_pool& pool,
                                                 const ApiHandler& handler,
                                                 const auth::RequestInfo& info,
                                                 const Params& params);

// Runs handler(request, true) on `pool`; an exception escaping it becomes a
// kNotFound answer (logged). References as above.
boost::asio::awaitable<TrackingAnswer> CallBlocking(boost::asio::thread_pool& pool,
                                                    const TrackingHandler& handler,
                                                    const TrackingRequest& request);

// Runs handler.handle(request) on `pool`; an exception escaping it becomes
// handler.refuse(500, ...). References as above.
boost::asio::awaitable<RawResponse> CallBlocking(boost::asio::thread_pool& pool,
                                                 const RawHandler& handler,
                                                 const RawRequest& request);

// Runs response.stream(writer) on `pool`; an exception becomes a failed
// Internal Status. REQUIRES: response.stream set. References as above.
boost::asio::awaitable<Status> CallBlocking(boost::asio::thread_pool& pool,
                                            const RawResponse& response, const ChunkWriter& writer);

}  // namespace campaignd::http

#endif  // CAMPAIGND_HTTP_BLOCKING_CALL_H_
