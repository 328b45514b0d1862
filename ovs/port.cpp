#include "ovs/port.h"

#include "ovs/json_fields.h"

namespace sw::ovs {

const Interface* Port::interface(std::string_view n) const {
  for (const auto& i : interfaces)
    if (i.name == n) return &i;
  return nullptr;
}

Port port_from_row(const Row& row, const std::map<std::string, const Row*>& by_uuid) {
  Port p;
  p.uuid = row.uuid;
  p.name = row.string("name").value_or("");
  p.tag = row.integer("tag");
  p.trunks = row.integers("trunks");
  p.vlan_mode = row.string("vlan_mode");
  p.other_config = row.string_map("other_config");
  p.external_ids = row.string_map("external_ids");
  for (const auto& uuid : row.uuids("interfaces")) {
    const auto it = by_uuid.find(uuid);
    if (it != by_uuid.end()) p.interfaces.push_back(interface_from_row(*it->second));
  }
  return p;
}

void to_json(nlohmann::json& j, const Port& p) {
  using detail::put;
  j = nlohmann::json::object();
  j["uuid"] = p.uuid;
  j["name"] = p.name;
  put(j, "tag", p.tag);
  j["trunks"] = p.trunks;
  put(j, "vlan_mode", p.vlan_mode);
  j["other_config"] = p.other_config;
  j["external_ids"] = p.external_ids;
  j["interfaces"] = p.interfaces;
}

void from_json(const nlohmann::json& j, Port& p) {
  using detail::get;
  p = Port{};
  get(j, "uuid", p.uuid);
  j.at("name").get_to(p.name);
  get(j, "tag", p.tag);
  get(j, "trunks", p.trunks);
  get(j, "vlan_mode", p.vlan_mode);
  get(j, "other_config", p.other_config);
  get(j, "external_ids", p.external_ids);
  get(j, "interfaces", p.interfaces);
}

}  // namespace sw::ovs
