// OVSDB rows as plain data: what the IDL replicated, before it is decoded into bridges, ports and
// interfaces.
//
// Model: RFC 7047's value model (an atom is an integer, real, boolean, string or UUID; a datum is
// a set of atoms or a map of atom pairs, kept in OVSDB's sorted order) and lib/ovsdb-data.h.
// A Row owns all its data; nothing refers back into libopenvswitch. Rows come from the IDL (see
// snapshot.cpp) or, in tests, from `ovs-vsctl --format=json list TABLE` (rows_from_vsctl_json),
// which is how the two are compared field by field.
#pragma once

#include <nlohmann/json_fwd.hpp>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "common/error.h"

namespace sw::ovs {

/// A UUID atom (a reference to a row), kept as OVS prints it: 8-4-4-4-12 lowercase hex.
struct Uuid {
  std::string text;
  bool operator==(const Uuid&) const = default;
};

/// One OVSDB atom.
using Atom = std::variant<std::int64_t, double, bool, std::string, Uuid>;

/// One column's value: a set of atoms (a scalar or optional column is a set of 0 or 1), or a map
/// (values non-empty-able, is_map true) of keys[i] → values[i]. Order is OVSDB's (sorted by key).
struct Datum {
  bool is_map = false;
  std::vector<Atom> keys;
  std::vector<Atom> values;
  bool operator==(const Datum&) const = default;
};

/// One row of one table.
struct Row {
  std::string table;
  std::string uuid;
  std::map<std::string, Datum, std::less<>> columns;

  /// The column, or an empty datum when the row has no such column (an older schema).
  const Datum& at(std::string_view column) const;
  /// The column's single string; nullopt when the set is empty or not a string.
  std::optional<std::string> string(std::string_view column) const;
  /// The column's single integer; nullopt when empty.
  std::optional<std::int64_t> integer(std::string_view column) const;
  /// The column's single boolean; nullopt when empty.
  std::optional<bool> boolean(std::string_view column) const;
  /// All integers of a set column.
  std::vector<std::int64_t> integers(std::string_view column) const;
  /// All strings of a set column.
  std::vector<std::string> strings(std::string_view column) const;
  /// The UUIDs of a set-of-references column, in datum order.
  std::vector<std::string> uuids(std::string_view column) const;
  /// A map column whose keys are strings, values rendered as text (integers in decimal).
  std::map<std::string, std::string> string_map(std::string_view column) const;
  /// A string→integer map column (Interface statistics).
  std::map<std::string, std::int64_t> integer_map(std::string_view column) const;
};

/// Decodes one value in OVSDB's JSON notation (RFC 7047 §5.1): "s", 1, 1.5, true,
/// ["uuid","…"], ["named-uuid","…"], ["set",[…]], ["map",[[k,v],…]].
Result<Datum> datum_from_json(const nlohmann::json& j);

/// Decodes `ovs-vsctl --format=json list TABLE` output ({"headings": [...], "data": [[...], ...]})
/// into rows; the "_uuid" column becomes Row::uuid.
Result<std::vector<Row>> rows_from_vsctl_json(std::string_view table, std::string_view text);

/// Text of one atom as OVS prints it in `ovs-vsctl` (ovsdb_atom_to_string): strings are quoted,
/// JSON-style, only when they are not a bare identifier, "true"/"false" or a UUID.
std::string atom_to_string(const Atom& atom);
/// Quotes s as ovsdb_atom_to_string does for a string atom.
std::string ovsdb_string(std::string_view s);

}  // namespace sw::ovs
