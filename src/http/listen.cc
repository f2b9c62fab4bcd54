#include "http/listen.h"

namespace campaignd::http {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

// Splits "host:port" / "[v6]:port"; false when there is no port.
bool SplitHostPort(const std::string& endpoint, std::string* host, std::string* port) {
  const std::size_t colon = endpoint.rfind(':');
  if (colon == std::string::npos || colon + 1 == endpoint.size()) return false;
  *host = endpoint.substr(0, colon);
  *port = endpoint.substr(colon + 1);
  if (host->size() >= 2 && host->front() == '[' && host->back() == ']') {
    *host = host->substr(1, host->size() - 2);
  }
  return !host->empty();
}

}  // namespace

Result<tcp::endpoint> ResolveListenEndpoint(asio::io_context& io, const std::string& endpoint) {
  std::string host, port;
  if (!SplitHostPort(endpoint, &host, &port)) {
    return Status::InvalidArgument("listen address '" + endpoint + "' is not host:port");
  }
  boost::system::error_code ec;
  tcp::resolver resolver(io);
  const auto results = resolver.resolve(host, port, tcp::resolver::passive, ec);
  if (ec || results.empty()) {
    return Status::InvalidArgument("cannot resolve listen address '" + endpoint +
                                   "': " + ec.message());
  }
  return results.begin()->endpoint();
}

Status LoadTlsContext(const std::string& cert_file, const std::string& key_file,
                      asio::ssl::context& context) {
  boost::system::error_code ec;
  context.set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                          asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 |
                          asio::ssl::context::no_tlsv1_1,
                      ec);
  if (!ec) context.use_certificate_chain_file(cert_file, ec);
  if (ec) return Status::IOError("TLS certificate " + cert_file + ": " + ec.message());
  context.use_private_key_file(key_file, asio::ssl::context::pem, ec);
  if (ec) return Status::IOError("TLS key " + key_file + ": " + ec.message());
  return Status::Ok();
}

}  // namespace campaignd::http
