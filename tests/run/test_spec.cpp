// Sweep spec files: a full spec read into its SweepSpec and request, the error of every kind of
// mistake with its file, line and key, and the committed example specs (results/specs/) valid and
// of a sane size.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include "harness/run/spec.hpp"

using namespace cromwell;

namespace {

// The message parse_spec gives for `text` ("" when it parses).
std::string error_of(const std::string& text) {
  try {
    parse_spec(text, "t.toml");
  } catch (const SpecError& e) {
    return e.what();
  }
  return "";
}

const char* kFull = R"(# a comment
[sweep]
variants = ["gemm.blocked", "gemm.avx2*"]
shapes = ["m:64,n:64,k:64", "m:128,n:5632,k:2048"]
repetitions = 3
min_time = 0.01
strategy = "random:20"
objective = "max:gflops"
seed = 7
counters = "none"
no_prune = true
output = "results/runs/t.csv"

[params]
tile = [32, 64]
pf_dist = "0..16:8"
pf_hint = ["t0", "nta"]
mc = 144

[axes]
threads = [1, 2]
pin = ["none", "compact,scatter"]
cache = "cold"
align = [0, 4]
)";

}  // namespace

TEST_CASE("a full spec reads into every field and fills a request", "[spec]") {
  const SweepSpec s = parse_spec(kFull, "full.toml");
  CHECK(s.path.empty());
  CHECK(s.variants == std::vector<std::string>{"gemm.blocked", "gemm.avx2*"});
  CHECK(s.shapes == std::vector<std::string>{"m:64,n:64,k:64", "m:128,n:5632,k:2048"});
  CHECK(s.preset.empty());
  // In file order, each in --set syntax.
  CHECK(s.params == std::vector<std::pair<std::string, std::string>>{
                        {"tile", "32,64"}, {"pf_dist", "0..16:8"}, {"pf_hint", "t0,nta"}, {"mc", "144"}});
  CHECK(s.threads == std::vector<int>{1, 2});
  CHECK(s.pins == std::vector<std::string>{"none", "compact", "scatter"});
  CHECK(s.caches == std::vector<std::string>{"cold"});
  CHECK(s.aligns == std::vector<std::int64_t>{0, 4});
  CHECK(s.no_prune == true);
  CHECK(s.repetitions == 3);
  CHECK(s.min_time == 0.01);
  CHECK(s.counters == "none");
  CHECK(s.strategy == Strategy{Strategy::Kind::random, 20});
  CHECK(s.objective == Objective{"gflops", true});
  CHECK(s.seed == 7u);
  CHECK(s.output == "results/runs/t.csv");

  SweepRequest r;
  s.fill(r);
  CHECK(r.filters == s.variants);
  CHECK(r.shapes == s.shapes);
  CHECK(r.sets == s.params);
  CHECK(r.threads == *s.threads);
  CHECK(r.pins == *s.pins);
  CHECK(r.caches == *s.caches);
  CHECK(r.aligns == *s.aligns);
  CHECK(r.no_prune);
  const Plan p = expand(r);
  CHECK(!p.configs.empty());
  for (const auto& c : p.configs) {
    INFO(c.config.key());
    CHECK((c.config.variant == "blocked" || c.config.variant.rfind("avx2", 0) == 0));
    CHECK(c.config.axes.cache == "cold");
  }

  const auto j = s.to_json();
  CHECK(j["path"] == "");
  CHECK(j["sweep"]["strategy"] == "random:20");
  CHECK(j["sweep"]["objective"] == "max:gflops");
  CHECK(j["params"]["pf_dist"] == "0..16:8");
  CHECK(j["axes"]["pin"].size() == 3);
  CHECK(j.dump().find("\"shapes\":[\"m:64,n:64,k:64\"") != std::string::npos);
}

TEST_CASE("a spec gives only what it names: the request keeps the rest", "[spec]") {
  const SweepSpec s = parse_spec("[sweep]\nvariants = \"gemv\"\nshapes = \"llm\"\n", "x.toml");
  CHECK(s.variants == std::vector<std::string>{"gemv"});
  CHECK(s.preset == "llm");
  CHECK(!s.threads);
  CHECK(!s.repetitions);
  SweepRequest r;
  r.threads = {2};
  r.sets = {{"pf_dist", "4"}};
  s.fill(r);
  CHECK(r.preset == "llm");
  CHECK(r.threads == std::vector<int>{2});
  CHECK(r.sets.size() == 1);
  const auto j = s.to_json();
  CHECK(j.dump() == R"({"path":"","sweep":{"variants":["gemv"],"shapes":"llm"}})");
}

TEST_CASE("every mistake is reported with its file, line and key", "[spec]") {
  const std::string v = "[sweep]\nvariants = [\"gemm.blocked\"]\n";  // line 3 is the next one
  struct Case {
    std::string text, expected;
  };
  const std::vector<Case> cases = {
      // The [sweep] table.
      {"", "t.toml:1: key 'sweep': expected a top-level [sweep] table, found none (a sweep spec needs [sweep]"},
      {"# only a comment\n[params]\ntile = [64]\n", "t.toml:1: key 'sweep': expected a top-level [sweep] table"},
      {"sweep = 5\n", "t.toml:1: key 'sweep': expected a table [sweep], found the integer 5"},
      {"[sweep]\nrepetitions = 3\n",
       "t.toml:1: key 'sweep.variants': expected a kernel.variant glob or a list of them, found none (required"},
      {"[axis]\nthreads = [1]\n" + v, "t.toml:1: key 'axis': unknown table; did you mean 'axes'?"},
      {"repetitions = 5\n" + v, "t.toml:1: key 'repetitions': found at the top level (it belongs in the [sweep] table"},
      // TOML itself.
      {"[sweep]\nvariants = [\"gemm.blocked\"\n",
       "t.toml:2: not valid TOML (column 28): Error while parsing array: encountered end-of-file"},
      // A table header without a key (toml++ 3.3 built header-only asserts here: marzer/tomlplusplus#294).
      {"[?eep]\n",
       "t.toml:1: not valid TOML (column 2): Error while parsing key: expected bare key starting "
       "character or string delimiter, saw '?'"},
      {v + "[[[1]]]\n",
       "t.toml:3: not valid TOML (column 3): Error while parsing key: expected bare key starting "
       "character or string delimiter, saw '['"},
      {v + "repetitions = 3\nrepetitions = 4\n",
       "t.toml:4: not valid TOML (column 15): Error while parsing key-value pair: cannot redefine existing integer "
       "'repetitions'"},
      // [sweep] keys: types and ranges.
      {v + "repetitons = 3\n",
       "t.toml:3: key 'sweep.repetitons': unknown key; did you mean 'repetitions'? (allowed "
       "in [sweep]: variants, shapes, repetitions,"},
      {v + "threads = [1]\n", "t.toml:3: key 'sweep.threads': unknown key (it belongs in the [axes] table)"},
      {v + "repetitions = 0\n",
       "t.toml:3: key 'sweep.repetitions': expected an integer ≥ 1, found 0 (the timed repetitions per config"},
      {v + "repetitions = \"5\"\n",
       "t.toml:3: key 'sweep.repetitions': expected an integer ≥ 1, found the string "
       "\"5\" (the timed repetitions per config, 5 by default)"},
      {v + "repetitions = 5.0\n", "t.toml:3: key 'sweep.repetitions': expected an integer ≥ 1, found the float 5.0"},
      {v + "min_time = 0\n", "t.toml:3: key 'sweep.min_time': expected a number of seconds > 0 and ≤ 3600, found 0"},
      {v + "min_time = -inf\n",
       "t.toml:3: key 'sweep.min_time': expected a number of seconds > 0 and ≤ 3600, found "
       "-inf"},
      {v + "strategy = \"random\"\n",
       "t.toml:3: key 'sweep.strategy': strategy 'random': expected grid, random:N or search:N"},
      {v + "strategy = 5\n",
       "t.toml:3: key 'sweep.strategy': expected a string, found the integer 5 (grid, "
       "random:N or search:N)"},
      {v + "objective = \"max:\"\n", "t.toml:3: key 'sweep.objective': objective 'max:': expected a column name"},
      {v + "counters = \"perff\"\n",
       "t.toml:3: key 'sweep.counters': expected a counter backend, found the string "
       "\"perff\"; did you mean 'perf'? (allowed auto|perf|sim|sw|none)"},
      {v + "no_prune = \"yes\"\n", "t.toml:3: key 'sweep.no_prune': expected a boolean, found the string \"yes\""},
      {v + "seed = -1\n", "t.toml:3: key 'sweep.seed': expected an integer ≥ 0, found -1"},
      {v + "output = \"\"\n", "t.toml:3: key 'sweep.output': expected a file name, found the string \"\""},
      // Variants and shapes, as the registry sees them.
      {"[sweep]\nvariants = [\"gemm.blocked\",\n  \"gemm.nothing*\"]\n",
       "t.toml:3: key 'sweep.variants': filter 'gemm.nothing*' selects no variant (cromwell list variants)"},
      {"[sweep]\nvariants = [\"gemmm.avx2\"]\n",
       "t.toml:2: key 'sweep.variants': unknown kernel 'gemmm' in filter 'gemmm.avx2'"},
      {"[sweep]\nvariants = []\n",
       "t.toml:2: key 'sweep.variants': expected a kernel.variant glob or a list of "
       "them, found an empty array"},
      {"[sweep]\nvariants = 5\n",
       "t.toml:2: key 'sweep.variants': expected a kernel.variant glob or a list of "
       "them, found the integer 5"},
      {v + "shapes = [\"m:0,n:1,k:1\"]\n",
       "t.toml:3: key 'sweep.shapes': malformed shape 'm:0,n:1,k:1': m = 0 must be ≥ 1"},
      {v + "shapes = [\"seq:1\"]\n",
       "t.toml:3: key 'sweep.shapes': --shape seq:1: no selected kernel has exactly "
       "these dimensions (selected: gemm (m,n,k))"},
      {v + "shapes = \"huge\"\n", "t.toml:3: key 'sweep.shapes': --shapes huge: allowed llm"},
      // [params].
      {v + "[params]\ntile = [32, \"64\"]\n",
       "t.toml:4: key 'params.tile': expected an integer, a string in --set syntax, or a non-empty list of either, "
       "found the string \"64\" after integers"},
      {v + "[params]\ntile = [0.5]\n",
       "t.toml:4: key 'params.tile': expected an integer, a string in --set syntax, "
       "or a non-empty list of either, found the float 0.5 as element 1 of the list"},
      {v + "[params]\ntile = []\n",
       "t.toml:4: key 'params.tile': expected an integer, a string in --set syntax, or "
       "a non-empty list of either, found an empty array"},
      {v + "[params]\ntile = { lo = 8 }\n",
       "t.toml:4: key 'params.tile': expected an integer, a string in --set "
       "syntax, or a non-empty list of either, found a table"},
      {v + "[params]\ntiel = [64]\n",
       "t.toml:4: key 'params.tiel': --set tiel: no selected variant has a parameter "
       "'tiel' (selected: gemm.blocked; their parameters: tile); did you mean 'tile'?"},
      {v + "[params]\ntile = [\n  64,\n  3,\n]\n",
       "t.toml:6: key 'params.tile': --set tile=3 for gemm.blocked: tile=3 is not valid: allowed 8..4096"},
      {"[sweep]\nvariants = \"gemm.avx2_prefetch\"\n[params]\npf_dist = \"0..16:0\"\n",
       "t.toml:4: key 'params.pf_dist': --set pf_dist=0..16:0 for gemm.avx2_prefetch: --set pf_dist=0..16:0: step "
       "'0' must be an integer ≥ 1"},
      {"[sweep]\nvariants = \"gemm.avx2_prefetch\"\n[params]\npf_hint = \"0..4\"\n",
       "t.toml:4: key 'params.pf_hint': --set pf_hint=0..4 for gemm.avx2_prefetch: --set pf_hint=0..4: a range is "
       "only allowed for integer params; allowed t0|t1|t2|nta"},
      {v + "[params]\ntile = \"8..9223372036854775807\"\n",
       "t.toml:4: key 'params.tile': --set tile=8..9223372036854775807 for gemm.blocked: tile=4097 is not valid"},
      {"[sweep]\nvariants = \"attn_scores.blocked\"\n[params]\ntile = \"1..1000000\"\n",
       "t.toml:4: key 'params.tile': --set tile=1..1000000 for attn_scores.blocked: --set tile=1..1000000: more than "
       "10000 values (narrow the range or give a step"},
      // [axes].
      {v + "[axes]\nthreads = [0]\n", "t.toml:4: key 'axes.threads': --threads 0: a thread count must be ≥ 1"},
      {v + "[axes]\nthreads = \"2\"\n",
       "t.toml:4: key 'axes.threads': expected an integer ≥ 1 or a list of them, found the string \"2\""},
      {v + "[axes]\nthreads = [1, [2]]\n",
       "t.toml:4: key 'axes.threads': expected an integer ≥ 1 or a list of "
       "them, found an array of integers as element 2 of the list"},
      {v + "[axes]\nthreads = [4294967297]\n",
       "t.toml:4: key 'axes.threads': expected an integer ≥ 1 or a list of them, found 4294967297"},
      {v + "[axes]\npin = [\"compakt\"]\n", "t.toml:4: key 'axes.pin': pin 'compakt' is neither a policy"},
      {v + "[axes]\npin = [\"0,x\"]\n", "t.toml:4: key 'axes.pin': cpu list '0,x': 'x' is not a cpu number"},
      {v + "[axes]\ncache = [\"warm\"]\n", "t.toml:4: key 'axes.cache': --cache warm: allowed hot|cold"},
      {v + "[axes]\nalign = [64]\n", "t.toml:4: key 'axes.align': --align 64: allowed 0..63"},
      {v + "[axes]\npins = [\"compact\"]\n",
       "t.toml:4: key 'axes.pins': unknown key; did you mean 'pin'? (allowed "
       "in [axes]: threads, pin, cache, align)"},
      {v + "[axes]\nrepetitions = 3\n",
       "t.toml:4: key 'axes.repetitions': unknown key (it belongs in the [sweep] "
       "table)"},
      // A newline in a quoted key stays on its line.
      {v + "\"til\\ne\" = 1\n", "t.toml:3: key 'sweep.til\\x0ae': unknown key"},
  };
  for (const auto& c : cases) {
    INFO(c.text);
    const std::string e = error_of(c.text);
    CHECK_THAT(e, Catch::Contains(c.expected));
    CHECK(e.find('\n') == std::string::npos);  // one mistake, one line
  }
  CHECK(cases.size() >= 40);
}

TEST_CASE("every error of a spec is reported at once, in line order", "[spec]") {
  const std::string e = error_of(
      "[axes]\nthreads = [0]\n[sweep]\nvariants = [\"gemm.blocked\"]\nmin_time = 0\nrepetitions = 0\n"
      "[params]\ntile = [3]\n");
  CHECK(e ==
        "t.toml:2: key 'axes.threads': --threads 0: a thread count must be ≥ 1\n"
        "t.toml:5: key 'sweep.min_time': expected a number of seconds > 0 and ≤ 3600, found 0 (seconds per "
        "repetition, 0.05 by default)\n"
        "t.toml:6: key 'sweep.repetitions': expected an integer ≥ 1, found 0 (the timed repetitions per config, 5 by "
        "default)\n"
        "t.toml:8: key 'params.tile': --set tile=3 for gemm.blocked: tile=3 is not valid: allowed 8..4096");
  // Params are not checked against variants that select nothing (every name would be unknown).
  CHECK(error_of("[sweep]\nvariants = [\"nothing.*\"]\n[params]\ntile = [3]\n") ==
        "t.toml:2: key 'sweep.variants': filter 'nothing.*' selects no variant (cromwell list variants)");
}

TEST_CASE("read_spec names the file it cannot read", "[spec]") {
  CHECK_THROWS_WITH(read_spec("/nonexistent/x.toml"), "/nonexistent/x.toml: cannot read the sweep spec: no such file");
  CHECK_THROWS_WITH(read_spec("/tmp"), Catch::Contains("/tmp: cannot read the sweep spec: it is a directory"));
  const auto path = std::filesystem::temp_directory_path() / "cromwell-test-spec.toml";
  std::ofstream(path) << "[sweep]\nvariants = [\"gemm.naive\"]\nrepetitions = 0\n";
  CHECK_THROWS_WITH(read_spec(path.string()),
                    Catch::StartsWith(path.string() + ":3: key 'sweep.repetitions': expected an integer ≥ 1"));
  std::ofstream(path) << "[sweep]\nvariants = [\"gemm.naive\"]\n";
  CHECK(read_spec(path.string()).path == path.string());
  std::filesystem::remove(path);
}

TEST_CASE("the example specs are valid and of a sane size", "[spec]") {
  const auto dir = std::filesystem::path(CROMWELL_SOURCE_DIR) / "results/specs";
  int n = 0;
  for (const auto& f : std::filesystem::directory_iterator(dir)) {
    if (f.path().extension() != ".toml") continue;
    INFO(f.path().string());
    ++n;
    const SweepSpec s = read_spec(f.path().string());
    SweepRequest r;
    s.fill(r);
    const Plan p = expand(r);
    std::size_t runnable = 0;
    for (const auto& c : p.configs) runnable += c.status == Status::measured;
    CHECK(runnable >= 1);
    CHECK(p.configs.size() <= 400);
    CHECK(s.to_json()["path"] == f.path().string());
  }
  CHECK(n >= 4);
}

TEST_CASE("the example default spec is the built-in sweep", "[spec]") {
  const SweepSpec s = read_spec(std::string(CROMWELL_SOURCE_DIR) + "/results/specs/default.toml");
  SweepRequest r;
  s.fill(r);
  const SweepRequest d = default_sweep();
  CHECK(r.filters == d.filters);
  CHECK(r.shapes == d.shapes);
  CHECK(r.threads == d.threads);
  CHECK(r.pins == d.pins);
  CHECK(r.caches == d.caches);
  CHECK(r.aligns == d.aligns);
  CHECK(r.sets == d.sets);
}
