// RecipientOpsTestEnv: OpsTestEnv plus what the recipient operations'
// tests share: opt-in processes 1 (single), 2 (confirmed), 3 (double, with
// a confirmation URL) on confirmation mailing 5010, kTransactionCode, readers of the stored
// recipient and a mail-service caller for a recipient. Test-only.
#ifndef CAMPAIGND_OPS_RECIPIENT_OPS_TEST_ENV_H_
#define CAMPAIGND_OPS_RECIPIENT_OPS_TEST_ENV_H_

#include <gtest/gtest.h>

#include "auth/code_hash.h"
#include "core/mail_id.h"
#include "ops/ops_test_env.h"

namespace campaignd::ops {

inline constexpr char kConfirmUrl[] = "https://www.example.com/thanks";
inline constexpr char kTransactionCode[] = "TXCODE-300";  // list 300 (transaction)

class RecipientOpsTestEnv : public OpsTestEnv {
 public:
  RecipientOpsTestEnv() {
    store::ClientSpec spec = testing::ShoeStore(1);
    store::Mailing confirm;
    confirm.id = 5010;
    confirm.name = "confirm";
    confirm.type = store::MailingType::kConfirmation;
    confirm.status = store::MailingStatus::kSending;
    confirm.list_ids = {100};
    confirm.from = "shop@example.com";
    confirm.subject = "Confirm";
    confirm.text = "{bmOptInUrl}";
    spec.mailings.push_back(confirm);
    spec.optins = {{0, 1, "single", store::OptInKind::kSingle, 0, ""},
                   {0, 2, "confirmed", store::OptInKind::kConfirmed, 5010, ""},
                   {0, 3, "double", store::OptInKind::kDouble, 5010, kConfirmUrl}};
    store::AuthCode tx;
    tx.code_hash = auth::HashCode(kTransactionCode);
    tx.name = "tx";
    tx.list_id = 300;
    spec.codes.push_back(tx);
    Status applied = store.provisioner().Apply({spec});
    EXPECT_TRUE(applied.ok()) << applied.ToString();
  }

  std::optional<store::Recipient> Stored(const std::string& id, int64_t list = 100) {
    auto r = store.engine().recipients().FindRecipient(1, list, id);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : std::nullopt;
  }
  // The mails of client 1 with sequence >= `from`, up to the first gap.
  std::vector<store::Mail> MailsFrom(int64_t from) {
    std::vector<store::Mail> mails;
    for (int64_t seq = from;; ++seq) {
      auto m = store.queue().FindMail(1, seq);
      if (!m.ok() || !m->has_value()) return mails;
      mails.push_back(**m);
    }
  }
  // A mail of mailing 5004 to `id` in list 100; its mail ID text.
  std::string MailIdFor(const std::string& id) {
    auto seq = store.queue().Enqueue({1, 100, 5004, id, {}, clock.Now()});
    EXPECT_TRUE(seq.ok());
    last_sequence = *seq;
    return MailId::Make(1, *seq, std::string(testing::kSecret) + "1").ToString();
  }
  Answer Mail(const std::string& mail_id, std::string operation,
              std::initializer_list<std::pair<std::string, std::string>> params) {
    return Call(auth::Service::kMail, mail_id, std::move(operation), params);
  }

  int64_t last_sequence = 0;
};

}  // namespace campaignd::ops

#endif  // CAMPAIGND_OPS_RECIPIENT_OPS_TEST_ENV_H_
