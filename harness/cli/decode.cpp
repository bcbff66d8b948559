// cromwell decode: the engine's token step composed from the registered kernels (decode/step.hpp),
// checked against a plain reference on small dimensions, measured with all its weights in memory,
// and set against its bound — bytes over the bandwidth measured beside each token, operations over
// the peak of the instructions each stage runs — with the counts per stage, the CSV rows, and a
// computed projection for another machine.
#include <algorithm>
#include <cmath>
#include <memory>
#include <thread>

#include <fmt/format.h>

#include "counters/backend.hpp"
#include "harness/cli/command.hpp"
#include "harness/core/registry.hpp"
#include "harness/decode/bound.hpp"
#include "harness/decode/memory.hpp"
#include "harness/decode/pairs.hpp"
#include "harness/decode/plan.hpp"
#include "harness/decode/reference.hpp"
#include "harness/decode/step.hpp"
#include "harness/io/context.hpp"
#include "harness/io/output.hpp"
#include "harness/io/results.hpp"
#include "harness/io/sink.hpp"
#include "harness/platform/machine.hpp"
#include "harness/platform/pool.hpp"
#include "harness/platform/topology.hpp"
#include "harness/report/table.hpp"
#include "harness/roofline/ceilings.hpp"
#include "harness/roofline/profile.hpp"

namespace cromwell::cli {
namespace {

using namespace cromwell::decode;

struct DecodeOptions {
  ModelDims model;
  std::string weights = "f32";
  std::int64_t layers = 0;  // measured; 0: all of the model's
  int threads = 0;          // 0: every CPU this process may use
  std::string pin = "none";
  std::string from;
  int pairs = 10;
  std::string out;
  bool overwrite = false;
  CounterOptions counters;
  std::uint64_t seed = 42;
  double spin_us = 20000;
  double project_gbps = 45, project_gflops = 1600;
  std::string project_machine = "12-core Zen 3 (Ryzen 9 5900X), dual-channel DDR4-3200";
};

std::string gb(double bytes) { return fmt::format("{:.3f}", bytes / 1e9); }
std::string mb(double bytes) { return fmt::format("{:.2f}", bytes / 1e6); }
std::string mflop(double f) { return fmt::format("{:.2f}", f / 1e6); }
std::string ms(double ns) { return fmt::format("{:.3f}", ns / 1e6); }

Record row_of(const DecodeOptions& o, WeightFormat f, const std::string& stage, const std::vector<double>& samples,
              double flops, double bytes, double scale) {
  Record r;
  r.config.kernel = "decode";
  r.config.variant = std::string(to_string(f));
  r.config.shape = o.model.dims();
  r.config.params.items = {{"stage", stage}};
  r.config.axes.threads = o.threads;
  r.config.axes.pin = o.pin;
  r.config.axes.cache = "cold";
  r.status = Status::measured;
  r.repetitions = int(samples.size());
  for (double s : samples) r.samples_ns.push_back(s * scale);
  r.time_ns = median(r.samples_ns);
  r.time_ns_min = *std::min_element(r.samples_ns.begin(), r.samples_ns.end());
  if (*r.time_ns > 0) {
    r.gflops = flops / *r.time_ns;
    r.gbps = bytes / *r.time_ns;
  }
  return r;
}

int run_decode(DecodeOptions o, const Invocation& inv) {
  const WeightFormat f = parse_weight_format(o.weights);
  if (const std::string why = validate(o.model, f); !why.empty()) throw std::invalid_argument(why);
  if (o.pairs < 10)
    throw std::invalid_argument(
        fmt::format("--pairs {}: at least 10 (the fraction of the bound is a median)", o.pairs));
  if (o.threads <= 0) o.threads = int(machine_topology().pus.size());
  apply_profile_caches();
  const std::int64_t l3 = machine_caches().l3;

  // What is measured: all layers, or fewer with at least 4 × L3 of distinct weights.
  ModelDims measured = o.model;
  if (o.layers > 0) {
    if (o.layers > o.model.layers)
      throw std::invalid_argument(
          fmt::format("--layers {}: the model has {} (--model-layers)", o.layers, o.model.layers));
    measured.layers = o.layers;
    if (const std::int64_t need = layers_for(o.model, f, 4.0 * double(l3)); o.layers < need)
      throw std::invalid_argument(fmt::format(
          "--layers {}: {:.1f} MB of {} weights is less than 4 × L3 ({:.1f} MB, {}), so they would not stream from "
          "DRAM; measure at least {} layers",
          o.layers, totals(stages(measured, f)).weight_bytes / 1e6, to_string(f), 4.0 * double(l3) / 1e6,
          machine_caches().source, need));
  }
  const std::vector<Stage> model_stages = stages(o.model, f), run_stages = stages(measured, f);
  if (o.counters.backend == "sim")
    throw std::invalid_argument(
        "--counters sim: decode counts in-process (auto, perf, sw or none); the simulator runs one kernel "
        "config at a time (cromwell sweep --counters sim)");
  const std::size_t arena = Step::arena_bytes_for(measured, f);
  if (const std::string why =
          memory_refusal(std::int64_t(arena) + (64 << 20), memory_room(),
                         fmt::format("{} layers of {} weights and the KV cache", measured.layers, to_string(f)));
      !why.empty()) {
    fmt::print(stderr, "cromwell decode: {}\n", why);
    return kExitBadInput;
  }

  Plan plan = default_plan(run_stages);
  if (!o.from.empty()) plan = plan_from(run_stages, read_results(o.from), o.threads);

  // Claim the output before the work: a name that exists is refused now, not after minutes.
  std::unique_ptr<OutputFile> out_file;
  if (!o.out.empty())
    out_file =
        std::make_unique<OutputFile>(o.out, o.overwrite ? OutputFile::Mode::overwrite : OutputFile::Mode::create, "-o");

  // The workers spin between the calls of a token, as an engine's do: a worker that finished its
  // rows of a long projection early must not be asleep when the next small kernel starts (waking
  // it costs tens of µs on a VM, a hundred such wakes a token). Not when threads share CPUs.
  const int cpus = int(machine_topology().pus.size());
  Pool pool(o.threads, pin_cpus(machine_topology(), o.pin, o.threads),
            o.threads <= cpus ? std::int64_t(o.spin_us * 1000) : 0);
  fmt::print(
      "decode: hidden {}, {} heads × {} ({} KV), MLP {}, {} layers{}, vocab {} · weights {} · KV cache f32 · "
      "context {} · {} thread(s), pin {}\n",
      o.model.hidden, o.model.heads, o.model.head_dim, o.model.kv_heads, o.model.mlp, o.model.layers,
      measured.layers < o.model.layers ? fmt::format(" (measuring {})", measured.layers) : "", o.model.vocab,
      to_string(f), o.model.context, o.threads, o.pin);
  for (const auto& n : plan.notes) fmt::print("note: {}\n", n);

  // The composition, checked on small dimensions with the same variants before anything is timed.
  {
    const ModelDims small = check_dims();
    const std::vector<Stage> s = stages(small, f);
    const Plan sp = plan_at(plan, s);
    Step step(small, f, s, sp, pool, o.seed);
    const Roundings xr = x_roundings(s, sp);
    const ReferenceToken want = reference_token(small, step, small.context - 1, xr);
    step.token();
    if (const std::string why = compare_step(want, step, composed_tolerance(xr)); !why.empty()) {
      fmt::print(stderr,
                 "cromwell decode: {} (check dimensions: hidden {}, heads {}/{}, head_dim {}, mlp {}, {} layers, "
                 "context {})\n",
                 why, small.hidden, small.heads, small.kv_heads, small.head_dim, small.mlp, small.layers,
                 small.context);
      return kExitWrong;
    }
    fmt::print(
        "check: the composed step matches the reference (hidden {}, {}/{} heads of {}, MLP {}, {} layers, "
        "context {}): logits within {:.2g} of their largest, τ = {:.0e}\n",
        small.hidden, small.heads, small.kv_heads, small.head_dim, small.mlp, small.layers, small.context,
        normwise(step.logits(), want.logits).error, composed_tolerance(xr));
  }

  fmt::print("allocating and filling {:.2f} GB (weights and KV cache of {} layers)...\n", double(arena) / 1e9,
             measured.layers);
  Step step(measured, f, run_stages, plan, pool, o.seed);

  // The peaks of the arithmetic the stages run, at this thread count.
  Ceilings ceilings;
  RooflineOptions ro;
  for (const Choice& c : plan.choices) {
    const std::string kind = arithmetic_of(c);
    if (!ceilings.peak_gops.count(kind)) ceilings.peak_gops[kind] = measure_peak(kind, pool, ro).best;
  }
  fmt::print("measuring {} pairs (a token, then {} over the same {:.2f} GB)...\n", o.pairs, step.read_variant(),
             double(step.arena_bytes()) / 1e9);
  BackendChoice backend = make_backend(o.counters, {});
  std::unique_ptr<CounterSession> session = backend.backend->open(pool);
  const Pairs p = measure_pairs(step, run_stages.size(), o.pairs, session.get());
  const std::vector<Metric> metrics = session ? session->finish() : std::vector<Metric>{};

  // Each pair's fractions, at its own bandwidth: of the staged bound and of the bandwidth alone.
  std::vector<double> fraction_staged, fraction_memory;
  for (std::size_t i = 0; i < p.token_ns.size(); ++i) {
    ceilings.bandwidth_gbps = p.bandwidth_gbps[i];
    const Bound bi = bound_of(run_stages, plan, ceilings);
    fraction_staged.push_back(bi.staged_ns / p.token_ns[i]);
    fraction_memory.push_back(bi.memory_ns / p.token_ns[i]);
  }

  // Scaling to the model's layers: layer stages × model/measured, the final stages as measured.
  const double scale = double(o.model.layers) / double(measured.layers);
  std::vector<double> token_model;
  for (std::size_t i = 0; i < p.token_ns.size(); ++i) {
    double once = 0;
    for (std::size_t s = 0; s < run_stages.size(); ++s)
      if (run_stages[s].calls == 1) once += p.stage_ns[s][i];
    token_model.push_back(once + (p.token_ns[i] - once) * scale);
  }
  const double token_ns = median(token_model), bw = median(p.bandwidth_gbps);
  ceilings.bandwidth_gbps = bw;
  const Bound b = bound_of(model_stages, plan, ceilings);
  const Totals t = totals(model_stages);

  Table counts{
      {"stage", "kernel", "shape", "calls", "MFLOP/call", "MB/call streamed", "MFLOP/token", "MB/token streamed"},
      {0, 0, 0, 1, 1, 1, 1, 1},
      {}};
  Table times{
      {"stage", "variant", "ms/token", "share", "GB/s", "bound ms", "limit", "of bound"}, {0, 0, 1, 1, 1, 1, 0, 1}, {}};
  std::vector<Record> rows;
  for (std::size_t s = 0; s < model_stages.size(); ++s) {
    const Stage& st = model_stages[s];
    const double sc = st.calls == 1 ? 1.0 : scale, stage_ns = median(p.stage_ns[s]) * sc;
    const double streamed = st.weight_bytes + st.kv_bytes;
    const double mem = b.stage_memory_ns[s], comp = b.stage_compute_ns[s];
    counts.rows.push_back({st.name, st.kernel, st.shape.str(), std::to_string(st.calls), mflop(st.work.flops),
                           mb(streamed), mflop(st.work.flops * double(st.calls)), mb(streamed * double(st.calls))});
    times.rows.push_back({st.name, plan.choices[s].text(), ms(stage_ns),
                          fmt::format("{:.1f}%", 100 * stage_ns / token_ns),
                          fmt::format("{:.1f}", st.work.bytes * double(st.calls) / stage_ns), ms(std::max(mem, comp)),
                          mem >= comp ? "memory" : "compute " + arithmetic_of(plan.choices[s]),
                          fmt::format("{:.2f}", std::max(mem, comp) / stage_ns)});
    Record r =
        row_of(o, f, st.name, p.stage_ns[s], st.work.flops * double(st.calls), st.work.bytes * double(st.calls), sc);
    r.note = plan.choices[s].text() + " (" + plan.choices[s].source + ")";
    rows.push_back(std::move(r));
  }
  counts.rows.push_back({"token", "", "", "", "", "", mflop(t.flops), mb(t.streamed())});
  times.rows.push_back({"token", "", ms(token_ns), "100%", fmt::format("{:.1f}", t.bytes / token_ns), ms(b.ns()), "",
                        fmt::format("{:.2f}", b.ns() / token_ns)});
  fmt::print("\ncounts per token (streamed: weights and KV cache, what comes from DRAM):\n{}",
             counts.render(TextFormat::term, ""));
  fmt::print("{:.3f} GB of weights ({}) + {:.1f} MB of KV cache (context {}) = {:.3f} GB; {:.2f} GFLOP\n",
             t.weight_bytes / 1e9, to_string(f), t.kv_bytes / 1e6, o.model.context, t.streamed() / 1e9, t.flops / 1e9);
  fmt::print("\nmeasured per stage (medians over the pairs{}):\n{}",
             measured.layers < o.model.layers
                 ? fmt::format("; layers scaled from {} to {}", measured.layers, o.model.layers)
                 : "",
             times.render(TextFormat::term, ""));

  const auto spread = [](const std::vector<double>& v) {
    const auto [lo, hi] = std::minmax_element(v.begin(), v.end());
    return fmt::format("{:.3f} (median of {} pairs, {:.3f}–{:.3f})", median(v), v.size(), *lo, *hi);
  };
  const double fraction = median(fraction_staged);
  fmt::print("\nmeasured: {} ms per token = {:.2f} tokens/s{}\n", ms(token_ns), 1e9 / token_ns,
             measured.layers < o.model.layers ? fmt::format(" (scaled from {} of {} layers: their stages × {:.2f})",
                                                            measured.layers, o.model.layers, scale)
                                              : "");
  fmt::print("bandwidth: {:.1f} GB/s, {} over the same {:.3f} GB right after each token (median of {} pairs)\n", bw,
             step.read_variant(), double(step.arena_bytes()) / 1e9, o.pairs);
  fmt::print("bound:    memory {} ms ({:.3f} GB at {:.1f} GB/s); compute {} ms ({:.2f} GFLOP at", ms(b.memory_ns),
             b.streamed_bytes / 1e9, bw, ms(b.compute_ns), b.flops / 1e9);
  for (const auto& [kind, g] : ceilings.peak_gops) fmt::print(" {} {:.0f} G/s", kind, g);
  fmt::print("): {} binds; stage by stage {} ms → {:.2f} tokens/s at most\n", b.binds, ms(b.ns()), 1e9 / b.ns());
  fmt::print("fraction of the bound: {}\n", spread(fraction_staged));
  fmt::print("fraction of the bandwidth bound alone: {}\n", spread(fraction_memory));
  if (backend.backend->source() != "none") {
    fmt::print("counters ({}, per token: {}):", backend.backend->source(), backend.backend->scope());
    for (const Metric& m : metrics)
      fmt::print(" {} {}", m.name, m.value ? fmt::format("{:.4g}", *m.value) : "unavailable");
    fmt::print("\n");
    if (const std::string why = reasons_of(metrics); !why.empty()) fmt::print("  {}\n", why);
  }

  fmt::print("\nprojection (computed, not measured) for a {} at {:.0f} GB/s and {:.0f} GFLOP/s:\n", o.project_machine,
             o.project_gbps, o.project_gflops);
  Table proj{{"weights", "GB/token", "GFLOP/token", "memory ms", "compute ms", "tokens/s bound",
              fmt::format("at {:.2f} of it (as {} here)", fraction, to_string(f))},
             {0, 1, 1, 1, 1, 1, 1},
             {}};
  for (const Projection& pr : project(o.model, o.project_gbps, o.project_gflops))
    proj.rows.push_back({std::string(to_string(pr.format)), gb(pr.streamed_bytes),
                         fmt::format("{:.2f}", pr.flops / 1e9), fmt::format("{:.1f}", pr.memory_ms),
                         fmt::format("{:.2f}", pr.compute_ms), fmt::format("{:.1f}", pr.tokens_per_s),
                         pr.format == f ? fmt::format("{:.1f}", pr.tokens_per_s * fraction) : "—"});
  fmt::print("{}", proj.render(TextFormat::term, ""));

  if (out_file) {
    Record tok = row_of(o, f, "token", token_model, t.flops, t.bytes, 1.0);
    tok.pct_peak = fraction;
    tok.bound = b.binds == "memory" ? "DRAM" : "compute";
    tok.note = fmt::format("{:.2f} tokens/s; staged bound {:.2f} tokens/s at {:.1f} GB/s ({}, interleaved){}",
                           1e9 / token_ns, 1e9 / b.ns(), bw, step.read_variant(),
                           measured.layers < o.model.layers
                               ? fmt::format("; scaled from {} of {} layers", measured.layers, o.model.layers)
                               : "");
    tok.metrics = metrics;
    tok.counters_source = backend.backend->source();
    tok.counters_scope = backend.backend->scope();
    tok.counters_reason = reasons_of(metrics);
    rows.push_back(std::move(tok));
    Columns cols;
    for (const auto& [n, v] : o.model.dims().items) cols.dims.push_back(n);
    cols.params = {"stage"};
    cols.metrics = backend.backend->columns();
    ContextExtras extras;
    extras.command_line = inv.command_line;
    extras.counters_backend = backend.backend->source();
    extras.machine_profile = profile_context();
    write_context(context_path(o.out), extras);
    auto sink = csv_sink(o.out, cols);
    for (const Record& r : rows) sink->write(r);
    sink->finish();
    fmt::print("\nwrote {} and {}\n", o.out, context_path(o.out));
  }
  return 0;
}

}  // namespace

Command decode_command() {
  return {"decode", "the engine's token step: measured tokens/s, its bound, the counts per stage",
          [](CLI::App& app) -> Action {
            auto o = std::make_shared<DecodeOptions>();
            app.add_option("--context", o->model.context, "cached tokens the new one attends to (512, 2048, 4096, ...)")
                ->capture_default_str();
            app.add_option("--weights", o->weights, "weight format: f32, bf16, q8_0 or q4_0 (the KV cache is f32)")
                ->capture_default_str();
            app.add_option("--threads", o->threads, "threads (default: every CPU this process may use)");
            app.add_option("--pin", o->pin, "thread pinning, as in sweeps")->capture_default_str();
            app.add_option("--layers", o->layers,
                           "measure only this many layers (at least 4 × L3 of weights) and scale to the model's");
            app.add_option("--from", o->from,
                           "a sweep's results: the best configuration of each kernel (else defaults)");
            app.add_option("--pairs", o->pairs, "token / read pairs measured (at least 10)")->capture_default_str();
            app.add_option("-o,--output", o->out, "write a CSV row per stage and one for the token (and its context)");
            app.add_flag("--overwrite", o->overwrite, "replace the -o file if it exists");
            app.add_option("--seed", o->seed, "data seed")->capture_default_str();
            app.add_option("--counters", o->counters.backend,
                           "auto|perf|sw|none: counted around each token, on the token's CSV row")
                ->capture_default_str();
            app.add_option("--groups", o->counters.groups_dir, "directory of event group files (perf)");
            app.add_option("--spin-us", o->spin_us, "how long a worker spins for the next call before it sleeps")
                ->capture_default_str()
                ->check(CLI::NonNegativeNumber);
            app.add_option("--hidden", o->model.hidden, "model: hidden size")->capture_default_str();
            app.add_option("--heads", o->model.heads, "model: query heads")->capture_default_str();
            app.add_option("--kv-heads", o->model.kv_heads, "model: key/value heads")->capture_default_str();
            app.add_option("--head-dim", o->model.head_dim, "model: head dimension")->capture_default_str();
            app.add_option("--mlp", o->model.mlp, "model: MLP size (SwiGLU)")->capture_default_str();
            app.add_option("--model-layers", o->model.layers, "model: layers")->capture_default_str();
            app.add_option("--vocab", o->model.vocab, "model: vocabulary (the LM head's rows)")->capture_default_str();
            app.add_option("--project-gbps", o->project_gbps, "projection: the other machine's DRAM bandwidth")
                ->capture_default_str();
            app.add_option("--project-gflops", o->project_gflops, "projection: its fp32 peak over all cores")
                ->capture_default_str();
            return [o](const Invocation& inv) { return run_decode(*o, inv); };
          }};
}

}  // namespace cromwell::cli
