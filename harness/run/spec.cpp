#include "harness/run/spec.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <set>
#include <sstream>

#include <fmt/format.h>
#include <toml++/toml.h>

#include "counters/backend.hpp"
#include "harness/platform/text.hpp"

namespace cromwell {
namespace {

using Line = std::uint32_t;

constexpr std::size_t kMaxErrors = 40;  // a file of garbage needs no more to be recognized as such

Line line_of(const toml::source_region& r) { return r.begin.line ? r.begin.line : 1; }

// Control characters (a quoted TOML key or string may hold a newline) as \xNN, so that each error
// stays on one line.
std::string printable(std::string_view s) {
  std::string out;
  for (unsigned char c : s)
    if (c < 0x20 || c == 0x7f)
      out += fmt::format("\\x{:02x}", c);
    else
      out += static_cast<char>(c);
  return out;
}

std::string in_quotes(std::string_view s) {
  constexpr std::size_t kMax = 60;
  if (s.size() <= kMax) return fmt::format("\"{}\"", s);
  std::size_t cut = kMax;
  while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xc0) == 0x80) --cut;  // not inside a UTF-8 character
  return fmt::format("\"{}…\" ({} bytes)", s.substr(0, cut), s.size());
}

std::string type_name(toml::node_type t) {
  switch (t) {
    case toml::node_type::string:
      return "string";
    case toml::node_type::integer:
      return "integer";
    case toml::node_type::floating_point:
      return "float";
    case toml::node_type::boolean:
      return "boolean";
    case toml::node_type::array:
      return "array";
    case toml::node_type::table:
      return "table";
    case toml::node_type::date:
      return "date";
    case toml::node_type::time:
      return "time";
    case toml::node_type::date_time:
      return "date-time";
    default:
      return "value";
  }
}

// "the string \"5\"", "the integer 0", "an empty array": what was found.
std::string describe(const toml::node& n) {
  switch (n.type()) {
    case toml::node_type::string:
      return "the string " + in_quotes(n.as_string()->get());
    case toml::node_type::integer:
      return fmt::format("the integer {}", n.as_integer()->get());
    case toml::node_type::floating_point: {
      const double x = n.as_floating_point()->get();
      // 5.0 as "5.0", not "5": the point is why an integer was not found.
      return std::isfinite(x) && std::floor(x) == x && std::fabs(x) < 1e15 ? fmt::format("the float {:.1f}", x)
                                                                           : fmt::format("the float {}", x);
    }
    case toml::node_type::boolean:
      return fmt::format("the boolean {}", n.as_boolean()->get());
    case toml::node_type::array:
      return n.as_array()->empty() ? "an empty array" : "an array of " + type_name((*n.as_array())[0].type()) + "s";
    case toml::node_type::table:
      return "a table";
    default:
      return "a " + type_name(n.type());
  }
}

std::size_t distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diag = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t up = row[j];
      const bool same =
          std::tolower(static_cast<unsigned char>(a[i - 1])) == std::tolower(static_cast<unsigned char>(b[j - 1]));
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (same ? 0 : 1)});
      diag = up;
    }
  }
  return row[b.size()];
}

// The closest of `known` to `name` when it is close enough to be a slip: "; did you mean 'x'?".
std::string did_you_mean(std::string_view name, const std::vector<std::string>& known) {
  if (name.size() > 64) return "";
  std::string best;
  std::size_t best_d = std::max<std::size_t>(2, name.size() / 3) + 1;
  for (const auto& k : known) {
    const std::size_t d = distance(name, k);
    if (d < best_d) best_d = d, best = k;
  }
  return best.empty() ? "" : fmt::format("; did you mean '{}'?", best);
}

// Errors collected while reading, reported at once in line order.
class Errors {
 public:
  explicit Errors(std::string file) : file_(std::move(file)) {}
  void add(Line line, std::string_view key, std::string_view message) {
    list_.push_back({line, printable(fmt::format("{}:{}: key '{}': {}", file_, line, key, message))});
  }
  void add_line(Line line, std::string_view text) {
    list_.push_back({line, printable(fmt::format("{}:{}: {}", file_, line, text))});
  }
  bool empty() const { return list_.empty(); }
  [[noreturn]] void raise() {
    std::stable_sort(list_.begin(), list_.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    std::string text;
    for (std::size_t i = 0; i < list_.size() && i < kMaxErrors; ++i) text += (i ? "\n" : "") + list_[i].second;
    if (list_.size() > kMaxErrors) text += fmt::format("\n... and {} more errors", list_.size() - kMaxErrors);
    throw SpecError(text);
  }

 private:
  std::string file_;
  std::vector<std::pair<Line, std::string>> list_;
};

// What a key holds and what it may hold, for the messages.
struct KeyInfo {
  std::string name, expected, allowed;
};

const std::vector<KeyInfo>& sweep_keys() {
  static const std::vector<KeyInfo> keys = {
      {"variants", "a kernel.variant glob or a list of them",
       "globs such as \"gemm.avx2*\" or kernel names such as \"gemv\", e.g. [\"gemm.blocked\", \"gemm.avx2*\"]; "
       "cromwell list variants"},
      {"shapes", "a list of shapes, or a preset",
       "shapes such as \"m:1024,n:1024,k:1024\" (missing dims take the kernel's default), or \"llm\": the engine's "
       "decode and prefill shapes; absent: each kernel's default shapes"},
      {"repetitions", "an integer ≥ 1", "the timed repetitions per config, 5 by default"},
      {"min_time", "a number of seconds > 0 and ≤ 3600", "seconds per repetition, 0.05 by default"},
      {"calibrate", "a boolean",
       "true follows each repetition with one of a calibration kernel of the config's bound type (gate --normalize)"},
      {"strategy", "a string", "grid, random:N or search:N"},
      {"objective", "a string", "a column to minimize, e.g. time_ns, min:l3_miss_rate or max:gflops"},
      {"seed", "an integer ≥ 0", "the seed of the random and search draws"},
      {"counters", "a string", "auto|perf|sim|sw|none"},
      {"no_prune", "a boolean", "true runs the configs that machine heuristics would prune"},
      {"output", "a file name", "the CSV file to write, e.g. \"results/runs/gemm-tiles.csv\""},
  };
  return keys;
}

const std::vector<KeyInfo>& axes_keys() {
  static const std::vector<KeyInfo> keys = {
      {"threads", "an integer ≥ 1 or a list of them", "thread counts, e.g. [1, 2]"},
      {"pin", "a string or a list of them",
       "pin policies none|compact|scatter|cores|ccx or cpu lists such as \"0,2\", e.g. [\"none\", \"compact\"]"},
      {"cache", "a string or a list of them", "hot|cold, e.g. [\"hot\", \"cold\"]"},
      {"align", "an integer or a list of them",
       "byte offsets of every buffer from a 64-byte boundary, 0..63, e.g. [0, 4]"},
  };
  return keys;
}

std::vector<std::string> names_of(const std::vector<KeyInfo>& keys) {
  std::vector<std::string> out;
  for (const auto& k : keys) out.push_back(k.name);
  return out;
}

const KeyInfo* find_key(const std::vector<KeyInfo>& keys, std::string_view name) {
  for (const auto& k : keys)
    if (k.name == name) return &k;
  return nullptr;
}

// A table's entries in file order (toml++ keeps them sorted by name).
std::vector<std::pair<const toml::key*, const toml::node*>> in_file_order(const toml::table& t) {
  std::vector<std::pair<const toml::key*, const toml::node*>> out;
  for (const auto& [k, v] : t) out.emplace_back(&k, &v);
  std::stable_sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
    const auto &x = a.first->source().begin, &y = b.first->source().begin;
    return x.line != y.line ? x.line < y.line : x.column < y.column;
  });
  return out;
}

struct Item {
  std::string text;
  Line line = 1;
};

class Reader {
 public:
  explicit Reader(const std::string& file) : errors_(file) {}
  SweepSpec read(std::string_view text, const std::string& file);

 private:
  void top_level(const toml::table& root);
  void sweep_table(const toml::table& t);
  void params_table(const toml::table& t);
  void axes_table(const toml::table& t);
  void semantics();

  // The elements of a value that may be one item or a non-empty list of items of one type:
  // `want` is the items' type (none: integers or strings). Empty after an error.
  std::vector<const toml::node*> items(const toml::node& n, const std::string& key, const KeyInfo& info,
                                       toml::node_type want);
  void bad(const toml::node& n, const std::string& key, const KeyInfo& info) {
    errors_.add(line_of(n.source()), key,
                fmt::format("expected {}, found {} ({})", info.expected, describe(n), info.allowed));
  }
  void invalid(Line line, const std::string& key, const std::string& why) { errors_.add(line, key, why); }

  Errors errors_;
  SweepSpec spec_;
  // For the checks against the registry: each value with its line.
  std::vector<Item> variants_, shapes_, pins_;
  Item preset_;
  struct ParamItem {
    std::string name, text;  // text: the elements joined, in --set syntax
    Line line = 1;
    std::vector<Item> elements;
  };
  std::vector<ParamItem> params_;
  std::vector<std::pair<int, Line>> threads_;
  std::vector<std::pair<std::string, Line>> caches_;
  std::vector<std::pair<std::int64_t, Line>> aligns_;
};

std::vector<const toml::node*> Reader::items(const toml::node& n, const std::string& key, const KeyInfo& info,
                                             toml::node_type want) {
  const auto fits = [&](const toml::node& x) {
    return want == toml::node_type::none ? x.is_integer() || x.is_string() : x.type() == want;
  };
  std::vector<const toml::node*> out;
  if (fits(n)) return {&n};
  const toml::array* a = n.as_array();
  if (!a || a->empty()) {
    bad(n, key, info);
    return {};
  }
  for (std::size_t i = 0; i < a->size(); ++i) {
    const toml::node& x = (*a)[i];
    if (!fits(x) || x.type() != (*a)[0].type()) {
      const std::string among = i > 0 && fits(x) ? fmt::format(" after {}s", type_name((*a)[0].type()))
                                                 : fmt::format(" as element {} of the list", i + 1);
      errors_.add(line_of(x.source()), key,
                  fmt::format("expected {}, found {}{} ({})", info.expected, describe(x), among, info.allowed));
      return {};
    }
    out.push_back(&x);
  }
  return out;
}

SweepSpec Reader::read(std::string_view text, const std::string& file) {
  toml::table root;
  try {
    root = toml::parse(text, file);
  } catch (const toml::parse_error& e) {
    const auto& at = e.source().begin;
    errors_.add_line(at.line ? at.line : 1, fmt::format("not valid TOML (column {}): {}", at.column, e.description()));
    errors_.raise();
  }
  top_level(root);
  semantics();  // the registry's verdict on what did parse, even when other keys did not
  if (!errors_.empty()) errors_.raise();
  return std::move(spec_);
}

void Reader::top_level(const toml::table& root) {
  static const std::vector<std::string> tables = {"sweep", "params", "axes"};
  for (const auto& [k, v] : in_file_order(root)) {
    const std::string name(k->str());
    const Line line = line_of(k->source());
    if (name == "sweep" || name == "params" || name == "axes") {
      if (!v->is_table()) {
        invalid(line, name,
                fmt::format("expected a table [{}], found {} (write the keys under a line [{}])", name, describe(*v),
                            name));
        continue;
      }
      if (name == "sweep") sweep_table(*v->as_table());
      if (name == "params") params_table(*v->as_table());
      if (name == "axes") axes_table(*v->as_table());
    } else if (find_key(sweep_keys(), name) || find_key(axes_keys(), name)) {
      const char* table = find_key(sweep_keys(), name) ? "sweep" : "axes";
      invalid(line, name,
              fmt::format("found at the top level (it belongs in the [{}] table: move it below [{}])", table, table));
    } else {
      invalid(line, name,
              fmt::format("unknown {}{} (a spec holds the tables [sweep], [params] and [axes])",
                          v->is_table() ? "table" : "key", did_you_mean(name, tables)));
    }
  }
  if (!root.contains("sweep"))
    errors_.add(1, "sweep",
                "expected a top-level [sweep] table, found none (a sweep spec needs [sweep] with at least "
                "variants = [...]; see results/specs/)");
}

void Reader::sweep_table(const toml::table& t) {
  bool have_variants = false;
  for (const auto& [k, v] : in_file_order(t)) {
    const std::string name(k->str()), key = "sweep." + name;
    const Line line = line_of(k->source());
    const KeyInfo* info = find_key(sweep_keys(), name);
    if (!info) {
      const char* where = find_key(axes_keys(), name) ? " (it belongs in the [axes] table)" : "";
      invalid(line, key,
              fmt::format("unknown key{}{} (allowed in [sweep]: {})", did_you_mean(name, names_of(sweep_keys())), where,
                          join(names_of(sweep_keys()), ", ")));
      continue;
    }
    const toml::node& n = *v;
    if (name == "variants") {
      have_variants = true;
      for (const auto* x : items(n, key, *info, toml::node_type::string)) {
        spec_.variants.push_back(x->as_string()->get());
        variants_.push_back({spec_.variants.back(), line_of(x->source())});
      }
    } else if (name == "shapes") {
      for (const auto* x : items(n, key, *info, toml::node_type::string)) {
        const std::string s = x->as_string()->get();
        if (s.find(':') != std::string::npos) {
          spec_.shapes.push_back(s);
          shapes_.push_back({s, line_of(x->source())});
        } else if (spec_.preset.empty()) {
          spec_.preset = s;
          preset_ = {s, line_of(x->source())};
        } else {
          invalid(line_of(x->source()), key,
                  fmt::format("expected one preset, found a second one {} (a shape is name:size pairs such as "
                              "\"m:1024,n:1024,k:1024\"; the preset is \"llm\")",
                              in_quotes(s)));
        }
      }
    } else if (name == "repetitions") {
      if (!n.is_integer()) {
        bad(n, key, *info);
      } else if (const auto r = n.as_integer()->get(); r < 1 || r > std::numeric_limits<int>::max()) {
        invalid(line, key, fmt::format("expected {}, found {} ({})", info->expected, r, info->allowed));
      } else {
        spec_.repetitions = static_cast<int>(r);
      }
    } else if (name == "min_time") {
      if (!n.is_number()) {
        bad(n, key, *info);
      } else if (const double s = n.is_integer() ? double(n.as_integer()->get()) : n.as_floating_point()->get();
                 !(s > 0 && s <= 3600)) {
        invalid(line, key, fmt::format("expected {}, found {} ({})", info->expected, s, info->allowed));
      } else {
        spec_.min_time = s;
      }
    } else if (name == "strategy" || name == "objective") {
      if (!n.is_string()) {
        bad(n, key, *info);
        continue;
      }
      try {
        if (name == "strategy")
          spec_.strategy = parse_strategy(n.as_string()->get());
        else
          spec_.objective = parse_objective(n.as_string()->get());
      } catch (const std::invalid_argument& e) {
        invalid(line, key, e.what());
      }
    } else if (name == "seed") {
      if (!n.is_integer())
        bad(n, key, *info);
      else if (n.as_integer()->get() < 0)
        invalid(line, key,
                fmt::format("expected {}, found {} ({})", info->expected, n.as_integer()->get(), info->allowed));
      else
        spec_.seed = static_cast<std::uint64_t>(n.as_integer()->get());
    } else if (name == "counters") {
      std::vector<std::string> known;
      for (const auto& b : backends()) known.push_back(b.name);
      if (!n.is_string()) {
        bad(n, key, *info);
      } else if (std::find(known.begin(), known.end(), n.as_string()->get()) == known.end()) {
        invalid(line, key,
                fmt::format("expected a counter backend, found {}{} (allowed {})", describe(n),
                            did_you_mean(n.as_string()->get(), known), join(known, "|")));
      } else {
        spec_.counters = n.as_string()->get();
      }
    } else if (name == "no_prune" || name == "calibrate") {
      if (!n.is_boolean())
        bad(n, key, *info);
      else
        (name == "no_prune" ? spec_.no_prune : spec_.calibrate) = n.as_boolean()->get();
    } else if (name == "output") {
      if (!n.is_string() || n.as_string()->get().empty())
        bad(n, key, *info);
      else
        spec_.output = n.as_string()->get();
    }
  }
  if (!have_variants)
    errors_.add(line_of(t.source()), "sweep.variants",
                "expected a kernel.variant glob or a list of them, found none (required: e.g. variants = "
                "[\"gemm.blocked\", \"gemm.avx2*\"]; [\"*\"] selects every variant; cromwell list variants)");
}

void Reader::params_table(const toml::table& t) {
  static const KeyInfo info{
      "", "an integer, a string in --set syntax, or a non-empty list of either",
      "values such as [64, 128], \"0..16:2\" (arithmetic), \"16..512*2\" (geometric) or [\"t0\", \"nta\"]; "
      "cromwell list params"};
  for (const auto& [k, v] : in_file_order(t)) {
    ParamItem p;
    p.name = std::string(k->str());
    p.line = line_of(k->source());
    const std::string key = "params." + p.name;
    const auto xs = items(*v, key, info, toml::node_type::none);
    if (xs.empty()) continue;
    std::vector<std::string> texts;
    for (const auto* x : xs) {
      texts.push_back(x->is_integer() ? std::to_string(x->as_integer()->get()) : x->as_string()->get());
      p.elements.push_back({texts.back(), line_of(x->source())});
    }
    p.text = join(texts, ",");
    spec_.params.emplace_back(p.name, p.text);
    params_.push_back(std::move(p));
  }
}

void Reader::axes_table(const toml::table& t) {
  for (const auto& [k, v] : in_file_order(t)) {
    const std::string name(k->str()), key = "axes." + name;
    const Line line = line_of(k->source());
    const KeyInfo* info = find_key(axes_keys(), name);
    if (!info) {
      const char* where = find_key(sweep_keys(), name) ? " (it belongs in the [sweep] table)" : "";
      invalid(line, key,
              fmt::format("unknown key{}{} (allowed in [axes]: {})", did_you_mean(name, names_of(axes_keys())), where,
                          join(names_of(axes_keys()), ", ")));
      continue;
    }
    const bool ints = name == "threads" || name == "align";
    const auto xs = items(*v, key, *info, ints ? toml::node_type::integer : toml::node_type::string);
    if (xs.empty()) continue;
    if (name == "threads") {
      spec_.threads.emplace();
      for (const auto* x : xs) {
        const auto t = x->as_integer()->get();
        if (t < std::numeric_limits<int>::min() || t > std::numeric_limits<int>::max()) {
          invalid(line_of(x->source()), key,
                  fmt::format("expected {}, found {} ({})", info->expected, t, info->allowed));
          continue;
        }
        spec_.threads->push_back(static_cast<int>(t));
        threads_.emplace_back(static_cast<int>(t), line_of(x->source()));
      }
    } else if (name == "align") {
      spec_.aligns.emplace();
      for (const auto* x : xs) {
        spec_.aligns->push_back(x->as_integer()->get());
        aligns_.emplace_back(spec_.aligns->back(), line_of(x->source()));
      }
    } else if (name == "pin") {
      spec_.pins.emplace();
      for (const auto* x : xs)
        for (const auto& p : split_pins(x->as_string()->get())) {
          spec_.pins->push_back(p);
          pins_.push_back({p, line_of(x->source())});
        }
    } else {
      spec_.caches.emplace();
      for (const auto* x : xs) {
        spec_.caches->push_back(x->as_string()->get());
        caches_.emplace_back(spec_.caches->back(), line_of(x->source()));
      }
    }
  }
}

// What only the registry and the machine know, checked by the command line's own code: one request
// per value, so that each error has its line.
void Reader::semantics() {
  const auto check = [&](const SweepRequest& r, Line line, const std::string& key) {
    try {
      check_request(r);
      return true;
    } catch (const std::invalid_argument& e) {
      invalid(line, key, e.what());
      return false;
    }
  };
  SweepRequest base;  // the variants that select something (all of them when the key is missing: an error already)
  for (const auto& v : variants_) {
    SweepRequest r;
    r.filters = {v.text};
    if (check(r, v.line, "sweep.variants")) base.filters.push_back(v.text);
  }
  if (!variants_.empty() && base.filters.empty()) return;  // nothing to check the rest against
  for (const auto& s : shapes_) {
    SweepRequest r = base;
    r.shapes = {s.text};
    check(r, s.line, "sweep.shapes");
  }
  if (!preset_.text.empty()) {
    SweepRequest r = base;
    r.preset = preset_.text;
    check(r, preset_.line, "sweep.shapes");
  }
  std::vector<std::string> known;  // the params of the selected variants
  for (const auto* v : Registry::get().select(base.filters))
    for (const auto& p : v->space.params)
      if (std::find(known.begin(), known.end(), p.name) == known.end()) known.push_back(p.name);
  for (const auto& p : params_) {
    const std::string key = "params." + p.name;
    if (std::find(known.begin(), known.end(), p.name) == known.end()) {
      SweepRequest r = base;
      r.sets = {{p.name, "0"}};
      try {
        check_request(r);
      } catch (const std::invalid_argument& e) {
        invalid(p.line, key, std::string(e.what()) + did_you_mean(p.name, known));
      }
      continue;
    }
    SweepRequest whole = base;
    whole.sets = {{p.name, p.text}};
    try {
      check_request(whole);
      continue;
    } catch (const std::invalid_argument& e) {
      // The element at fault, so that a bad value in a list over several lines has its own line
      // (a long list is not searched: each element may be a range of thousands of values).
      bool found = false;
      for (std::size_t i = 0; i < p.elements.size() && i < 16 && p.elements.size() > 1 && !found; ++i) {
        SweepRequest r = base;
        r.sets = {{p.name, p.elements[i].text}};
        found = !check(r, p.elements[i].line, key);
      }
      if (!found) invalid(p.elements.size() > 1 ? p.line : p.elements[0].line, key, e.what());
    }
  }
  for (const auto& [t, line] : threads_) {
    SweepRequest r;
    r.threads = {t};
    check(r, line, "axes.threads");
  }
  for (const auto& p : pins_) {
    SweepRequest r;
    r.pins = {p.text};
    check(r, p.line, "axes.pin");
  }
  for (const auto& [c, line] : caches_) {
    SweepRequest r;
    r.caches = {c};
    check(r, line, "axes.cache");
  }
  for (const auto& [a, line] : aligns_) {
    SweepRequest r;
    r.aligns = {a};
    check(r, line, "axes.align");
  }
}

}  // namespace

nlohmann::ordered_json SweepSpec::to_json() const {
  nlohmann::ordered_json j;
  j["path"] = path;
  nlohmann::ordered_json s = nlohmann::ordered_json::object();
  if (!variants.empty()) s["variants"] = variants;
  if (!preset.empty() && shapes.empty())
    s["shapes"] = preset;
  else if (!shapes.empty()) {
    auto all = shapes;
    if (!preset.empty()) all.insert(all.begin(), preset);
    s["shapes"] = all;
  }
  if (repetitions) s["repetitions"] = *repetitions;
  if (min_time) s["min_time"] = *min_time;
  if (calibrate) s["calibrate"] = *calibrate;
  if (strategy) s["strategy"] = strategy->text();
  if (objective) s["objective"] = objective->text();
  if (seed) s["seed"] = *seed;
  if (counters) s["counters"] = *counters;
  if (no_prune) s["no_prune"] = *no_prune;
  if (output) s["output"] = *output;
  j["sweep"] = s;
  if (!params.empty()) {
    nlohmann::ordered_json p = nlohmann::ordered_json::object();
    for (const auto& [name, text] : params) p[name] = text;
    j["params"] = p;
  }
  nlohmann::ordered_json a = nlohmann::ordered_json::object();
  if (threads) a["threads"] = *threads;
  if (pins) a["pin"] = *pins;
  if (caches) a["cache"] = *caches;
  if (aligns) a["align"] = *aligns;
  if (!a.empty()) j["axes"] = a;
  return j;
}

void SweepSpec::fill(SweepRequest& r) const {
  if (!variants.empty()) r.filters = variants;
  if (!shapes.empty() || !preset.empty()) {
    r.shapes = shapes;
    r.preset = preset;
  }
  if (!params.empty()) r.sets = params;
  if (no_prune) r.no_prune = *no_prune;
  if (threads) r.threads = *threads;
  if (pins) r.pins = *pins;
  if (caches) r.caches = *caches;
  if (aligns) r.aligns = *aligns;
}

SweepSpec parse_spec(std::string_view text, const std::string& name) {
  Reader reader(name);
  return reader.read(text, name);
}

SweepSpec read_spec(const std::string& path) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::exists(path, ec)) throw SpecError(fmt::format("{}: cannot read the sweep spec: no such file", path));
  if (fs::is_directory(path, ec))
    throw SpecError(fmt::format("{}: cannot read the sweep spec: it is a directory (expected a .toml file)", path));
  std::ifstream in(path, std::ios::binary);
  if (!in) throw SpecError(fmt::format("{}: cannot read the sweep spec: {}", path, std::strerror(errno)));
  std::stringstream buf;
  buf << in.rdbuf();
  SweepSpec s = parse_spec(buf.str(), path);
  s.path = path;
  return s;
}

}  // namespace cromwell
