// decode_link() on any bytes: one RTM_NEWLINK message as the kernel would send it, or not. The
// decoded value must also survive its JSON round trip (the snapshot's form).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>

#include <nlohmann/json.hpp>

#include "netprobe/link.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto v = sw::netprobe::decode_link(std::as_bytes(std::span<const std::uint8_t>(data, size)));
  if (!v) {
    (void)v.error().message();
    return 0;
  }
  const nlohmann::json j = *v;
  (void)j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  // What the snapshot writes, parse_host_snapshot reads back unchanged.
  const nlohmann::json again = j.get<sw::netprobe::Link>();
  if (again != j) std::abort();
  return 0;
}
