#include "admin/commands.h"

#include <memory>

#include "admin/mail_history.h"
#include "admin/provisioning_file.h"
#include "core/clock.h"
#include "core/mail_id.h"
#include "store/catalog.h"
#include "store/sql/provisioner_webhooks.h"
#include "store/store.h"

namespace campaignd::admin {
namespace {

// ExistingRecords backed by an opened store (kept out of provisioning_file.cc,
// which the fuzz build links without a store). Both must outlive the result.
ExistingRecords ExistingRecordsIn(store::Directory& directory, store::Provisioner& provisioner,
                                  store::SqlRunner& runner) {
  ExistingRecords existing;
  existing.find_list = [&directory](int64_t client_id, int64_t list_id) {
    return directory.FindList(client_id, list_id);
  };
  existing.code_names = [&provisioner](int64_t client_id) {
    return provisioner.CodeNames(client_id);
  };
  existing.find_code = [&directory](const std::string& hash) { return directory.FindCode(hash); };
  existing.webhook_ids = [&runner](int64_t client_id) {
    return store::WebhookIds(runner, client_id);
  };
  existing.clients = [&runner] { return store::Catalog(runner).AllClients(); };
  return existing;
}

std::string Count(std::size_t n, std::string_view one, std::string_view many) {
  return std::to_string(n) + " " + std::string(n == 1 ? one : many);
}

std::string Summary(const Provisioning& p) {
  std::size_t lists = 0, recipients = 0, mailings = 0, codes = 0, keys = 0, blocked = 0;
  for (const auto& c : p.clients) {
    lists += c.lists.size();
    recipients += c.recipients.size();
    mailings += c.mailings.size();
    codes += c.codes.size();
    keys += c.dkim_keys.size();
    blocked += c.blocklist.size();
  }
  std::string text = "applied: " + Count(p.clients.size(), "client", "clients") + ", " +
                     Count(lists, "list", "lists") + ", " +
                     Count(recipients, "recipient", "recipients") + ", " +
                     Count(mailings, "mailing", "mailings") + ", " + Count(codes, "code", "codes");
  if (keys > 0) text += ", " + Count(keys, "DKIM key", "DKIM keys");
  if (blocked > 0) text += ", " + Count(blocked, "blocklist entry", "blocklist entries");
  if (!p.webhooks.empty()) text += ", " + Count(p.webhooks.size(), "webhook", "webhooks");
  return text;
}

std::unique_ptr<store::Engine> Open(const std::string& db_url, std::string_view command,
                                    std::ostream& err) {
  auto engine = store::OpenEngine(db_url, store::EngineOptions{});
  if (!engine.ok()) {
    err << "campaignd " << command << ": cannot open " << db_url << ": "
        << engine.status().ToString() << "\n";
    return nullptr;
  }
  return std::move(*engine);
}

int Apply(store::Engine& engine, const std::string& file, std::ostream& out, std::ostream& err,
          AddressLiterals literals) {
  auto provisioning = LoadProvisioningFile(
      file, ExistingRecordsIn(engine.directory(), engine.provisioner(), engine.runner()), literals);
  if (!provisioning.ok()) {
    const Status& s = provisioning.status();
    if (s.IsInvalidArgument()) {
      err << s.message() << "\ncampaignd apply: nothing applied\n";
      return kExitBadInput;
    }
    err << "campaignd apply: database error, nothing applied: " << s.ToString() << "\n";
    return kExitDatabaseError;
  }
  if (Status s = provisioning->webhooks.empty()
                     ? engine.provisioner().Apply(provisioning->clients)
                     : store::ApplyWithWebhooks(engine.runner(), provisioning->clients,
                                                provisioning->webhooks);
      !s.ok()) {
    err << "campaignd apply: database error, nothing applied: " << s.ToString() << "\n";
    return kExitDatabaseError;
  }
  out << Summary(*provisioning) << "\n";
  for (const GeneratedCode& g : provisioning->generated_codes) {
    out << "new code for client " << g.client_id << " list " << g.list_id << " (name " << g.name
        << "): " << g.code << " \u2014 store it now, it is not shown again\n";
  }
  for (const GeneratedWebhookSecret& g : provisioning->generated_webhook_secrets) {
    out << "signing secret of webhook " << g.webhook_id << " of client " << g.client_id << ": "
        << g.secret << " \u2014 store it now, it is not shown again\n";
  }
  return kExitOk;
}

int ShowMail(store::Engine& engine, const MailId& id, std::ostream& out, std::ostream& err) {
  const auto fail = [&err](const Status& s) {
    err << "campaignd mail: database error: " << s.ToString() << "\n";
    return kExitDatabaseError;
  };
  auto client = engine.directory().FindClient(id.client_id());
  if (!client.ok()) return fail(client.status());
  if (!*client || !id.Verify((*client)->mail_id_secret)) {
    err << "campaignd mail: " << id.ToString()
        << " is not a valid mail ID (forged, mistyped, or its client is gone)\n";
    return kExitBadInput;
  }
  auto mail = engine.queue().FindMail(id.client_id(), id.sequence());
  if (!mail.ok()) return fail(mail.status());
  if (!*mail) {
    err << "campaignd mail: no mail " << id.ToString() << " in the database\n";
    return kExitBadInput;
  }
  auto events = engine.queue().History(id.client_id(), id.sequence());
  if (!events.ok()) return fail(events.status());
  auto mail_events = store::Catalog(engine.runner()).MailEvents(id.client_id(), id.sequence());
  if (!mail_events.ok()) return fail(mail_events.status());
  auto list = engine.directory().FindList(id.client_id(), (*mail)->list_id);
  if (!list.ok()) return fail(list.status());
  auto mailing = engine.directory().FindMailing(id.client_id(), (*mail)->mailing_id);
  if (!mailing.ok()) return fail(mailing.status());
  out << FormatMailHistory(MailHistory{id, **client, std::move(*list), std::move(*mailing), **mail,
                                       std::move(*events), std::move(*mail_events)});
  return kExitOk;
}

}  // namespace

int RunApply(const std::string& db_url, const std::string& file, std::ostream& out,
             std::ostream& err, AddressLiterals literals) {
  std::unique_ptr<store::Engine> engine = Open(db_url, "apply", err);
  if (engine == nullptr) return kExitDatabaseError;
  const int code = Apply(*engine, file, out, err, literals);
  engine->Close();
  return code;
}

int RunMailHistory(const std::string& db_url, const std::string& mail_id_text, std::ostream& out,
                   std::ostream& err) {
  auto id = MailId::Parse(mail_id_text);
  if (!id.ok()) {
    err << "campaignd mail: '" << mail_id_text << "' is not a mail ID: " << id.status().message()
        << "\n";
    return kExitBadInput;
  }
  std::unique_ptr<store::Engine> engine = Open(db_url, "mail", err);
  if (engine == nullptr) return kExitDatabaseError;
  const int code = ShowMail(*engine, *id, out, err);
  engine->Close();
  return code;
}

store::RetentionPolicy RetentionPolicyOf(const config::Config& config) {
  return store::RetentionPolicy{.mails = config.status_retention,
                                .events = config.event_retention,
                                .attempts = config.webhook_attempt_retention};
}

int RunPurge(const config::Config& config, std::ostream& out, std::ostream& err) {
  std::unique_ptr<store::Engine> engine = Open(config.db, "mail purge", err);
  if (engine == nullptr) return kExitDatabaseError;
  Result<store::Purged> purged =
      store::PurgeExpired(engine->runner(), SystemClock().Now(), RetentionPolicyOf(config));
  engine->Close();
  if (!purged.ok()) {
    err << "campaignd mail purge: database error: " << purged.status().ToString() << "\n";
    return kExitDatabaseError;
  }
  out << "deleted " << purged->mails << " mails (with their history) older than "
      << config::FormatDuration(config.status_retention) << ", " << purged->events
      << " events older than " << config::FormatDuration(config.event_retention) << ", "
      << purged->attempts << " webhook attempts older than "
      << config::FormatDuration(config.webhook_attempt_retention) << "\n";
  return kExitOk;
}

}  // namespace campaignd::admin
