#pragma once
// Config: one point of a sweep, and its canonical key.
//
// Key grammar (docs/results-format.md):
//   key     = id "/" shape "/" params "/" axes
//   id      = kernel "." variant
//   shape, params, axes = [ pair *( "," pair ) ]      pair = name ":" value
// Axes always appear, in the order threads, pin, cache, align. Params appear in the variant's
// declared order. In names and values the bytes '%', '/', ',', ':', ' ' and controls are written
// as %XX (upper-case hex), so "pin:0,2" becomes "pin:0%2C2". Parsing undoes exactly that, so
// parse_key(key(c)) == c and key(parse_key(k)) == k for every canonical k.
#include <cstdint>
#include <string>
#include <string_view>

#include "harness/core/dims.hpp"
#include "harness/core/param.hpp"

namespace cromwell {

struct Axes {
  int threads = 1;
  std::string pin = "none";   // none|compact|scatter|cores|ccx|<cpu list>
  std::string cache = "hot";  // hot|cold
  std::int64_t align = 0;     // byte offset of every buffer from a 64-byte boundary
  bool operator==(const Axes&) const = default;
};

struct Config {
  std::string kernel, variant;
  Dims shape;
  ParamValues params;
  Axes axes;
  std::string id() const { return kernel + "." + variant; }
  std::string key() const;
  bool operator==(const Config& o) const {
    return kernel == o.kernel && variant == o.variant && shape == o.shape && params.items == o.params.items &&
           axes == o.axes;
  }
};

// Parses a key; throws std::invalid_argument naming the section that is malformed.
// Does not consult the registry (see Registry::resolve for that).
Config parse_key(std::string_view key);

std::string escape_key_part(std::string_view s);
std::string unescape_key_part(std::string_view s);

}  // namespace cromwell
