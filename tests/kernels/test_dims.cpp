// A kernel names its dimensions once (Kernel::dims); the harness derives the names, Shape from
// Dims and Dims from Shape from that declaration, with one message for an unknown dim.
#include <catch2/catch.hpp>

#include "kernels/attn_scores.hpp"
#include "kernels/copy.hpp"
#include "kernels/gemm.hpp"

using namespace cromwell;

TEST_CASE("dims: names in declaration order, defaults for missing dims, round trip") {
  CHECK(dim_names<GemmKernel>() == std::vector<std::string_view>{"m", "n", "k"});
  const GemmShape s = shape_from_dims<GemmKernel>(parse_dims("n:7"));
  CHECK(s.m == 512);
  CHECK(s.n == 7);
  CHECK(s.k == 512);
  CHECK(dims_of<GemmKernel>(s).str() == "m:512,n:7,k:512");
  CHECK(dims_of<GemmKernel>(shape_from_dims<GemmKernel>(parse_dims("k:3,m:2,n:1"))).str() == "m:2,n:1,k:3");
  CHECK(dims_of<CopyKernel>(shape_from_dims<CopyKernel>(Dims{})).str() == "n:67108864");
  CHECK(dims_of<AttnScoresKernel>(shape_from_dims<AttnScoresKernel>(Dims{})).str() ==
        "seq:1,cache_len:4096,heads:32,kv_heads:1,dim:64");
}

TEST_CASE("dims: an unknown dim, a size below 1 and a cross-dimension rule are refused") {
  CHECK_THROWS_WITH(shape_from_dims<GemmKernel>(parse_dims("m:4,x:4")), "gemm has no dimension 'x' (dims: m, n, k)");
  CHECK_THROWS_WITH(shape_from_dims<CopyKernel>(parse_dims("m:4")), "copy has no dimension 'm' (dims: n)");
  CHECK_THROWS_WITH(shape_from_dims<AttnScoresKernel>(parse_dims("len:4")),
                    "attn_scores has no dimension 'len' (dims: seq, cache_len, heads, kv_heads, dim)");
  CHECK_THROWS_WITH(shape_from_dims<GemmKernel>(Dims{{{"m", 0}}}), "gemm: m = 0 must be ≥ 1");
  CHECK_THROWS_AS(shape_from_dims<GemmKernel>(Dims{{{"k", -3}}}), std::invalid_argument);
  CHECK_THROWS_WITH(shape_from_dims<AttnScoresKernel>(parse_dims("heads:6,kv_heads:4")),
                    "attn_scores: heads 6 is not a multiple of kv_heads 4 (each key head serves heads/kv_heads query "
                    "heads)");
  CHECK(shape_from_dims<AttnScoresKernel>(parse_dims("heads:6,kv_heads:3")).heads == 6);
}
