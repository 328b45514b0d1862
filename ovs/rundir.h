// Where a host's Open vSwitch listens: its run directory and the sockets in it.
//
// Model: lib/dirs.c ovs_rundir() — $OVS_RUNDIR, else the build's rundir, which for Debian's
// packages (and the libopenvswitch stackwire builds) is /var/run/openvswitch. The OVSDB server
// listens on <rundir>/db.sock; ovs-vswitchd on <rundir>/<bridge>.mgmt for each bridge.
// stackwire always passes these paths explicitly to libopenvswitch.
#pragma once

#include <string>
#include <string_view>

#include "common/error.h"

namespace sw::ovs {

/// $OVS_RUNDIR when set and non-empty, else "/var/run/openvswitch".
std::string default_rundir();
/// "unix:<rundir>/db.sock".
std::string db_remote_for(std::string_view rundir);
/// "unix:<rundir>/<bridge>.mgmt".
std::string mgmt_remote_for(std::string_view rundir, std::string_view bridge);
/// Validates a --db argument: "unix:PATH" (PATH non-empty) or "tcp:IP:PORT". Input error otherwise.
Result<std::string> parse_db_remote(std::string_view remote);
/// Validates a bridge name as OVS accepts it in a socket path: non-empty, no '/', no NUL,
/// at most 255 bytes. Input error otherwise.
Result<void> check_bridge_name(std::string_view bridge);

}  // namespace sw::ovs
