// A bridge's flow table, read over its OpenFlow management socket as
// `ovs-ofctl -O OpenFlow13 dump-flows BRIDGE` reads it.
//
// Model: utilities/ovs-ofctl.c dump-flows and lib/vconn.c vconn_dump_flows(), with one deadline
// over connecting, sending and every reply. The connection is negotiated at exactly the
// OpenFlow version asked for (1.3 by default, as Neutron's agents write their flows), so the text
// is what ovs-ofctl prints at that version: port numbers, not names (ovs-ofctl's default when
// its output is not a terminal). Each flow is decoded by ofputil; its match and actions are
// both formatted by OVS and kept as data (flow.h). Calls go through the one libopenvswitch shim,
// on the caller's thread (see shim/ovs_shim.h).
#pragma once

#include <nlohmann/json_fwd.hpp>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "common/error.h"
#include "ovs/flow.h"

struct sw_ovs_flow_dump;  // ovs/shim/ovs_shim.h

namespace sw::ovs {

/// OpenFlow wire versions accepted by FlowDumpOptions::openflow_version: 1.3 to 1.5. (Plain
/// OpenFlow 1.0 cannot carry Nicira fields such as tun_id without a flow-format switch, so it is
/// not offered; Havana-era 1.0 text is still read by parse_flows.)
inline constexpr int kOpenFlow13 = 0x04;
inline constexpr int kOpenFlow15 = 0x06;

struct FlowDumpOptions {
  std::string bridge;
  /// The run directory holding <bridge>.mgmt; empty: default_rundir().
  std::string rundir;
  /// Only this table (0..254); nullopt: every table.
  std::optional<int> table;
  int openflow_version = kOpenFlow13;
  /// One deadline for connecting and receiving every reply.
  std::chrono::milliseconds timeout{10000};
};

struct FlowDump {
  std::string bridge;
  std::string socket;          ///< "unix:<rundir>/<bridge>.mgmt"
  std::string openflow_version;///< "OpenFlow13"
  std::optional<int> table;
  std::vector<Flow> flows;     ///< in the switch's order, as ovs-ofctl prints them

  /// The text `ovs-ofctl -O <version> dump-flows` prints for these flows: one line per flow,
  /// each with its lead blank (reply headers are not repeated).
  std::string text() const;
  bool operator==(const FlowDump&) const = default;
};

/// Dumps the flows. A missing socket or dead vswitchd is one system error naming the socket.
Result<FlowDump> dump_flows(const FlowDumpOptions& options);

/// A dump whose request has been sent: ovs-vswitchd builds the replies while the caller does
/// other work (a host snapshot reads OVSDB meanwhile), and finish() receives them. Dropped
/// unfinished, it closes the connection unread. Like every OVS call, use it on the OVS thread.
class StartedFlowDump {
 public:
  StartedFlowDump(StartedFlowDump&& other) noexcept;
  StartedFlowDump& operator=(StartedFlowDump&& other) noexcept;
  StartedFlowDump(const StartedFlowDump&) = delete;
  StartedFlowDump& operator=(const StartedFlowDump&) = delete;
  ~StartedFlowDump();

  /// Receives every reply, waiting up to `timeout` from now; the same errors as dump_flows.
  Result<FlowDump> finish(std::chrono::milliseconds timeout) &&;

 private:
  friend Result<StartedFlowDump> start_flow_dump(const FlowDumpOptions& options);
  StartedFlowDump() = default;

  sw_ovs_flow_dump* handle_ = nullptr;
  FlowDump header_;  ///< bridge, socket, version and table; no flows yet
  std::string rundir_;
};

/// Connects (within options.timeout) and sends the request; errors as dump_flows.
Result<StartedFlowDump> start_flow_dump(const FlowDumpOptions& options);

/// "OpenFlow13" for 0x04, …
std::string openflow_version_name(int wire_version);

nlohmann::json flow_dump_to_json(const FlowDump& dump);
/// The inverse of flow_dump_to_json; an input error names what is wrong.
Result<FlowDump> flow_dump_from_json(const nlohmann::json& j);

/// The same JSON as flow_dump_to_json(dump), written straight to text (one flow per line) —
/// several times faster than building the nlohmann tree for 10,000 flows; what the CLI prints.
std::string flow_dump_json_text(const FlowDump& dump);

void to_json(nlohmann::json& j, const FlowDump& d);
void from_json(const nlohmann::json& j, FlowDump& d);

}  // namespace sw::ovs
