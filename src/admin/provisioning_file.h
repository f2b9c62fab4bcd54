// The provisioning file (`campaignd apply FILE`): TOML describing clients and
// everything in them (lists, recipients, mailings, codes, DKIM keys,
// blocklist). LoadProvisioningFile reads and validates the whole file before
// anything is applied and turns it into store::ClientSpecs for
// Provisioner::Apply. Format, code naming and what re-apply changes:
// docs/decisions/0006-provisioning-file.md; example: examples/demo.toml.
// Callers: admin/commands.cc (RunApply).
// Input: an operator's file; every value is checked. Paths in it (DKIM key
// files) are relative to the file's directory.
// Errors: InvalidArgument listing the problems, one per line, each
// "FILE:LINE: what is wrong"; a failed lookup in the database keeps its own
// code (Unavailable, IOError...).
#ifndef CAMPAIGND_ADMIN_PROVISIONING_FILE_H_
#define CAMPAIGND_ADMIN_PROVISIONING_FILE_H_

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/address.h"
#include "core/status.h"
#include "store/sql/events.h"
#include "store/store.h"

namespace campaignd::admin {

// A code generated because the file gave none and its name is new. Its
// clear text exists only here: the spec holds its hash. Show it once.
struct GeneratedCode {
  int64_t client_id = 0;
  int64_t list_id = 0;
  std::string name;
  std::string code;
};

// The signing secret of a webhook the file creates (new id): shown once,
// as the hex text receivers use as the HMAC key (webhook/subscription.h).
struct GeneratedWebhookSecret {
  int64_t client_id = 0;
  int64_t webhook_id = 0;
  std::string secret;
};

struct Provisioning {
  std::vector<store::ClientSpec> clients;
  std::vector<GeneratedCode> generated_codes;
  std::vector<GeneratedWebhookSecret> generated_webhook_secrets;
  // [[client.webhook]] of every client (store/sql/provisioner_webhooks.h).
  std::vector<store::events::Webhook> webhooks;
};

// What validation needs from the database: lists the file refers to but does
// not define, which code names exist (a code without `code` whose name
// exists keeps its stored hash), and which code a hash already belongs to (a
// code may not be reused under another name or client).
struct ExistingRecords {
  std::function<Result<std::optional<store::RecipientList>>(int64_t client_id, int64_t list_id)>
      find_list;
  std::function<Result<std::vector<std::string>>(int64_t client_id)> code_names;
  std::function<Result<std::optional<store::AuthCode>>(const std::string& code_hash)> find_code;
  // IDs of a client's webhooks (a new one gets its signing secret); unset: none.
  std::function<Result<std::vector<int64_t>>(int64_t client_id)> webhook_ids;
  // The stored clients (bounce domains and complaint addresses must stay
  // distinct across clients); unset: none.
  std::function<Result<std::vector<store::Client>>()> clients;
};

// Reads `file` and validates it against `existing`. Recipient IDs that are
// address literals (user@[192.0.2.1]) are errors unless `literals` allows
// them (the setting allow_address_literals).
Result<Provisioning> LoadProvisioningFile(const std::filesystem::path& file,
                                          const ExistingRecords& existing,
                                          AddressLiterals literals = AddressLiterals::kRefuse);

// The same for text already in memory; `file_name` is used in messages and
// `base_dir` resolves relative paths.
Result<Provisioning> ParseProvisioning(std::string_view text, std::string_view file_name,
                                       const std::filesystem::path& base_dir,
                                       const ExistingRecords& existing,
                                       AddressLiterals literals = AddressLiterals::kRefuse);

}  // namespace campaignd::admin

#endif  // CAMPAIGND_ADMIN_PROVISIONING_FILE_H_
