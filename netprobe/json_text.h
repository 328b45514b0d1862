// Compact JSON text of a namespace's snapshot and NAT view, written straight into a string: the same
// document as nlohmann's dump of to_json(x) (keys in the same sorted order, strings escaped and
// invalid UTF-8 replaced the same way), without building the tree first. `snapshot --json` writes
// 2,000 namespaces; building, dumping and freeing their trees was a third of its CPU time.
#pragma once

#include <string>
#include <string_view>

#include "netprobe/nat_rule.h"
#include "netprobe/snapshot.h"

namespace sw::netprobe {

/// Appends `s` as a JSON string (as nlohmann dumps it with error_handler_t::replace).
void append_json_string(std::string& out, std::string_view s);
/// Appends the compact text of to_json(s).
void append_json(std::string& out, const NetnsSnapshot& s);
/// Appends the compact text of to_json(v).
void append_json(std::string& out, const NatView& v);

}  // namespace sw::netprobe
