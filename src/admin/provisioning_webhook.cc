// [[client.webhook]]: the webhook subscriptions of one client (events.md
// §4, docs/decisions/0024-webhook-dispatcher.md). The rules are
// webhook/subscription.h's, as for the admin API. The auth secret
// (basicAuth password, keyAuth header value) comes from the file:
// `auth_secret` or `auth_secret_file` (relative to the file's directory).
// A new webhook's signing secret is generated at apply
// (ResolveWebhookSecrets) and kept by every later apply.
#include "admin/provisioning_sections.h"
#include "core/limits.h"
#include "webhook/subscription.h"

namespace campaignd::admin {

void ReadWebhook(const toml::table& table, ClientScope& scope) {
  TableReader r(table, scope.diagnostics, "[[client.webhook]]");
  ErrorCount errors(scope.diagnostics);
  store::events::Webhook w;
  w.client_id = scope.client_id;
  const auto id = r.Id("id");
  w.url = r.Text("url", true).value_or("");
  const auto types = r.TextArray("types");
  const auto auth = r.Text("auth");
  w.auth_name = r.Text("auth_name").value_or("");
  const auto secret = r.Text("auth_secret");
  const auto secret_file = r.Text("auth_secret_file");
  r.RejectUnknownKeys();
  if (!types) {
    r.Error("types", "required: the event types it receives, e.g. [\"bounce\", \"unsubscribe\"]");
  } else {
    for (const std::string& name : *types) {
      if (auto type = store::events::ParseEventType(name)) {
        w.types.push_back(*type);
      } else {
        r.Error("types", "unknown event type '" + name + "'");
      }
    }
  }
  if (auth) {
    if (auto parsed = store::events::ParseWebhookAuth(*auth)) {
      w.auth = *parsed;
    } else {
      r.Error("auth", "expected none, basicAuth or keyAuth");
    }
  }
  if (secret && secret_file) r.Error("auth_secret_file", "give auth_secret or auth_secret_file");
  if (secret) w.auth_secret = *secret;
  if (secret_file) {
    const std::filesystem::path path = std::filesystem::path(*secret_file).is_absolute()
                                           ? std::filesystem::path(*secret_file)
                                           : scope.base_dir / *secret_file;
    auto text = ReadTextFile(path, webhook::kMaxAuthBytes + 2);
    if (!text.ok()) {
      r.Error("auth_secret_file", text.status().message());
    } else {
      w.auth_secret = std::move(*text);
      while (!w.auth_secret.empty() &&
             (w.auth_secret.back() == '\n' || w.auth_secret.back() == '\r')) {
        w.auth_secret.pop_back();
      }
    }
  }
  if (errors.Clean()) {
    for (const webhook::Problem& problem : webhook::SubscriptionProblems(w)) {
      const std::string key =
          problem.member == "auth_secret" && secret_file ? "auth_secret_file" : problem.member;
      r.Error(key, problem.message);
    }
  }
  if (!id || !errors.Clean()) return;
  w.id = *id;
  if (scope.FirstDefinition("webhook " + std::to_string(w.id), r, "id",
                            "webhook " + std::to_string(w.id))) {
    scope.webhooks.push_back(std::move(w));
  }
}

}  // namespace campaignd::admin
