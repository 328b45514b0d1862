// Internal: what the C++ side of ovs/ shares about calling the shim — the log level handed to
// OVS's vlog follows stackwire's own.
#pragma once

namespace sw::ovs::detail {

/// Sets OVS's vlog threshold from sw::log's level (warn unless -v/-vv). Call before a shim call.
void sync_ovs_log_level();

}  // namespace sw::ovs::detail
