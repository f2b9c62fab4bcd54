#include "auth/caller.h"

#include <algorithm>

namespace campaignd::auth {

bool Caller::Permits(std::string_view operation) const {
  return operations.empty() ||
         std::find(operations.begin(), operations.end(), operation) != operations.end();
}

}  // namespace campaignd::auth
