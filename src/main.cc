// campaignd: wiring only. Reads the configuration, opens the store, starts
// the roles (api: the HTTP server; worker: the delivery scheduler and the
// retention purge), waits
// for SIGTERM/SIGINT and stops everything cleanly (Postfix's master).
// Start-up failures print one clear message and exit non-zero.
#include <signal.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

// The logger set up here must be the one every library logs to: one registry,
// libspdlog's. A header-only spdlog here would set up a second registry, and
// what the libraries log would go to spdlog's default (stdout) logger instead.
#ifndef SPDLOG_COMPILED_LIB
#error "link campaignd against spdlog::spdlog (SPDLOG_COMPILED_LIB)"
#endif

#include <CLI/CLI.hpp>
#include <filesystem>
#include <iostream>
#include <memory>
#include <string>

#include "admin/api/service.h"
#include "admin/cli/cli.h"
#include "admin/commands.h"
#include "admin/db_commands.h"
#include "config/config.h"
#include "core/address.h"
#include "core/clock.h"
#include "deliver/transport.h"
#include "events/inbound.h"
#include "events/smtp_server.h"
#include "events/tracker.h"
#include "http/server.h"
#include "ops/operation.h"
#include "queue/processor.h"
#include "queue/retention.h"
#include "queue/scheduler.h"
#include "store/directory_cache.h"
#include "store/sql/tracking.h"
#include "store/store.h"
#include "webhook/dispatcher.h"

namespace campaignd {
namespace {

constexpr char kVersion[] = "campaignd 0.1.0";

void SetUpLogging(const config::Config& config) {
  auto logger = spdlog::stderr_color_mt("campaignd");
  if (config.log_format == "json") {
    logger->set_pattern(
        R"({"time":"%Y-%m-%dT%H:%M:%S.%fZ","level":"%l","pid":%P,"msg":"%v"})", spdlog::pattern_time_type::utc);
  } else {
    logger->set_pattern("%Y-%m-%dT%H:%M:%S.%fZ %^%l%$ [%P] %v", spdlog::pattern_time_type::utc);
  }
  logger->set_level(spdlog::level::from_str(config.log_level));
  spdlog::set_default_logger(logger);
}

// The slow-client rules both listeners share.
http::Timeouts TimeoutsFrom(const config::Config& c) {
  http::Timeouts t;
  t.header_read = c.header_timeout;
  t.body_read = c.body_timeout;
  t.keep_alive_idle = c.keep_alive_timeout;
  return t;
}

http::ServerOptions ServerOptionsFrom(const config::Config& c) {
  http::ServerOptions o;
  o.timeouts = TimeoutsFrom(c);
  o.listen = {c.listen};
  if (!c.tls_listen.empty()) o.tls = http::TlsListenerOptions{c.tls_listen, c.tls_cert, c.tls_key};
  o.io_threads = static_cast<std::size_t>(c.io_threads);
  o.blocking_threads = static_cast<std::size_t>(c.blocking_threads);
  o.trusted_proxies = c.trusted_proxies;
  return o;
}

// outbox_root made absolute once, so that file: transports keep writing
// where it pointed at start.
std::string OutboxRoot(const config::Config& c) {
  std::error_code ec;
  std::filesystem::path root = std::filesystem::absolute(c.outbox_root, ec);
  if (ec) return c.outbox_root;
  std::string text = root.lexically_normal().string();
  while (text.size() > 1 && text.back() == '/') text.pop_back();
  return text;
}

queue::ProcessorOptions ProcessorOptionsFrom(const config::Config& c) {
  queue::ProcessorOptions o;
  o.public_url = c.public_url;
  o.unsubscribe_mailto = c.unsubscribe_mailto;
  o.retry = {c.min_backoff, c.max_backoff, c.lifetime};
  o.transport.timeouts = {c.smtp_connect_timeout,  c.smtp_greeting_timeout,
                          c.smtp_command_timeout,  c.smtp_data_timeout,
                          c.smtp_data_done_timeout, c.lease / 2};
  o.transport.outbox_root = OutboxRoot(c);
  return o;
}

queue::SchedulerOptions SchedulerOptionsFrom(const config::Config& c) {
  queue::SchedulerOptions o;
  o.workers = c.delivery_workers;
  o.claim_batch = static_cast<std::size_t>(c.claim_batch);
  o.lease = c.lease;
  o.idle_poll = c.idle_poll;
  return o;
}

webhook::DispatcherOptions WebhookOptionsFrom(const config::Config& c) {
  webhook::DispatcherOptions o;
  o.workers = c.webhook_workers;
  o.batch = c.webhook_batch;
  o.batch_wait = c.webhook_batch_wait;
  o.timeout = c.webhook_timeout;
  o.retry_base = c.webhook_retry_base;
  o.allow_private = c.webhooks_allow_private;
  return o;
}

// Blocks until SIGTERM or SIGINT. REQUIRES: both blocked in every thread.
int WaitForStopSignal() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  int signal = 0;
  sigwait(&set, &signal);
  return signal;
}

int Serve(const config::ConfigOverrides& overrides) {
  auto config = campaignd::config::LoadConfig(overrides, campaignd::config::ProcessEnvironment());
  if (!config.ok()) {
    std::cerr << "campaignd: " << config.status().message() << "\n";
    return admin::kExitBadInput;
  }
  const config::Config& c = *config;
  SetUpLogging(c);
  const std::string& role = c.role;
  const bool api = role == "all" || role == "api";
  const bool worker = role == "all" || role == "worker";

  // Signals go to the main thread only: block them before any thread starts.
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  signal(SIGPIPE, SIG_IGN);

  store::EngineOptions engine_options;
  engine_options.exclusive_worker = worker;
  engine_options.private_files = !c.allow_insecure_permissions;
  auto engine = store::OpenEngine(c.db, engine_options);
  if (!engine.ok()) {
    spdlog::critical("cannot open database {}: {}", store::RedactUrl(c.db),
                     engine.status().ToString());
    return admin::kExitDatabaseError;
  }
  store::Engine& db = **engine;
  if (worker && c.db.rfind("sqlite:", 0) == 0) {
    // The serve lock makes this process SQLite's only deliverer: claims left
    // by a crashed predecessor can be taken back now instead of after the lease.
    Status s = db.queue().ReleaseAllClaims();
    if (!s.ok()) spdlog::warn("releasing old claims: {}", s.ToString());
  }

  // Every directory lookup of this process (the API's and the workers')
  // comes from memory: docs/decisions/0015-directory-cache.md.
  auto cache = store::OpenDirectoryCache(db);
  if (!cache.ok()) {
    spdlog::critical("directory cache on {}: {}", store::RedactUrl(c.db),
                     cache.status().ToString());
    db.Close();
    return admin::kExitDatabaseError;
  }
  store::DirectoryCache& directory = **cache;

  SystemClock clock;
  queue::Processor processor(directory, db.recipients(), db.coordination(), clock,
                             ProcessorOptionsFrom(c), &deliver::OpenTransport, &db.attachments());
  queue::Scheduler scheduler(db.queue(), processor, clock, SchedulerOptionsFrom(c));
  // Webhooks (worker role): their own threads and connections (webhook/dispatcher.h).
  webhook::Dispatcher webhooks(db.runner(), directory, clock, WebhookOptionsFrom(c));
  queue::RetentionPurger purger(db.runner(), clock, admin::RetentionPolicyOf(c), c.purge_interval);
  NullNotifier no_workers_here;
  // The same dependencies over the cache (pool) and over its memory only (inline).
  auto deps_over = [&](store::Directory& lookups) {
    ops::Deps deps{lookups, db.queue(), db.recipients(), clock,
                   worker ? static_cast<Notifier&>(scheduler) : no_workers_here,
                   ops::Settings{c.status_retention}};
    deps.settings.public_url = c.public_url;
    deps.settings.address_literals = Address::Literals(c.allow_address_literals);
    deps.settings.optin_frequency_limit = c.optin_frequency_limit;
    deps.settings.optin_source_limit = c.optin_source_limit;
    deps.settings.optin_source_window = c.optin_source_window;
    deps.attachments = &db.attachments();
    deps.mailing_lookup = &db.mailing_lookup();
    deps.coordination = &db.coordination();
    return deps;
  };
  // Opens and clicks (events.md §3): answered from the cache's memory,
  // their events written by the recorder's thread in batches.
  store::events::TrackingRecorder tracking_recorder(
      db.runner(), [](const Status& status, std::size_t hits) {
        spdlog::warn("tracking: {} opens/clicks not recorded: {}", hits, status.ToString());
      });
  events::Tracker tracker(
      directory, directory.memory_only(),
      [&tracking_recorder](store::events::TrackingHit hit) {
        return tracking_recorder.Record(std::move(hit));
      },
      clock,
      events::TrackerOptions{.ip = c.tracking_ip == "none" ? events::IpPolicy::kNone
                                                           : events::IpPolicy::kTruncate});
  const ops::Deps deps = deps_over(directory);
  const ops::Deps memory_deps = deps_over(directory.memory_only());
  http::Server server(
      ServerOptionsFrom(c),
      [&deps](const auth::RequestInfo& info, const Params& params) {
        return ops::HandleRequest(info, params, deps);
      },
      [&memory_deps](const auth::RequestInfo& info, const Params& params, ops::AnswerDone& done) {
        return ops::HandleInline(info, params, memory_deps, done);
      },
      [&tracker](const http::TrackingRequest& request, bool may_block) {
        return tracker.Handle(request, may_block);
      });
  // The admin listener first: once the public API answers (/healthz), both are up.
  std::unique_ptr<admin::api::AdminService> admin_api;
  if (api && !c.admin_listen.empty()) {
    auto started = admin::api::AdminService::Start(c, db, clock, TimeoutsFrom(c),
                                                   [&directory] { directory.Invalidate(); });
    if (!started.ok()) {
      spdlog::critical("admin API: {}", started.status().ToString());
      db.Close();
      return admin::kExitBadInput;
    }
    admin_api = std::move(*started);
  }
  if (api) {
    Status s = server.Start();
    if (!s.ok()) {
      spdlog::critical("cannot listen: {}", s.ToString());
      if (admin_api) admin_api->Stop();
      db.Close();
      return admin::kExitBadInput;
    }
  }
  // Bounces and complaints over SMTP (events.md §2), when configured.
  events::Inbound inbound(directory, db.runner(), clock);
  std::unique_ptr<events::SmtpServer> inbound_server;
  if (!c.inbound_listen.empty()) {
    events::SmtpServerOptions o;
    o.listen = {c.inbound_listen};
    o.tls_cert_file = c.inbound_tls_cert;
    o.tls_key_file = c.inbound_tls_key;
    inbound_server =
        std::make_unique<events::SmtpServer>(std::move(o), events::InboundPolicy(inbound));
    Status s = inbound_server->Start();
    if (!s.ok()) {
      spdlog::critical("inbound listener: {}", s.ToString());
      if (admin_api) admin_api->Stop();
      if (api) server.Stop();
      db.Close();
      return admin::kExitBadInput;
    }
    spdlog::info("inbound SMTP listener on {} (bounces and complaints)", c.inbound_listen);
  }
  if (worker) {
    // Mail enqueued by other processes sharing the database wakes our workers.
    Status s = db.coordination().Subscribe(scheduler);
    if (!s.ok()) spdlog::warn("no wake-ups from other processes ({}); polling", s.ToString());
    scheduler.Start();
    webhooks.Start();
    if (c.webhooks_allow_private) {
      spdlog::warn("webhooks_allow_private: webhooks may reach loopback and private addresses");
    }
    purger.Start();
  }
  spdlog::info("{} serving: role={} db={} listen={} workers={}", kVersion, role,
               store::RedactUrl(c.db),
               api ? c.listen : "-", worker ? c.delivery_workers : 0);
  if (worker) spdlog::info("file: transports write below {}", OutboxRoot(c));

  int signal_number = WaitForStopSignal();
  spdlog::info("signal {}: stopping (finishing requests and mails in hand)", signal_number);
  if (inbound_server) inbound_server->Stop();
  if (admin_api) admin_api->Stop();
  if (api) server.Stop();
  if (worker) purger.Stop();
  if (worker) scheduler.Stop();
  tracking_recorder.Close();  // the opens and clicks answered so far are written
  if (worker) webhooks.Stop();
  db.Close();
  spdlog::info("stopped cleanly");
  return 0;
}

}  // namespace
}  // namespace campaignd

int main(int argc, char** argv) {
  using namespace campaignd;
  CLI::App app{
      "campaignd - a self-hosted server for the Optimizely Campaign (ex optivo broadmail) HTTP "
      "API that really delivers the mail.\nEvery subcommand explains itself: campaignd SUB --help"};
  app.set_version_flag("--version", kVersion);
  app.require_subcommand(1);

  config::ConfigOverrides serve_overrides;
  CLI::App* serve = app.add_subcommand(
      "serve", "Answer the HTTP API and deliver queued mail until SIGTERM/SIGINT.");
  config::AddConfigOptions(*serve, serve_overrides, config::ConfigScope::kServer);

  config::ConfigOverrides apply_overrides;
  std::string apply_file;
  CLI::App* apply = app.add_subcommand(
      "apply", "Create or update, idempotently and all-or-nothing, the clients, lists, "
               "recipients, mailings, codes and keys of a provisioning file.");
  config::AddConfigOptions(*apply, apply_overrides, config::ConfigScope::kDatabase);
  apply->add_option("FILE", apply_file, "Provisioning file (TOML), see examples/demo.toml")
      ->required();

  // client, key, relay, dkim, list, field, recipient, mailing, code, blocklist, mail.
  auto admin_commands = admin::cli::AddAdminCommands(app);

  config::ConfigOverrides migrate_overrides;
  CLI::App* migrate = app.add_subcommand(
      "migrate", "Apply the database migrations this binary knows and exit (serve does it too; "
                 "run this once before starting many processes, or to check a database).");
  config::AddConfigOptions(*migrate, migrate_overrides, config::ConfigScope::kDatabase);

  std::string copy_from;
  std::string copy_to;
  CLI::App* copy_db = app.add_subcommand(
      "copy-db", "Copy a whole installation (clients, codes, recipients, mails, statuses and "
                 "history) into an empty database in one transaction, e.g. from SQLite to "
                 "PostgreSQL. Stop every campaignd process on the source first.");
  copy_db->add_option("--from", copy_from, "Source database URL (sqlite:PATH or postgresql://...)")
      ->required();
  copy_db->add_option("--to", copy_to, "Target database URL; it must hold no data yet")
      ->required();

  config::ConfigOverrides inbound_overrides;
  std::vector<std::string> inbound_recipients;
  CLI::App* inbound = app.add_subcommand("inbound", events::kInboundHelp);
  config::AddConfigOptions(*inbound, inbound_overrides, config::ConfigScope::kDatabase);
  inbound->add_option("--recipient", inbound_recipients,
                      "The envelope recipient (Postfix: ${recipient}); repeat for several");

  CLI11_PARSE(app, argc, argv);

  auto config_of = [](const config::ConfigOverrides& o) -> std::optional<config::Config> {
    auto config = campaignd::config::LoadConfig(o, campaignd::config::ProcessEnvironment());
    if (!config.ok()) {
      std::cerr << "campaignd: " << config.status().message() << "\n";
      return std::nullopt;
    }
    return *config;
  };
  auto db_of = [&config_of](const config::ConfigOverrides& o) -> std::optional<std::string> {
    auto config = config_of(o);
    return config ? std::optional<std::string>(config->db) : std::nullopt;
  };
  if (serve->parsed()) return Serve(serve_overrides);
  if (apply->parsed()) {
    auto config = config_of(apply_overrides);
    return config ? admin::RunApply(config->db, apply_file, std::cout, std::cerr,
                                    Address::Literals(config->allow_address_literals))
                  : admin::kExitBadInput;
  }
  if (auto code = admin::cli::RunAdminCommand(*admin_commands, std::cout, std::cerr)) return *code;
  if (migrate->parsed()) {
    auto db = db_of(migrate_overrides);
    return db ? admin::RunMigrate(*db, std::cout, std::cerr) : admin::kExitBadInput;
  }
  if (inbound->parsed()) {
    auto config = config_of(inbound_overrides);
    if (!config) return events::kExitTempFail;  // Postfix keeps the message
    SetUpLogging(*config);
    return events::RunInbound(config->db, inbound_recipients, std::cin, std::cerr);
  }
  if (copy_db->parsed()) return admin::RunCopyDb(copy_from, copy_to, std::cout, std::cerr);
  return 0;
}
