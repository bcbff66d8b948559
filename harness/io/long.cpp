#include "harness/io/long.hpp"

#include <fmt/format.h>

#include "harness/io/csv.hpp"
#include "harness/io/schema.hpp"

namespace cromwell {
namespace {

bool identifies(const Column& c) {
  return c.family == Family::dim || c.family == Family::param || c.family == Family::axis ||
         (c.family == Family::lead &&
          (c.name == "key" || c.name == "kernel" || c.name == "variant" || c.name == "status"));
}

bool quantity(const Column& c) {
  return (c.family == Family::measure || c.family == Family::metric) &&
         (c.type == ColumnType::real || c.type == ColumnType::samples);
}

}  // namespace

std::string long_csv(const std::vector<ResultsFile>& files) {
  Columns all;
  for (const auto& f : files) all.add(f.columns);
  const std::vector<Column> columns = columns_of(all);
  std::vector<const Column*> ids, quantities;
  for (const auto& c : columns) {
    if (identifies(c)) ids.push_back(&c);
    if (quantity(c)) quantities.push_back(&c);
  }
  std::vector<std::string> header;
  for (const Column* c : ids) header.push_back(c->name);
  for (const char* n : {"quantity", "repetition", "value", "unit"}) header.emplace_back(n);
  std::string out = csv_line(header);
  for (const auto& f : files)
    for (const auto& r : f.records) {
      std::vector<std::string> row;
      for (const Column* c : ids) row.push_back(to_text(*c, c->get(r)));
      const auto emit = [&](const Column& c, const std::string& repetition, const std::string& value) {
        std::vector<std::string> line = row;
        line.insert(line.end(), {c.name, repetition, value, c.unit});
        out += csv_line(line);
      };
      for (const Column* c : quantities) {
        const Value v = c->get(r);
        if (const auto* samples = std::get_if<std::vector<double>>(&v)) {
          for (std::size_t i = 0; i < samples->size(); ++i)
            emit(*c, std::to_string(i + 1), fmt::format(fmt::runtime(c->format), (*samples)[i]));
        } else if (!std::holds_alternative<std::monostate>(v)) {
          emit(*c, "", to_text(*c, v));
        }
      }
    }
  return out;
}

}  // namespace cromwell
