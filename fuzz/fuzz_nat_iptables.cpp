// decode_ipt_entry() on any bytes. The first byte picks what libiptc would have resolved the
// entry's standard target to (a user chain, a verdict, fall-through); the rest is the entry.
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "netprobe/nat_iptables.h"
#include "netprobe/nat_rule.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  static constexpr std::string_view kResolved[] = {"", "ACCEPT", "DROP", "RETURN", "neutron-l3-agent-snat",
                                                   "neutron-postrouting-bottom"};
  const std::string_view resolved = kResolved[data[0] % std::size(kResolved)];
  auto r = sw::netprobe::decode_ipt_entry(std::span<const std::uint8_t>(data + 1, size - 1), "POSTROUTING",
                                          resolved);
  if (r) (void)sw::netprobe::render_rule(*r);
  return 0;
}
