// TransactionTestEnv: OpsTestEnv plus what the transaction-mail operations
// need - the attachment store and mailing lookup wired into Deps, client 1
// with attachments enabled, list 300 (transaction; fields firstname text,
// orders int) with code kTxCode and event mailing 5005 SENDING on it, and
// helpers for multipart files. Test-only.
#ifndef CAMPAIGND_OPS_TRANSACTION_TEST_ENV_H_
#define CAMPAIGND_OPS_TRANSACTION_TEST_ENV_H_

#include <initializer_list>
#include <string>
#include <utility>
#include <vector>

#include "auth/code_hash.h"
#include "core/mail_id.h"
#include "ops/ops_test_env.h"

namespace campaignd::ops {

inline constexpr char kTxCode[] = "TXCODE-1";

class TransactionTestEnv : public OpsTestEnv {
 public:
  TransactionTestEnv() {
    store::ClientSpec spec = testing::ShoeStore(1);
    spec.client.attachments = true;
    for (store::RecipientList& l : spec.lists) {
      if (l.id == 300) l.fields = {{"firstname", "text"}, {"orders", "int"}};
    }
    store::Mailing tx = spec.mailings.front();
    tx.id = 5005;
    tx.name = "order-confirmation";
    tx.type = store::MailingType::kEvent;
    tx.status = store::MailingStatus::kSending;
    tx.list_ids = {300};
    tx.target_group.clear();
    tx.subject = "Order {orders} for {firstname}";
    tx.html = "<p>Hello {firstname}, order {orders}.</p>";
    spec.mailings.push_back(tx);
    store::AuthCode code;
    code.code_hash = auth::HashCode(kTxCode);
    code.name = "tx";
    code.client_id = 1;
    code.list_id = 300;
    spec.codes.push_back(code);
    Status applied = store.provisioner().Apply({spec});
    EXPECT_TRUE(applied.ok()) << applied.ToString();
  }

  Deps WiredDeps() {
    Deps d = deps();
    d.attachments = &store.engine().attachments();
    d.mailing_lookup = &store.engine().mailing_lookup();
    d.settings.public_url = "https://campaign.example.net";
    return d;
  }

  // One request with `params` and `files`.
  Answer Request(auth::Service service, std::string code, std::string operation,
                 std::initializer_list<std::pair<std::string, std::string>> params,
                 std::vector<UploadedFile> files = {}) {
    auth::RequestInfo info{service, std::move(code), std::move(operation), "POST", "http",
                           "127.0.0.1"};
    Params p;
    for (const auto& [k, v] : params) p.Add(k, v);
    for (UploadedFile& f : files) p.AddFile(std::move(f));
    Deps d = WiredDeps();
    return HandleRequest(info, p, d);
  }
  Answer Tx(std::string operation,
            std::initializer_list<std::pair<std::string, std::string>> params,
            std::vector<UploadedFile> files = {}) {
    return Request(auth::Service::kForm, kTxCode, std::move(operation), params, std::move(files));
  }

  // The stored mail behind an `enqueued: <id>` answer.
  store::Mail StoredMail(const Answer& a) {
    EXPECT_TRUE(a.result.ok() && a.result->token == Token::kEnqueued) << Body(a);
    auto id = MailId::Parse(a.result.ok() ? a.result->detail : "");
    EXPECT_TRUE(id.ok());
    auto mail = store.queue().FindMail(1, id.ok() ? id->sequence() : 0);
    EXPECT_TRUE(mail.ok() && mail->has_value());
    return mail.ok() && mail->has_value() ? **mail : store::Mail{};
  }
};

inline UploadedFile File(std::string name, std::string data,
                         std::string type = "application/pdf", std::string part = "bmFile") {
  return UploadedFile{std::move(part), std::move(name), std::move(type), std::move(data)};
}

}  // namespace campaignd::ops

#endif  // CAMPAIGND_OPS_TRANSACTION_TEST_ENV_H_
