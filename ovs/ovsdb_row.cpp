#include "ovs/ovsdb_row.h"

#include <nlohmann/json.hpp>

#include <cstdio>

namespace sw::ovs {
namespace {

const Datum& empty_datum() {
  static const Datum empty;
  return empty;
}

std::string atom_text(const Atom& a) {
  if (const auto* s = std::get_if<std::string>(&a)) return *s;
  if (const auto* i = std::get_if<std::int64_t>(&a)) return std::to_string(*i);
  if (const auto* b = std::get_if<bool>(&a)) return *b ? "true" : "false";
  if (const auto* u = std::get_if<Uuid>(&a)) return u->text;
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*g", 15, std::get<double>(a));
  return buf;
}

bool is_hex(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

// uuid_from_string(): 8-4-4-4-12 hex digits, either case.
bool looks_like_uuid(std::string_view s) {
  if (s.size() != 36) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (s[i] != '-') return false;
    } else if (!is_hex(s[i])) {
      return false;
    }
  }
  return true;
}

bool is_alpha(unsigned char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool is_digit(unsigned char c) { return c >= '0' && c <= '9'; }

// lib/ovsdb-data.c string_needs_quotes(), in the C locale.
bool needs_quotes(std::string_view s) {
  if (s.empty()) return true;
  const auto first = static_cast<unsigned char>(s[0]);
  if (!is_alpha(first) && first != '_') return true;
  for (char ch : s.substr(1)) {
    const auto c = static_cast<unsigned char>(ch);
    if (!is_alpha(c) && !is_digit(c) && c != '_' && c != '-' && c != '.') return true;
  }
  return s == "true" || s == "false" || looks_like_uuid(s);
}

Result<Atom> atom_from_json(const nlohmann::json& j) {
  if (j.is_string()) return Atom{j.get<std::string>()};
  if (j.is_boolean()) return Atom{j.get<bool>()};
  if (j.is_number_integer()) return Atom{j.get<std::int64_t>()};
  if (j.is_number_float()) return Atom{j.get<double>()};
  if (j.is_array() && j.size() == 2 && j[0].is_string() && j[1].is_string()) {
    const auto tag = j[0].get<std::string>();
    if (tag == "uuid" || tag == "named-uuid") return Atom{Uuid{j[1].get<std::string>()}};
  }
  return fail(Error::input("not an OVSDB atom: " + j.dump()));
}

}  // namespace

const Datum& Row::at(std::string_view column) const {
  const auto it = columns.find(column);
  return it == columns.end() ? empty_datum() : it->second;
}

std::optional<std::string> Row::string(std::string_view column) const {
  const Datum& d = at(column);
  if (d.keys.size() != 1) return std::nullopt;
  if (const auto* s = std::get_if<std::string>(&d.keys[0])) return *s;
  return std::nullopt;
}

std::optional<std::int64_t> Row::integer(std::string_view column) const {
  const Datum& d = at(column);
  if (d.keys.size() != 1) return std::nullopt;
  if (const auto* i = std::get_if<std::int64_t>(&d.keys[0])) return *i;
  return std::nullopt;
}

std::optional<bool> Row::boolean(std::string_view column) const {
  const Datum& d = at(column);
  if (d.keys.size() != 1) return std::nullopt;
  if (const auto* b = std::get_if<bool>(&d.keys[0])) return *b;
  return std::nullopt;
}

std::vector<std::int64_t> Row::integers(std::string_view column) const {
  std::vector<std::int64_t> out;
  for (const Atom& a : at(column).keys)
    if (const auto* i = std::get_if<std::int64_t>(&a)) out.push_back(*i);
  return out;
}

std::vector<std::string> Row::strings(std::string_view column) const {
  std::vector<std::string> out;
  for (const Atom& a : at(column).keys)
    if (const auto* s = std::get_if<std::string>(&a)) out.push_back(*s);
  return out;
}

std::vector<std::string> Row::uuids(std::string_view column) const {
  std::vector<std::string> out;
  for (const Atom& a : at(column).keys)
    if (const auto* u = std::get_if<Uuid>(&a)) out.push_back(u->text);
  return out;
}

std::map<std::string, std::string> Row::string_map(std::string_view column) const {
  std::map<std::string, std::string> out;
  const Datum& d = at(column);
  if (!d.is_map) return out;
  for (size_t i = 0; i < d.keys.size() && i < d.values.size(); ++i)
    out.emplace(atom_text(d.keys[i]), atom_text(d.values[i]));
  return out;
}

std::map<std::string, std::int64_t> Row::integer_map(std::string_view column) const {
  std::map<std::string, std::int64_t> out;
  const Datum& d = at(column);
  if (!d.is_map) return out;
  for (size_t i = 0; i < d.keys.size() && i < d.values.size(); ++i)
    if (const auto* v = std::get_if<std::int64_t>(&d.values[i])) out.emplace(atom_text(d.keys[i]), *v);
  return out;
}

Result<Datum> datum_from_json(const nlohmann::json& j) {
  Datum d;
  if (j.is_array() && j.size() == 2 && j[0].is_string()) {
    const auto tag = j[0].get<std::string>();
    if (tag == "set") {
      if (!j[1].is_array()) return fail(Error::input("OVSDB set is not an array: " + j.dump()));
      for (const auto& e : j[1]) d.keys.push_back(SW_TRY(atom_from_json(e)));
      return d;
    }
    if (tag == "map") {
      if (!j[1].is_array()) return fail(Error::input("OVSDB map is not an array: " + j.dump()));
      d.is_map = true;
      for (const auto& pair : j[1]) {
        if (!pair.is_array() || pair.size() != 2)
          return fail(Error::input("OVSDB map entry is not a pair: " + pair.dump()));
        d.keys.push_back(SW_TRY(atom_from_json(pair[0])));
        d.values.push_back(SW_TRY(atom_from_json(pair[1])));
      }
      return d;
    }
  }
  d.keys.push_back(SW_TRY(atom_from_json(j)));
  return d;
}

Result<std::vector<Row>> rows_from_vsctl_json(std::string_view table, std::string_view text) {
  nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object() || !j.contains("headings") || !j.contains("data"))
    return fail(Error::input("not `ovs-vsctl --format=json` output"));
  const auto& headings = j["headings"];
  std::vector<Row> rows;
  for (const auto& data : j["data"]) {
    if (!data.is_array() || data.size() != headings.size())
      return fail(Error::input("`ovs-vsctl --format=json`: a row does not match the headings"));
    Row row;
    row.table = std::string(table);
    for (size_t i = 0; i < headings.size(); ++i) {
      const auto name = headings[i].get<std::string>();
      auto decoded = datum_from_json(data[i]);
      if (!decoded) return fail(std::move(decoded.error()).context("column " + name));
      Datum d = std::move(*decoded);
      if (name == "_uuid") {
        if (d.keys.size() == 1)
          if (const auto* u = std::get_if<Uuid>(&d.keys[0])) row.uuid = u->text;
        continue;
      }
      row.columns.emplace(name, std::move(d));
    }
    rows.push_back(std::move(row));
  }
  return rows;
}

std::string ovsdb_string(std::string_view s) {
  if (!needs_quotes(s)) return std::string(s);
  // lib/json.c json_serialize_string(): only '"', '\\' and control characters are escaped.
  std::string out = "\"";
  for (char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out += ch;
        }
    }
  }
  out += '"';
  return out;
}

std::string atom_to_string(const Atom& atom) {
  if (const auto* s = std::get_if<std::string>(&atom)) return ovsdb_string(*s);
  return atom_text(atom);
}

}  // namespace sw::ovs
