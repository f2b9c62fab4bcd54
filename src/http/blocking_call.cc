#include "http/blocking_call.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <exception>
#include <string>

namespace campaignd::http {
namespace {

ops::Answer RunGuarded(const std::function<ops::Answer()>& work) {
  try {
    return work();
  } catch (const std::exception& e) {
    return ops::Answer{Status::Internal(std::string("handler threw: ") + e.what()), {}};
  }
}

}  // namespace

boost::asio::awaitable<ops::Answer> CallBlocking(boost::asio::thread_pool& pool,
                                                 std::function<ops::Answer()> work) {
  co_return co_await boost::asio::co_spawn(
      pool,
      [work = std::move(work)]() -> boost::asio::awaitable<ops::Answer> {
        co_return RunGuarded(work);
      },
      boost::asio::use_awaitable);
}

}  // namespace campaignd::http
