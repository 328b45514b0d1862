// Parsers for what the user types as probe destinations: --targets files and HOST:PORT.
// Text in, values out, no files or sockets (STYLE.md 9): the CLI reads the file and passes its text.
// Only address literals are accepted; names are not resolved (a resolver could wait without bound).
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "common/error.h"
#include "netprobe/ip_address.h"

namespace sw::netprobe {

/// Parses a --targets file: one IPv4/IPv6 literal per line, optionally followed by a '#' comment;
/// blank and comment-only lines are skipped. Errors read "FILE:LINE: what is wrong".
/// Duplicates are dropped (the first one stays).
Result<std::vector<IpAddress>> parse_targets(std::string_view file_name, std::string_view text);

/// Appends `more` to `into`, dropping addresses already there.
void merge_targets(std::vector<IpAddress>& into, const std::vector<IpAddress>& more);

struct Endpoint {
  IpAddress host;
  std::uint16_t port = 0;
  bool operator==(const Endpoint&) const = default;
};
/// "10.0.0.2:22" or "[fd00::2]:22"; port 1..65535.
Result<Endpoint> parse_host_port(std::string_view text);

}  // namespace sw::netprobe
