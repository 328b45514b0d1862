// Decoders for x_tables match and target payloads, shared by both NAT readers: the bytes after an
// xt_entry_match / xt_entry_target header in a legacy ipt_entry, and NFTA_MATCH_INFO /
// NFTA_TARGET_INFO of an nftables compat expression (iptables-nft) — the same kernel structs.
// Pure functions of bytes: any length is accepted; a payload too short for its struct is kept as an
// "other" match/target with a description, never read past its end.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "netprobe/nat_rule.h"

namespace sw::netprobe {

/// State bits → names in iptables' order. The conntrack match (XT_CONNTRACK_STATE_*) puts SNAT, DNAT
/// and UNTRACKED at bits 6, 7, 8; the state match (XT_STATE_*) and nftables' `ct state` put UNTRACKED
/// at bit 6 and have no SNAT/DNAT.
std::vector<std::string> ct_state_names(uint32_t mask, bool conntrack_bits);

/// Adds one xt match to `rule`, appending to rule.modules: tcp, udp, mark (rev 1), conntrack
/// (rev 1-3, state only), state and comment fill the model's fields; anything else, or a second
/// instance of a known module, becomes an other_matches entry.
void apply_xt_match(NatRule& rule, std::string_view name, unsigned revision, std::span<const uint8_t> data);

/// Decodes a named xt target: DNAT/SNAT (rev 0 nf_nat_ipv4_multi_range_compat, rev 1 nf_nat_range,
/// rev 2 nf_nat_range2), MASQUERADE and REDIRECT (rev 0); any other as kind "other" with its name.
NatTarget decode_xt_target(std::string_view name, unsigned revision, std::span<const uint8_t> data);

/// One NAT range as iptables prints it: "ADDR[-ADDR][:PORT[-PORT][/BASE]]". Addresses are in network
/// byte order, ports too (as the kernel holds them); `skip_colon` drops a leading ':' (--to-ports).
std::string format_nat_range(uint32_t flags, uint32_t min_addr_be, uint32_t max_addr_be, uint16_t min_port_be,
                             uint16_t max_port_be, uint16_t base_port_be, bool skip_colon);

/// `-s`/`-d` from an address and mask in network byte order, as iptables' print_ip() shows them.
NatAddrMatch make_addr_match(uint32_t addr_be, uint32_t mask_be, bool negated);

/// "[rev R: 0x0a0b...]": how a payload the model cannot read is described.
std::string describe_payload(unsigned revision, std::span<const uint8_t> data);

}  // namespace sw::netprobe
