#pragma once
// Which variant, with which parameters, runs each stage of the token step: the best measured
// configuration of the stage's kernel in a sweep file (`--from RUN.csv`, read through io/), or
// the defaults — the widest variant this CPU runs, with its parameters' defaults. Attention runs
// in the shd layout (the token's q and the KV cache as the projections write them), so rows in
// the hds layout are not candidates.
#include <string>
#include <vector>

#include "harness/core/param.hpp"
#include "harness/core/registry.hpp"
#include "harness/decode/model.hpp"
#include "harness/io/results.hpp"

namespace cromwell::decode {

struct Choice {
  const VariantEntry* variant = nullptr;
  ParamValues params;
  std::string source;  // "default", or where in the sweep file it came from
  // "gemv_q4_0.avx512_vnni/streams:4,pf_dist:0,pf_hint:t0"
  std::string text() const;
};

struct Plan {
  std::vector<Choice> choices;     // one per stage, in stage order
  std::vector<std::string> notes;  // the stages that fell back to defaults, and why
};

// The defaults for every stage. Throws std::runtime_error when a kernel has no variant this CPU runs.
Plan default_plan(const std::vector<Stage>& stages);
// For each stage, the best measured row of its kernel in `from`: at the stage's shape if there is
// one (the least time), else at any shape (the most GB/s); among those, cold rows before hot ones
// and rows at `threads` before others. A kernel without a usable row keeps its default, and a note
// says so.
Plan plan_from(const std::vector<Stage>& stages, const ResultsFile& from, int threads);
// `p`'s variants and parameters at other shapes (the same stages of other dimensions): each stage
// keeps its choice where it is valid there, else takes the default.
Plan plan_at(const Plan& p, const std::vector<Stage>& stages);

}  // namespace cromwell::decode
