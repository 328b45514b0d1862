#include "ovs/bridge.h"

#include "ovs/json_fields.h"

namespace sw::ovs {

const Port* Bridge::port(std::string_view n) const {
  for (const auto& p : ports)
    if (p.name == n) return &p;
  return nullptr;
}

const Interface* Bridge::interface(std::string_view n) const {
  for (const auto& p : ports)
    if (const Interface* i = p.interface(n)) return i;
  return nullptr;
}

Bridge bridge_from_row(const Row& row, const std::map<std::string, const Row*>& by_uuid) {
  Bridge b;
  b.uuid = row.uuid;
  b.name = row.string("name").value_or("");
  b.datapath_type = row.string("datapath_type").value_or("");
  b.datapath_id = row.string("datapath_id");
  b.fail_mode = row.string("fail_mode");
  b.protocols = row.strings("protocols");
  b.other_config = row.string_map("other_config");
  b.external_ids = row.string_map("external_ids");
  for (const auto& uuid : row.uuids("controller")) {
    const auto it = by_uuid.find(uuid);
    if (it == by_uuid.end()) continue;
    b.controllers.push_back(
        {it->second->string("target").value_or(""), it->second->boolean("is_connected").value_or(false)});
  }
  for (const auto& uuid : row.uuids("ports")) {
    const auto it = by_uuid.find(uuid);
    if (it != by_uuid.end()) b.ports.push_back(port_from_row(*it->second, by_uuid));
  }
  return b;
}

void to_json(nlohmann::json& j, const Target& t) {
  j = nlohmann::json{{"target", t.target}, {"is_connected", t.is_connected}};
}

void from_json(const nlohmann::json& j, Target& t) {
  t = Target{};
  j.at("target").get_to(t.target);
  detail::get(j, "is_connected", t.is_connected);
}

void to_json(nlohmann::json& j, const Bridge& b) {
  using detail::put;
  j = nlohmann::json::object();
  j["uuid"] = b.uuid;
  j["name"] = b.name;
  j["datapath_type"] = b.datapath_type;
  put(j, "datapath_id", b.datapath_id);
  put(j, "fail_mode", b.fail_mode);
  j["protocols"] = b.protocols;
  j["controllers"] = b.controllers;
  j["other_config"] = b.other_config;
  j["external_ids"] = b.external_ids;
  j["ports"] = b.ports;
}

void from_json(const nlohmann::json& j, Bridge& b) {
  using detail::get;
  b = Bridge{};
  get(j, "uuid", b.uuid);
  j.at("name").get_to(b.name);
  get(j, "datapath_type", b.datapath_type);
  get(j, "datapath_id", b.datapath_id);
  get(j, "fail_mode", b.fail_mode);
  get(j, "protocols", b.protocols);
  get(j, "controllers", b.controllers);
  get(j, "other_config", b.other_config);
  get(j, "external_ids", b.external_ids);
  get(j, "ports", b.ports);
}

}  // namespace sw::ovs
