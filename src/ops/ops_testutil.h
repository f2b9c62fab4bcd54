// The ops tests' shared set-up (test-only):
// - OpsTestEnv: a real temporary store with the fixture client, a fake
//   clock, a counting notifier, and helpers to send one request through
//   HandleRequest.
// - RecipientOpsTestEnv: OpsTestEnv plus what the recipient operations'
//   tests share: opt-in processes 1 (single), 2 (confirmed), 3 (double, with
//   a confirmation URL) on confirmation mailing 5010, kTransactionCode,
//   readers of the stored recipient and its events, and a mail-service
//   caller for a recipient.
// - TransactionTestEnv: OpsTestEnv plus what the transaction-mail operations
//   need - the attachment store and mailing lookup wired into Deps, client 1
//   with attachments enabled, list 300 (transaction; fields firstname text,
//   orders int) with code kTxCode and event mailing 5005 SENDING on it, and
//   helpers for multipart files.
#ifndef CAMPAIGND_OPS_OPS_TESTUTIL_H_
#define CAMPAIGND_OPS_OPS_TESTUTIL_H_

#include <gtest/gtest.h>

#include <atomic>
#include <initializer_list>
#include <string>
#include <utility>
#include <vector>

#include "auth/code_hash.h"
#include "core/mail_id.h"
#include "ops/operation.h"
#include "testing/error_store.h"
#include "testing/fake_clock.h"
#include "testing/fixtures.h"
#include "testing/temp_store.h"

namespace campaignd::ops {

class CountingNotifier final : public Notifier {
 public:
  void Notify() override { ++count; }
  std::atomic<int> count{0};
};

class OpsTestEnv {
 public:
  OpsTestEnv() : errors(store.directory(), store.queue()) {
    testing::ApplyShoeStore(store.provisioner());
  }

  Deps deps() {
    Deps d{errors, errors, store.engine().recipients(), clock, notifier, settings};
    d.coordination = &store.engine().coordination();
    return d;
  }

  // One request; `code` is a form code or a mail ID text.
  Answer Call(auth::Service service, std::string code, std::string operation,
              std::initializer_list<std::pair<std::string, std::string>> params,
              std::string method = "GET", std::string protocol = "http",
              std::string ip = "127.0.0.1") {
    auth::RequestInfo info{service, std::move(code), std::move(operation), std::move(method),
                           std::move(protocol), std::move(ip)};
    Params p;
    for (const auto& [k, v] : params) p.Add(k, v);
    Deps d = deps();
    return HandleRequest(info, p, d);
  }
  Answer Form(std::string operation,
              std::initializer_list<std::pair<std::string, std::string>> params,
              const char* code = testing::kFormCode) {
    return Call(auth::Service::kForm, code, std::move(operation), params);
  }

  testing::TempStore store;
  testing::ErrorStore errors;
  testing::FakeClock clock;
  CountingNotifier notifier;
  Settings settings;  // what deps() hands the operations
};

// The body of an answer ("system_error" for a failed Status).
inline std::string Body(const Answer& a) {
  return a.result.ok() ? a.result->Body() : "status: " + a.result.status().ToString();
}

// --- RecipientOpsTestEnv ---
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
  // Client 1's events of `type` (events.md §1), by id, each as
  // "<list> <mail or 0> <address> <data>".
  std::vector<std::string> Events(const std::string& type) {
    const store::SqlValue params[] = {type};
    auto rows = store.engine().runner().Query(
        "SELECT list_id, coalesce(mail_seq, 0), address, data FROM events "
        "WHERE client_id = 1 AND type = $1 ORDER BY id",
        params, 4, "test: read events");
    EXPECT_TRUE(rows.ok()) << rows.status().ToString();
    std::vector<std::string> events;
    if (!rows.ok()) return events;
    for (const store::SqlRow& row : *rows) {
      events.push_back(store::CellText(row, 0) + " " + store::CellText(row, 1) + " " +
                       store::CellText(row, 2) + " " + store::CellText(row, 3));
    }
    return events;
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

// --- TransactionTestEnv ---
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

#endif  // CAMPAIGND_OPS_OPS_TESTUTIL_H_
