// Config keys: canonical text, escaping, round trip, and errors that name the bad part.
#include <catch2/catch.hpp>

#include "harness/core/config.hpp"
#include "harness/core/dims.hpp"

using namespace cromwell;

TEST_CASE("a key has the documented form") {
  Config c{"gemm", "avx2_prefetch", Dims{{{"m", 1024}, {"n", 1024}, {"k", 1024}}},
           ParamValues{{{"mc", "72"}, {"kc", "256"}, {"nc", "4080"}, {"pf_dist", "8"}}}, Axes{2, "compact", "hot", 0}};
  CHECK(c.key() ==
        "gemm.avx2_prefetch/m:1024,n:1024,k:1024/mc:72,kc:256,nc:4080,pf_dist:8/"
        "threads:2,pin:compact,cache:hot,align:0");
  CHECK(parse_key(c.key()) == c);
}

TEST_CASE("keys round-trip with escaped values") {
  Config c{"gemm", "naive", Dims{{{"m", 1}, {"n", 7}, {"k", 13}}},
           ParamValues{{{"weird", "a,b/c:d%e f"}, {"empty", ""}, {"ctl", "x\ny\tz"}}}, Axes{3, "0,2,4-7", "cold", 4}};
  const std::string key = c.key();
  CHECK(key.find("pin:0%2C2%2C4-7") != std::string::npos);
  CHECK(key.find("weird:a%2Cb%2Fc%3Ad%25e%20f") != std::string::npos);
  const Config back = parse_key(key);
  CHECK(back == c);
  CHECK(back.key() == key);
  CHECK(back.axes.pin == "0,2,4-7");
}

TEST_CASE("a config without params has an empty section") {
  Config c{"gemm", "naive", Dims{{{"m", 5}, {"n", 6}, {"k", 7}}}, {}, Axes{}};
  CHECK(c.key() == "gemm.naive/m:5,n:6,k:7//threads:1,pin:none,cache:hot,align:0");
  CHECK(parse_key(c.key()) == c);
}

TEST_CASE("escape and unescape are inverse on every byte") {
  std::string all;
  for (int b = 1; b < 256; ++b) all += static_cast<char>(b);
  CHECK(unescape_key_part(escape_key_part(all)) == all);
  CHECK(escape_key_part("%").find('%', 1) == std::string::npos);
}

TEST_CASE("malformed keys are rejected with the section named") {
  auto message = [](const std::string& k) {
    try {
      parse_key(k);
    } catch (const std::invalid_argument& e) {
      return std::string(e.what());
    }
    return std::string("accepted");
  };
  CHECK_THAT(message("gemm.naive/m:1"), Catch::Contains("4 sections"));
  CHECK_THAT(message("gemm/m:1//threads:1,pin:none,cache:hot,align:0"), Catch::Contains("kernel.variant"));
  CHECK_THAT(message("gemm.naive/m:x//threads:1,pin:none,cache:hot,align:0"), Catch::Contains("not an integer"));
  CHECK_THAT(message("gemm.naive/m:1/tile/threads:1,pin:none,cache:hot,align:0"), Catch::Contains("params"));
  CHECK_THAT(message("gemm.naive/m:1//pin:none,threads:1,cache:hot,align:0"), Catch::Contains("expected 'threads'"));
  CHECK_THAT(message("gemm.naive/m:1/t:%2/threads:1,pin:none,cache:hot,align:0"), Catch::Contains("two hex digits"));
}

TEST_CASE("shapes parse and reject bad input") {
  CHECK(parse_dims("m:1024,n:1,k:3").str() == "m:1024,n:1,k:3");
  CHECK_THROWS_WITH(parse_dims("m:abc"), Catch::Contains("not an integer"));
  CHECK_THROWS_WITH(parse_dims("m1024"), Catch::Contains("not name:size"));
  CHECK_THROWS_WITH(parse_dims("m:0"), Catch::Contains("≥ 1"));
  CHECK_THROWS_WITH(parse_dims("m:4,m:5"), Catch::Contains("twice"));
  CHECK_THROWS_WITH(parse_dims(""), Catch::Contains("empty"));
}
