// Fuzz target: provisioning file parsing (src/admin/provisioning_file.h
// ParseProvisioning): TOML syntax, every section's validation, code
// resolution. Relative DKIM key paths resolve against examples/ (so the
// demo keys load); the database behind ExistingRecords is empty.
// Input: the text of a provisioning file.
// Invariants: a failure is InvalidArgument (the file's fault) with a message
// naming the file; a success yields clients with ids > 0.
#include "admin/provisioning_file.h"
#include "fuzz/fuzz_input.h"

using namespace campaignd;

namespace {

admin::ExistingRecords EmptyDatabase() {
  admin::ExistingRecords existing;
  existing.find_list = [](int64_t, int64_t) -> Result<std::optional<store::RecipientList>> {
    return std::optional<store::RecipientList>();
  };
  existing.code_names = [](int64_t) -> Result<std::vector<std::string>> {
    return std::vector<std::string>();
  };
  existing.find_code = [](const std::string&) -> Result<std::optional<store::AuthCode>> {
    return std::optional<store::AuthCode>();
  };
  return existing;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  static const admin::ExistingRecords existing = EmptyDatabase();
  std::string_view text(reinterpret_cast<const char*>(data), size);
  Result<admin::Provisioning> parsed =
      admin::ParseProvisioning(text, "fuzz.toml", CAMPAIGND_EXAMPLES_DIR, existing);
  if (!parsed.ok()) {
    FUZZ_CHECK(parsed.status().code() == Status::Code::kInvalidArgument);
    FUZZ_CHECK(parsed.status().message().find("fuzz.toml") != std::string::npos);
    return 0;
  }
  for (const store::ClientSpec& client : parsed->clients) FUZZ_CHECK(client.client.id > 0);
  return 0;
}
