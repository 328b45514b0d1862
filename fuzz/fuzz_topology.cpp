// The topology reader on any bytes: parse, validate, and a written topology must read back equal in
// what it names (the writer and the reader are one contract, see installer/topology.h).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "installer/topology.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  std::vector<std::string> warnings;
  auto t = sw::installer::parse_topology("fuzz.json", text, &warnings);
  if (!t) return 0;
  (void)sw::installer::validate_topology(*t, "fuzz.json");
  (void)sw::installer::validate_topology(*t, "fuzz.json", sw::installer::TopologyRules{});
  for (const auto& n : t->networks)
    for (const auto& s : n.subnets) {
      (void)sw::installer::cidr_prefix_len(s.cidr);
      for (const auto& i : t->instances) (void)sw::installer::cidr_contains(s.cidr, i.floating_ip);
    }
  const std::string written = sw::installer::write_topology(*t);
  std::vector<std::string> again_warnings;
  auto again = sw::installer::parse_topology("written.json", written, &again_warnings);
  if (!again) std::abort();  // the writer emitted something its own reader refuses
  if (again->networks.size() != t->networks.size() || again->routers.size() != t->routers.size() ||
      again->instances.size() != t->instances.size())
    std::abort();
  return 0;
}
