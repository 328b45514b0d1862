// The nftables decoders on any bytes. The input is a stream of netlink messages as a dump delivers
// them (each nlmsg_len long, 4-aligned; a bad length makes the rest one last message); each is
// decoded alone by the decoder its type calls for, then all of them are assembled into NAT tables
// as decode_nft_nat_tables() does for a real dump.
#include <linux/netfilter/nf_tables.h>
#include <linux/netlink.h>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <vector>

#include "netprobe/nat_nftables.h"
#include "netprobe/nat_rule.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  sw::netprobe::NftDump dump;
  std::size_t off = 0;
  while (off < size && dump.tables.size() + dump.chains.size() + dump.rules.size() < 256) {
    std::size_t len = size - off;
    nlmsghdr h{};
    if (len >= sizeof h) {
      std::memcpy(&h, data + off, sizeof h);
      if (h.nlmsg_len >= sizeof h && h.nlmsg_len <= len) len = h.nlmsg_len;
    }
    std::vector<std::uint8_t> msg(data + off, data + off + len);
    off += NLMSG_ALIGN(len);
    switch (h.nlmsg_type & 0xff) {
      case NFT_MSG_NEWTABLE:
        (void)sw::netprobe::decode_nft_table(msg);
        dump.tables.push_back(std::move(msg));
        break;
      case NFT_MSG_NEWCHAIN:
        (void)sw::netprobe::decode_nft_chain(msg);
        dump.chains.push_back(std::move(msg));
        break;
      default:
        if (auto r = sw::netprobe::decode_nft_rule(msg)) (void)sw::netprobe::render_rule(*r);
        dump.rules.push_back(std::move(msg));
        break;
    }
  }
  if (auto tables = sw::netprobe::decode_nft_nat_tables(dump))
    for (const auto& t : *tables) {
      (void)sw::netprobe::render_table(t);
      (void)sw::netprobe::reachable_chains(t);
    }
  return 0;
}
