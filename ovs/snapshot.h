// A read-only snapshot of one host's OVSDB: the Open_vSwitch root row, every bridge with its
// controllers and ports, every port with its interfaces — what `ovs-vsctl show` and
// `ovs-vsctl list Bridge/Port/Interface` show.
//
// Model: lib/ovsdb-idl.h (a client replicates the tables once; the IDL connection is closed
// before read_snapshot returns) and ovs-vsctl's `show` (format_show reproduces its text).
// A snapshot is plain data: it moves between hosts as JSON (snapshot_to_json / snapshot_from_json
// round-trip exactly). Reading goes through the one libopenvswitch shim, on the caller's thread,
// which must be the only thread that ever calls into ovs/ (see shim/ovs_shim.h).
#pragma once

#include <nlohmann/json_fwd.hpp>

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.h"
#include "ovs/bridge.h"
#include "ovs/ovsdb_row.h"

namespace sw::ovs {

struct OvsSnapshot {
  std::string uuid;                          ///< the Open_vSwitch row; empty for an empty database
  std::optional<std::string> ovs_version;
  std::optional<std::string> db_version;
  StringMap external_ids;                    ///< hostname, system-id, rundir, …
  StringMap other_config;
  std::vector<Target> managers;
  std::vector<Bridge> bridges;               ///< in OVSDB's order (by UUID), as ovs-vsctl shows them

  /// The bridge called name, or nullptr.
  const Bridge* bridge(std::string_view name) const;
  /// external_ids:system-id, or nullopt.
  std::optional<std::string> system_id() const;
  /// external_ids:hostname, or nullopt.
  std::optional<std::string> hostname() const;
  bool operator==(const OvsSnapshot&) const = default;
};

struct SnapshotOptions {
  /// OVSDB remote, "unix:PATH" or "tcp:IP:PORT"; empty: db_remote_for(default_rundir()).
  std::string db;
  /// Bound on connecting and receiving the initial contents.
  std::chrono::milliseconds timeout{10000};
};

/// Reads the snapshot. A missing or dead ovsdb-server is one system error naming the socket.
Result<OvsSnapshot> read_snapshot(const SnapshotOptions& options = {});

/// Assembles a snapshot from rows of the Open_vSwitch, Bridge, Port, Interface, Controller and
/// Manager tables (pure). With no Open_vSwitch row the snapshot is empty.
OvsSnapshot snapshot_from_rows(const std::vector<Row>& rows);

/// The text of `ovs-vsctl show` for this snapshot, line for line.
std::string format_show(const OvsSnapshot& snapshot);

nlohmann::json snapshot_to_json(const OvsSnapshot& snapshot);
/// The inverse of snapshot_to_json; an input error names what is wrong.
Result<OvsSnapshot> snapshot_from_json(const nlohmann::json& j);

void to_json(nlohmann::json& j, const OvsSnapshot& s);
void from_json(const nlohmann::json& j, OvsSnapshot& s);

}  // namespace sw::ovs
