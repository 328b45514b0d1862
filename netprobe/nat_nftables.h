// NAT tables of nf_tables, read through libmnl + libnftnl: those iptables-nft writes (native
// payload/meta/cmp expressions plus xt compat `match`/`target` expressions) and those `nft` writes
// (native `nat`, `masq`, `redir` statements fed by registers loaded with `immediate`).
//
// Model: dump_nft_ruleset() takes one consistent dump (the generation id is read before and after;
// the dump is retried while it changes) of the calling thread's namespace as raw netlink messages;
// everything after that is pure: decode_nft_table/chain/rule() turn one NFT_MSG_NEW* message into
// plain data and decode_nft_nat_tables() assembles NatTables. Dumping is read-only. Tables and chains
// are parsed by libnftnl; rule messages by a walker here that checks every length, because libnftnl
// 1.2.4's rule parser dereferences missing attributes of malformed messages. Any bytes are safe input.
//
// Which tables count as NAT tables: family ip or inet, and either iptables-nft's "nat" table (ip) or
// a table holding a base chain of type nat. A rule whose expressions cannot all be mapped onto the
// model still appears: the expressions left over are described in NatRule::unparsed, as
// `nft --debug=netlink` prints them ("[ lookup reg 1 set s ]"), and a rule with no mappable verdict
// or target gets target kind "other" named "nft".
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "common/error.h"
#include "netprobe/nat_rule.h"

namespace sw::netprobe {

/// One dump of the nftables ruleset as the kernel sent it: complete netlink messages (nlmsghdr
/// first) of types NFT_MSG_NEWTABLE, NFT_MSG_NEWCHAIN and NFT_MSG_NEWRULE.
struct NftDump {
  std::vector<std::vector<uint8_t>> tables;
  std::vector<std::vector<uint8_t>> chains;
  std::vector<std::vector<uint8_t>> rules;
};

struct NftTableInfo {
  std::string name;
  std::string family;  ///< "ip", "inet", "ip6", "arp", "bridge", "netdev"
  uint32_t flags = 0;
  uint64_t handle = 0;
};

struct NftChainInfo {
  std::string table;
  std::string family;
  std::string name;
  bool base = false;     ///< has a hook
  int hooknum = -1;      ///< NF_INET_* hook number of a base chain
  std::string hook;      ///< "prerouting", "input", "forward", "output", "postrouting", "ingress"
  int priority = 0;
  std::string type;      ///< "nat", "filter", "route"
  std::string policy;    ///< "ACCEPT" or "DROP" (base chains)
  uint64_t packets = 0;  ///< base chain counters, when the chain has them
  uint64_t bytes = 0;
  uint64_t handle = 0;
};

/// nftables family number (NFPROTO_*) → "ip", "inet", ...; the number as text when unknown.
std::string nft_family_name(unsigned family);

/// Decodes one NFT_MSG_NEWTABLE message.
Result<NftTableInfo> decode_nft_table(std::span<const uint8_t> msg);
/// Decodes one NFT_MSG_NEWCHAIN message.
Result<NftChainInfo> decode_nft_chain(std::span<const uint8_t> msg);
/// Decodes one NFT_MSG_NEWRULE message into a NatRule (table, chain and family from the message).
Result<NatRule> decode_nft_rule(std::span<const uint8_t> msg);

/// The NAT tables in a dump (see the header comment for which count), chains in iptables-save's
/// order (base chains by hook then priority, then user chains by name), rules in kernel order.
Result<std::vector<NatTable>> decode_nft_nat_tables(const NftDump& dump);

/// Dumps tables and chains of every family, and the rules of the NAT tables among them, from the
/// calling thread's network namespace. Each netlink wait is bounded (5 s).
Result<NftDump> dump_nft_ruleset();

/// dump_nft_ruleset() + decode_nft_nat_tables().
Result<std::vector<NatTable>> read_nftables_nat();

}  // namespace sw::netprobe
