#pragma once
// What a committed baseline's numbers depend on besides the code under test, read from a results
// file's context. Counts (instructions, simulated misses) depend on the compiler, its flags, the
// counter backend and the simulator's version; times on the machine (CPU model, CPUs, memory). A
// gate compares a metric only when its fingerprint is the same in both files.
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace cromwell {

using Fingerprint = std::vector<std::pair<std::string, std::string>>;  // field, value ("" when absent)

Fingerprint counts_fingerprint(const nlohmann::ordered_json& context);
Fingerprint times_fingerprint(const nlohmann::ordered_json& context);

// One line per field that differs: "compiler: gcc 12.2.0 in the baseline, gcc 13.2.0 in the candidate".
std::vector<std::string> differences(const Fingerprint& baseline, const Fingerprint& candidate);

}  // namespace cromwell
