// The encodings of the group files against the kernel's own tables. Every event of the zen2..zen5, skl
// and icl group files is encoded as the backend encodes it (libpfm names with LIBPFM_ENCODE_INACTIVE=1,
// raw entries by raw_config) and its event code and umask are compared with the Linux 6.12 perf event
// JSON (tests/counters/data/linux-6.12-events.tsv, extracted from Debian's linux-source-6.12 package):
// tests/counters/data/event-sources.tsv names, for each group-file event, the kernel events whose umasks
// OR together into it. counters/raw_events.txt is checked against the same table.
#include <linux/perf_event.h>

#include <catch2/catch.hpp>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

#include "counters/groups.hpp"
#include "counters/perf_events.hpp"

using namespace cromwell;

namespace {

const std::string kData = std::string(CROMWELL_SOURCE_DIR) + "/tests/counters/data/";

struct KernelEvent {
  std::string file;
  unsigned code = 0, umask = 0;
  std::string unit;
};

struct Source {
  std::string dir, names, bits, note;
};

struct Tables {
  std::map<std::pair<std::string, std::string>, KernelEvent> kernel;            // (dir, name) → encoding
  std::map<std::tuple<std::string, std::string, std::string>, Source> sources;  // (pmu, group, event)
};

std::vector<std::string> split(const std::string& line, char sep) {
  std::vector<std::string> out;
  std::stringstream in(line);
  std::string field;
  while (std::getline(in, field, sep)) out.push_back(field);
  return out;
}

// Rows of a tab-separated file without its '#' comments and its header line.
std::vector<std::vector<std::string>> read_tsv(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot read " + path);
  std::vector<std::vector<std::string>> rows;
  std::string line;
  bool header = true;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    if (header) {
      header = false;
      continue;
    }
    rows.push_back(split(line, '\t'));
  }
  return rows;
}

const Tables& tables() {
  static const Tables t = [] {
    Tables t;
    for (const auto& r : read_tsv(kData + "linux-6.12-events.tsv")) {
      if (r.size() != 6) throw std::runtime_error("linux-6.12-events.tsv: a row without 6 fields");
      t.kernel[{r[0], r[2]}] = {r[1], unsigned(std::stoul(r[3], nullptr, 16)), unsigned(std::stoul(r[4], nullptr, 16)),
                                r[5]};
    }
    for (const auto& r : read_tsv(kData + "event-sources.tsv")) {
      if (r.size() < 6) throw std::runtime_error("event-sources.tsv: a row with fewer than 6 fields");
      const auto key = std::make_tuple(r[0], r[1], r[2]);
      if (t.sources.count(key))
        throw std::runtime_error("event-sources.tsv: " + r[0] + " " + r[1] + " " + r[2] + " twice");
      t.sources[key] = {r[3], r[4], r[5], r.size() > 6 ? r[6] : ""};
    }
    return t;
  }();
  return t;
}

const std::map<std::string, std::string> kKernelDir = {{"zen2", "amdzen2"}, {"zen3", "amdzen3"}, {"zen4", "amdzen4"},
                                                       {"zen5", "amdzen5"}, {"skl", "skylake"},  {"icl", "icelake"}};
bool is_intel(const std::string& pmu) { return pmu == "skl" || pmu == "icl"; }

// "a.b|c|d" → {"a.b", "a.c", "a.d"}: a name without a '.' takes the prefix of the first.
std::vector<std::string> expand_names(const std::string& names) {
  std::vector<std::string> out = split(names, '|');
  const auto dot = out.empty() ? std::string::npos : out[0].find('.');
  for (std::size_t i = 1; i < out.size(); ++i)
    if (out[i].find('.') == std::string::npos && dot != std::string::npos) out[i] = out[0].substr(0, dot + 1) + out[i];
  return out;
}

// The code and OR of umasks of kernel events `names` of `dir`, or a problem.
struct Expected {
  unsigned code = 0, umask = 0;
  std::string file, problem;
};
Expected kernel_encoding(const std::string& dir, const std::string& names) {
  Expected e;
  bool first = true;
  for (const auto& n : expand_names(names)) {
    const auto it = tables().kernel.find({dir, n});
    if (it == tables().kernel.end()) {
      e.problem = "no kernel event " + dir + "/" + n + " in linux-6.12-events.tsv";
      return e;
    }
    if (it->second.unit != "core") {
      e.problem = "kernel event " + dir + "/" + n + " is not a core PMU event";
      return e;
    }
    if (!first && (it->second.code != e.code || it->second.file != e.file)) {
      e.problem = "kernel events " + names + " have different codes or files";
      return e;
    }
    e.code = it->second.code;
    e.file = it->second.file;
    e.umask |= it->second.umask;
    first = false;
  }
  return e;
}

const char* const kGeneric[] = {"PERF_COUNT_HW_CPU_CYCLES", "PERF_COUNT_HW_INSTRUCTIONS",
                                "PERF_COUNT_HW_CACHE_REFERENCES", "PERF_COUNT_HW_CACHE_MISSES"};

std::string hex(unsigned v) {
  std::ostringstream s;
  s << "0x" << std::hex << v;
  return s.str();
}

// Everything wrong with the events of `g` (of PMU `pmu`), one sentence each.
std::vector<std::string> check_group(const std::string& pmu, const Group& g) {
  std::vector<std::string> problems;
  for (const auto& e : g.events) {
    const std::string where = pmu + "/" + g.name + " " + e.name + " (" + e.spec + "): ";
    const auto src = tables().sources.find({pmu, g.name, e.name});
    if (src == tables().sources.end()) {
      problems.push_back(where + "not in event-sources.tsv");
      continue;
    }
    const Source& s = src->second;
    const bool generic_dir = s.dir == "intel-generic";
    if (s.dir != kKernelDir.at(pmu) && !(generic_dir && is_intel(pmu))) {
      problems.push_back(where + "mapped to kernel directory " + s.dir + ", not " + kKernelDir.at(pmu));
      continue;
    }
    EventCode code;
    try {
      code = encode_event(e.name, e.spec);
    } catch (const std::exception& ex) {
      problems.push_back(where + ex.what());
      continue;
    }
    unsigned got_code = 0, got_umask = 0;
    if (code.type == PERF_TYPE_RAW) {
      got_code = unsigned(code.config & 0xff);
      if (!is_intel(pmu)) got_code |= unsigned((code.config >> 32) & 0xf) << 8;  // AMD: event bits 8-11 at 32-35
      got_umask = unsigned((code.config >> 8) & 0xff);
    } else if (code.type == PERF_TYPE_HARDWARE && is_intel(pmu) && code.config < 4) {
      // perf's generic events: the kernel's own code for them on Intel.
      if (!generic_dir || s.names != kGeneric[code.config]) {
        problems.push_back(where + "a generic event: map it to intel-generic " + kGeneric[code.config]);
        continue;
      }
      const Expected k = kernel_encoding(s.dir, s.names);
      got_code = k.code;
      got_umask = k.umask;
      // ... and that code is an event of this PMU's own JSON.
      bool listed = false;
      for (const auto& [key, ev] : tables().kernel)
        listed |= key.first == kKernelDir.at(pmu) && ev.code == k.code && ev.umask == k.umask;
      if (!listed)
        problems.push_back(where + "the kernel's code " + hex(k.code) + "/" + hex(k.umask) + " is no event of " +
                           kKernelDir.at(pmu));
    } else {
      problems.push_back(where + "encodes to perf type " + std::to_string(code.type) + ", not a core PMU event");
      continue;
    }
    const Expected k = kernel_encoding(s.dir, s.names);
    if (!k.problem.empty()) {
      problems.push_back(where + k.problem);
      continue;
    }
    unsigned want_umask = k.umask;
    if (s.bits != "=") {
      want_umask = unsigned(std::stoul(s.bits, nullptr, 16));
      if (want_umask & ~k.umask)
        problems.push_back(where + "bits " + s.bits + " are not within " + s.names + " (" + hex(k.umask) + ")");
      if (s.note.empty()) problems.push_back(where + "bits " + s.bits + " without a note saying where they come from");
    }
    if (got_code != k.code || got_umask != want_umask)
      problems.push_back(where + "encodes event " + hex(got_code) + " umask " + hex(got_umask) + ", the kernel's " +
                         s.names + " is event " + hex(k.code) + " umask " + hex(want_umask) + " (" + k.file + ")");
  }
  return problems;
}

std::string join(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += s + "\n";
  return out;
}

}  // namespace

TEST_CASE("the kernel event table holds what the group files rely on") {
  const auto& k = tables().kernel;
  CHECK(k.size() > 300);
  // Zen 5 L2 fills by source and Zen 2's L1 prefetcher fills by source exist under these names.
  REQUIRE(k.count({"amdzen5", "l2_fill_rsp_src.all"}));
  CHECK(k.at({"amdzen5", "l2_fill_rsp_src.all"}).code == 0x165);
  CHECK(k.at({"amdzen5", "l2_fill_rsp_src.all"}).umask == 0xde);
  CHECK(k.at({"amdzen5", "l2_fill_rsp_src.all"}).file == "tools/perf/pmu-events/arch/x86/amdzen5/l2-cache.json");
  REQUIRE(k.count({"amdzen2", "ls_hw_pf_dc_fill.ls_mabresp_lcl_dram"}));
  CHECK(k.at({"amdzen2", "ls_hw_pf_dc_fill.ls_mabresp_lcl_dram"}).code == 0x5a);
  CHECK(k.at({"amdzen4", "ls_dmnd_fills_from_sys.near_cache"}).file ==
        "tools/perf/pmu-events/arch/x86/amdzen4/cache.json");
  CHECK(k.at({"intel-generic", "PERF_COUNT_HW_CACHE_REFERENCES"}).umask == 0x4f);
  CHECK(expand_names("a.b|c|d.e") == std::vector<std::string>{"a.b", "a.c", "d.e"});
}

TEST_CASE("every group-file event encodes to the kernel's event code and umask") {
  int checked = 0;
  for (const auto& [pmu, dir] : kKernelDir) {
    for (const auto& g : load_groups(pmu)) {
      const auto problems = check_group(pmu, g);
      INFO(join(problems));
      CHECK(problems.empty());
      checked += int(g.events.size());
    }
  }
  CHECK(checked >= 80);
}

TEST_CASE("every line of event-sources.tsv is an event of a group file") {
  std::set<std::tuple<std::string, std::string, std::string>> events;
  for (const auto& [pmu, dir] : kKernelDir)
    for (const auto& g : load_groups(pmu))
      for (const auto& e : g.events) events.insert({pmu, g.name, e.name});
  for (const auto& [key, src] : tables().sources) {
    INFO(std::get<0>(key) << " " << std::get<1>(key) << " " << std::get<2>(key));
    CHECK(events.count(key));
  }
  CHECK(events.size() == tables().sources.size());
}

TEST_CASE("a wrong umask in a group file is caught") {
  // The built-in Zen 4 L3 group with the beyond-L3 fills widened by the local-CCX bit, and the Zen 3 one
  // with the L2 prefetcher's umask widened to the L1 prefetcher's bits.
  const auto zen4 = load_groups("zen4");
  const Group* l3 = nullptr;
  for (const auto& g : zen4)
    if (g.name == "L3") l3 = &g;
  REQUIRE(l3);
  Group planted = *l3;
  bool changed = false;
  for (auto& e : planted.events)
    if (e.name == "l2pf_miss_l3") {
      e.spec = "event=0x72,umask=0xff";
      changed = true;
    }
  REQUIRE(changed);
  const auto problems = check_group("zen4", planted);
  REQUIRE(problems.size() == 1);
  CHECK_THAT(problems[0],
             Catch::Contains("l2pf_miss_l3") && Catch::Contains("umask 0xff") && Catch::Contains("umask 0x1f"));

  Group zen3{"zen3", "L3", "", "", {}, {}};
  zen3.events.push_back(
      {"fills_beyond_l3", "amd64_fam19h_zen3::ANY_DATA_CACHE_FILLS_FROM_SYSTEM:INT_CACHE:MEM_IO_LCL"});
  const auto zen3_problems = check_group("zen3", zen3);
  REQUIRE(zen3_problems.size() == 1);
  CHECK_THAT(zen3_problems[0], Catch::Contains("umask 0xa"));

  Group unmapped{"zen3", "L3", "", "", {}, {}};
  unmapped.events.push_back({"not_mapped", "amd64_fam19h_zen3::RETIRED_INSTRUCTIONS"});
  CHECK_THAT(join(check_group("zen3", unmapped)), Catch::Contains("not in event-sources.tsv"));
}

TEST_CASE("every line of counters/raw_events.txt is the OR of the kernel events it names") {
  std::ifstream in(std::string(CROMWELL_SOURCE_DIR) + "/counters/raw_events.txt");
  REQUIRE(in);
  std::string line;
  int rows = 0;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream f(line);
    std::string pmu, event, umask, names, file;
    REQUIRE(static_cast<bool>(f >> pmu >> event >> umask >> names >> file));
    INFO(line);
    REQUIRE(kKernelDir.count(pmu));
    const Expected k = kernel_encoding(kKernelDir.at(pmu), names);
    CHECK(k.problem == "");
    CHECK(k.code == std::stoul(event, nullptr, 16));
    CHECK(k.umask == std::stoul(umask, nullptr, 16));
    CHECK(k.file == file);
    ++rows;
  }
  CHECK(rows >= 14);
}
