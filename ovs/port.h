// An OVSDB Port row, decoded, with its interfaces (a bond has several, a plain port one).
//
// Model: vswitch.xml's Port table. `tag` is the access VLAN (Neutron's local VLAN on br-int;
// 4095 = a dead port); `trunks` the allowed VLANs of a trunk port. Plain owned data.
#pragma once

#include <nlohmann/json_fwd.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ovs/interface.h"

namespace sw::ovs {

struct Port {
  std::string uuid;
  std::string name;
  std::optional<std::int64_t> tag;
  std::vector<std::int64_t> trunks;
  std::optional<std::string> vlan_mode;
  StringMap other_config;                    ///< current Neutron: net_uuid, network_type, tag, …
  StringMap external_ids;
  std::vector<Interface> interfaces;         ///< in OVSDB's order (by UUID), as ovs-vsctl shows them

  /// The interface called name, or nullptr.
  const Interface* interface(std::string_view name) const;
  bool operator==(const Port&) const = default;
};

/// Decodes a Port row; `interfaces` are looked up in `by_uuid` (rows the IDL did not send are
/// skipped, as ovs-vsctl does).
Port port_from_row(const Row& row, const std::map<std::string, const Row*>& by_uuid);

void to_json(nlohmann::json& j, const Port& p);
void from_json(const nlohmann::json& j, Port& p);

}  // namespace sw::ovs
