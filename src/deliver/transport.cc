#include "deliver/transport.h"

#include <utility>

#include "deliver/file_transport.h"
#include "deliver/smtp_transport.h"
#include "deliver/transport_url.h"

namespace campaignd::deliver {

Result<std::unique_ptr<Transport>> OpenTransport(std::string_view url,
                                                 const TransportOptions& options) {
  Result<TransportUrl> parsed = ParseTransportUrl(url, options.default_connections);
  if (!parsed.ok()) return parsed.status().WithContext("transport URL");
  if (parsed->file_dir) {
    return FileTransport::Open(options.outbox_root, std::move(*parsed->file_dir),
                               std::move(parsed->described));
  }
  return SmtpTransport::Open(std::move(*parsed->smtp), options, std::move(parsed->described));
}

}  // namespace campaignd::deliver
