#include "ovs/snapshot.h"

#include <nlohmann/json.hpp>

#include <map>

#include "ovs/json_fields.h"
#include "ovs/rundir.h"
#include "ovs/shim_call.h"
#include "ovs_shim.h"

namespace sw::ovs {
namespace {

Atom atom_from_shim(const sw_ovs_atom& a) {
  switch (a.type) {
    case SW_OVS_ATOM_INTEGER: return Atom{static_cast<std::int64_t>(a.integer)};
    case SW_OVS_ATOM_REAL: return Atom{a.real};
    case SW_OVS_ATOM_BOOLEAN: return Atom{a.boolean != 0};
    case SW_OVS_ATOM_UUID: return Atom{Uuid{a.string ? a.string : ""}};
    case SW_OVS_ATOM_STRING: break;
  }
  return Atom{std::string(a.string ? a.string : "")};
}

void collect_row(void* ctx, const char* table, const char* uuid, const sw_ovs_cell* cells, size_t n) {
  auto* rows = static_cast<std::vector<Row>*>(ctx);
  Row row;
  row.table = table;
  row.uuid = uuid;
  for (size_t c = 0; c < n; ++c) {
    Datum d;
    d.is_map = cells[c].values != nullptr;
    d.keys.reserve(cells[c].n);
    for (size_t i = 0; i < cells[c].n; ++i) {
      d.keys.push_back(atom_from_shim(cells[c].keys[i]));
      if (d.is_map) d.values.push_back(atom_from_shim(cells[c].values[i]));
    }
    row.columns.emplace(cells[c].column, std::move(d));
  }
  rows->push_back(std::move(row));
}

void show_line(std::string& out, int level, std::string_view text) {
  out.append(static_cast<size_t>(level) * 4, ' ');
  out += text;
  out += '\n';
}

std::string show_map(const StringMap& m) {
  std::string s = "{";
  bool first = true;
  for (const auto& [k, v] : m) {
    if (!first) s += ", ";
    first = false;
    s += ovsdb_string(k) + "=" + ovsdb_string(v);
  }
  return s + "}";
}

void show_target(std::string& out, int level, std::string_view table, const Target& t) {
  show_line(out, level, std::string(table) + " " + ovsdb_string(t.target));
  if (t.is_connected) show_line(out, level + 1, "is_connected: true");
}

void show_interface(std::string& out, const Interface& i) {
  show_line(out, 3, "Interface " + ovsdb_string(i.name));
  if (!i.type.empty()) show_line(out, 4, "type: " + ovsdb_string(i.type));
  if (!i.options.empty()) show_line(out, 4, "options: " + show_map(i.options));
  if (i.error) show_line(out, 4, "error: " + ovsdb_string(*i.error));
  if (!i.bfd_status.empty()) show_line(out, 4, "bfd_status: " + show_map(i.bfd_status));
}

void show_port(std::string& out, const Port& p) {
  show_line(out, 2, "Port " + ovsdb_string(p.name));
  if (p.tag) show_line(out, 3, "tag: " + std::to_string(*p.tag));
  if (!p.trunks.empty()) {
    std::string s = "trunks: [";
    for (size_t i = 0; i < p.trunks.size(); ++i) s += (i ? ", " : "") + std::to_string(p.trunks[i]);
    show_line(out, 3, s + "]");
  }
  for (const auto& i : p.interfaces) show_interface(out, i);
}

}  // namespace

const Bridge* OvsSnapshot::bridge(std::string_view name) const {
  for (const auto& b : bridges)
    if (b.name == name) return &b;
  return nullptr;
}

std::optional<std::string> OvsSnapshot::system_id() const {
  const auto it = external_ids.find("system-id");
  if (it == external_ids.end()) return std::nullopt;
  return it->second;
}

std::optional<std::string> OvsSnapshot::hostname() const {
  const auto it = external_ids.find("hostname");
  if (it == external_ids.end()) return std::nullopt;
  return it->second;
}

OvsSnapshot snapshot_from_rows(const std::vector<Row>& rows) {
  std::map<std::string, const Row*> by_uuid;
  const Row* root = nullptr;
  for (const auto& r : rows) {
    by_uuid.emplace(r.uuid, &r);
    // With several root rows (never made by OVS's tools), the first by UUID is taken, stably.
    if (r.table == "Open_vSwitch" && (!root || r.uuid < root->uuid)) root = &r;
  }
  OvsSnapshot s;
  if (!root) return s;
  s.uuid = root->uuid;
  s.ovs_version = root->string("ovs_version");
  s.db_version = root->string("db_version");
  s.external_ids = root->string_map("external_ids");
  s.other_config = root->string_map("other_config");
  for (const auto& uuid : root->uuids("manager_options")) {
    const auto it = by_uuid.find(uuid);
    if (it == by_uuid.end()) continue;
    s.managers.push_back(
        {it->second->string("target").value_or(""), it->second->boolean("is_connected").value_or(false)});
  }
  for (const auto& uuid : root->uuids("bridges")) {
    const auto it = by_uuid.find(uuid);
    if (it != by_uuid.end()) s.bridges.push_back(bridge_from_row(*it->second, by_uuid));
  }
  return s;
}

Result<OvsSnapshot> read_snapshot(const SnapshotOptions& options) {
  const std::string remote =
      options.db.empty() ? db_remote_for(default_rundir()) : SW_TRY(parse_db_remote(options.db));
  // Only the columns the decoders read: replicating every column of 1,000 interfaces costs more
  // than everything else put together.
  static const char* const ovs_columns[] = {"bridges", "manager_options", "ovs_version", "db_version",
                                            "external_ids", "other_config"};
  static const char* const bridge_columns[] = {"name",     "datapath_type", "datapath_id",  "fail_mode", "protocols",
                                               "controller", "other_config", "external_ids", "ports"};
  static const char* const port_columns[] = {"name",         "tag",          "trunks",    "vlan_mode",
                                             "other_config", "external_ids", "interfaces"};
  static const char* const iface_columns[] = {
      "name",        "type",       "options",      "ofport",       "ofport_request", "admin_state",
      "link_state",  "mtu",        "mtu_request",  "mac_in_use",   "external_ids",   "other_config",
      "error",       "status",     "statistics",   "bfd_status"};
  static const char* const target_columns[] = {"target", "is_connected"};
  static const sw_ovs_table_request tables[] = {
      {"Open_vSwitch", ovs_columns, std::size(ovs_columns)},
      {"Bridge", bridge_columns, std::size(bridge_columns)},
      {"Port", port_columns, std::size(port_columns)},
      {"Interface", iface_columns, std::size(iface_columns)},
      {"Controller", target_columns, std::size(target_columns)},
      {"Manager", target_columns, std::size(target_columns)},
  };
  std::vector<Row> rows;
  const sw_ovs_db_visitor visitor{&rows, collect_row};
  sw_ovs_error err{};
  detail::sync_ovs_log_level();
  const int ms = static_cast<int>(options.timeout.count());
  const int rc = sw_ovs_db_read(remote.c_str(), ms, tables, std::size(tables), &visitor, &err);
  if (rc == ENOENT || rc == ECONNREFUSED)
    return fail(Error::os(remote + ": ovsdb-server is not running (" + errno_string(rc) + ")", rc));
  if (rc == ETIMEDOUT)
    return fail(Error::timeout(remote + ": ovsdb-server did not answer within " + std::to_string(ms) + " ms"));
  if (rc != 0) return fail(Error::os(err.message, rc));
  return snapshot_from_rows(rows);
}

std::string format_show(const OvsSnapshot& s) {
  std::string out;
  if (s.uuid.empty()) return out;
  show_line(out, 0, s.uuid);
  for (const auto& m : s.managers) show_target(out, 1, "Manager", m);
  for (const auto& b : s.bridges) {
    show_line(out, 1, "Bridge " + ovsdb_string(b.name));
    for (const auto& c : b.controllers) show_target(out, 2, "Controller", c);
    if (b.fail_mode) show_line(out, 2, "fail_mode: " + ovsdb_string(*b.fail_mode));
    if (!b.datapath_type.empty()) show_line(out, 2, "datapath_type: " + ovsdb_string(b.datapath_type));
    for (const auto& p : b.ports) show_port(out, p);
  }
  if (s.ovs_version) show_line(out, 1, "ovs_version: " + ovsdb_string(*s.ovs_version));
  return out;
}

void to_json(nlohmann::json& j, const OvsSnapshot& s) {
  using detail::put;
  j = nlohmann::json::object();
  j["uuid"] = s.uuid;
  put(j, "ovs_version", s.ovs_version);
  put(j, "db_version", s.db_version);
  j["external_ids"] = s.external_ids;
  j["other_config"] = s.other_config;
  j["managers"] = s.managers;
  j["bridges"] = s.bridges;
}

void from_json(const nlohmann::json& j, OvsSnapshot& s) {
  using detail::get;
  s = OvsSnapshot{};
  if (!j.is_object()) throw nlohmann::json::type_error::create(302, "an OVS snapshot is a JSON object", &j);
  get(j, "uuid", s.uuid);
  get(j, "ovs_version", s.ovs_version);
  get(j, "db_version", s.db_version);
  get(j, "external_ids", s.external_ids);
  get(j, "other_config", s.other_config);
  get(j, "managers", s.managers);
  get(j, "bridges", s.bridges);
}

nlohmann::json snapshot_to_json(const OvsSnapshot& s) { return s; }

Result<OvsSnapshot> snapshot_from_json(const nlohmann::json& j) {
  try {
    return j.get<OvsSnapshot>();
  } catch (const nlohmann::json::exception& e) {
    return fail(Error::input(std::string("OVS snapshot JSON: ") + e.what()));
  }
}

}  // namespace sw::ovs
