// Params, value lists, space enumeration, and constraints that reject or prune.
#include <catch2/catch.hpp>

#include "harness/core/space.hpp"

using namespace cromwell;

namespace {
Space toy_space() {
  Space s;
  s.params = {Param::integer("tile", 1, 64, {4, 6, 8}, 8, "elements", "tile edge"),
              Param::choice("hint", {"t0", "nta"}, {"t0", "nta"}, "t0", "prefetch hint")};
  s.constraints = {{"multiple-of-4", Constraint::Kind::validity,
                    [](const ParamValues& p, const Dims&, const CacheSizes&) -> std::string {
                      return p.integer("tile") % 4 ? "tile must be a multiple of 4" : "";
                    }},
                   {"fits-l1", Constraint::Kind::heuristic,
                    [](const ParamValues& p, const Dims& d, const CacheSizes& c) -> std::string {
                      return p.integer("tile") * d.at("n") * 4 > c.l1d ? "tile row exceeds L1D" : "";
                    }}};
  return s;
}
}  // namespace

TEST_CASE("value lists expand ranges and validate every value") {
  const Param tile = Param::integer("tile", 8, 4096, {32}, 32, "elements", "");
  CHECK(expand_values(tile, "64,256") == std::vector<std::string>{"64", "256"});
  CHECK(expand_values(tile, "16..512*2") == std::vector<std::string>{"16", "32", "64", "128", "256", "512"});
  CHECK(expand_values(tile, "8..16:4") == std::vector<std::string>{"8", "12", "16"});
  CHECK(expand_values(tile, "8,8..12:4") == std::vector<std::string>{"8", "12"});
  CHECK_THROWS_WITH(expand_values(tile, "0"), Catch::Contains("tile=0 is not valid: allowed 8..4096"));
  CHECK_THROWS_WITH(expand_values(tile, "-8"), Catch::Contains("allowed 8..4096"));
  CHECK_THROWS_WITH(expand_values(tile, "abc"), Catch::Contains("not an integer"));
  CHECK_THROWS_WITH(expand_values(tile, "64,"), Catch::Contains("empty value"));
  CHECK_THROWS_WITH(expand_values(tile, "64..8"), Catch::Contains("malformed range"));
  CHECK_THROWS_WITH(expand_values(tile, "8..64*1"), Catch::Contains("step"));
  const Param hint = Param::choice("pf_hint", {"t0", "t1", "t2", "nta"}, {"t0"}, "t0", "");
  CHECK(expand_values(hint, "t0,nta") == std::vector<std::string>{"t0", "nta"});
  CHECK_THROWS_WITH(expand_values(hint, "t9"), Catch::Contains("allowed t0|t1|t2|nta"));
  CHECK_THROWS_WITH(expand_values(hint, "1..3"), Catch::Contains("only allowed for integer"));
}

TEST_CASE("a space enumerates the grid in param order") {
  const Space s = toy_space();
  const auto grid = s.grid({s.params[0].sweep, s.params[1].sweep});
  REQUIRE(grid.size() == 6);
  CHECK(grid[0].items == std::vector<std::pair<std::string, std::string>>{{"tile", "4"}, {"hint", "t0"}});
  CHECK(grid[1].items == std::vector<std::pair<std::string, std::string>>{{"tile", "4"}, {"hint", "nta"}});
  CHECK(grid[5].items == std::vector<std::pair<std::string, std::string>>{{"tile", "8"}, {"hint", "nta"}});
  CHECK(s.defaults().items == std::vector<std::pair<std::string, std::string>>{{"tile", "8"}, {"hint", "t0"}});
}

TEST_CASE("validity constraints reject and heuristics prune with their reasons") {
  const Space s = toy_space();
  const CacheSizes small{64, 1024, 4096, "test"};
  const Dims d{{{"n", 4}}};  // a tile row is tile·4·4 bytes against an L1D of 64
  ParamValues p{{{"tile", "6"}, {"hint", "t0"}}};
  CHECK(s.violation(p, d, small, Constraint::Kind::validity) == "tile must be a multiple of 4");
  p.items[0].second = "8";
  CHECK(s.violation(p, d, small, Constraint::Kind::validity).empty());
  CHECK(s.violation(p, d, small, Constraint::Kind::heuristic) == "tile row exceeds L1D");
  p.items[0].second = "4";
  CHECK(s.violation(p, d, small, Constraint::Kind::heuristic).empty());
}
