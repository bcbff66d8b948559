#pragma once
// Event groups as data: counters/groups/<pmu>/<GROUP>.txt, chosen by the CPU's vendor, family
// and model read from CPUID (not libpfm's detection, which lacks Zen 5 and most Zen 4 parts).
//
// File format (one directive per line, '#' starts a comment):
//   DESCRIPTION <one line>
//   EVENTS
//   <name> <libpfm name, e.g. amd64_fam19h_zen3::RETIRED_INSTRUCTIONS, or raw event=0x43,umask=0x5c> [must-count]
//   METRICS
//   <name> = <formula over event names> | <scope: what it covers>
// `must-count` marks an event that cannot be 0 on a kernel that runs (cycles, instructions, L1D
// accesses): one that reads 0 over a counted region of ≥ 10⁶ instructions is reported empty with
// the reason, not as a 0. Events that can truly be 0 (the L3 misses of an L2-resident kernel) are
// never marked.
// A user directory (--groups DIR) holding <pmu>/<GROUP>.txt replaces the built-in file of the
// same name and adds new ones.
#include <cstdint>
#include <string>
#include <vector>

#include "counters/formula.hpp"

namespace cromwell {

struct EventDef {
  std::string name;  // what formulas call it: cycles, instructions, l3_misses, ...
  std::string spec;  // libpfm name or raw "event=0x..,umask=0x.."
  bool must_count = false;
  int line = 0;
};

struct MetricDef {
  std::string name;
  Formula formula;
  std::string scope;
  int line = 0;
};

struct Group {
  std::string pmu, name, description, file;
  std::vector<EventDef> events;
  std::vector<MetricDef> metrics;
};

struct Pmu {
  std::string name;                        // zen2 zen3 zen4 zen5 skl icl generic
  std::string description;                 // "AMD Zen 3 (family 19h model 21h)"
  int gp_counters = 0;                     // general-purpose counters per logical CPU
  bool fixed_cycles_instructions = false;  // Intel: cycles and instructions on fixed counters
};

// The PMU table for a vendor/family/model (CPUID numbering).
Pmu pmu_for(const std::string& vendor, unsigned family, unsigned model);
Pmu this_pmu();
bool nmi_watchdog_on();
// General counters one group may use: minus one for the NMI watchdog on AMD, where it takes a
// general counter (on Intel it takes the fixed cycles counter).
int counter_budget(const Pmu& pmu, bool watchdog);
// General counters a set of events occupies (on Intel, instructions — and cycles while the watchdog
// is off — run on fixed counters).
int counters_needed(const Pmu& pmu, const std::vector<EventDef>& events, bool watchdog);

// Throws std::invalid_argument naming file:line and the problem.
Group parse_group(const std::string& text, const std::string& pmu, const std::string& name, const std::string& file);
// Built-in groups of a PMU, with files from `user_dir` (if not empty) replacing or adding.
std::vector<Group> load_groups(const std::string& pmu, const std::string& user_dir = "");
std::vector<std::string> known_pmus();
std::string builtin_groups_dir();

// Raw encodings "event=0x43,umask=0x5c" → perf config (AMD layout: event bits 0-7 and 32-35,
// umask bits 8-15). Throws on malformed text.
std::uint64_t raw_config(const std::string& spec);
bool is_raw(const std::string& spec);
// Whether a raw entry is in counters/raw_events.txt for `pmu` (its documented source).
bool raw_event_known(const std::string& pmu, const std::string& spec);

}  // namespace cromwell
