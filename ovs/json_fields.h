// Internal: reading and writing the optional fields of ovs/ objects in JSON. A missing key or a
// null leaves the field at its default; a value of the wrong type throws nlohmann's type_error,
// which the public *_from_json functions turn into an input Error.
#pragma once

#include <nlohmann/json.hpp>

#include <optional>
#include <string_view>

namespace sw::ovs::detail {

template <class T>
void put(nlohmann::json& j, const char* key, const std::optional<T>& v) {
  if (v) j[key] = *v;
  else j[key] = nullptr;
}

template <class T>
void get(const nlohmann::json& j, const char* key, T& out) {
  const auto it = j.find(key);
  if (it == j.end() || it->is_null()) return;
  it->get_to(out);
}

template <class T>
void get(const nlohmann::json& j, const char* key, std::optional<T>& out) {
  const auto it = j.find(key);
  if (it == j.end() || it->is_null()) {
    out.reset();
    return;
  }
  out = it->get<T>();
}

}  // namespace sw::ovs::detail
