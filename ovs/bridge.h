// An OVSDB Bridge row, decoded, with its ports and its controllers.
//
// Model: vswitchd/bridge.h's view of a bridge (vswitch.xml's Bridge and Controller tables).
// Plain owned data. A bridge's OpenFlow management socket is <rundir>/<name>.mgmt (flow_dump.h).
#pragma once

#include <nlohmann/json_fwd.hpp>

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ovs/port.h"

namespace sw::ovs {

/// A Controller or Manager row: where OVS connects (or listens) and whether it is connected.
struct Target {
  std::string target;
  bool is_connected = false;
  bool operator==(const Target&) const = default;
};

struct Bridge {
  std::string uuid;
  std::string name;
  std::string datapath_type;                 ///< "" (system), "netdev" (userspace)
  std::optional<std::string> datapath_id;
  std::optional<std::string> fail_mode;      ///< "secure" / "standalone"
  std::vector<std::string> protocols;        ///< allowed OpenFlow versions; empty = OVS default
  std::vector<Target> controllers;
  StringMap other_config;
  StringMap external_ids;
  std::vector<Port> ports;                   ///< in OVSDB's order (by UUID), as ovs-vsctl shows them

  /// The port called name, or nullptr.
  const Port* port(std::string_view name) const;
  /// The interface called name on any port, or nullptr.
  const Interface* interface(std::string_view name) const;
  bool operator==(const Bridge&) const = default;
};

/// Decodes a Bridge row; ports and controllers are looked up in `by_uuid`.
Bridge bridge_from_row(const Row& row, const std::map<std::string, const Row*>& by_uuid);

void to_json(nlohmann::json& j, const Target& t);
void from_json(const nlohmann::json& j, Target& t);
void to_json(nlohmann::json& j, const Bridge& b);
void from_json(const nlohmann::json& j, Bridge& b);

}  // namespace sw::ovs
