// A lab host's Open vSwitch as a fresh install has it: an empty conf.db at /etc/openvswitch (with the
// Open_vSwitch row carrying the host's system-id and hostname, as ovs-ctl would set them), and
// ovsdb-server + ovs-vswitchd at OVS's default paths (/run/openvswitch, /var/log/openvswitch) inside
// the host — started directly, not through the machine's init scripts.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "common/error.h"

namespace sw::lab {

inline constexpr const char* kOvsSchema = "/usr/share/openvswitch/vswitch.ovsschema";
inline constexpr const char* kOvsdbPidFile = "/run/openvswitch/ovsdb-server.pid";
inline constexpr const char* kVswitchdPidFile = "/run/openvswitch/ovs-vswitchd.pid";
inline constexpr const char* kOvsdbSocket = "/run/openvswitch/db.sock";

/// The ovsdb-server command line (ovs-ctl's, minus --detach/--monitor: the lab keeps the pid).
std::vector<std::string> ovsdb_server_argv();
/// The ovs-vswitchd command line (ovs-ctl's, minus --detach/--monitor/--mlockall).
std::vector<std::string> ovs_vswitchd_argv();
/// The OVSDB transaction that inserts the Open_vSwitch row for a host.
std::string ovs_root_row_transaction(const std::string& hostname, const std::string& system_id);
/// Creates conf.db at db_path (replacing any) from the installed schema, with the root row.
Result<void> create_conf_db(const std::filesystem::path& db_path, const std::string& hostname,
                            const std::string& system_id);
/// A random RFC 4122 version-4 UUID, lower-case.
std::string random_uuid();

}  // namespace sw::lab
