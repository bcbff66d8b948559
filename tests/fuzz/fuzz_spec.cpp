// libFuzzer target: bytes as a sweep spec (tests/fuzz/run.sh builds and runs it). A spec is either
// read or refused with a SpecError whose every line names the file; any other exception, a crash,
// a hang or undefined behaviour is a finding. A spec that reads must fill a request and serialize.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "harness/run/spec.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    const cromwell::SweepSpec s = cromwell::parse_spec(text, "fuzz.toml");
    cromwell::SweepRequest r;
    s.fill(r);
    (void)s.to_json().dump();
  } catch (const cromwell::SpecError& e) {
    const std::string_view m = e.what();
    std::size_t at = 0;
    while (at < m.size()) {  // each line is "fuzz.toml:LINE: ..." (or the count of further errors)
      const std::size_t end = std::min(m.find('\n', at), m.size());
      const std::string_view line = m.substr(at, end - at);
      if (!line.starts_with("fuzz.toml:") && !line.starts_with("... and ")) {
        std::fprintf(stderr, "error line without its file: '%.*s'\n", int(line.size()), line.data());
        std::abort();
      }
      at = end + 1;
    }
  } catch (const std::invalid_argument& e) {
    std::fprintf(stderr, "invalid_argument escaped as such, not as a SpecError: %s\n", e.what());
    std::abort();
  }
  return 0;
}
