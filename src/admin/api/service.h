// AdminService: the admin API as `campaignd serve` runs it - the catalog of
// the open engine, the router's context (admin key hashed at once, so the
// clear key is not kept) and the listener on config.admin_listen.
// Callers: main.cc. Threads: Start/Stop from the main thread.
// Errors: Start() fails when the catalog cannot be opened or the listener
// cannot bind; the message names the address.
#ifndef CAMPAIGND_ADMIN_API_SERVICE_H_
#define CAMPAIGND_ADMIN_API_SERVICE_H_

#include <functional>
#include <memory>

#include "admin/api/listener.h"
#include "admin/api/router.h"
#include "config/config.h"
#include "core/clock.h"

namespace campaignd::admin::api {

class AdminService {
 public:
  // Starts listening on config.admin_listen with `timeouts` (the public
  // API's). `changed`, if set, runs after every request that may have
  // written (any method but GET/HEAD): serve drops its directory cache
  // then, so this process answers with the change at once.
  // REQUIRES: !admin_listen.empty(); `engine` and `clock` outlive the service.
  static Result<std::unique_ptr<AdminService>> Start(const config::Config& config,
                                                     store::Engine& engine, Clock& clock,
                                                     const http::Timeouts& timeouts,
                                                     std::function<void()> changed = {});
  ~AdminService();  // Stop()
  // Stops the listener (requests in flight get the shutdown grace).
  void Stop();
  uint16_t BoundPort() const { return listener_->BoundPort(); }

 private:
  AdminService(std::unique_ptr<store::Catalog> catalog, AdminContext context);

  std::unique_ptr<store::Catalog> catalog_;
  UploadSlots uploads_;
  AdminContext context_;  // context_.uploads = &uploads_
  std::unique_ptr<AdminListener> listener_;
};

}  // namespace campaignd::admin::api

#endif  // CAMPAIGND_ADMIN_API_SERVICE_H_
