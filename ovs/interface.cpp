#include "ovs/interface.h"

#include "ovs/json_fields.h"

namespace sw::ovs {

std::optional<std::string> Interface::external_id(std::string_view key) const {
  const auto it = external_ids.find(std::string(key));
  if (it == external_ids.end()) return std::nullopt;
  return it->second;
}

std::optional<std::string> Interface::option(std::string_view key) const {
  const auto it = options.find(std::string(key));
  if (it == options.end()) return std::nullopt;
  return it->second;
}

Interface interface_from_row(const Row& row) {
  Interface i;
  i.uuid = row.uuid;
  i.name = row.string("name").value_or("");
  i.type = row.string("type").value_or("");
  i.options = row.string_map("options");
  i.ofport = row.integer("ofport");
  i.ofport_request = row.integer("ofport_request");
  i.admin_state = row.string("admin_state");
  i.link_state = row.string("link_state");
  i.mtu = row.integer("mtu");
  i.mtu_request = row.integer("mtu_request");
  i.mac_in_use = row.string("mac_in_use");
  i.external_ids = row.string_map("external_ids");
  i.other_config = row.string_map("other_config");
  i.error = row.string("error");
  i.status = row.string_map("status");
  i.statistics = row.integer_map("statistics");
  i.bfd_status = row.string_map("bfd_status");
  return i;
}

void to_json(nlohmann::json& j, const Interface& i) {
  using detail::put;
  j = nlohmann::json::object();
  j["uuid"] = i.uuid;
  j["name"] = i.name;
  j["type"] = i.type;
  j["options"] = i.options;
  put(j, "ofport", i.ofport);
  put(j, "ofport_request", i.ofport_request);
  put(j, "admin_state", i.admin_state);
  put(j, "link_state", i.link_state);
  put(j, "mtu", i.mtu);
  put(j, "mtu_request", i.mtu_request);
  put(j, "mac_in_use", i.mac_in_use);
  j["external_ids"] = i.external_ids;
  j["other_config"] = i.other_config;
  put(j, "error", i.error);
  j["status"] = i.status;
  j["statistics"] = i.statistics;
  j["bfd_status"] = i.bfd_status;
}

void from_json(const nlohmann::json& j, Interface& i) {
  using detail::get;
  i = Interface{};
  get(j, "uuid", i.uuid);
  j.at("name").get_to(i.name);
  get(j, "type", i.type);
  get(j, "options", i.options);
  get(j, "ofport", i.ofport);
  get(j, "ofport_request", i.ofport_request);
  get(j, "admin_state", i.admin_state);
  get(j, "link_state", i.link_state);
  get(j, "mtu", i.mtu);
  get(j, "mtu_request", i.mtu_request);
  get(j, "mac_in_use", i.mac_in_use);
  get(j, "external_ids", i.external_ids);
  get(j, "other_config", i.other_config);
  get(j, "error", i.error);
  get(j, "status", i.status);
  get(j, "statistics", i.statistics);
  get(j, "bfd_status", i.bfd_status);
}

}  // namespace sw::ovs
