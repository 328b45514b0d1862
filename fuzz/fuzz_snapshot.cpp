// parse_host_snapshot() on any bytes: what verify reads back from `stackwire snapshot --json` run
// on another host. A snapshot that parses must write and parse again to the same JSON.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "checks/host_snapshot.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto s = sw::checks::parse_host_snapshot("fuzz.json", text);
  if (!s) return 0;
  const nlohmann::json j = *s;
  const std::string written = j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  auto again = sw::checks::parse_host_snapshot("written.json", written);
  if (!again) std::abort();
  if (nlohmann::json(*again) != j) std::abort();
  return 0;
}
