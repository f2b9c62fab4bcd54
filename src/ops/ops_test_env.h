// OpsTestEnv: the shared set-up of the ops tests: a real temporary store
// with the fixture client, a fake clock, a counting notifier, and helpers to
// send one request through HandleRequest. Test-only.
#ifndef CAMPAIGND_OPS_OPS_TEST_ENV_H_
#define CAMPAIGND_OPS_OPS_TEST_ENV_H_

#include <atomic>
#include <initializer_list>
#include <string>
#include <utility>

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

}  // namespace campaignd::ops

#endif  // CAMPAIGND_OPS_OPS_TEST_ENV_H_
