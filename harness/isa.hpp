#pragma once
// CPU features for the runtime check that guards every variant compiled with a wider ISA.
#include <string>
#include <string_view>
#include <vector>

namespace cromwell {

// Feature names as GCC spells them in target attributes: "avx2", "fma", "avx512f", ...
bool cpu_has(std::string_view feature);
// The features of `required` this CPU lacks, joined with "+", or empty.
std::string missing_isa(const std::vector<std::string>& required);

}  // namespace cromwell
