// libFuzzer target: bytes as a results CSV (tests/fuzz/run.sh builds and runs it). The first byte
// chooses the schema version the context would name, the rest is the file. The reader refuses a bad
// file with std::invalid_argument naming it; any other exception, a crash, a hang or undefined
// behaviour is a finding. What it reads must write back to the same rows.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "harness/io/csv.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const int version = data[0] % (cromwell::kSchemaVersion + 1);
  const std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
  cromwell::ResultsFile f;
  try {
    f = cromwell::parse_results_csv(text, "fuzz.csv", version);
  } catch (const std::invalid_argument& e) {
    if (!std::string_view(e.what()).starts_with("fuzz.csv")) {
      std::fprintf(stderr, "error without the file's name: %s\n", e.what());
      std::abort();
    }
    return 0;
  }
  // Rows read are rows the schema can write: written and read again, they are the same text.
  const auto columns = cromwell::columns_of(f.columns);
  std::string again = cromwell::csv_line(cromwell::header_of(columns));
  for (const auto& r : f.records) again += cromwell::csv_line(cromwell::row_cells(r, columns));
  const cromwell::ResultsFile g = cromwell::parse_results_csv(again, "again.csv", cromwell::kSchemaVersion);
  std::string twice = cromwell::csv_line(cromwell::header_of(cromwell::columns_of(g.columns)));
  for (const auto& r : g.records) twice += cromwell::csv_line(cromwell::row_cells(r, cromwell::columns_of(g.columns)));
  if (again != twice) {
    std::fprintf(stderr, "a row read back differs when written again:\n%s---\n%s", again.c_str(), twice.c_str());
    std::abort();
  }
  return 0;
}
