// The registry refuses a malformed variant at start-up with a message naming the variant and the
// problem; selection by glob and key validation name what is wrong.
#include <catch2/catch.hpp>

#include "harness/core/registry.hpp"

using namespace cromwell;

namespace {

VariantEntry entry(const std::string& name, std::vector<Param> params = {}) {
  VariantEntry v;
  v.kernel = "toy";
  v.name = name;
  v.summary = "a toy";
  v.space.params = std::move(params);
  v.instantiate = [](const Dims&, const ParamValues&, Pool&, const InstanceOptions&) -> std::unique_ptr<Instance> {
    return nullptr;
  };
  return v;
}

Registry toy_registry() {
  Registry r;
  KernelEntry k;
  k.name = "toy";
  k.summary = "a toy kernel";
  k.dims = {"n"};
  k.normalize = [](const Dims& d) { return d; };
  r.add(k);
  return r;
}

Param tile() { return Param::integer("tile", 8, 64, {8, 16}, 16, "elements", "tile edge"); }

}  // namespace

TEST_CASE("the registry refuses malformed variants, naming the variant and the problem") {
  Registry r = toy_registry();
  r.add(entry("plain"));
  struct Case {
    VariantEntry v;
    std::string message;
  };
  std::vector<Case> cases = {
      {entry("plain"), "cannot register variant toy.plain: a variant with this name is already registered"},
      {entry("with.dot"), "the variant name must be non-empty"},
      {entry(""), "the variant name must be non-empty"},
      {entry("twice", {tile(), tile()}), "parameter 'tile' is declared twice"},
      {entry("axis", {Param::integer("threads", 1, 8, {1}, 1, "", "")}), "parameter 'threads' is a harness axis"},
      {entry("dim", {Param::integer("n", 1, 8, {1}, 1, "", "")}), "parameter 'n' is a shape dimension of toy"},
      {entry("nosweep", {Param::integer("tile", 8, 64, {}, 16, "", "")}), "parameter 'tile' has no sweep values"},
      {entry("empty", {Param::integer("tile", 64, 8, {16}, 16, "", "")}), "parameter 'tile' has an empty range"},
      {entry("baddefault", {Param::integer("tile", 8, 64, {16}, 4, "", "")}), "default: tile=4 is not valid"},
      {entry("badsweep", {Param::integer("tile", 8, 64, {128}, 16, "", "")}), "sweep value: tile=128 is not valid"},
      {entry("badchoice", {Param::choice("hint", {"t0", "nta"}, {"t1"}, "t0", "")}),
       "sweep value: hint=t1 is not valid"},
  };
  VariantEntry noprepare = entry("noprepare");
  noprepare.instantiate = nullptr;
  cases.push_back({noprepare, "it has no prepare function"});
  VariantEntry badisa = entry("badisa");
  badisa.isa = {"avx9000"};
  cases.push_back({badisa, "unknown ISA feature 'avx9000'"});
  for (auto& c : cases) {
    INFO(c.v.id());
    CHECK_THROWS_WITH(r.add(c.v), Catch::Contains(c.message));
  }
  CHECK(r.variants().size() == 1);
}

TEST_CASE("filters select by glob or kernel name, and keys are checked against the registry") {
  Registry r = toy_registry();
  r.add(entry("plain"));
  r.add(entry("tiled", {tile()}));
  CHECK(r.select({"toy.*"}).size() == 2);
  CHECK(r.select({"toy"}).size() == 2);
  CHECK(r.select({"toy.t*"}).size() == 1);
  CHECK(r.select({"other.*"}).empty());
  CHECK(r.select({}).size() == 2);
  CHECK_THROWS_WITH(r.validate(parse_key("nope.plain/n:4//threads:1,pin:none,cache:hot,align:0")),
                    Catch::Contains("unknown kernel 'nope'"));
  CHECK_THROWS_WITH(r.validate(parse_key("toy.nope/n:4//threads:1,pin:none,cache:hot,align:0")),
                    Catch::Contains("unknown variant 'toy.nope'"));
  CHECK_THROWS_WITH(r.validate(parse_key("toy.tiled/n:4//threads:1,pin:none,cache:hot,align:0")),
                    Catch::Contains("toy.tiled takes 1 parameter(s), the key gives 0"));
  CHECK_THROWS_WITH(r.validate(parse_key("toy.tiled/n:4/tile:3/threads:1,pin:none,cache:hot,align:0")),
                    Catch::Contains("tile=3 is not valid: allowed 8..64"));
  CHECK_THROWS_WITH(r.validate(parse_key("toy.tiled/n:4/tile:8/threads:0,pin:none,cache:hot,align:0")),
                    Catch::Contains("threads=0 must be ≥ 1"));
  CHECK_THROWS_WITH(r.validate(parse_key("toy.tiled/n:4/tile:8/threads:1,pin:none,cache:warm,align:0")),
                    Catch::Contains("cache=warm is not valid: allowed hot|cold"));
  CHECK_THROWS_WITH(r.validate(parse_key("toy.tiled/n:4/tile:8/threads:1,pin:none,cache:hot,align:64")),
                    Catch::Contains("align=64 is not valid: allowed 0..63"));
}
