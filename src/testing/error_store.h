// ErrorStore: wraps a real Directory and MailQueue and fails chosen calls
// with a chosen Status, to test how callers answer a store failure (503 on
// Unavailable, system_error otherwise). Test-only (model: leveldb ErrorEnv).
#ifndef CAMPAIGND_TESTING_ERROR_STORE_H_
#define CAMPAIGND_TESTING_ERROR_STORE_H_

#include <atomic>
#include <optional>

#include "store/store.h"

namespace campaignd::testing {

class ErrorStore final : public store::Directory, public store::MailQueue {
 public:
  ErrorStore(store::Directory& directory, store::MailQueue& queue)
      : directory_(directory), queue_(queue) {}

  // From now on, reads fail with `status` (when set) and writes likewise.
  void FailReads(Status status) { read_error_ = std::move(status); }
  void FailWrites(Status status) { write_error_ = std::move(status); }
  void Heal() { read_error_.reset(); write_error_.reset(); }

  Result<std::optional<store::AuthCode>> FindCode(std::string_view h) override {
    if (read_error_) return *read_error_;
    return directory_.FindCode(h);
  }
  Result<std::optional<store::Client>> FindClient(int64_t c) override {
    if (read_error_) return *read_error_;
    return directory_.FindClient(c);
  }
  Result<std::vector<store::DkimKey>> FindDkimKeys(int64_t c) override {
    if (read_error_) return *read_error_;
    return directory_.FindDkimKeys(c);
  }
  Result<std::optional<store::RecipientList>> FindList(int64_t c, int64_t l) override {
    if (read_error_) return *read_error_;
    return directory_.FindList(c, l);
  }
  Result<std::optional<store::Mailing>> FindMailing(int64_t c, int64_t m) override {
    if (read_error_) return *read_error_;
    return directory_.FindMailing(c, m);
  }
  Result<std::optional<store::Recipient>> FindRecipient(int64_t c, int64_t l,
                                                        std::string_view r) override {
    if (read_error_) return *read_error_;
    return directory_.FindRecipient(c, l, r);
  }
  Result<store::Suppression> CheckSuppression(int64_t c, int64_t l, std::string_view a) override {
    if (read_error_) return *read_error_;
    return directory_.CheckSuppression(c, l, a);
  }

  Result<int64_t> Enqueue(const store::NewMail& m) override {
    if (write_error_) return *write_error_;
    return queue_.Enqueue(m);
  }
  Result<std::vector<store::Mail>> Claim(const store::ClaimRequest& r) override {
    if (write_error_) return *write_error_;
    return queue_.Claim(r);
  }
  std::vector<Status> RecordBatch(std::span<const store::Outcome> o) override {
    if (write_error_) return std::vector<Status>(o.size(), *write_error_);
    return queue_.RecordBatch(o);
  }
  Status ReleaseClaims(std::string_view w) override {
    if (write_error_) return *write_error_;
    return queue_.ReleaseClaims(w);
  }
  Status ReleaseClaim(std::string_view w, int64_t id) override {
    if (write_error_) return *write_error_;
    return queue_.ReleaseClaim(w, id);
  }
  Status ReleaseAllClaims() override {
    if (write_error_) return *write_error_;
    return queue_.ReleaseAllClaims();
  }
  Result<std::optional<store::Mail>> FindMail(int64_t c, int64_t id) override {
    if (read_error_) return *read_error_;
    return queue_.FindMail(c, id);
  }
  Result<std::vector<store::MailEvent>> History(int64_t c, int64_t id) override {
    if (read_error_) return *read_error_;
    return queue_.History(c, id);
  }

 private:
  store::Directory& directory_;
  store::MailQueue& queue_;
  std::optional<Status> read_error_;
  std::optional<Status> write_error_;
};

}  // namespace campaignd::testing

#endif  // CAMPAIGND_TESTING_ERROR_STORE_H_
