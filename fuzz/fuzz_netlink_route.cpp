// decode_route() on any bytes: one RTM_NEWROUTE message as the kernel would send it, or not. The
// decoded value must also survive its JSON round trip (the snapshot's form).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>

#include <nlohmann/json.hpp>

#include "netprobe/route.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto v = sw::netprobe::decode_route(std::as_bytes(std::span<const std::uint8_t>(data, size)));
  if (!v) {
    (void)v.error().message();
    return 0;
  }
  const nlohmann::json j = *v;
  (void)j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  // What the snapshot writes, parse_host_snapshot reads back unchanged.
  const nlohmann::json again = j.get<sw::netprobe::Route>();
  if (again != j) std::abort();
  return 0;
}
