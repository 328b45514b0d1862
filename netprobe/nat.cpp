#include "netprobe/nat.h"

#include "netprobe/nat_iptables.h"
#include "netprobe/nat_nftables.h"

namespace sw::netprobe {

Result<NatView> read_nat() {
  NatView view;
  auto legacy = read_iptables_legacy_nat();
  if (!legacy) return fail(std::move(legacy.error()).context("NAT rules (iptables-legacy)"));
  if (*legacy) view.tables.push_back(std::move(**legacy));
  auto nft = read_nftables_nat();
  if (!nft) return fail(std::move(nft.error()).context("NAT rules"));
  for (auto& t : *nft) view.tables.push_back(std::move(t));
  return view;
}

}  // namespace sw::netprobe
