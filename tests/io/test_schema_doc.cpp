// docs/results-format.md holds the schema's table exactly as the code defines it.
#include <catch2/catch.hpp>
#include <fstream>
#include <sstream>

#include "harness/io/schema.hpp"

TEST_CASE("docs/results-format.md agrees with the schema") {
  std::ifstream in(std::string(CROMWELL_SOURCE_DIR) + "/docs/results-format.md");
  std::stringstream doc;
  doc << in.rdbuf();
  const std::string table = cromwell::schema_table();
  INFO("docs/results-format.md must hold the output of `cromwell list columns`:\n" << table);
  CHECK(doc.str().find(table) != std::string::npos);
}
