// `cromwell report` from fixture results files (tests/plots/data, in the writer's exact format):
// the best configuration of each variant against a brute-force search of the rows, the speed-up
// over naive, the rank correlation against a hand-computed value, a file without L3 columns, rows
// not measured with their reasons, one variant only, two files, Markdown, HTML (tables, the page
// and its plots from a stand-in plot script), and bad input.
#include <stdlib.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <iterator>
#include <map>
#include <optional>

#include <catch2/catch.hpp>

#include "harness/io/results.hpp"
#include "harness/platform/text.hpp"
#include "harness/report/best.hpp"
#include "harness/report/html.hpp"
#include "harness/report/l3.hpp"
#include "harness/report/report.hpp"
#include "tests/cli/cli.hpp"

using namespace cromwell;

namespace {

std::string fixture(const std::string& name) { return std::string(CROMWELL_SOURCE_DIR) + "/tests/plots/data/" + name; }

// A 2×1 grey PNG.
const std::string kPng(
    "\x89\x50\x4e\x47\x0d\x0a\x1a\x0a\x00\x00\x00\x0d\x49\x48\x44\x52\x00\x00\x00\x02\x00\x00\x00\x01\x08\x00\x00"
    "\x00\x00\xd1\x49\x20\x56\x00\x00\x00\x0b\x49\x44\x41\x54\x78\x9c\x63\x68\x68\x00\x00\x01\x83\x01\x01\x18\x35"
    "\x22\x15\x00\x00\x00\x00\x49\x45\x4e\x44\xae\x42\x60\x82",
    68);

// Sets an environment variable for the rest of a test case, then restores it.
struct ScopedEnv {
  std::string name;
  std::optional<std::string> old;
  ScopedEnv(std::string n, const std::string& value) : name(std::move(n)) {
    if (const char* v = std::getenv(name.c_str())) old = v;
    setenv(name.c_str(), value.c_str(), 1);
  }
  ~ScopedEnv() { old ? setenv(name.c_str(), old->c_str(), 1) : unsetenv(name.c_str()); }
};

// A page fetches nothing: no URL of any scheme but data: in it.
void check_self_contained(const std::string& page) {
  CHECK_THAT(page, !Catch::Contains("http://") && !Catch::Contains("https://") && !Catch::Contains("//cdn"));
  CHECK_THAT(page, !Catch::Contains("<link") && !Catch::Contains("@import") && !Catch::Contains("url("));
  CHECK_THAT(page, !Catch::Contains("<script src"));
}

}  // namespace

TEST_CASE("Spearman's rank correlation, by hand", "[report]") {
  // y's ranks 1, 2, 3.5, 5, 3.5 (a tie): rho = 8 / sqrt(10 * 9.5).
  const std::vector<double> x{1, 2, 3, 4, 5}, y{5, 6, 7, 8, 7}, down{9, 7, 5, 3, 1}, flat{2, 2, 2, 2, 2};
  CHECK(*spearman(x, y) == Approx(8 / std::sqrt(95.0)));
  CHECK(*spearman(x, down) == Approx(-1));
  CHECK_FALSE(spearman(x, flat));
  CHECK_FALSE(spearman(std::vector<double>{1}, std::vector<double>{2}));
}

TEST_CASE("the best configuration of each variant is its fastest measured row, against naive's", "[report]") {
  const ResultsFile f = read_results(fixture("gemm-sim.csv"));
  const auto groups = best_per_variant(f.records);
  REQUIRE_FALSE(groups.empty());
  std::size_t checked = 0;
  for (const auto& g : groups) {
    CHECK(std::is_sorted(g.rows.begin(), g.rows.end(),
                         [](const BestRow& a, const BestRow& b) { return *a.record->time_ns < *b.record->time_ns; }));
    // Brute force: every measured row of the group, by variant.
    std::map<std::string, double> fastest;
    for (const auto& r : f.records)
      if (r.status == Status::measured && r.config.kernel == g.kernel && r.config.shape.str() == g.shape &&
          r.config.axes.threads == g.threads && r.config.axes.cache == g.cache) {
        auto [it, fresh] = fastest.emplace(r.config.variant, *r.time_ns);
        if (!fresh) it->second = std::min(it->second, *r.time_ns);
      }
    CHECK(fastest.size() == g.rows.size());
    for (const auto& b : g.rows) {
      CHECK(*b.record->time_ns == fastest.at(b.record->config.variant));
      if (fastest.count("naive")) {
        REQUIRE(b.vs_naive);
        CHECK(*b.vs_naive == Approx(fastest.at("naive") / *b.record->time_ns));
      } else {
        CHECK_FALSE(b.vs_naive);
      }
      ++checked;
    }
  }
  CHECK(checked >= 10);
}

TEST_CASE("the L3 report ranks by miss rate and says the counters are simulated", "[report]") {
  const ResultsFile f = read_results(fixture("gemm-sim.csv"));
  const auto l3 = l3_groups(f.records);
  REQUIRE_FALSE(l3.empty());
  for (const auto& g : l3) {
    CHECK(g.simulated());
    for (std::size_t i = 1; i < g.rows.size(); ++i)
      CHECK(*metric_of(*g.rows[i - 1], "l3_miss_rate") >= *metric_of(*g.rows[i], "l3_miss_rate"));
    CHECK(g.rho.has_value() == (g.rows.size() >= kMinCorrelated));
    if (!g.rho) CHECK_THAT(g.why_no_rho, Catch::Contains("at least 5"));
  }
  const std::string text = render_report({f}, {});
  CHECK_THAT(text, Catch::Contains("L3 miss-rate report"));
  CHECK_THAT(text, Catch::Contains("simulated (sim:zen3): a cache model without hardware prefetchers"));
  CHECK_THAT(text, Catch::Contains("Spearman rank correlation of L3 miss rate with time"));
  // A file written before schema 4 has no place under the roofline.
  CHECK_THAT(text, Catch::Contains("of roofline: not in this file (written before schema 4)"));
}

TEST_CASE("a file without counters and with failed rows says so", "[report]") {
  const std::string text = render_report({read_results(fixture("mixed-sw.csv"))}, {});
  CHECK_THAT(text, Catch::Contains("No L3 miss rates in this file (counters: sw)"));
  CHECK_THAT(text, Catch::Contains("Not measured"));
  CHECK_THAT(text, Catch::Contains("failed") && Catch::Contains("expected"));
  CHECK_THAT(text, Catch::Contains("error") && Catch::Contains("timeout after 30 s"));
  CHECK_THAT(text, !Catch::Contains("L1d miss"));  // no miss columns where there are none
}

TEST_CASE("one variant only, and two files in one report", "[report]") {
  ResultsFile f = read_results(fixture("gemm-sim.csv"));
  std::erase_if(f.records, [](const Record& r) { return r.config.variant != "avx2"; });
  const std::string one = render_report({f}, {});
  CHECK_THAT(one, Catch::Contains("avx2"));
  CHECK_THAT(one, !Catch::Contains(" 1.00 ") && Catch::Contains("—"));  // no naive to compare with
  const std::string two =
      render_report({read_results(fixture("gemm-sim.csv")), read_results(fixture("mixed-sw.csv"))}, {});
  CHECK_THAT(two, Catch::Contains("gemm-sim.csv: ") && Catch::Contains("mixed-sw.csv: "));
  CHECK_THAT(two, Catch::Contains("gemm: the best") && Catch::Contains("copy: the best"));
}

TEST_CASE("Markdown tables escape their cells", "[report]") {
  const Table t{{"a", "b"}, {false, true}, {{"x|y", "1"}}};
  CHECK(t.render(TextFormat::md) == "| a | b |\n| --- | ---: |\n| x\\|y | 1 |\n");
  CHECK(t.render(TextFormat::term) == "  a    b\n  x|y  1\n");
  const std::string md = render_report({read_results(fixture("gemm-sim.csv"))}, {.format = TextFormat::md});
  CHECK_THAT(md, Catch::StartsWith("# Cromwell report") && Catch::Contains("| --- |") && !Catch::Contains("====="));
}

TEST_CASE("HTML tables escape their cells and mark the numeric columns", "[report]") {
  CHECK(parse_text_format("html") == TextFormat::html);
  CHECK_THROWS_WITH(parse_text_format("pdf"), Catch::Contains("term, md, html"));
  const Table t{{"a<b", "n"}, {false, true}, {{"x&y <z> \"q\" 'r'", "1"}, {"short"}}};
  CHECK(t.render(TextFormat::html) ==
        "<table>\n<thead>\n<tr><th>a&lt;b</th><th class=\"num\">n</th></tr>\n</thead>\n<tbody>\n"
        "<tr><td>x&amp;y &lt;z&gt; &quot;q&quot; &#39;r&#39;</td><td class=\"num\">1</td></tr>\n"
        "<tr><td>short</td><td class=\"num\"></td></tr>\n</tbody>\n</table>\n");
  CHECK(heading(TextFormat::html, 1, "A & B") == "<h1>A &amp; B</h1>\n");
  CHECK(heading(TextFormat::html, 2, "<x> & Y: 2") == "<h2 id=\"x-y-2\">&lt;x&gt; &amp; Y: 2</h2>\n");
  CHECK(html_inline("run `a<b` & `c`, `open") == "run <code>a&lt;b</code> &amp; <code>c</code>, `open");
  const std::string html = render_report({read_results(fixture("mixed-sw.csv"))}, {.format = TextFormat::html});
  CHECK_THAT(html, Catch::StartsWith("<h1>Cromwell report</h1>"));
  CHECK_THAT(html, Catch::Contains("<p class=\"caption\">") && Catch::Contains("<p class=\"note\">"));
  CHECK_THAT(html, Catch::Contains("<code>--counters sim</code>") && Catch::Contains("<ul class=\"sources\">"));
  CHECK_THAT(html, !Catch::Contains("**") && !Catch::Contains("| --- |") && !Catch::Contains("-----"));
}

TEST_CASE("base64 as RFC 4648 has it", "[report]") {
  CHECK(base64("") == "");
  CHECK(base64("f") == "Zg==");
  CHECK(base64("fo") == "Zm8=");
  CHECK(base64("foo") == "Zm9v");
  CHECK(base64("foob") == "Zm9vYg==");
  CHECK(base64("fooba") == "Zm9vYmE=");
  CHECK(base64("foobar") == "Zm9vYmFy");
  CHECK(base64(kPng) == "iVBORw0KGgoAAAANSUhEUgAAAAIAAAABCAAAAADRSSBWAAAAC0lEQVR4nGNoaAAAAYMBARg1IhUAAAAASUVORK5CYII=");
  CHECK(base64(std::string("\xff\xfe\x00", 3)) == "//4A");
}

TEST_CASE("the HTML page is one self-contained file with its plots inline", "[report]") {
  const ResultsFile f = read_results(fixture("gemm-sim.csv"));
  Plots plots;
  plots.source = f.path;
  plots.drawn.push_back({"heatmap-gflops", kPng, {"80 of 96 rows <of> gemm-sim.csv"}});
  plots.skipped.emplace_back("l3", "needs column(s) l3_miss_rate & <more>");
  const std::string page = render_report_html({f}, {}, plots);
  CHECK_THAT(page, Catch::StartsWith("<!doctype html>") && Catch::Contains("<meta charset=\"utf-8\">"));
  CHECK_THAT(page, Catch::Contains("<title>Cromwell report — fixture-ws · Fixture CPU"));
  CHECK_THAT(page, Catch::Contains("<style>") && Catch::Contains("tr:nth-child(even)"));
  CHECK_THAT(page, Catch::Contains("<table>") && Catch::Contains("<td class=\"num\">"));
  CHECK_THAT(page, Catch::Contains("<h2 id=\"plots\">Plots</h2>"));
  CHECK_THAT(page, Catch::Contains("<nav><a href=\"#gemm-the-best-configuration-of-each-variant\">gemm</a> · "));
  CHECK_THAT(page, Catch::Contains("<img data-name=\"heatmap-gflops\"") && Catch::Contains("width=\"2\" height=\"1\""));
  CHECK_THAT(page, Catch::Contains("src=\"data:image/png;base64," + base64(kPng) + "\""));
  CHECK_THAT(page, Catch::Contains("80 of 96 rows &lt;of&gt; gemm-sim.csv"));
  CHECK_THAT(page, Catch::Contains("<b>l3</b>: needs column(s) l3_miss_rate &amp; &lt;more&gt;"));
  CHECK_THAT(page, Catch::Contains("document.body.dataset.status") && Catch::Contains("data-status=\"loading\""));
  CHECK_THAT(page, Catch::EndsWith("</html>\n"));
  check_self_contained(page);
  // The text formats are what they were: no HTML in them.
  CHECK_THAT(render_report({f}, {}), !Catch::Contains("<"));

  Plots none;
  none.unavailable = "no python with <pandas>";
  const std::string bare = render_report_html({f}, {}, none);
  CHECK_THAT(bare, Catch::Contains("Plots unavailable: no python with &lt;pandas&gt;") && !Catch::Contains("<img"));
  check_self_contained(bare);
}

TEST_CASE("the page's plots come from the plot script and its messages become their captions", "[report]") {
  const cromwell_test::TempDir dir;
  // A stand-in for scripts/plot: says what the real one says, writes one PNG, skips one plot, and
  // leaves its arguments behind.
  const auto script = dir / "plot";
  {
    std::ofstream out(script);
    out << "#!/bin/sh\n"
           "printf '%s\\n' \"$@\" > '"
        << (dir / "args").string()
        << "'\n"
           "for last; do :; done\n"
           "mkdir -p \"$last\"\n"
           "echo 'plot: -- heatmap-gflops' >&2\n"
           "echo 'plot: heatmap: 80 of 96 rows of gemm-sim.csv' >&2\n"
           "cp '"
        << (dir / "tiny.png").string()
        << "' \"$last/heatmap-gflops.png\"\n"
           "echo \"wrote $last/heatmap-gflops.png\"\n"
           "echo 'plot: -- l3' >&2\n"
           "echo 'skipped l3: the l3 plot needs column(s) l3_miss_rate' >&2\n";
  }
  std::filesystem::permissions(script, std::filesystem::perms::owner_all);
  std::ofstream(dir / "tiny.png", std::ios::binary) << kPng;

  const ScopedEnv env("CROMWELL_PLOT", script.string());
  const std::vector<ResultsFile> files{read_results(fixture("gemm-sim.csv")), read_results(fixture("mixed-sw.csv"))};
  const Plots plots = draw_plots(files, {.profile_path = fixture("profile.json")});
  CHECK(plots.unavailable == "");
  REQUIRE(plots.drawn.size() == 1);
  CHECK(plots.drawn[0].name == "heatmap-gflops");
  CHECK(plots.drawn[0].png == kPng);
  CHECK(plots.drawn[0].notes == std::vector<std::string>{"80 of 96 rows of gemm-sim.csv"});
  REQUIRE(plots.skipped.size() == 1);
  CHECK(plots.skipped[0] == std::pair<std::string, std::string>{"l3", "the l3 plot needs column(s) l3_miss_rate"});
  CHECK_THAT(join(plots.remarks, "\n"), Catch::Contains("only, the first of the 2 results files") &&
                                            Catch::Contains("ceilings from the machine profile"));
  const auto args = cromwell_test::lines(dir / "args");
  REQUIRE(args.size() == 6);
  CHECK(args[0] == "all");
  CHECK(args[1] == fixture("gemm-sim.csv"));
  CHECK(args[2] == "--ceilings");
  CHECK(args[3] == fixture("profile.json"));
  CHECK(args[4] == "-o");
  CHECK_FALSE(std::filesystem::exists(std::filesystem::path(args[5]).parent_path()));  // the scratch dir is gone

  const Plots plain = draw_plots({files[0]}, {});
  CHECK(cromwell_test::lines(dir / "args").size() == 4);  // no --ceilings without a profile
  CHECK_THAT(join(plain.remarks, "\n"), Catch::Contains("No machine profile"));
}

TEST_CASE("cromwell report --format html writes the page without plots when there is no plot script", "[report][cli]") {
  const cromwell_test::TempDir dir;
  const ScopedEnv env("CROMWELL_PLOT", (dir / "no-such-plot").string());
  const std::string out = (dir / "r.html").string();
  const auto r = cromwell_test::cromwell("report " + fixture("gemm-sim.csv") + " --format html -o " + out);
  CHECK(r.code == 0);
  CHECK_THAT(r.output, Catch::Contains("plots unavailable: CROMWELL_PLOT=") && Catch::Contains("wrote " + out));
  std::ifstream in(out);
  const std::string page{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  CHECK_THAT(page, Catch::StartsWith("<!doctype html>") && Catch::Contains("Plots unavailable: CROMWELL_PLOT="));
  CHECK_THAT(page, Catch::Contains("gemm: the best configuration of each variant"));
  check_self_contained(page);
  const auto missing = cromwell_test::cromwell("report " + fixture("gemm-sim.csv") + " --format html --profile " +
                                               (dir / "none.json").string());
  CHECK(missing.code == 2);
  CHECK_THAT(missing.output, Catch::Contains("none.json"));
}

TEST_CASE("cromwell report: bad input is refused by name", "[report][cli]") {
  const auto missing = cromwell_test::cromwell("report /nonexistent/run.csv");
  CHECK(missing.code == 2);
  CHECK_THAT(missing.output, Catch::Contains("/nonexistent/run.csv: no such file"));
  const auto format = cromwell_test::cromwell("report " + fixture("gemm-sim.csv") + " --format pdf");
  CHECK(format.code == 2);
  CHECK_THAT(format.output, Catch::Contains("pdf") && Catch::Contains("term") && Catch::Contains("html"));
  const auto ok = cromwell_test::cromwell("report " + fixture("gemm-sim.csv") + " --format md");
  CHECK(ok.code == 0);
  CHECK_THAT(ok.output, Catch::Contains("## gemm: the best configuration of each variant"));
}

TEST_CASE("report --confirm quotes the speed-ups of an interleaved re-measurement", "[report][cli]") {
  const cromwell_test::TempDir dir;
  const std::string csv = (dir / "small.csv").string();
  REQUIRE(cromwell_test::cromwell("sweep gemm.naive gemm.blocked --shape m:16,n:16,k:16 --set tile=16 --repetitions 1 "
                                  "--min-time 0.001 -o " +
                                  csv)
              .code == 0);
  const auto plain = cromwell_test::cromwell("report " + csv);
  CHECK(plain.code == 0);
  CHECK_THAT(plain.output, Catch::Contains("from the sweep's best rows"));
  const auto confirmed = cromwell_test::cromwell("report " + csv + " --confirm --repetitions 4 --min-time 0.001");
  CHECK(confirmed.code == 0);
  CHECK_THAT(confirmed.output, Catch::Contains("confirming gemm m:16,n:16,k:16"));
  CHECK_THAT(confirmed.output, Catch::Contains("✓") && Catch::Contains("re-measured interleaved, 4 rounds"));
}
