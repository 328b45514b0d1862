// The lab's shape: which hosts exist, their names, addresses and roles, and where everything the lab
// creates lives. Pure data, computed from (prefix, state dir, number of compute hosts); nothing here
// touches the system except reading the two environment variables in layout_from_environment().
//
// Hosts (the RDO hangout's, DESIGN.md "Lab model"):
//   controller 10.15.0.4 (eth0)              network 10.15.0.7 (eth0) + 10.19.0.7 (eth2) + eth3 (external)
//   compute1   10.15.0.2 + 10.19.0.2          compute2 10.15.0.8 + 10.19.0.8
//   compute3.. 10.15.0.20.. + 10.19.0.20..   (--computes K)
// plus two namespaces that are not hosts: "<prefix>-switch" (the linux bridges every link plugs into) and
// "<prefix>-outside" (172.16.13.250/24, the world beyond br-ex).
//
// Names: host H's network namespace is /run/netns/<prefix>-H. Everything else lives under the state
// directory (default /srv/stackwire/<prefix>, STACKWIRE_LAB_DIR overrides), which must stay out of
// /etc, /var, /root (the overlay lower dirs), /run and /tmp (tmpfs on every host).
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.h"

namespace sw::lab {

/// Default lab prefix; STACKWIRE_LAB_PREFIX overrides it.
inline constexpr std::string_view kDefaultPrefix = "swlab";
/// Parent of the default state directory: <kStateRoot>/<prefix>.
inline constexpr std::string_view kStateRoot = "/srv/stackwire";
/// The "outside" namespace's address on the external segment.
inline constexpr std::string_view kOutsideIp = "172.16.13.250";
inline constexpr int kOutsidePrefixLen = 24;
inline constexpr int kMgmtPrefixLen = 24;    ///< 10.15.0.0/24
inline constexpr int kTunnelPrefixLen = 24;  ///< 10.19.0.0/24
/// Most compute hosts a lab may have (addresses .20 … stay below .255 and names below 16 chars).
inline constexpr int kMaxComputes = 64;

/// One lab host as the cloud sees it.
struct HostSpec {
  std::string name;                ///< "controller", "network", "compute1", …
  std::vector<std::string> roles;  ///< "controller" | "network" | "compute"
  std::string mgmt_ip;             ///< eth0, 10.15.0.0/24
  std::string tunnel_ip;           ///< eth2, 10.19.0.0/24; empty on the controller
  bool external_nic = false;       ///< has eth3 (no address) wired to the outside segment
};

/// The whole lab: names, addresses and paths. Cheap to copy.
struct LabLayout {
  std::string prefix;
  std::filesystem::path state_dir;
  int computes = 2;
  std::vector<HostSpec> hosts;  ///< controller, network, compute1..K, in that order

  /// The host called name, or nullptr.
  const HostSpec* find(std::string_view name) const;

  /// "<prefix>-<host>": the name of a host's (or "switch"/"outside") namespace in /run/netns.
  std::string netns_name(std::string_view host) const { return prefix + "-" + std::string(host); }
  std::string switch_netns() const { return netns_name("switch"); }
  std::string outside_netns() const { return netns_name("outside"); }
  /// Every namespace name the lab owns in /run/netns (hosts, switch, outside).
  std::vector<std::string> all_netns() const;

  std::filesystem::path marker_file() const { return state_dir / ".stackwire-lab"; }
  std::filesystem::path state_file() const { return state_dir / "lab.json"; }
  std::filesystem::path answer_file() const { return state_dir / "answers.txt"; }
  std::filesystem::path topology_file() const { return state_dir / "topology.json"; }
  std::filesystem::path ssh_dir() const { return state_dir / "ssh"; }
  std::filesystem::path ssh_config() const { return ssh_dir() / "ssh_config"; }
  std::filesystem::path ssh_key() const { return ssh_dir() / "id_ed25519"; }
  std::filesystem::path known_hosts() const { return ssh_dir() / "known_hosts"; }
  /// Directory of the bind-mounted namespace files (<host>.mnt, .uts, .pid); a private mount.
  std::filesystem::path ns_dir() const { return state_dir / "ns"; }
  /// Per-host overlay upper/work dirs: hosts/<host>/<etc|var|root>/{upper,work}.
  std::filesystem::path hosts_dir() const { return state_dir / "hosts"; }
  std::filesystem::path host_dir(std::string_view host) const { return hosts_dir() / std::string(host); }
  /// Persistent namespace file of a host: kind is "mnt", "uts" or "pid".
  std::filesystem::path ns_file(std::string_view host, std::string_view kind) const;
};

/// Builds the layout for K compute hosts. Fails (input) on a bad prefix, state dir or K.
Result<LabLayout> make_layout(std::string prefix, std::filesystem::path state_dir, int computes);

/// The layout for this process's environment: STACKWIRE_LAB_PREFIX (default "swlab") and
/// STACKWIRE_LAB_DIR (default /srv/stackwire/<prefix>), with K compute hosts.
Result<LabLayout> layout_from_environment(int computes = 2);

/// Checks a lab prefix: 1–20 chars of [a-z0-9-], starting with a letter.
Result<void> validate_prefix(std::string_view prefix);
/// Checks a state directory: absolute, of letters, digits and . _ - / only, and neither inside nor above /etc, /var, /root, /run, /tmp,
/// /proc, /sys, /dev, /usr (overlayfs refuses upper dirs inside their lower dir; /run and /tmp are
/// fresh tmpfs on every host, so the ssh config kept there would be invisible from the hosts).
Result<void> validate_state_dir(const std::filesystem::path& dir);

/// The mgmt and tunnel address of compute host i (1-based): .2, .8, then .20, .21, …
std::string compute_mgmt_ip(int i);
std::string compute_tunnel_ip(int i);

}  // namespace sw::lab
