// Attachments: the files of uploadpersonalizedattachments, kept per client
// under the SHA-256 of their token (the token itself is never stored) until
// they expire (24 h), for sendtransactionmail to attach and the queue's
// processor to load (docs/decisions/0011-transaction-mail-and-attachments.md).
// Callers: ops/ (store, check), queue/ (load). Input: file data are bytes.
// Threads: safe from any thread; every call blocks on the database.
// Errors: as store.h (Unavailable: answer 503); InvalidArgument for an
// upload without files.
#ifndef CAMPAIGND_STORE_ATTACHMENTS_H_
#define CAMPAIGND_STORE_ATTACHMENTS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/status.h"

namespace campaignd::store {

// The key of NewMail::fields under which a transaction mail names its
// upload (the token's hash): field names never start with "bm"
// (docs/decisions/0006), so no recipient field can collide; queue/ removes
// it before rendering.
inline constexpr std::string_view kAttachmentsField = "bmattachments";

struct AttachmentFile {
  std::string file_name;     // as uploaded (UTF-8)
  std::string content_type;  // as uploaded, e.g. "application/pdf"
  std::string data;          // raw bytes
};

struct NewUpload {
  int64_t client_id = 0;
  std::string key;  // lower-case hex SHA-256 of the token (64 characters)
  TimePoint created_at;
  TimePoint expires_at;
  std::vector<AttachmentFile> files;  // in upload order; at least one
};

class Attachments {
 public:
  virtual ~Attachments() = default;
  // Stores `upload` durably and, in the same transaction, deletes every
  // upload (of any client) that expired at or before upload.created_at, so
  // expired files never outlive the next upload. InvalidArgument when
  // upload.files is empty; a failed Status when the key exists already.
  virtual Status StoreUpload(const NewUpload& upload) = 0;
  // Whether the client has an upload under `key` that has not expired at
  // `now` (expires_at > now). Reads no file data.
  virtual Result<bool> UploadUsable(int64_t client_id, std::string_view key, TimePoint now) = 0;
  // The files of that upload in upload order, or nullopt when it is
  // unknown, of another client, expired at `now` or already purged.
  virtual Result<std::optional<std::vector<AttachmentFile>>> FindUpload(int64_t client_id,
                                                                        std::string_view key,
                                                                        TimePoint now) = 0;
};

}  // namespace campaignd::store

#endif  // CAMPAIGND_STORE_ATTACHMENTS_H_
