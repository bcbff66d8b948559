#pragma once
// What a gate says: on a terminal, or as Markdown for a pull-request comment (`--summary`).
// Regressions first, each with baseline, candidate, change and its 95 % interval, then what is
// inconclusive (with what would settle it), improved, new and missing, a count of the unchanged,
// and the decision rule in words.
#include <string>

#include "harness/gate/runs.hpp"
#include "harness/report/table.hpp"

namespace cromwell {

std::string render_gate(const GateResult& g, TextFormat f);

}  // namespace cromwell
