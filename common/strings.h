// Small string helpers shared by the parsers.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sw {

/// Removes leading and trailing blanks (space, tab, CR, LF).
std::string_view trim(std::string_view s);
/// Splits on sep; keeps empty fields.
std::vector<std::string_view> split(std::string_view s, char sep);
/// Parses an unsigned decimal integer in [lo, hi]; nullopt on anything else (sign, blanks, overflow).
std::optional<unsigned long long> parse_uint(std::string_view s, unsigned long long lo = 0,
                                             unsigned long long hi = ~0ULL);
bool starts_with(std::string_view s, std::string_view prefix);

}  // namespace sw
