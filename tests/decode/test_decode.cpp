// cromwell decode: the counts of the engine's token step against hand arithmetic, the composed step
// against its reference in every weight format, the bound on fixed ceilings, --from falling back to
// defaults, the memory check with a fake MemAvailable, and the command end to end on small dims.
#include <catch2/catch.hpp>
#include <cmath>
#include <fstream>

#include "harness/core/registry.hpp"
#include "harness/decode/bound.hpp"
#include "harness/decode/memory.hpp"
#include "harness/decode/plan.hpp"
#include "harness/decode/reference.hpp"
#include "harness/decode/step.hpp"
#include "harness/io/context.hpp"
#include "harness/io/results.hpp"
#include "harness/io/sink.hpp"
#include "harness/platform/pool.hpp"
#include "tests/cli/cli.hpp"

using namespace cromwell;
using namespace cromwell::decode;
namespace ct = cromwell_test;
using cromwell_test::TempDir;

namespace {

const Stage& stage(const std::vector<Stage>& s, const std::string& name) {
  for (const Stage& st : s)
    if (st.name == name) return st;
  FAIL("no stage " << name);
  return s.front();
}

// Every stage on its naive variant: the plan no CPU changes.
Plan naive_plan(const std::vector<Stage>& stages, const std::string& gemv_variant = "naive") {
  Plan p;
  for (const Stage& s : stages) {
    const std::string v = s.kernel.rfind("gemv", 0) == 0 ? gemv_variant : "naive";
    const VariantEntry* e = Registry::get().variant(s.kernel + "." + v);
    REQUIRE(e != nullptr);
    ParamValues params = e->space.defaults();
    for (auto& [n, value] : params.items)
      if (n == "layout") value = "shd";
    p.choices.push_back({e, params, "test"});
  }
  return p;
}

}  // namespace

TEST_CASE("decode: the counts of the engine's token step are the hand-computed ones") {
  const ModelDims m;  // hidden 2048, 32 heads of 64, 1 KV head, MLP 5632, 24 layers, vocab 32000, context 2048
  const std::vector<Stage> s = stages(m, WeightFormat::f32);
  // Projections: 2·n·k FLOPs and n·k weights, per layer.
  CHECK(stage(s, "qkv").shape.str() == "n:2176,k:2048");  // 2048 + 2·64 rows
  CHECK(stage(s, "qkv").work.flops == 2.0 * 2176 * 2048);
  CHECK(stage(s, "gate_up").shape.str() == "n:11264,k:2048");
  CHECK(stage(s, "down").weight_bytes == 4.0 * 2048 * 5632);
  CHECK(stage(s, "lm_head").calls == 1);
  CHECK(stage(s, "lm_head").weight_bytes == 4.0 * 32000 * 2048);  // 65.5 M weights
  // Attention at context 2048: 2·32·2048·64 = 8.39 MFLOP for the scores and as much for the values
  // (16.8 M per layer, not hidden × context × head_dim = 268 M), reading 2048·64 floats of K, of V.
  CHECK(stage(s, "scores").work.flops == 2.0 * 32 * 2048 * 64);
  CHECK(stage(s, "values").work.flops == 2.0 * 32 * 2048 * 64);
  CHECK(stage(s, "scores").kv_bytes == 4.0 * 2048 * 64);
  CHECK(stage(s, "rope_k").kv_bytes == 4.0 * 2 * 64);  // k and v written into the cache
  const Totals t = totals(s);
  // 24 · 2048 · (2176 + 2048 + 11264) + 24 · 5632 · 2048 = 1 038 090 240 weights in the layers.
  const double layer_weights = 24.0 * (2048.0 * (2176 + 2048 + 11264) + 5632.0 * 2048);
  CHECK(layer_weights == 1038090240.0);
  const double norms = 4.0 * 2048 * (2 * 24 + 1);
  CHECK(t.weight_bytes == 4.0 * (layer_weights + 32000.0 * 2048) + norms);
  CHECK(t.kv_bytes == 24.0 * (2 * 4.0 * 2048 * 64 + 4.0 * 2 * 64));
  CHECK(std::abs(t.streamed() / 1e9 - 4.440) < 0.0005);  // 4.44 GB per token in f32
  // Quantized: 18 bytes per 32 weights (q4_0), 34 (q8_0); the norms stay fp32.
  CHECK(totals(stages(m, WeightFormat::q4_0)).weight_bytes == 18.0 / 32 * (layer_weights + 32000.0 * 2048) + norms);
  CHECK(totals(stages(m, WeightFormat::q8_0)).weight_bytes == 34.0 / 32 * (layer_weights + 32000.0 * 2048) + norms);
  CHECK(stage(stages(m, WeightFormat::bf16), "qkv").kernel == "gemv_bf16");
  // --layers: a q4_0 layer is 24.3 MB (43.25 M weights), the LM head and final norm 36.9 MB; 4 × 32 MiB
  // of weights take 4 layers (134.2 MB), 3 (109.9 MB) are short.
  CHECK(layers_for(m, WeightFormat::q4_0, 4.0 * (32 << 20)) == 4);
  CHECK(layers_for(m, WeightFormat::f32, 4.0 * (32 << 20)) == 1);
}

TEST_CASE("decode: dimensions that cannot be composed are refused with the rule") {
  ModelDims m;
  m.kv_heads = 3;
  CHECK_THAT(validate(m, WeightFormat::f32), Catch::Contains("--heads 32 is not a multiple of --kv-heads 3"));
  m = ModelDims{};
  m.mlp = 5620;
  CHECK(validate(m, WeightFormat::f32).empty());
  CHECK_THAT(validate(m, WeightFormat::q4_0), Catch::Contains("mlp = 5620 is not a multiple of 32"));
  m = ModelDims{};
  m.context = 1;
  CHECK_THAT(validate(m, WeightFormat::f32), Catch::Contains("--context 1"));
  CHECK_THROWS_WITH(parse_weight_format("q5_k"), Catch::Contains("allowed: f32, bf16, q8_0, q4_0"));
}

TEST_CASE("decode: the composed step matches the reference in every weight format") {
  const ModelDims m = check_dims();
  for (int threads : {1, 3}) {
    Pool pool(threads, {});
    for (WeightFormat f : weight_formats()) {
      INFO("weights " << to_string(f) << ", " << threads << " thread(s)");
      const std::vector<Stage> s = stages(m, f);
      for (const Plan& plan : {default_plan(s), naive_plan(s)}) {
        Step step(m, f, s, plan, pool, 7);
        CHECK(check_step(m, x_roundings(s, plan), step).empty());
        // A token is the same every time: the step rewrites only its own position of the cache.
        const std::vector<float> first(step.logits().begin(), step.logits().end());
        step.token();
        CHECK(std::equal(first.begin(), first.end(), step.logits().begin()));
      }
    }
  }
}

TEST_CASE("decode: the composed check tells a wrong wiring from rounding") {
  const ModelDims m = check_dims();
  Pool pool(1, {});
  for (WeightFormat f : weight_formats()) {
    const std::vector<Stage> s = stages(m, f);
    const Plan plan = default_plan(s);
    const Roundings xr = x_roundings(s, plan);
    Step step(m, f, s, plan, pool, 7);
    step.token();
    // The reference of a token one position off (RoPE turned by the wrong angle, a cache slot off
    // by one) is far outside τ; the right one is well inside.
    const double right = normwise(step.logits(), reference_token(m, step, m.context - 1, xr).logits).error;
    const double wrong = normwise(step.logits(), reference_token(m, step, m.context - 2, xr).logits).error;
    INFO(to_string(f) << ": right " << right << ", one position off " << wrong);
    CHECK(right < composed_tolerance(xr) / 4);
    CHECK(wrong > 2 * composed_tolerance(xr));
  }
}

TEST_CASE("decode: the bound on fixed ceilings") {
  const ModelDims m;
  const std::vector<Stage> s = stages(m, WeightFormat::f32);
  Ceilings c;
  c.bandwidth_gbps = 40;  // bytes per ns
  c.peak_gops = {{"baseline", 50}, {"int8_avx2", 400}};
  const Bound b = bound_of(s, naive_plan(s), c);
  const Totals t = totals(s);
  CHECK(b.memory_ns == Approx(t.streamed() / 40));  // 4.44 GB at 40 GB/s: 111 ms
  CHECK(b.memory_ns / 1e6 == Approx(111.0).epsilon(0.001));
  CHECK(b.compute_ns == Approx(t.flops / 50));
  CHECK(b.binds == "memory");
  // Stage by stage: attention is compute (8.39 MFLOP at 50 G/s = 168 µs a layer, against 13 µs for
  // its 0.52 MB of K), the projections bytes; the sum is above both totals.
  double staged = 0;
  for (const Stage& st : s)
    staged += std::max((st.weight_bytes + st.kv_bytes) / 40, st.work.flops / 50) * double(st.calls);
  CHECK(b.staged_ns == Approx(staged));
  CHECK(b.ns() > b.memory_ns);
  CHECK(b.ns() > b.compute_ns);
  // q4_0 with the AVX2 integer GEMV: its projections at the int8 ceiling, the rest at baseline.
  const std::vector<Stage> q = stages(m, WeightFormat::q4_0);
  const Bound bq = bound_of(q, naive_plan(q, "avx2_int8"), c);
  double want = 0;
  for (const Stage& st : q) want += st.work.flops * double(st.calls) / (st.kernel == "gemv_q4_0" ? 400 : 50);
  CHECK(bq.compute_ns == Approx(want));
  CHECK(bq.memory_ns == Approx(totals(q).streamed() / 40));
  // Slow enough arithmetic binds.
  c.peak_gops["baseline"] = 1;
  CHECK(bound_of(s, naive_plan(s), c).binds == "compute");
  c.peak_gops.erase("baseline");
  CHECK_THROWS_WITH(bound_of(s, naive_plan(s), c), Catch::Contains("no peak for baseline"));
  // The projection: q4_0 at 45 GB/s streams 0.646 GB per token: 69.6 tokens/s at most.
  for (const Projection& p : project(m, 45, 1600))
    if (p.format == WeightFormat::q4_0) CHECK(p.tokens_per_s == Approx(45e9 / totals(q).streamed()));
}

TEST_CASE("decode: --from takes the best measured row of a kernel and falls back to defaults") {
  TempDir dir;
  const std::string path = (dir / "run.csv").string();
  const ModelDims m = check_dims();
  const std::vector<Stage> s = stages(m, WeightFormat::f32);
  Columns cols;
  cols.dims = {"n", "k"};
  cols.params = {"streams", "pf_dist", "pf_hint"};
  write_context(context_path(path), {});
  {
    auto sink = csv_sink(path, cols);
    const auto row = [&](const std::string& key, double ns, double gbps) {
      Record r;
      r.config = parse_key(key);
      r.status = Status::measured;
      r.time_ns = ns;
      r.repetitions = 1;
      r.samples_ns = {ns};
      r.gbps = gbps;
      sink->write(r);
    };
    // The qkv shape (n = 64 + 2·32, k = 64) at 1 thread: the faster of two rows wins.
    row("gemv.naive/n:128,k:64//threads:1,pin:none,cache:hot,align:0", 900, 5);
    row("gemv.avx2/n:128,k:64//threads:1,pin:none,cache:hot,align:0", 300, 4);
    // At another shape the most GB/s wins (times of different work do not compare).
    row("gemv.naive/n:9999,k:64//threads:1,pin:none,cache:hot,align:0", 99000, 20);
    // The out_proj shape (n = k = 64): a cold row stands for the step (its weights are cold) before
    // a faster hot one.
    row("gemv.avx2/n:64,k:64//threads:1,pin:none,cache:hot,align:0", 100, 30);
    row("gemv.naive/n:64,k:64//threads:1,pin:none,cache:cold,align:0", 500, 1);
    sink->finish();
  }
  const ResultsFile f = read_results(path);
  const Plan p = plan_from(s, f, 1);
  std::size_t qkv = 0, out = 0, down = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i].name == "qkv") qkv = i;
    if (s[i].name == "out_proj") out = i;
    if (s[i].name == "down") down = i;
  }
  CHECK(p.choices[qkv].variant->id() == "gemv.avx2");
  CHECK_THAT(p.choices[qkv].source, Catch::Contains("this shape, hot cache, 1 thread(s)"));
  CHECK(p.choices[out].variant->id() == "gemv.naive");
  CHECK_THAT(p.choices[out].source, Catch::Contains("this shape, cold cache"));
  // The other GEMV shapes take a row of another shape: cold first, then the most GB/s.
  CHECK(p.choices[down].variant->id() == "gemv.naive");
  CHECK_THAT(p.choices[down].source, Catch::Contains("another shape"));
  bool said = false;
  for (const auto& n : p.notes)
    said |= n.find("has no measured row of rmsnorm that runs here: the default rmsnorm.") != std::string::npos &&
            n.find("runs attn_norm, mlp_norm, final_norm") != std::string::npos;
  CHECK(said);
}

TEST_CASE("decode: the memory check refuses with the numbers") {
  TempDir dir;
  {
    std::ofstream(dir / "meminfo") << "MemTotal:       25000000 kB\nMemFree:         1000000 kB\n"
                                      "MemAvailable:    2097152 kB\n";
    std::ofstream(dir / "memory.max") << "1073741824\n";
    std::ofstream(dir / "memory.current") << "536870912\n";
  }
  const MemoryRoom no_cgroup = read_memory_room((dir / "meminfo").string(), "");
  REQUIRE(no_cgroup.available);
  CHECK(*no_cgroup.available == 2147483648LL);  // 2 GiB
  CHECK(memory_refusal(1LL << 30, no_cgroup, "x").empty());
  const std::string why = memory_refusal(4LL << 30, no_cgroup, "24 layers of f32 weights");
  CHECK_THAT(why, Catch::Contains("needs 4.00 GiB") && Catch::Contains("may take 2.00 GiB") &&
                      Catch::Contains("MemAvailable 2.00 GiB") && Catch::Contains("--layers"));
  // The cgroup's headroom (1 GiB − 0.5 GiB) is smaller.
  const MemoryRoom cg = read_memory_room((dir / "meminfo").string(), dir.path.string());
  CHECK(*cg.room() == 536870912LL);
  CHECK_THAT(memory_refusal(1LL << 30, cg, "x"), Catch::Contains("cgroup memory.max 1.00 GiB with 0.50 GiB in use"));

  // The command refuses before it allocates, with exit code 2.
  const auto refused =
      ct::cromwell_env("CROMWELL_MEMINFO=" + (dir / "meminfo").string(), "decode --weights f32 --threads 1");
  CHECK(refused.code == 2);
  CHECK_THAT(refused.output, Catch::Contains("not enough memory") && Catch::Contains("MemAvailable 2.00 GiB"));
}

TEST_CASE("decode: the command on small dimensions — table, bound, CSV rows that read back") {
  TempDir dir;
  const std::string out = (dir / "decode.csv").string();
  const auto r = ct::cromwell(
      "decode --hidden 256 --heads 4 --kv-heads 1 --head-dim 64 --mlp 512 --model-layers 4 "
      "--vocab 1000 --context 64 --threads 1 --weights q8_0 -o " +
      out);
  INFO(r.output);
  REQUIRE(r.code == 0);
  CHECK_THAT(r.output, Catch::Contains("check: the composed step matches the reference"));
  CHECK_THAT(r.output, Catch::Contains("fraction of the bound:") && Catch::Contains("tokens/s"));
  CHECK_THAT(r.output, Catch::Contains("projection (computed, not measured)"));
  const ResultsFile f = read_results(out);
  REQUIRE(f.records.size() == 17);  // 16 stages and the token
  CHECK(f.records.back().config.key() ==
        "decode.q8_0/hidden:256,heads:4,kv_heads:1,head_dim:64,mlp:512,layers:4,vocab:1000,context:64/"
        "stage:token/threads:1,pin:none,cache:cold,align:0");
  CHECK(f.records.back().pct_peak.has_value());
  CHECK(f.records.back().samples_ns.size() == 10);
  // report reads them back: the token is the configuration, its fraction of the bound the roofline's.
  const auto rep = ct::cromwell("report " + out);
  INFO(rep.output);
  CHECK(rep.code == 0);
  CHECK_THAT(rep.output, Catch::Contains("stage=token") && Catch::Contains("DRAM"));
  // --layers below 4 × L3 of weights is refused, naming the minimum.
  const auto few = ct::cromwell("decode --weights q4_0 --layers 1 --vocab 32 --threads 1");
  CHECK(few.code == 2);
  CHECK_THAT(few.output, Catch::Contains("less than 4 × L3") && Catch::Contains("measure at least"));
}
