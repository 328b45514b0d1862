// Value grammars of packstack answer-file keys: addresses, hosts, CIDRs, interface names, id ranges,
// bridge:interface pairs, physnet:bridge mappings.
//
// Every function is pure (text in, typed value or an input Error out) and its error message says
// what is wrong and what is allowed, without the key name: the answer-file checker prefixes
// "file:line: KEY: ". The grammars are deliberately stricter than the kernel where the kernel allows
// shell metacharacters: a value that passes here is safe to print in a manifest even before quoting.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.h"

namespace sw::installer {

/// True for a dotted-quad IPv4 address ("10.15.0.4"; no leading zeros, no prefix).
bool is_ipv4(std::string_view s);
/// True for a textual IPv6 address ("fe80::1"; no brackets, no zone).
bool is_ipv6(std::string_view s);
/// True for an RFC 1123 host name ("network.example.org"): labels of letters, digits and '-'.
bool is_hostname(std::string_view s);
/// True for 127.0.0.0/8, ::1 and "localhost".
bool is_loopback_host(std::string_view s);

/// A host as packstack accepts it: an IPv4 or IPv6 address, or a host name.
Result<std::string> parse_host(std::string_view s);
/// A comma-separated host list; blanks around items are ignored; a host named twice is an error.
/// allow_empty: "" is an empty list (EXCLUDE_SERVERS), else "" is an error.
Result<std::vector<std::string>> parse_host_list(std::string_view s, bool allow_empty);

/// An IP network in CIDR notation.
struct Cidr {
  std::string address;     ///< as written ("172.24.4.224")
  unsigned prefix = 0;     ///< 0..32 or 0..128
  bool v6 = false;
  bool host_bits_zero = true;  ///< false for "10.0.0.1/24"
  std::string network() const;  ///< the network with host bits cleared, "10.0.0.0/24"
};
Result<Cidr> parse_cidr(std::string_view s);
Result<std::vector<Cidr>> parse_cidr_list(std::string_view s, bool allow_empty);

/// A network interface (or OVS bridge) name: the kernel's rules (1..15 bytes, not "." or "..",
/// no '/', ':' or blanks) narrowed to letters, digits, '-', '_' and '.'.
Result<std::string> parse_iface_name(std::string_view s);

/// A TCP/UDP port, 1..65535.
Result<std::uint16_t> parse_port(std::string_view s);

/// An inclusive id range "min:max".
struct IdRange {
  std::uint32_t min = 0;
  std::uint32_t max = 0;
  friend bool operator==(const IdRange&, const IdRange&) = default;
};
/// A comma-separated list of "min:max" ranges, each ordered and inside [lo, hi]; `space` names
/// the id space in messages ("the GRE key space"). Empty text is an empty list.
Result<std::vector<IdRange>> parse_id_ranges(std::string_view s, std::uint32_t lo, std::uint32_t hi,
                                             std::string_view space);
/// GRE tunnel ids: 1..2^32-1.
inline Result<std::vector<IdRange>> parse_gre_ranges(std::string_view s) {
  return parse_id_ranges(s, 1, 0xffffffffu, "the GRE key space");
}
/// VXLAN VNIs: 1..2^24-1.
inline Result<std::vector<IdRange>> parse_vni_ranges(std::string_view s) {
  return parse_id_ranges(s, 1, 0xffffffu, "the VXLAN VNI space");
}
/// True when two ranges of the list overlap (a warning, neutron merges them).
bool ranges_overlap(const std::vector<IdRange>& ranges);

/// A physical network name as neutron accepts it in mappings: letters, digits, '-', '_', '.'.
Result<std::string> parse_physnet(std::string_view s);

/// One item of CONFIG_NEUTRON_ML2_VLAN_RANGES: "physnet" or "physnet:min:max" (VLAN ids 1..4094).
struct VlanRange {
  std::string physnet;
  std::optional<IdRange> range;
};
Result<std::vector<VlanRange>> parse_vlan_ranges(std::string_view s);

/// One item of CONFIG_NEUTRON_OVS_BRIDGE_IFACES: "br-ex:eth3". With use_subnets the interface
/// part is a CIDR naming the subnet whose interface is meant (CONFIG_USE_SUBNETS=y).
struct BridgeIface {
  std::string bridge;
  std::string iface;
  friend bool operator==(const BridgeIface&, const BridgeIface&) = default;
};
Result<std::vector<BridgeIface>> parse_bridge_ifaces(std::string_view s, bool use_subnets);

/// One item of CONFIG_NEUTRON_OVS_BRIDGE_MAPPINGS: "extnet:br-ex".
struct BridgeMapping {
  std::string physnet;
  std::string bridge;
  friend bool operator==(const BridgeMapping&, const BridgeMapping&) = default;
};
Result<std::vector<BridgeMapping>> parse_bridge_mappings(std::string_view s);

/// Splits a comma-separated list, trims blanks around items and drops empty items.
std::vector<std::string> split_list(std::string_view s);

/// The text of an ssh public key file: one key line "type base64 [comment]". A private key
/// ("-----BEGIN ... PRIVATE KEY-----") is refused as such.
Result<void> check_ssh_public_key(std::string_view text);

/// Levenshtein distance with adjacent transpositions (optimal string alignment).
std::size_t edit_distance(std::string_view a, std::string_view b,
                          std::size_t at_most = static_cast<std::size_t>(-1) - 1);

/// Quotes a value for a message: 'eth 2'.
std::string quoted_value(std::string_view value);

}  // namespace sw::installer
