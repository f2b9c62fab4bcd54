#include "testing/temp_store.h"

#include <cstdio>
#include <cstdlib>

namespace campaignd::testing {

TempStore::TempStore() : db_(store::TestDatabase::CreateOrDie()) {
  auto engine = store::OpenEngine(db_->url(), store::EngineOptions{});
  if (!engine.ok()) {
    std::fprintf(stderr, "TempStore: %s\n", engine.status().ToString().c_str());
    std::abort();
  }
  engine_ = std::move(engine).value();
}

TempStore::~TempStore() {
  engine_->Close();
  engine_.reset();
}

}  // namespace campaignd::testing
