#include "testing/temp_store.h"

#include <cstdio>
#include <cstdlib>

namespace campaignd::testing {

TempStore::TempStore() {
  std::string tmpl = (std::filesystem::temp_directory_path() / "campaignd-test-XXXXXX").string();
  if (mkdtemp(tmpl.data()) == nullptr) {
    std::perror("mkdtemp");
    std::abort();
  }
  dir_ = tmpl;
  auto engine = store::OpenEngine(url(), store::EngineOptions{});
  if (!engine.ok()) {
    std::fprintf(stderr, "TempStore: %s\n", engine.status().ToString().c_str());
    std::abort();
  }
  engine_ = std::move(engine).value();
}

TempStore::~TempStore() {
  engine_->Close();
  engine_.reset();
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);
}

}  // namespace campaignd::testing
