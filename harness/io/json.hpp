#pragma once
// Minimal JSON writing: string escaping and optional numbers (missing → null).
#include <optional>
#include <string>
#include <string_view>

namespace cromwell {

std::string json_string(std::string_view s);       // quoted and escaped
std::string json_number(std::optional<double> v);  // shortest round-trip, or null

}  // namespace cromwell
