#include "http/server.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <cassert>
#include <exception>

#include "core/log_text.h"
#include "http/listen.h"
#include "http/session.h"

namespace campaignd::http {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

// After an accept error (e.g. out of file descriptors) wait this long
// before accepting again, instead of spinning.
constexpr std::chrono::milliseconds kAcceptErrorPause{100};

void LogCoroutineEnd(const char* what, std::exception_ptr e) {
  if (!e) return;
  try {
    std::rethrow_exception(e);
  } catch (const std::exception& ex) {
    spdlog::error("http: {} ended with an exception: {}", what, LogText(ex.what()));
  }
}

}  // namespace

Server::Server(ServerOptions options, ApiHandler handler, InlineHandler inline_handler,
               TrackingHandler tracking)
    : options_(std::move(options)),
      handler_(std::move(handler)),
      inline_handler_(std::move(inline_handler)),
      tracking_(std::move(tracking)) {}

Server::Server(ServerOptions options, RawHandler raw)
    : options_(std::move(options)), raw_(std::move(raw)) {
  assert(raw_->plan && raw_->handle && raw_->refuse);
}

Server::~Server() { Stop(); }

Status Server::Listen(const std::string& endpoint, bool tls) {
  auto acceptor = std::make_unique<Acceptor>(asio::make_strand(io_));
  CAMPAIGND_RETURN_IF_ERROR(OpenListener(io_, endpoint, *acceptor));
  (tls ? tls_acceptor_ : plain_acceptors_.emplace_back()) = std::move(acceptor);
  return Status::Ok();
}

asio::awaitable<void> Server::AcceptLoop(Acceptor& acceptor, bool tls) {
  const SessionDeps deps{
      DispatchDeps{options_, handler_, inline_handler_, tracking_, *pool_, in_flight_}, registry_,
      next_request_id_, raw_ ? &*raw_ : nullptr};
  const auto as_tuple = asio::as_tuple(asio::use_awaitable);
  for (;;) {
    auto [ec, socket] = co_await acceptor.async_accept(asio::make_strand(io_), as_tuple);
    if (ec == asio::error::operation_aborted || !acceptor.is_open()) co_return;
    if (ec) {
      spdlog::warn("http: accept failed: {}", ec.message());
      asio::steady_timer timer(acceptor.get_executor(), kAcceptErrorPause);
      co_await timer.async_wait(as_tuple);
      continue;
    }
    const asio::any_io_executor strand = socket.get_executor();
    if (tls) {
      asio::co_spawn(strand, RunTlsSession(std::move(socket), *tls_context_, deps),
                     [](std::exception_ptr e) { LogCoroutineEnd("TLS connection", e); });
    } else {
      asio::co_spawn(strand, RunPlainSession(std::move(socket), deps),
                     [](std::exception_ptr e) { LogCoroutineEnd("connection", e); });
    }
  }
}

void Server::StartAccepting(Acceptor& acceptor, bool tls) {
  asio::co_spawn(acceptor.get_executor(), AcceptLoop(acceptor, tls),
                 [](std::exception_ptr e) { LogCoroutineEnd("accept loop", e); });
}

Status Server::ListenAll() {
  for (const std::string& endpoint : options_.listen) {
    CAMPAIGND_RETURN_IF_ERROR(Listen(endpoint, /*tls=*/false));
  }
  if (!options_.tls) return Status::Ok();
  tls_context_.emplace(asio::ssl::context::tls_server);
  CAMPAIGND_RETURN_IF_ERROR(
      LoadTlsContext(options_.tls->cert_file, options_.tls->key_file, *tls_context_));
  return Listen(options_.tls->endpoint, /*tls=*/true);
}

Status Server::Start() {
  assert(!running_ && io_threads_.empty());
  if (Status status = ListenAll(); !status.ok()) {
    plain_acceptors_.clear();  // nothing listens after a failed start
    tls_acceptor_.reset();
    return status;
  }
  pool_.emplace(std::max<std::size_t>(1, options_.blocking_threads));
  for (auto& acceptor : plain_acceptors_) StartAccepting(*acceptor, false);
  if (tls_acceptor_) StartAccepting(*tls_acceptor_, true);
  work_.emplace(io_.get_executor());
  for (std::size_t i = 0; i < std::max<std::size_t>(1, options_.io_threads); ++i) {
    io_threads_.emplace_back([this] { io_.run(); });
  }
  running_ = true;
  spdlog::info("http: listening on {} plain and {} TLS endpoint(s)", plain_acceptors_.size(),
               tls_acceptor_ ? 1 : 0);
  return Status::Ok();
}

void Server::Stop() {
  if (!running_) return;
  running_ = false;
  auto close_acceptor = [](Acceptor& acceptor) {
    asio::post(acceptor.get_executor(), [&acceptor] {
      boost::system::error_code ignored;
      acceptor.close(ignored);
    });
  };
  for (auto& acceptor : plain_acceptors_) close_acceptor(*acceptor);
  if (tls_acceptor_) close_acceptor(*tls_acceptor_);

  registry_.BeginStop();
  const auto grace_end = std::chrono::steady_clock::now() + options_.timeouts.shutdown_grace;
  if (!registry_.WaitEmpty(grace_end)) {
    spdlog::warn("http: shutdown grace over; closing the remaining connections");
    registry_.CloseAll();
  }
  pool_->join();  // blocking work still running finishes; its connections then end
  registry_.WaitEmpty(std::chrono::steady_clock::now() + options_.timeouts.linger);
  work_.reset();
  io_.stop();
  for (std::thread& t : io_threads_) t.join();
  io_threads_.clear();
  spdlog::info("http: stopped");
}

uint16_t Server::BoundPort() const {
  if (plain_acceptors_.empty()) return 0;
  boost::system::error_code ec;
  const auto endpoint = plain_acceptors_.front()->local_endpoint(ec);
  return ec ? 0 : endpoint.port();
}

uint16_t Server::TlsBoundPort() const {
  if (!tls_acceptor_) return 0;
  boost::system::error_code ec;
  const auto endpoint = tls_acceptor_->local_endpoint(ec);
  return ec ? 0 : endpoint.port();
}

}  // namespace campaignd::http
