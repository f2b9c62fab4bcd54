#include "admin/api/listener.h"

#include <boost/asio/ip/address.hpp>

#include "admin/api/answer.h"

namespace campaignd::admin::api {
namespace {

// admin_listen must name an IP address (no name lookup for the admin API).
Status CheckEndpoint(const std::string& text) {
  const auto colon = text.rfind(':');
  if (colon == std::string::npos) return Status::InvalidArgument("admin_listen: expected HOST:PORT");
  std::string host = text.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[') host = host.substr(1, host.size() - 2);
  boost::system::error_code ec;
  boost::asio::ip::make_address(host, ec);
  const std::optional<int64_t> port = ParseInt64(text.substr(colon + 1));
  if (ec || !port || *port < 0 || *port > 65535) {
    return Status::InvalidArgument("admin_listen: '" + text + "' is not an IP address and port");
  }
  return Status::Ok();
}

// The error code of a request the listener refuses by status.
std::string_view RefusalCode(int status) {
  switch (status) {
    case 413:
      return "payload_too_large";
    case 414:
      return "uri_too_long";
    case 431:
      return "header_too_large";
    case 500:
      return "internal";
    case 503:
      return "unavailable";
    default:
      return "bad_request";
  }
}

http::RawResponse ToRaw(AdminResponse response) {
  return http::RawResponse{response.status, std::move(response.content_type),
                           std::move(response.body), std::move(response.stream)};
}

http::RawHandler MakeRawHandler(AdminHandler handler) {
  http::RawHandler raw;
  raw.plan = [](std::string_view method, std::string_view target, std::string_view) {
    const BodyRule rule = BodyRuleFor(method, target);
    return http::RequestPlan{rule.stream, rule.max_bytes, std::string(rule.route)};
  };
  raw.handle = [handler = std::move(handler)](const http::RawRequest& in) {
    AdminRequest request;
    request.method = in.method;
    request.target = in.target;
    request.authorization = in.authorization;
    request.content_type = in.content_type;
    request.body = in.body;
    request.body_reader = in.read_body;
    return ToRaw(handler(request));
  };
  raw.refuse = [](int status, std::string_view problem) {
    return ToRaw(ErrorAnswer(status, RefusalCode(status), problem));
  };
  return raw;
}

http::ServerOptions ServerOptionsFor(const AdminListenerOptions& options) {
  http::ServerOptions server;
  server.listen = {options.listen};
  server.io_threads = 1;
  server.blocking_threads = options.blocking_threads;
  server.timeouts = options.timeouts;
  return server;
}

}  // namespace

AdminListener::AdminListener(AdminListenerOptions options, AdminHandler handler)
    : listen_(options.listen),
      server_(std::make_unique<http::Server>(ServerOptionsFor(options),
                                             MakeRawHandler(std::move(handler)))) {}

AdminListener::~AdminListener() { Stop(); }

Status AdminListener::Start() {
  CAMPAIGND_RETURN_IF_ERROR(CheckEndpoint(listen_));
  Status started = server_->Start();
  if (!started.ok()) return Status::IOError("admin API: " + started.message());
  return Status::Ok();
}

void AdminListener::Stop() { server_->Stop(); }

}  // namespace campaignd::admin::api
