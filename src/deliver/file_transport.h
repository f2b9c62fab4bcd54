// FileTransport: "delivers" by writing each message to ROOT/DIR/<mail_id>.eml,
// the embedded default transport (a first run needs no mail server) and the
// one the end-to-end tests read. Built by OpenTransport() for file:DIR URLs;
// ROOT is the operator's outbox_root (TransportOptions), DIR the URL's
// relative directory. Confinement (docs/decisions/0014-relay-policy.md): DIR
// is walked one component at a time from ROOT with openat(O_NOFOLLOW), so
// neither "..", an absolute path nor a symbolic link below ROOT leads out of
// it, however the directories change after the URL was checked.
// Input: mail_id is checked to be a safe file name ([A-Za-z0-9-]+).
// Threads: Deliver() is safe from many threads (one file per mail ID).
// Errors: a bad mail ID is a permanent failure; any I/O error (disk full,
// permission, missing directory that cannot be made, a symbolic link on the
// way) is temporary, with the errno text; nothing throws.
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
  // Creates ROOT if missing (the operator named it) and the missing
  // directories of DIR below it. InvalidArgument when `dir` is empty,
  // absolute or has a ".." segment; IOError "cannot create mail directory
  // ROOT/DIR: why" when a directory cannot be made or a component is a
  // symbolic link or not a directory.
  static Result<std::unique_ptr<Transport>> Open(std::string root, std::string dir,
                                                 std::string described);

  // Writes ROOT/DIR/.<mail_id>.tmp, fsyncs it, renames it to <mail_id>.eml
  // and fsyncs the directory: a reader sees the whole file or none. An
  // existing file of the same mail ID is replaced (delivery is
  // at-least-once). The envelope's addresses are not recorded; the message's
  // headers name the recipient. Directories that vanished are made again.
  // Result: kDelivered with reply "250 written to <path>" and smtp_code 0.
  DeliveryResult Deliver(const Envelope& envelope, std::string_view message) override;
  std::string Describe() const override { return described_; }

 private:
  FileTransport(std::string root, std::string dir, std::string described);

  // Constant after construction.
  const std::string root_;
  const std::string dir_;
  const std::string path_;  // root_/dir_, for messages
  const std::string described_;
};

}  // namespace campaignd::deliver

#endif  // CAMPAIGND_DELIVER_FILE_TRANSPORT_H_
