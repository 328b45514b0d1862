// Small helpers shared by netprobe's to_json/from_json: optional fields are always written (null when
// absent) so the schema is stable, and read back tolerantly (missing = absent), so a snapshot moved
// between hosts as JSON decodes to exactly the struct it came from.
#pragma once

#include <optional>
#include <string>

#include <nlohmann/json.hpp>

namespace sw::netprobe::json_util {

template <class T>
void put_opt(nlohmann::json& j, const char* key, const std::optional<T>& v) {
  if (v) j[key] = *v;
  else j[key] = nullptr;
}

template <class T>
void get_opt(const nlohmann::json& j, const char* key, std::optional<T>& v) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) v.reset();
  else v = it->template get<T>();
}

/// j[key] or `fallback` when missing or null.
template <class T>
void get_or(const nlohmann::json& j, const char* key, T& v, T fallback = T{}) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) v = std::move(fallback);
  else it->get_to(v);
}

[[noreturn]] inline void bad(const nlohmann::json& j, const std::string& what) {
  throw nlohmann::json::other_error::create(501, what, &j);
}

/// Reads a name that `from` maps back to a number; a name it does not know is a JSON error.
template <class T, class From>
T named(const nlohmann::json& j, const char* key, From from) {
  const std::string s = j.at(key).template get<std::string>();
  auto v = from(s);
  if (!v) bad(j, std::string(key) + ": unknown value '" + s + "'");
  return *v;
}

/// Same for a list of flag names.
template <class T, class From>
T named_bits(const nlohmann::json& j, const char* key, From from) {
  const auto names = j.at(key).template get<std::vector<std::string>>();
  auto v = from(names);
  if (!v) bad(j, std::string(key) + ": unknown flag in " + j.at(key).dump());
  return *v;
}

}  // namespace sw::netprobe::json_util
