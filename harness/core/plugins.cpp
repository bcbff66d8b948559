#include "harness/core/plugins.hpp"

#include <dlfcn.h>

#include <cstdlib>
#include <stdexcept>
#include <string>

#include <fmt/format.h>

#include "harness/platform/text.hpp"

namespace cromwell {

void load_plugins() {
  const char* list = std::getenv("CROMWELL_PLUGINS");
  if (!list) return;
  for (const std::string& path : split(list, ':')) {
    if (path.empty()) continue;
    if (!dlopen(path.c_str(), RTLD_NOW | RTLD_GLOBAL))
      throw std::invalid_argument(fmt::format("CROMWELL_PLUGINS: cannot load {}: {}", path, dlerror()));
  }
}

}  // namespace cromwell
