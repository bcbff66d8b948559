#pragma once
// Param: one tunable knob of a variant (tile, mc, kc, nc, pf_dist, pf_hint, store, ...).
// A param has the values a sweep tries by default, the values that are valid (a superset: an
// integer range with an optional "multiple of", or a list of choices), a default, a unit and help.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cromwell {

struct Param {
  std::string name;
  std::string unit;  // "elements", "bytes", "k-iterations", "" for choices
  std::string help;
  std::vector<std::string> sweep;  // candidates a sweep tries unless --set says otherwise
  std::string fallback;            // the default value (used by `check` and corner configs)
  // Valid values: either choices, or integers in [lo, hi] (optionally a multiple of `step`).
  std::vector<std::string> choices;
  std::int64_t lo = 0, hi = 0, multiple_of = 1;

  static Param integer(std::string name, std::int64_t lo, std::int64_t hi, std::vector<std::int64_t> sweep,
                       std::int64_t fallback, std::string unit, std::string help);
  static Param choice(std::string name, std::vector<std::string> choices, std::vector<std::string> sweep,
                      std::string fallback, std::string help);

  bool is_integer() const { return choices.empty(); }
  // Empty when `value` is valid, else the reason ("tile=0 is not valid: allowed 8..4096").
  std::string validate(std::string_view value) const;
  std::string allowed() const;  // "8..4096", "8..4096, multiple of 8", "t0|t1|t2|nta"
};

// Expands one --set value list: "64,128,256", "16..512*2" (geometric), "0..16:2" (arithmetic),
// or a mix separated by commas. Integer ranges only for integer params. Throws
// std::invalid_argument naming the bad element.
std::vector<std::string> expand_values(const Param& p, std::string_view list);

// Values of a variant's params for one config, in the variant's declared order.
struct ParamValues {
  std::vector<std::pair<std::string, std::string>> items;
  const std::string* find(std::string_view name) const;
  const std::string& str(std::string_view name) const;  // throws if absent
  std::int64_t integer(std::string_view name) const;    // throws if absent or not an integer
};

}  // namespace cromwell
