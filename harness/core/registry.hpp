#pragma once
// Registry: kernels and their variants, filled by self-registration from each variant file.
//
//   static const bool registered = cromwell::register_variant<GemmKernel>({
//       .name = "avx2", .summary = "...", .isa = CROMWELL_AVX2, .space = {...},
//       .prepare = [](const GemmShape& s, const ParamValues& p, Pool& pool) {
//         return [=, &pool](GemmWorkspace& ws) { ... one call ... }; }});
//
// Registering a variant registers its kernel on first use. Duplicates and malformed spaces are
// rejected at start-up with a message naming the variant.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <limits>
#include <memory>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <typeinfo>
#include <vector>

#include "harness/core/config.hpp"
#include "harness/core/kernel.hpp"
#include "harness/core/space.hpp"
#include "harness/platform/isa.hpp"
#include "harness/platform/pool.hpp"

namespace cromwell {

template <Kernel K>
using Runnable = std::function<void(typename K::Workspace&)>;

template <Kernel K>
struct Variant {
  std::string name;
  std::string summary;   // one line: what it changes relative to its neighbour
  std::string isa = {};  // target attribute of its code (CROMWELL_AVX2, ...; "" = baseline), checked at run time
  Space space;
  // Allocation, packing and planning for one config, outside the timed region. The returned
  // callable is one kernel call; it may use `pool` (which outlives it).
  std::function<Runnable<K>(const typename K::Shape&, const ParamValues&, Pool&)> prepare;
  // Optional: an environment assignment ("OPENBLAS_CORETYPE=Haswell") that this config needs and
  // this process lacks; the sweep then measures it in a child process with it set.
  std::function<std::optional<std::string>(const ParamValues&)> child_env = {};
  // Optional: facts to print with the row (a peer's library core, pinning caveats).
  std::function<std::string(const ParamValues&, int threads)> note = {};
  bool uses_pool = true;  // false: a peer with its own threads
  // Optional, for code that chooses its instructions at run time (a peer library): the features
  // of what runs ("avx2,fma"), for the row's roofline bound; else `isa`.
  std::function<std::string()> runtime_isa = {};
};

// One config made runnable: workspace copies (several for a cold cache), the reference and the
// prepared call. Built outside any timed region.
class Instance {
 public:
  virtual ~Instance() = default;
  virtual Check check() = 0;                // one call on a fresh workspace, compared
  virtual void call(std::size_t copy) = 0;  // one call on workspace copy `copy`
  virtual std::size_t copies() const = 0;
  virtual Work work() const = 0;

  // The checker itself, for tests that show it catches wrong answers (tests/kernels/test_checker.cpp):
  // the output of workspace copy 0 as check() compares it (Kernel::output, in the workspace's
  // layout; NaN or garbage until the variant runs), writable; the tolerance of its element i and
  // how a failure names that element (Kernel::tolerance and element_name, i < output().size());
  // and the comparison of copy 0's output as it is now with the reference, without running the
  // variant (check() is one call, then this).
  virtual std::span<float> output() = 0;
  virtual Tolerance tolerance(std::size_t i) = 0;
  virtual std::string element_name(std::size_t i) const = 0;
  virtual Check check_output() = 0;
};

struct InstanceOptions {
  std::uint64_t seed = 42;
  std::size_t align = 0;
  bool cold = false;
  std::size_t cold_bytes = 0;  // total bytes of workspace copies to rotate through when cold
  // Take the workspaces (the first and the cold-cache copies) from those an earlier instance of the
  // same data — kernel, shape, seed, align, pool, and the params when they shape the workspace —
  // left behind, and leave them in turn: on machines where a fresh page costs microseconds (VMs),
  // making them dominated a sweep. The data is the same as made: inputs are generated from the seed
  // alone, and the first workspace's output is reset to NaN as make_workspace leaves it. A check
  // that fails on a workspace taken over is repeated on a fresh one (whose verdict counts), and a
  // reference is always computed from a fresh one. Each workspace is held by one instance at a time.
  bool reuse = false;
};

struct KernelEntry {
  std::string name, summary;
  std::vector<std::string> dims;
  std::vector<Dims> default_shapes, check_shapes, llm_shapes;
  std::function<Dims(const Dims&)> normalize;  // validates, fills defaults; throws on bad input
  std::function<Work(const Dims&)> model;
};

struct VariantEntry {
  std::string kernel, name, summary;
  std::vector<std::string> isa;
  std::function<std::string()> runtime_isa;  // Variant::runtime_isa
  Space space;
  bool uses_pool = true;
  std::function<std::optional<std::string>(const ParamValues&)> child_env;
  std::function<std::string(const ParamValues&, int)> note;
  std::function<std::unique_ptr<Instance>(const Dims&, const ParamValues&, Pool&, const InstanceOptions&)> instantiate;
  // The registered Variant<K> itself, for code that composes kernels on its own buffers (decode):
  // read it back with typed_variant<K>.
  std::shared_ptr<const void> typed;
  const std::type_info* kernel_type = nullptr;
  std::string id() const { return kernel + "." + name; }
};

class Registry {
 public:
  static Registry& get();
  void add(KernelEntry k);   // ignored when the kernel is already known
  void add(VariantEntry v);  // throws on a duplicate or malformed space
  const std::vector<KernelEntry>& kernels() const { return kernels_; }
  const std::vector<VariantEntry>& variants() const { return variants_; }  // sorted by id
  const KernelEntry* kernel(std::string_view name) const;
  const VariantEntry* variant(std::string_view id) const;
  // Glob match on "kernel.variant" ('*', '?'); a bare kernel name selects all its variants.
  std::vector<const VariantEntry*> select(const std::vector<std::string>& filters) const;
  // Checks a parsed key against the registry (known variant, shape dims, valid param values,
  // every param present); throws std::invalid_argument naming the problem.
  void validate(const Config& c) const;

 private:
  std::vector<KernelEntry> kernels_;
  std::vector<VariantEntry> variants_;
};

// Reference results are computed once per (kernel, shape, seed) and shared, also under concurrency:
// a thread asking for a key that another thread is computing waits for that result (and gets its
// exception, if make() throws; the key is then computed afresh on the next request). `bytes`
// estimates the value's size: the cache keeps the references used most recently within a budget
// (1 GiB by default), and drops the others (an Instance holding one keeps it alive).
std::shared_ptr<const void> cached_reference(const std::string& key,
                                             const std::function<std::shared_ptr<const void>()>& make,
                                             std::size_t bytes = 0);

struct ReferenceCacheStats {
  std::uint64_t computed = 0;  // make() calls
  std::uint64_t shared = 0;    // requests answered by an entry that existed (ready or under way)
  std::uint64_t evicted = 0;
  std::size_t bytes = 0;   // of the entries held
  std::size_t budget = 0;  // bytes
};
ReferenceCacheStats reference_cache_stats();
// The cache's budget in bytes (evicts at once down to it); returns the previous budget.
std::size_t set_reference_cache_budget(std::size_t bytes);
// Nanoseconds the calling thread has spent in cached_reference (computing a reference, or waiting
// for another thread's), since the thread started: the difference of two readings splits a check
// into its comparison and its reference.
std::int64_t reference_ns_this_thread();

// Workspaces left by instances for later ones with the same key (InstanceOptions::reuse),
// type-erased; the least recently left beyond a budget (a quarter of the memory, at most 4 GiB) are
// freed, and so are those of other kernels when a kernel's are asked for. take_workspaces hands
// each out once.
std::vector<std::shared_ptr<void>> take_workspaces(const std::string& key, std::size_t at_most);
void leave_workspaces(const std::string& key, std::vector<std::shared_ptr<void>> workspaces, std::size_t bytes_each);
void clear_left_workspaces();
std::size_t left_workspace_bytes();

namespace detail {

// Identifies a pool's placement in a reuse key: its cpus, or "any" when unpinned.
std::string pool_key(const Pool& pool);

template <Kernel K>
class InstanceOf final : public Instance {
 public:
  InstanceOf(const typename K::Shape& shape, const ParamValues& params, Pool& pool, const InstanceOptions& opt,
             const Variant<K>& v)
      : shape_(shape) {
    const Alloc alloc{opt.align, &pool};
    // A kernel whose workspace depends on the config (a data layout chosen by a param) provides
    // make_workspace(shape, seed, alloc, params); see harness/core/kernel.hpp.
    constexpr bool by_params = requires { K::make_workspace(shape_, opt.seed, alloc, params); };
    make_ = [shape = shape_, seed = opt.seed, alloc, params] {
      if constexpr (by_params)
        return K::make_workspace(shape, seed, alloc, params);
      else
        return K::make_workspace(shape, seed, alloc);
    };
    if (opt.reuse) {
      reuse_key_ = std::string(K::name) + "/" + dims_of<K>(shape_).str() + "/" + std::to_string(opt.seed) + "/" +
                   std::to_string(opt.align) + "/" + std::to_string(pool.size()) + ":" + pool_key(pool);
      if constexpr (by_params)
        for (const auto& [n, value] : params.items) reuse_key_ += "/" + n + ":" + value;
    }
    take(1);
    if (!ws_.empty()) {
      // As made: the output NaN until a variant writes it (every kernel's make_workspace does so).
      fill_nan(K::output(ws_[0]), &pool);
      first_reused_ = true;
    } else {
      ws_.push_back(make_());
    }
    reuse_bytes_ = std::max<std::size_t>(K::bytes(ws_[0]), 64);
    if (opt.cold) {
      // Copies enough to span cold_bytes: a workspace that spans them alone is its own rotation
      // (what one call touched first has left the caches before the next call starts).
      const std::size_t want =
          std::clamp<std::size_t>((opt.cold_bytes + reuse_bytes_ - 1) / reuse_bytes_, 1, kMaxCopies);
      take(want - 1);
      while (ws_.size() < want) ws_.push_back(make_());
    }
    output_size_ = K::output(ws_[0]).size();
    ref_key_ = std::string(K::name) + "/" + dims_of<K>(shape_).str() + "/" + std::to_string(opt.seed);
    run_ = v.prepare(shape_, params, pool);
  }
  ~InstanceOf() override {
    if (reuse_key_.empty()) return;
    // A workspace a failed check ran on is not left: a wrong variant may have written anywhere.
    std::vector<std::shared_ptr<void>> left;
    for (std::size_t i = failed_ ? 1 : 0; i < ws_.size(); ++i)
      left.push_back(std::make_shared<typename K::Workspace>(std::move(ws_[i])));
    leave_workspaces(reuse_key_, std::move(left), reuse_bytes_);
  }
  Check check() override {
    // The reference is computed from the untouched inputs, before the variant runs (and only when
    // a check is asked for: `run --skip-check` under a simulator never pays for it).
    reference();
    run_(ws_[0]);
    Check c = check_output();
    if (!c.ok && first_reused_) {
      // An earlier config may have changed the inputs of a workspace it left: decide on a fresh one,
      // so that a check's verdict is always the one a fresh workspace gives.
      ws_[0] = make_();
      first_reused_ = false;
      run_(ws_[0]);
      c = check_output();
    }
    failed_ = !c.ok;
    return c;
  }
  std::span<float> output() override { return K::output(ws_[0]); }
  Tolerance tolerance(std::size_t i) override {
    in_output(i);
    return K::tolerance(shape_, ws_[0], reference(), i);
  }
  std::string element_name(std::size_t i) const override {
    in_output(i);
    return K::element_name(shape_, ws_[0], i);
  }
  Check check_output() override { return K::check(shape_, ws_[0], reference()); }
  void call(std::size_t copy) override { run_(ws_[copy]); }
  std::size_t copies() const override { return ws_.size(); }
  Work work() const override { return K::model(shape_); }

 private:
  const typename K::Reference& reference() {
    if (!ref_)
      ref_ = std::static_pointer_cast<const typename K::Reference>(cached_reference(
          ref_key_,
          [&] {
            // Always from untouched inputs: a workspace left by an earlier instance is not trusted.
            if (first_reused_) {
              const typename K::Workspace fresh = make_();
              return std::static_pointer_cast<const void>(
                  std::make_shared<typename K::Reference>(K::reference(shape_, fresh)));
            }
            return std::static_pointer_cast<const void>(
                std::make_shared<typename K::Reference>(K::reference(shape_, ws_[0])));
          },
          // About two doubles per output element (values and bounds) in every kernel's reference.
          sizeof(typename K::Reference) + 2 * sizeof(double) * output_size_));
    return *ref_;
  }
  void in_output(std::size_t i) const {
    if (i >= output_size_)
      throw std::out_of_range("output element " + std::to_string(i) + " of " + std::string(K::name) +
                              " is out of range");
  }
  // Appends up to n workspaces left by earlier instances with this instance's reuse key.
  void take(std::size_t n) {
    if (reuse_key_.empty() || n == 0) return;
    for (auto& w : take_workspaces(reuse_key_, n))
      ws_.push_back(std::move(*std::static_pointer_cast<typename K::Workspace>(w)));
  }
  static constexpr std::size_t kMaxCopies = 1 << 16;
  typename K::Shape shape_;
  std::function<typename K::Workspace()> make_;
  std::vector<typename K::Workspace> ws_;
  std::string ref_key_;
  std::string reuse_key_;        // empty: workspaces are neither taken from nor left for other instances
  std::size_t reuse_bytes_ = 0;  // of one workspace
  bool first_reused_ = false;    // ws_[0] was left by an earlier instance
  bool failed_ = false;          // the last check failed
  std::size_t output_size_ = 0;
  std::shared_ptr<const typename K::Reference> ref_;
  Runnable<K> run_;
};

template <Kernel K>
KernelEntry kernel_entry() {
  KernelEntry e;
  e.name = K::name;
  e.summary = K::summary;
  for (auto d : dim_names<K>()) e.dims.emplace_back(d);
  for (const auto& s : K::default_shapes()) e.default_shapes.push_back(dims_of<K>(s));
  for (const auto& s : K::check_shapes()) e.check_shapes.push_back(dims_of<K>(s));
  if constexpr (requires { K::llm_shapes(); })
    for (const auto& s : K::llm_shapes()) e.llm_shapes.push_back(dims_of<K>(s));
  else
    e.llm_shapes = e.default_shapes;
  e.normalize = [](const Dims& d) { return dims_of<K>(shape_from_dims<K>(d)); };
  e.model = [](const Dims& d) { return K::model(shape_from_dims<K>(d)); };
  return e;
}

}  // namespace detail

template <Kernel K>
bool register_variant(Variant<K> v) {
  Registry& r = Registry::get();
  r.add(detail::kernel_entry<K>());
  VariantEntry e;
  e.kernel = K::name;
  e.name = v.name;
  e.summary = v.summary;
  try {
    e.isa = isa_features(v.isa);
  } catch (const std::exception& ex) {
    throw std::logic_error("cannot register variant " + e.id() + ": " + ex.what());
  }
  e.space = v.space;
  e.uses_pool = v.uses_pool;
  e.child_env = v.child_env;
  e.note = v.note;
  e.runtime_isa = v.runtime_isa;
  e.typed = std::make_shared<const Variant<K>>(v);
  e.kernel_type = &typeid(K);
  e.instantiate = [v](const Dims& d, const ParamValues& p, Pool& pool, const InstanceOptions& o) {
    return std::unique_ptr<Instance>(new detail::InstanceOf<K>(shape_from_dims<K>(d), p, pool, o, v));
  };
  r.add(std::move(e));
  return true;
}

// The Variant<K> behind `e`, or nullptr when `e` is a variant of another kernel type.
template <Kernel K>
const Variant<K>* typed_variant(const VariantEntry& e) {
  if (e.kernel_type == nullptr || *e.kernel_type != typeid(K)) return nullptr;
  return static_cast<const Variant<K>*>(e.typed.get());
}

}  // namespace cromwell
