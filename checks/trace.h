// `stackwire trace`: the path of a floating IP (or of an instance) walked hop by hop over the same
// observations verify takes (checks/verify.h CloudObservation), so a person sees where it stops.
//
// A floating IP's path, from outside in: on the router's L3 host br-ex (up, uplink plugged, holding
// the external gateway), the br-ex ↔ br-int patch with the external network's VLAN, the router's qg-
// port (tagged on br-int, up in qrouter-<id>, holding the FIP /32), the DNAT rule, the qrouter's
// route to the fixed IP, the qr- port, the tenant network's local VLAN on br-int, br-tun's flow into
// the tunnel towards the instance's compute host and that tunnel port; on the compute host the
// tunnel port back, br-tun's tun_id → local VLAN flow and the instance's port on br-int; then ICMP
// probes from the qrouter namespace to the fixed IP and from the L3 host to the floating IP.
// An instance's trace starts at its network's qdhcp-/qrouter- namespaces and has the floating-IP
// hops only when it has one.
//
// Every hop gets its own state — ok, broken, or unknown when what it needs was not observed (a host
// without a snapshot, unreadable flows, a namespace that is missing, a probe that was not run) — so
// the first break and everything after it are both visible. Pure: planned and walked over data, so
// hand-built or recorded snapshots test it.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "checks/checks.h"
#include "checks/expected.h"
#include "checks/reachability.h"
#include "common/error.h"

namespace sw::checks {

struct TraceHop {
  enum State { ok, broken, unknown };
  std::string host;    ///< the host's name ("network"), or its address when it has no snapshot
  std::string what;    ///< the kind of hop: "br-ex", "router gateway port", "DNAT", "tunnel port", …
  std::string object;  ///< what was looked at: "qrouter-<id>/qg-98eef37b-58", "gre-0a130002", …
  State state = unknown;
  std::string detail;  ///< what was seen (ok), what is wrong (broken), what is missing (unknown)
  std::string fix;     ///< broken: a command that fixes it, run from the host trace runs on
  bool operator==(const TraceHop&) const = default;
};

std::string_view state_name(TraceHop::State s);  ///< "ok", "broken", "unknown"

/// What to trace: a floating IP, or an instance by name.
struct TraceTarget {
  enum Kind { floating_ip, instance };
  Kind kind = floating_ip;
  std::string value;  ///< the floating IP or the instance's name
};

struct Trace {
  std::string target;  ///< "floating-ip 172.16.13.3", "instance test0"
  std::string summary;  ///< "test0 10.0.0.229 on net0, compute1; router extrouter on network"
  std::vector<TraceHop> hops;
  /// Every hop is ok.
  bool ok() const;
};

/// The instance the target names, checked against the topology. An input error (exit 2) when there
/// is none, saying which floating IPs or instances exist.
Result<const installer::Topology::Instance*> resolve_trace_target(const Expected& expected, const TraceTarget& target);

/// The probes the trace ends with (ids "trace.router", "trace.dhcp", "trace.fip"): ICMP from the
/// qrouter- (and, for an instance, qdhcp-) namespace to the fixed IP, and from the L3 host's own
/// namespace to the floating IP. Empty when the target does not resolve.
std::vector<ProbeRequest> plan_trace_probes(const Expected& expected, const std::vector<HostObservation>& hosts,
                                            const TraceTarget& target);

/// Walks the path. `probes`: results of plan_trace_probes' requests, each a last hop (a request
/// without result: unknown); nullptr: not probed, the trace ends with the instance's port. Errors
/// only for a target that does not resolve (as resolve_trace_target).
Result<Trace> trace_path(const Expected& expected, const std::vector<HostObservation>& hosts, const TraceTarget& target,
                         const std::vector<ProbeResult>* probes);

/// Numbered hops, one line each ("ok"/"BROKEN"/"unknown", host, what, object, detail), the fix under
/// a broken one, and a last line naming the first break. `colour`: ANSI colours for the states.
std::string report_trace_text(const Trace& trace, bool colour);
/// {"target", "summary", "hops": [{"host", "what", "object", "state", "detail", "fix"}], "ok"}.
void to_json(nlohmann::json& j, const TraceHop& h);
void to_json(nlohmann::json& j, const Trace& t);

}  // namespace sw::checks
