#include "testing/fixtures.h"

#include <cstdio>
#include <cstdlib>

#include "auth/code_hash.h"

namespace campaignd::testing {
namespace {

using store::MailingStatus;
using store::MailingType;

store::Mailing MakeMailing(int64_t client, int64_t id, MailingType type, MailingStatus status,
                           int64_t list, std::string target_group) {
  store::Mailing m;
  m.client_id = client;
  m.id = id;
  m.name = "mailing-" + std::to_string(id);
  m.type = type;
  m.status = status;
  m.list_ids = {list};
  m.target_group = std::move(target_group);
  m.from = "Shoe Store <shop@example.com>";
  m.reply_to = "help@example.com";
  m.subject = "Thank you, {firstname}";
  m.text = "Hello {firstname|customer}, your order is on its way.";
  m.html = "<p>Hello {firstname|customer}, your order is on its way.</p>";
  return m;
}

store::AuthCode MakeCode(int64_t client, const char* base, int64_t list) {
  store::AuthCode c;
  c.code_hash = auth::HashCode(CodeFor(base, client));
  c.name = base;
  c.client_id = client;
  c.list_id = list;
  return c;
}

}  // namespace

std::string CodeFor(const char* base, int64_t client_id) {
  std::string code = base;
  if (client_id != 1) code += "-C" + std::to_string(client_id);
  return code;
}

store::ClientSpec ShoeStore(int64_t client_id) {
  const int64_t off = (client_id - 1) * 10000;
  store::ClientSpec spec;
  spec.client.id = client_id;
  spec.client.name = "Shoe Store " + std::to_string(client_id);
  spec.client.transport = "file:outbox";
  spec.client.redirect_hosts = {"www.example.com"};
  spec.client.bounce_limit = 3;
  spec.client.mail_id_secret = std::string(kSecret) + std::to_string(client_id);

  store::RecipientList customers{client_id, 100 + off, "Customers", store::ListKind::kStandard,
                                 false, {{"firstname", "text"}, {"orders", "int"}}};
  store::RecipientList partners{client_id, 200 + off, "Partners", store::ListKind::kStandard,
                                false, {{"firstname", "text"}}};
  store::RecipientList tx{client_id, 300 + off, "Transactions", store::ListKind::kTransaction,
                          false, {{"firstname", "text"}}};
  spec.lists = {customers, partners, tx};

  spec.recipients.push_back(
      {100 + off, "john.smith@example.com", {{"firstname", "John"}, {"orders", "3"}}});
  spec.recipients.push_back({100 + off, "jane@example.com", {{"firstname", "Jane"}, {"orders", "0"}}});

  spec.mailings = {
      MakeMailing(client_id, 5000 + off, MailingType::kEvent, MailingStatus::kSending, 100 + off,
                  "orders >= 1"),
      MakeMailing(client_id, 5001 + off, MailingType::kRegular, MailingStatus::kSending, 100 + off,
                  ""),
      MakeMailing(client_id, 5002 + off, MailingType::kEvent, MailingStatus::kPaused, 100 + off, ""),
      MakeMailing(client_id, 5003 + off, MailingType::kEvent, MailingStatus::kSending, 200 + off, ""),
      MakeMailing(client_id, 5004 + off, MailingType::kEvent, MailingStatus::kSending, 100 + off, ""),
  };

  spec.codes.push_back(MakeCode(client_id, kFormCode, 100 + off));
  spec.codes.push_back(MakeCode(client_id, kIpCode, 100 + off));
  spec.codes.back().ips = {"10.0.0.0/8"};
  spec.codes.push_back(MakeCode(client_id, kPostCode, 100 + off));
  spec.codes.back().methods = {"POST"};
  spec.codes.push_back(MakeCode(client_id, kHttpsCode, 100 + off));
  spec.codes.back().protocols = {"https"};
  spec.codes.push_back(MakeCode(client_id, kNopCode, 100 + off));
  spec.codes.back().operations = {"nop"};
  spec.codes.push_back(MakeCode(client_id, kDisabledCode, 100 + off));
  spec.codes.back().enabled = false;
  spec.codes.push_back(MakeCode(client_id, kList200Code, 200 + off));
  return spec;
}

void ApplyShoeStore(store::Provisioner& provisioner, int64_t client_id) {
  Status s = provisioner.Apply({ShoeStore(client_id)});
  if (!s.ok()) {
    std::fprintf(stderr, "ApplyShoeStore: %s\n", s.ToString().c_str());
    std::abort();
  }
}

}  // namespace campaignd::testing
