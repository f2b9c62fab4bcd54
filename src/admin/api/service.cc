#include "admin/api/service.h"

#include <spdlog/spdlog.h>

#include "auth/code_hash.h"
#include "core/log_text.h"

namespace campaignd::admin::api {

AdminService::AdminService(std::unique_ptr<store::Catalog> catalog, AdminContext context)
    : catalog_(std::move(catalog)), context_(std::move(context)) {
  context_.uploads = &uploads_;
}

Result<std::unique_ptr<AdminService>> AdminService::Start(const config::Config& config,
                                                          store::Engine& engine, Clock& clock,
                                                          const http::Timeouts& timeouts,
                                                          std::function<void()> changed) {
  auto catalog = std::make_unique<store::Catalog>(engine.runner());
  store::Catalog& ref = *catalog;
  std::unique_ptr<AdminService> service(new AdminService(
      std::move(catalog),
      AdminContext{engine, ref, clock,
                   config.admin_key.empty() ? std::string() : auth::HashCode(config.admin_key),
                   config.public_url, config.client_relay_hosts,
                   Address::Literals(config.allow_address_literals), nullptr}));
  AdminService* self = service.get();
  service->listener_ = std::make_unique<AdminListener>(
      AdminListenerOptions{.listen = config.admin_listen, .timeouts = timeouts},
      [self, changed = std::move(changed)](const AdminRequest& request) {
        AdminResponse response = HandleAdmin(request, self->context_);
        if (changed && request.method != "GET" && request.method != "HEAD") changed();
        if (response.status >= 500) {
          spdlog::warn("admin API {} {}: {} {}", LogText(request.method), LogText(request.target),
                       response.status, LogText(response.body));
        }
        return response;
      });
  CAMPAIGND_RETURN_IF_ERROR(service->listener_->Start());
  if (config.admin_key.empty()) {
    spdlog::warn("admin API on {} has no admin_key: only client API keys (and the CLI) work",
                 config.admin_listen);
  }
  return service;
}

AdminService::~AdminService() { Stop(); }

void AdminService::Stop() {
  if (listener_) listener_->Stop();
}

}  // namespace campaignd::admin::api
