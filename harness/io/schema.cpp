#include "harness/io/schema.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <optional>
#include <stdexcept>

#include <fmt/format.h>

#include "harness/platform/text.hpp"

namespace cromwell {
namespace {

constexpr const char* kMetricFormat = "{:.6g}";

using Get = std::function<Value(const Record&)>;
using Set = std::function<void(Record&, const Value&)>;

bool empty(const Value& v) { return std::holds_alternative<std::monostate>(v); }
Value opt(const std::optional<double>& v) { return v ? Value(*v) : Value(); }
Value text(const std::string& s) { return s.empty() ? Value() : Value(s); }
std::string as_text(const Value& v) { return empty(v) ? "" : std::get<std::string>(v); }
std::optional<double> as_real(const Value& v) { return empty(v) ? std::nullopt : std::optional(std::get<double>(v)); }
bool timed(const Record& r) { return r.status == Status::measured && r.time_ns.has_value(); }

std::string show(const Column& c, const Value& v) { return empty(v) ? "(empty)" : "'" + to_text(c, v) + "'"; }

// A column computed from the row's key: reading checks that the cell agrees with the key.
Column keyed(std::string name, Family family, ColumnType type, std::string unit, std::string meaning, Get get) {
  Column c{std::move(name), family, type, std::move(unit), std::move(meaning), "", 0, get, {}};
  c.set = [c](Record& r, const Value& v) {
    const Value want = c.get(r);
    if (want != v)
      throw std::invalid_argument(fmt::format("{} contradicts the key, which says {}", show(c, v), show(c, want)));
  };
  return c;
}

Column real(std::string name, Family family, std::string unit, std::string format, std::string meaning,
            std::optional<double> Record::*field) {
  return {std::move(name),
          family,
          ColumnType::real,
          std::move(unit),
          std::move(meaning),
          std::move(format),
          0,
          [field](const Record& r) { return opt(r.*field); },
          [field](Record& r, const Value& v) { r.*field = as_real(v); }};
}

Column plain_text(std::string name, Family family, std::string meaning, std::string Record::*field,
                  bool only_timed = false) {
  return {std::move(name),
          family,
          ColumnType::text,
          "",
          std::move(meaning),
          "",
          0,
          [field, only_timed](const Record& r) { return only_timed && !timed(r) ? Value() : text(r.*field); },
          [field](Record& r, const Value& v) { r.*field = as_text(v); }};
}

// The schema's entry for a family of columns named by the data (one per shape dimension, parameter
// or counter metric): documented in the table, with no getter of its own; the reader makes each
// column of the family from the names it finds in a header.
Column family_entry(std::string name, Family family, ColumnType type, std::string unit, std::string meaning) {
  return {std::move(name), family, type, std::move(unit), std::move(meaning), "", 0, {}, {}};
}

Column dim_column(const std::string& name) {
  return keyed(name, Family::dim, ColumnType::integer, "elements", "", [name](const Record& r) -> Value {
    const auto* v = r.config.shape.find(name);
    return v ? Value(*v) : Value();
  });
}

Column param_column(const std::string& name) {
  return keyed(name, Family::param, ColumnType::text, "", "", [name](const Record& r) -> Value {
    const auto* v = r.config.params.find(name);
    return v ? text(*v) : Value();
  });
}

Column metric_column(const std::string& name) {
  return {name,
          Family::metric,
          ColumnType::real,
          "",
          "",
          kMetricFormat,
          0,
          [name](const Record& r) -> Value {
            for (const auto& m : r.metrics)
              if (m.name == name && m.value) return *m.value;
            return {};
          },
          [name](Record& r, const Value& v) {
            r.metrics.push_back({name, as_real(v), ""});
          }};
}

std::vector<Column> make_schema() {
  const auto L = Family::lead, A = Family::axis, M = Family::measure, C = Family::counter;
  std::vector<Column> s;
  s.push_back({"key", L, ColumnType::text, "",
               "the configuration's canonical key (grammar below); `run` and `compare` accept it", "", 0,
               [](const Record& r) -> Value { return r.config.key(); },
               [](Record& r, const Value& v) {
                 if (empty(v)) throw std::invalid_argument("column key is empty");
                 r.config = parse_key(std::get<std::string>(v));
               }});
  s.push_back(keyed("kernel", L, ColumnType::text, "", "what is computed",
                    [](const Record& r) -> Value { return text(r.config.kernel); }));
  s.push_back(keyed("variant", L, ColumnType::text, "", "how it is computed",
                    [](const Record& r) -> Value { return text(r.config.variant); }));
  s.push_back({"status", L, ColumnType::text, "",
               "`measured`, `rejected`, `pruned`, `unsupported`, `failed`, `error` (below)", "", 0,
               [](const Record& r) -> Value { return std::string(to_string(r.status)); },
               [](Record& r, const Value& v) { r.status = parse_status(as_text(v)); }});
  s.push_back(plain_text(
      "reason", L, "why a row is not measured: the constraint, the missing ISA, the first wrong element, the error",
      &Record::reason));
  s.push_back(plain_text("note", L,
                         "facts about the row: a peer's library and core, that OpenBLAS' own threads ignore the "
                         "pool's pinning, what a calibration row measures",
                         &Record::note));
  Column shard = plain_text("shard", L,
                            "`K/N` when shard K of N of a sharded sweep (`--shard`) wrote the row; a merged file "
                            "keeps every shard's calibration rows, told apart by this column",
                            &Record::shard);
  shard.since = 3;
  s.push_back(shard);
  s.push_back(family_entry("*dims*", Family::dim, ColumnType::integer, "elements",
                           "one column per shape dimension, e.g. `m`, `n`, `k` for GEMM"));
  s.push_back(family_entry("*params*", Family::param, ColumnType::text, "",
                           "one column per parameter, e.g. `mc`, `kc`, `pf_dist` (units in `cromwell list params`)"));
  s.push_back(keyed("threads", A, ColumnType::integer, "",
                    "threads running the kernel (the calling thread is thread 0)",
                    [](const Record& r) -> Value { return std::int64_t{r.config.axes.threads}; }));
  s.push_back(keyed("pin", A, ColumnType::text, "", "pin policy or cpu list ([pinning.md](pinning.md))",
                    [](const Record& r) -> Value { return text(r.config.axes.pin); }));
  s.push_back(keyed("cache", A, ColumnType::text, "",
                    "`hot` (one workspace, reused) or `cold` (rotating through `--cold-bytes` of workspace copies)",
                    [](const Record& r) -> Value { return text(r.config.axes.cache); }));
  s.push_back(keyed("align", A, ColumnType::integer, "bytes", "offset of every buffer from a 64-byte boundary",
                    [](const Record& r) -> Value { return std::int64_t{r.config.axes.align}; }));
  s.push_back({"repetitions", M, ColumnType::integer, "", "timed repetitions (each of at least `--min-time` seconds)",
               "", 0, [](const Record& r) -> Value { return timed(r) ? Value(std::int64_t{r.repetitions}) : Value(); },
               [](Record& r, const Value& v) { r.repetitions = empty(v) ? 0 : int(std::get<std::int64_t>(v)); }});
  s.push_back(real("time_ns", M, "ns", "{:.1f}", "median over repetitions of the time per call (wall clock)",
                   &Record::time_ns));
  s.push_back(real("time_ns_min", M, "ns", "{:.1f}", "the fastest repetition's time per call", &Record::time_ns_min));
  s.push_back(real("err_pct", M, "%", "{:.2f}",
                   "median absolute percentage deviation of the repetitions from their median", &Record::err_pct));
  s.push_back({"unstable", M, ColumnType::boolean, "", "`true` when `err_pct` is above 5", "", 0,
               [](const Record& r) -> Value { return timed(r) ? Value(r.unstable) : Value(); },
               [](Record& r, const Value& v) { r.unstable = !empty(v) && std::get<bool>(v); }});
  s.push_back(real("gflops", M, "GFLOP/s", "{:.4g}", "flops of the work model / `time_ns`", &Record::gflops));
  s.push_back(real("gbps", M, "GB/s", "{:.4g}",
                   "compulsory bytes of the work model (each input read once, each output written once) / `time_ns`",
                   &Record::gbps));
  s.push_back(real("steal_pct", M, "%", "{:.2f}",
                   "CPU time stolen by the hypervisor during the measurement, share of all CPU time (/proc/stat)",
                   &Record::steal_pct));
  s.push_back({"samples_ns", M, ColumnType::samples, "ns", "every repetition's time per call, in order", "{:.1f}", 1,
               [](const Record& r) -> Value { return r.samples_ns.empty() ? Value() : Value(r.samples_ns); },
               [](Record& r, const Value& v) {
                 r.samples_ns = empty(v) ? std::vector<double>{} : std::get<std::vector<double>>(v);
               }});
  Column spin = real("spin_ns", M, "ns", "{:.1f}",
                     "ns per call that the pool's threads (workers and the calling thread) spent spinning in waits "
                     "(for a job, for the others to finish one, in a barrier) during the timed loops, summed over "
                     "threads (waits under a few µs timed one in 32: an unbiased estimate); counter columns count "
                     "these instructions as the kernel's. 0 when no wait spun (1 thread, threads sharing CPUs, "
                     "`CROMWELL_SPIN_US=0`); a peer with its own threads (OpenBLAS) leaves the pool idle, and its "
                     "own spinning is not in it",
                     &Record::spin_ns);
  spin.since = 2;
  s.push_back(spin);
  Column pct_peak = real("pct_peak", M, "fraction", "{:.3f}",
                         "performance / the roofline bound at the row's arithmetic intensity, for its thread count, "
                         "the widest ISA of its variant and the level that holds its working set (DRAM when cold), "
                         "from the machine profile of `cromwell roofline` ([metrics.md](metrics.md)); empty without "
                         "a profile, and `bound` says why",
                         &Record::pct_peak);
  Column pct_machine =
      real("pct_machine", M, "fraction", "{:.3f}",
           "performance / the bound with the machine's widest ISA and every thread", &Record::pct_machine);
  Column bound = plain_text("bound", M,
                            "what bounds the row: `compute`, `L1`, `L2`, `L3` or `DRAM`, followed by `(profile stale)` "
                            "when pct_peak is above 1.05; when pct_peak is empty, why",
                            &Record::bound, true);
  for (Column* c : {&pct_peak, &pct_machine, &bound}) {
    c->since = 4;
    s.push_back(*c);
  }
  Column calib = plain_text("calib", M,
                            "with `--calibrate`: the calibration kernel whose repetitions alternated with the row's "
                            "— `fma.ISA` for a compute-bound config, `read.ISA.LEVEL` for one bound by the level that "
                            "holds its working set ([gate.md](gate.md))",
                            &Record::calib);
  Column calib_ns{"calib_ns",
                  M,
                  ColumnType::samples,
                  "ns",
                  "with `--calibrate`: the calibration kernel's time per call after each repetition, in order",
                  "{:.1f}",
                  5,
                  [](const Record& r) -> Value { return r.calib_ns.empty() ? Value() : Value(r.calib_ns); },
                  [](Record& r, const Value& v) {
                    r.calib_ns = empty(v) ? std::vector<double>{} : std::get<std::vector<double>>(v);
                  }};
  calib.since = 5;
  s.push_back(calib);
  s.push_back(calib_ns);
  s.push_back(plain_text("counters", C, "source of the counter columns: `none`, `sw`, `perf:<pmu>`, `sim:<model>`",
                         &Record::counters_source, true));
  s.push_back(plain_text("counters_scope", C, "what the counter values cover (threads, mode, prefetches, simulation)",
                         &Record::counters_scope, true));
  s.push_back(plain_text("counters_reason", C,
                         "why counter values are missing, and flags on those present (multiplexed)",
                         &Record::counters_reason));
  Column metrics = family_entry("*metrics*", Family::metric, ColumnType::real, "per call",
                                "one column per counter or metric of the backend ([metrics.md](metrics.md))");
  metrics.format = kMetricFormat;
  s.push_back(metrics);
  return s;
}

bool is_family_entry(const Column& c) { return !c.get; }

}  // namespace

std::string_view to_string(ColumnType t) {
  switch (t) {
    case ColumnType::text:
      return "text";
    case ColumnType::integer:
      return "integer";
    case ColumnType::real:
      return "real";
    case ColumnType::boolean:
      return "boolean";
    case ColumnType::samples:
      return "reals";
  }
  return "?";
}

void Columns::add(const Columns& other) {
  auto merge = [](std::vector<std::string>& into, const std::vector<std::string>& from) {
    for (const auto& n : from)
      if (std::find(into.begin(), into.end(), n) == into.end()) into.push_back(n);
  };
  merge(dims, other.dims);
  merge(params, other.params);
  merge(metrics, other.metrics);
}

const std::vector<Column>& schema() {
  static const std::vector<Column> s = make_schema();
  return s;
}

namespace {

// How a column's cells are written, in words ("1 decimal", "4 significant digits").
std::string written_as(const Column& c) {
  auto digits = [&]() -> std::string {
    const auto dot = c.format.find('.');
    if (dot == std::string::npos) return "shortest";
    if (c.format == kMetricFormat) return "a whole number in full, else 6 significant digits";
    const int n = std::stoi(c.format.substr(dot + 1));
    const char kind = c.format[c.format.size() - 2];
    return kind == 'f' ? fmt::format("{} decimal{}", n, n == 1 ? "" : "s") : fmt::format("{} significant digits", n);
  };
  switch (c.type) {
    case ColumnType::text:
      return "as is";
    case ColumnType::integer:
      return "decimal integer";
    case ColumnType::real:
      return digits();
    case ColumnType::boolean:
      return "`true` or `false`";
    case ColumnType::samples:
      return digits() + " each; CSV: space-separated, JSON: an array";
  }
  return "";
}

}  // namespace

std::string schema_table() {
  std::string t = "| column | type | unit | written as | meaning |\n| --- | --- | --- | --- | --- |\n";
  for (const auto& c : schema()) {
    const std::string name = is_family_entry(c) ? c.name : "`" + c.name + "`";
    t += fmt::format("| {} | {} | {} | {} | {}{} |\n", name, to_string(c.type), c.unit, written_as(c), c.meaning,
                     c.since > 0 ? fmt::format(" (since version {})", c.since) : "");
  }
  return t;
}

std::vector<Column> columns_of(const Columns& sel) {
  std::vector<Column> out;
  for (const auto& c : schema()) {
    if (!is_family_entry(c)) {
      out.push_back(c);
      continue;
    }
    if (c.family == Family::dim)
      for (const auto& d : sel.dims) out.push_back(dim_column(d));
    if (c.family == Family::param)
      for (const auto& p : sel.params) out.push_back(param_column(p));
    if (c.family == Family::metric)
      for (const auto& m : sel.metrics) out.push_back(metric_column(m));
  }
  return out;
}

std::vector<std::string> header_of(const std::vector<Column>& columns) {
  std::vector<std::string> h;
  for (const auto& c : columns) h.push_back(c.name);
  return h;
}

namespace {

std::string number(const Column& c, double v) {
  if (!std::isfinite(v)) return "";
  // A metric that is a whole number (a count: simulated misses, instructions of one call) is
  // written in full, 31968300 rather than 3.19683e+07, so that a gate sees a change of one.
  if (c.format == kMetricFormat && v == std::trunc(v) && std::fabs(v) < 0x1p53) return fmt::format("{:.0f}", v);
  return fmt::format(fmt::runtime(c.format.empty() ? "{}" : c.format), v);
}

double parse_real(std::string_view t) {
  double v = 0;
  const auto [ptr, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
  if (t.empty() || ec != std::errc() || ptr != t.data() + t.size() || !std::isfinite(v))
    throw std::invalid_argument(fmt::format("'{}' is not a finite number", t));
  return v;
}

}  // namespace

std::string to_text(const Column& c, const Value& v) {
  return std::visit(
      [&](const auto& x) -> std::string {
        using T = std::decay_t<decltype(x)>;
        if constexpr (std::is_same_v<T, std::monostate>)
          return "";
        else if constexpr (std::is_same_v<T, std::string>)
          return x;
        else if constexpr (std::is_same_v<T, std::int64_t>)
          return std::to_string(x);
        else if constexpr (std::is_same_v<T, double>)
          return number(c, x);
        else if constexpr (std::is_same_v<T, bool>)
          return x ? "true" : "false";
        else {
          std::string s;
          for (double d : x) {
            if (!s.empty()) s += ' ';
            s += number(c, d);
          }
          return s;
        }
      },
      v);
}

Value from_text(const Column& c, std::string_view t) {
  if (t.empty()) return {};
  switch (c.type) {
    case ColumnType::text:
      return std::string(t);
    case ColumnType::integer: {
      std::int64_t v = 0;
      const auto [ptr, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
      if (ec != std::errc() || ptr != t.data() + t.size())
        throw std::invalid_argument(fmt::format("'{}' is not an integer", t));
      return v;
    }
    case ColumnType::real:
      return parse_real(t);
    case ColumnType::boolean:
      if (t == "true") return true;
      if (t == "false") return false;
      throw std::invalid_argument(fmt::format("'{}' is not true or false", t));
    case ColumnType::samples: {
      std::vector<double> out;
      for (const auto& part : split(t, ' ')) out.push_back(parse_real(part));
      return out;
    }
  }
  return {};
}

std::vector<Column> columns_from_header(const std::vector<std::string>& header,
                                        const std::vector<std::string>& shape_names, int version, Columns& out) {
  out = {};
  std::vector<Column> cols;
  std::vector<std::string> unknown;
  const auto& fixed = schema();
  // Position in the fixed order of the last fixed column seen: dims and params sit between note
  // and threads, metrics after counters_reason.
  auto fixed_index = [&](const std::string& n) -> std::ptrdiff_t {
    for (std::size_t i = 0; i < fixed.size(); ++i)
      if (!is_family_entry(fixed[i]) && fixed[i].name == n) return std::ptrdiff_t(i);
    return -1;
  };
  for (std::size_t i = 0; i < header.size(); ++i)
    if (std::find(header.begin(), header.begin() + std::ptrdiff_t(i), header[i]) != header.begin() + std::ptrdiff_t(i))
      throw std::invalid_argument(fmt::format("column {} appears twice", header[i]));
  const auto note = fixed_index("note"), threads = fixed_index("threads"), reason = fixed_index("counters_reason");
  std::ptrdiff_t last = -1;
  for (const auto& name : header) {
    if (const auto i = fixed_index(name); i >= 0) {
      if (i <= last) throw std::invalid_argument(fmt::format("column {} is out of the schema's order", name));
      last = i;
      cols.push_back(fixed[std::size_t(i)]);
    } else if (last >= note && last < threads) {
      const bool dim = std::find(shape_names.begin(), shape_names.end(), name) != shape_names.end();
      (dim ? out.dims : out.params).push_back(name);
      cols.push_back(dim ? dim_column(name) : param_column(name));
    } else if (last >= reason) {
      out.metrics.push_back(name);
      cols.push_back(metric_column(name));
    } else {
      unknown.push_back(name);
    }
  }
  if (!unknown.empty())
    throw std::invalid_argument(
        fmt::format("unknown column(s) {} (not in schema version {})", join(unknown, ", "), kSchemaVersion));
  std::vector<std::string> missing;
  for (const auto& c : fixed)
    if (!is_family_entry(c) && c.since <= version && fixed_index(c.name) >= 0 &&
        std::none_of(cols.begin(), cols.end(), [&](const Column& x) { return x.name == c.name; }))
      missing.push_back(c.name);
  if (!missing.empty())
    throw std::invalid_argument(
        fmt::format("missing column(s) {} (schema version {} requires them)", join(missing, ", "), version));
  return cols;
}

}  // namespace cromwell
