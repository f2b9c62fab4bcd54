// FileTransport: "delivers" by writing each message to DIR/<mail_id>.eml, the
// embedded default transport (a first run needs no mail server) and the one
// the end-to-end tests read. Built by OpenTransport() for file:DIR URLs.
// Input: mail_id is checked to be a safe file name ([A-Za-z0-9-]+).
// Threads: Deliver() is safe from many threads (one file per mail ID).
// Errors: a bad mail ID is a permanent failure; any I/O error (disk full,
// permission, missing directory that cannot be made) is temporary, with the
// errno text; nothing throws.
#ifndef CAMPAIGND_DELIVER_FILE_TRANSPORT_H_
#define CAMPAIGND_DELIVER_FILE_TRANSPORT_H_

#include <memory>
#include <string>
#include <string_view>

#include "core/status.h"
#include "deliver/transport.h"

namespace campaignd::deliver {

class FileTransport final : public Transport {
 public:
  // Creates `dir` (and its parents) if missing. IOError naming the directory
  // and the errno text when it cannot be made.
  static Result<std::unique_ptr<Transport>> Open(std::string dir, std::string described);

  // Writes DIR/.<mail_id>.tmp, fsyncs it, renames it to DIR/<mail_id>.eml and
  // fsyncs DIR: a reader sees the whole file or none. An existing file of the
  // same mail ID is replaced (delivery is at-least-once). The envelope's
  // addresses are not recorded; the message's headers name the recipient.
  // Result: kDelivered with reply "250 written to <path>" and smtp_code 0.
  DeliveryResult Deliver(const Envelope& envelope, std::string_view message) override;
  std::string Describe() const override { return described_; }

 private:
  FileTransport(std::string dir, std::string described)
      : dir_(std::move(dir)), described_(std::move(described)) {}

  // Constant after construction.
  const std::string dir_;
  const std::string described_;
};

}  // namespace campaignd::deliver

#endif  // CAMPAIGND_DELIVER_FILE_TRANSPORT_H_
