#pragma once
// The machine profile: this machine's measured ceilings (`cromwell roofline`), stored as JSON in
// the user's cache directory under a fingerprint of the machine, read back by later runs and
// recorded in their context. The file is also what `scripts/plot roofline --ceilings` reads
// (docs/plots.md): `peaks_gflops` and `bandwidth_gbps` map a thread count to a ceiling; the
// `trials` entries keep how each ceiling was found.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace cromwell {

// One ceiling: the maximum over its trials (what the roofline uses), their median and minimum.
struct Ceiling {
  double best = 0, median = 0, min = 0;
  int trials = 0;
};

// A measured level of the memory hierarchy: its capacity found on the bandwidth curve.
struct Level {
  std::string name;        // "L1", "L2", "L3"
  std::int64_t bytes = 0;  // per core (L1, L2) or per L3 domain
  std::string how;         // "bandwidth curve: falls from 310 to 160 GB/s past 48 KiB"
};

struct MachineProfile {
  std::string fingerprint, host, cpu, date;  // date: ISO 8601 UTC
  int threads_all = 1;                       // "all threads": the CPUs this process may use
  std::string pin;                           // the pin policy of the trials with several threads
  Ceiling clock_ghz;                         // effective clock: a chain of dependent adds, 1 per cycle
  std::vector<Level> levels;                 // L1, L2, L3 found on the curve (fewer when not found)
  std::vector<std::string> notes;            // what was not found, and why
  // peaks[isa][threads]: fp32 GFLOP/s ("baseline" = SSE2 mul + add, "avx2" = FMA, "avx512" = FMA).
  std::map<std::string, std::map<int, Ceiling>> peaks;
  // bandwidth[isa][op][level][threads], GB/s; op: read, copy, copy_nt; level: L1 L2 L3 DRAM.
  std::map<std::string, std::map<std::string, std::map<std::string, std::map<int, Ceiling>>>> bandwidth;
  // The bandwidth curve behind the levels: one thread, read, bytes → GB/s (the best of its trials).
  std::vector<std::pair<std::int64_t, double>> curve;
};

// "L1" … "DRAM" in order, and the ISAs in order of width.
const std::vector<std::string>& memory_levels();
const std::vector<std::string>& peak_isas();

nlohmann::ordered_json to_json(const MachineProfile& p);
// Throws std::invalid_argument naming what is missing or malformed (`where` names the file).
MachineProfile profile_from_json(const nlohmann::json& j, const std::string& where);

// What identifies this machine for its profile: host name, CPU (vendor, brand, family, model,
// stepping), the CPUs this process may use and the memory size — a 16-digit hex hash, and the
// facts it hashes.
struct Fingerprint {
  std::string hash, facts;
};
Fingerprint machine_fingerprint();

// Where this machine's profile lives: $CROMWELL_PROFILE when set, else
// ${XDG_CACHE_HOME:-$HOME/.cache}/cromwell/machine-<fingerprint>.json.
std::string profile_path();

// This machine's profile if one has been measured (read once per process); empty otherwise, and
// machine_profile_problem() says why (none measured, or the file cannot be read: it names it).
const std::optional<MachineProfile>& machine_profile();
const std::string& machine_profile_problem();
// The profile's cache sizes, for the levels the machine does not report (platform/machine.hpp).
void apply_profile_caches();
// What a run's context records: the profile's path and contents, or its path and why it is missing.
nlohmann::ordered_json profile_context();
void save_profile(const MachineProfile& p, const std::string& path);
// Forget the profile read (after `cromwell roofline` wrote a new one, and in tests).
void reset_machine_profile();

}  // namespace cromwell
