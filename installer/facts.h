// Host facts, discovered over ssh before anything is applied ("Discovering hosts' details"):
// OS family and release, package and service manager, host name, and every interface with its
// addresses and MTU (packstack's ipaddress_<if>), plus which OVS bridge holds which port (the
// netdev datapath moves the tunnel address from the NIC to the bridge holding it).
// discovery_script() runs on the host; parse_facts() turns its output into HostFacts (pure).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.h"

namespace sw::installer {

struct InterfaceFacts {
  std::string name;
  int mtu = 0;
  bool up = false;
  std::vector<std::string> ipv4;  ///< "10.19.0.7/24", in the order the kernel lists them
  std::vector<std::string> ipv6;
};

struct HostFacts {
  std::string host;             ///< the address we reached it at
  std::string hostname;         ///< its own short host name
  std::string os_id;            ///< /etc/os-release ID: debian, ubuntu, rhel, centos, fedora
  std::string os_version;       ///< VERSION_ID
  std::string os_family;        ///< "debian" or "redhat" (from ID/ID_LIKE), "" if unknown
  std::string pkg_manager;      ///< apt, dnf, yum
  std::string service_manager;  ///< systemd, none
  std::map<std::string, InterfaceFacts> interfaces;
  std::map<std::string, std::string> ovs_port_bridge;  ///< port → bridge, when OVS answers

  /// packstack's ipaddress_<if>: the interface's first IPv4 address without prefix, or nullopt.
  std::optional<std::string> ipaddress(std::string_view iface) const;
  /// The interface holding addr (an IPv4 address without prefix), if any.
  std::optional<std::string> interface_with(std::string_view addr) const;
};

/// The POSIX shell that prints the facts, one "key value..." line each.
const std::string& discovery_script();

/// Parses discovery_script()'s output. Errors name the host and the line that makes no sense.
Result<HostFacts> parse_facts(std::string_view host, std::string_view output);

}  // namespace sw::installer
