// An OVSDB Interface row, decoded: what `ovs-vsctl list Interface` shows for one interface.
//
// Model: vswitchd/vswitch.xml's Interface table (vswitch-idl's struct ovsrec_interface), minus
// the columns stackwire never looks at. Plain data, owned, copyable; optional OVSDB columns
// (min 0, max 1) are std::optional, so "not set" and "0" stay different.
#pragma once

#include <nlohmann/json_fwd.hpp>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "ovs/ovsdb_row.h"

namespace sw::ovs {

using StringMap = std::map<std::string, std::string>;

struct Interface {
  std::string uuid;
  std::string name;
  std::string type;                          ///< "" (a system device), internal, patch, gre, vxlan, …
  StringMap options;                         ///< remote_ip, local_ip, in_key, out_key, peer, …
  std::optional<std::int64_t> ofport;        ///< OpenFlow port number; -1 when vswitchd failed it
  std::optional<std::int64_t> ofport_request;
  std::optional<std::string> admin_state;    ///< "up" / "down"; set by vswitchd
  std::optional<std::string> link_state;     ///< "up" / "down"; set by vswitchd
  std::optional<std::int64_t> mtu;
  std::optional<std::int64_t> mtu_request;
  std::optional<std::string> mac_in_use;
  StringMap external_ids;                    ///< iface-id, attached-mac, iface-status, vm-uuid
  StringMap other_config;
  std::optional<std::string> error;          ///< why vswitchd could not add it
  StringMap status;
  std::map<std::string, std::int64_t> statistics;
  StringMap bfd_status;

  /// external_ids[key], or nullopt.
  std::optional<std::string> external_id(std::string_view key) const;
  /// options[key], or nullopt.
  std::optional<std::string> option(std::string_view key) const;
  bool operator==(const Interface&) const = default;
};

/// Decodes an Interface row (pure).
Interface interface_from_row(const Row& row);

void to_json(nlohmann::json& j, const Interface& i);
void from_json(const nlohmann::json& j, Interface& i);

}  // namespace sw::ovs
