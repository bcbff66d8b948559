// The layers' includes point one way. Each folder may include only the folders below it:
//   harness/platform  <  harness/core  <  counters/  <  harness/io  <  harness/roofline  <  harness/run  <
//   harness/decode  <  harness/report  <  harness/gate  <  harness/cli
// and beside them kernels/ (platform, core) and variants/ (platform, core, kernels); harness/decode,
// which composes kernels into the engine's token step, also includes kernels/ (and report and gate
// do not include decode). The test reads
// every #include line of the tree, so the picture in the README cannot rot; it is tested on a tree
// with a planted upward include too.
#include <unistd.h>
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <string>
#include <vector>

namespace fs = std::filesystem;

namespace {

// Folder (relative to the source root) → the folders its files may include.
const std::map<std::string, std::set<std::string>>& allowed() {
  static const std::map<std::string, std::set<std::string>> a = {
      {"harness/platform", {"harness/platform"}},
      {"harness/core", {"harness/platform", "harness/core"}},
      {"kernels", {"harness/platform", "harness/core", "kernels"}},
      {"variants", {"harness/platform", "harness/core", "kernels", "variants"}},
      {"counters", {"harness/platform", "harness/core", "counters"}},
      {"harness/io", {"harness/platform", "harness/core", "counters", "harness/io"}},
      {"harness/roofline", {"harness/platform", "harness/core", "counters", "harness/io", "harness/roofline"}},
      {"harness/run",
       {"harness/platform", "harness/core", "counters", "harness/io", "harness/roofline", "harness/run"}},
      {"harness/decode",
       {"harness/platform", "harness/core", "kernels", "counters", "harness/io", "harness/roofline", "harness/run",
        "harness/decode"}},
      {"harness/report",
       {"harness/platform", "harness/core", "counters", "harness/io", "harness/roofline", "harness/run",
        "harness/report"}},
      {"harness/gate",
       {"harness/platform", "harness/core", "counters", "harness/io", "harness/roofline", "harness/run",
        "harness/report", "harness/gate"}},
      {"harness/cli",
       {"harness/platform", "harness/core", "counters", "harness/io", "harness/roofline", "harness/run",
        "harness/decode", "harness/report", "harness/gate", "harness/cli"}},
  };
  return a;
}

// The layer folder a path belongs to ("harness/run/measure.cpp" → "harness/run"), or "".
std::string layer_of(const std::string& path) {
  std::string best;
  for (const auto& [folder, _] : allowed())
    if (path.rfind(folder + "/", 0) == 0 && folder.size() > best.size()) best = folder;
  return best;
}

// "file:line: includes X, which is above its layer" for every include that breaks the rule.
std::vector<std::string> violations(const fs::path& root) {
  std::vector<std::string> out;
  const std::regex include(R"(^\s*#\s*include\s*[<"]([^">]+)[">])");
  for (const auto& folder : {"harness", "kernels", "variants", "counters"}) {
    if (!fs::exists(root / folder)) continue;
    for (const auto& e : fs::recursive_directory_iterator(root / folder)) {
      const auto ext = e.path().extension();
      if (ext != ".cpp" && ext != ".hpp") continue;
      const std::string rel = fs::relative(e.path(), root).generic_string();
      const std::string layer = layer_of(rel);
      if (layer.empty()) {
        out.push_back(rel + ": is in no layer (a folder the layer table does not know)");
        continue;
      }
      std::ifstream in(e.path());
      std::string line;
      for (int n = 1; std::getline(in, line); ++n) {
        std::smatch m;
        if (!std::regex_search(line, m, include)) continue;
        const std::string target = layer_of(m[1].str());
        if (!target.empty() && !allowed().at(layer).count(target))
          out.push_back(rel + ":" + std::to_string(n) + ": includes " + m[1].str() + ", which " + layer + " may not (" +
                        target + " is not below it)");
      }
    }
  }
  return out;
}

}  // namespace

TEST_CASE("every include points down the layers") {
  const auto v = violations(CROMWELL_SOURCE_DIR);
  for (const auto& x : v) INFO(x);
  CHECK(v.empty());
  if (!v.empty()) FAIL(v.front());
}

TEST_CASE("the layer test finds a planted upward include") {
  const fs::path root = fs::temp_directory_path() / ("cromwell-layers-" + std::to_string(getpid()));
  fs::remove_all(root);
  fs::create_directories(root / "harness/core");
  fs::create_directories(root / "counters");
  std::ofstream(root / "harness/core/ok.hpp") << "#include \"harness/platform/pool.hpp\"\n#include <vector>\n";
  std::ofstream(root / "counters/fine.cpp") << "#include \"harness/core/record.hpp\"\n";
  CHECK(violations(root).empty());
  std::ofstream(root / "harness/core/planted.hpp") << "#pragma once\n#include \"harness/run/measure.hpp\"\n";
  std::ofstream(root / "counters/planted.cpp") << "// a comment\n#  include <harness/io/schema.hpp>\n";
  const auto v = violations(root);
  fs::remove_all(root);
  REQUIRE(v.size() == 2);
  CHECK_THAT(v[0] + v[1], Catch::Contains("harness/core/planted.hpp:2: includes harness/run/measure.hpp"));
  CHECK_THAT(v[0] + v[1], Catch::Contains("counters/planted.cpp:2: includes harness/io/schema.hpp"));
}
