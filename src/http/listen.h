// The one way a campaignd listener opens its socket and loads its TLS
// certificate: "host:port" / "[v6]:port" resolved, bound with SO_REUSEADDR
// and listening; a TLS server context (TLS 1.2 and newer) with the PEM
// certificate chain and key. Used by the HTTP listeners (server.cc) and the
// inbound SMTP listener (events/smtp_server.cc).
// Threads: call before the acceptor or context is shared.
// Errors: InvalidArgument for an endpoint that is not host:port or does not
// resolve, IOError naming the endpoint or file and the system's reason.
#ifndef CAMPAIGND_HTTP_LISTEN_H_
#define CAMPAIGND_HTTP_LISTEN_H_

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/socket_base.hpp>
#include <boost/asio/ssl/context.hpp>
#include <string>

#include "core/status.h"

namespace campaignd::http {

// The address to bind for `endpoint` ("host:port" or "[v6]:port").
Result<boost::asio::ip::tcp::endpoint> ResolveListenEndpoint(boost::asio::io_context& io,
                                                             const std::string& endpoint);

// Opens `acceptor` (any basic_socket_acceptor<tcp, ...>, closed) on
// `endpoint` and makes it listen; `endpoint` also names it in the error.
template <class Acceptor>
Status OpenListener(boost::asio::io_context& io, const std::string& endpoint, Acceptor& acceptor) {
  Result<boost::asio::ip::tcp::endpoint> bind_to = ResolveListenEndpoint(io, endpoint);
  if (!bind_to.ok()) return bind_to.status();
  boost::system::error_code ec;
  acceptor.open(bind_to->protocol(), ec);
  if (!ec) acceptor.set_option(boost::asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor.bind(*bind_to, ec);
  if (!ec) acceptor.listen(boost::asio::socket_base::max_listen_connections, ec);
  if (ec) return Status::IOError("cannot listen on " + endpoint + ": " + ec.message());
  return Status::Ok();
}

// Sets the protocol options of `context` and loads the PEM certificate chain
// `cert_file` and the PEM private key `key_file` into it.
Status LoadTlsContext(const std::string& cert_file, const std::string& key_file,
                      boost::asio::ssl::context& context);

}  // namespace campaignd::http

#endif  // CAMPAIGND_HTTP_LISTEN_H_
