// One fault of the catalogue, as data: {name, host, what it breaks, the agent it stops, apply, heal}
// (checks are data too: checks/). Each fault breaks ONE thing a real network host can get wrong,
// by running the tools an operator would use (ip, ovs-vsctl, ovs-ofctl, iptables, sysctl, kill) inside
// the right lab host; apply saves in an ActiveFault whatever heal needs to put it back exactly.
//
// Where a running Neutron agent would repair the fault by itself before anyone looks (measured on
// the lab: apply, wait ~90 s, look), the fault names that agent in stops_agent: faults.cpp stops it
// (`/var/lib/stackwire/bin/sw-service stop`) before apply and starts it again after heal.
//
// The faults live in the file named for the object they break: br_ex.cpp, nat.cpp, tunnel.cpp,
// router.cpp, dhcp.cpp, instance_port.cpp. catalogue.cpp lists them.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.h"
#include "lab/faults/decode.h"
#include "lab/faults/fault_state.h"
#include "lab/faults/host_runner.h"
#include "lab/layout.h"

namespace sw::lab::faults {

/// Where a fault aims, from the lab's answer and topology files (defaults: the shipped lab).
struct LabFacts {
  std::string network_host = "network";   ///< the host with the "network" role
  std::string instance = "test0";
  std::string instance_host = "compute1";
  std::string floating_ip = "172.16.13.3";
  std::string external_cidr = "172.16.13.0/24";
  std::string external_gateway = "172.16.13.1";
  std::string external_bridge = "br-ex";  ///< CONFIG_NEUTRON_L3_EXT_BRIDGE
  std::string tunnel_if = "eth2";         ///< CONFIG_NEUTRON_OVS_TUNNEL_IF
  std::map<std::string, std::string> tunnel_ips;  ///< host name → tunnel address
};

/// Builds the facts from the layout and the text of the lab's answer and topology files (either
/// may be empty: defaults stay). Pure.
Result<LabFacts> make_lab_facts(const LabLayout& layout, std::string_view answers, std::string_view topology,
                                const std::string& topology_file);

/// The qrouter namespace a fault works on: the one whose qg- device holds the floating IP.
struct RouterView {
  std::string netns;
  std::string qg;  ///< the gateway device ("" when it is gone)
  std::vector<Ipv4Addr> addrs;
  std::vector<LinkInfo> links;
  bool holds(std::string_view ip) const;
};

/// What a fault's apply and heal work with.
class FaultContext {
 public:
  FaultContext(LabLayout layout, LabFacts facts, HostRunner& hosts);

  const LabLayout& layout() const { return layout_; }
  const LabFacts& facts() const { return facts_; }
  const std::string& network_host() const { return facts_.network_host; }

  /// Runs argv on host; errors only when it cannot run.
  Result<RunResult> run(std::string_view host, const std::vector<std::string>& argv,
                        std::chrono::milliseconds timeout = std::chrono::seconds(30));
  /// Runs argv on host and returns its stdout; a failed error (naming the host, the command, its
  /// exit status and stderr) when it exits non-zero.
  Result<std::string> run_ok(std::string_view host, const std::vector<std::string>& argv,
                             std::chrono::milliseconds timeout = std::chrono::seconds(30));
  /// run_ok's output as trimmed, non-empty lines.
  Result<std::vector<std::string>> lines_ok(std::string_view host, const std::vector<std::string>& argv);
  /// run_ok of `ip netns exec NETNS argv…` on host.
  Result<std::string> in_netns(std::string_view host, std::string_view netns, std::vector<std::string> argv);

  /// Namespaces in the host's /run/netns.
  Result<std::vector<std::string>> netns_list(std::string_view host);
  /// The floating IP's qrouter namespace on the network host (the only qrouter if none holds it);
  /// a failed error saying no cloud is deployed when there is no qrouter namespace.
  Result<RouterView> find_router();
  /// The instance's fixed address, from the router's DNAT or float-snat rule for the floating IP.
  Result<std::string> instance_fixed_ip(const RouterView& router);

  /// `sw-service VERB NAME` on host (start, stop, restart): the deployed cloud's service tool.
  Result<void> service(std::string_view host, std::string_view verb, std::string_view name);
  /// Whether NAME runs on host (sw-service status).
  Result<bool> service_running(std::string_view host, std::string_view name);

  /// Polls ready() every 0.5–2 s until it is true or limit passes; false on timeout.
  Result<bool> wait_for(std::chrono::seconds limit, const std::function<Result<bool>()>& ready);

  /// Sends SIGTERM to pids on host, waits up to 10 s, then SIGKILL to what is left.
  Result<void> kill_pids(std::string_view host, const std::vector<std::string>& pids);

 private:
  LabLayout layout_;
  LabFacts facts_;
  HostRunner& hosts_;
};

/// What apply saved, and a line saying what it did.
struct Applied {
  std::map<std::string, std::string> values;
  std::vector<SavedItem> items;
  std::string message;
};

struct Fault {
  std::string name;         ///< short kebab-case, the CLI's NAME
  bool on_instance_host = false;  ///< runs on the instance's compute host (else the network host)
  std::string breaks;       ///< what it breaks, one line
  std::string stops_agent;  ///< agent stopped while active ("" none)
  std::string agent_why;    ///< why (what the agent was measured to do)
  std::string heal;         ///< how heal puts it back, one line
  std::function<Result<Applied>(FaultContext&)> apply;
  /// Restores (check-then-apply: what is already back counts as healed); returns a line.
  std::function<Result<std::string>(FaultContext&, const ActiveFault&)> undo;
  /// After the stopped agent was started again: waits until the thing is back (optional); returns
  /// a line saying so.
  std::function<Result<std::string>(FaultContext&, const ActiveFault&)> settle;
};

// The catalogue's entries, by the object they break.
Fault br_ex_down_fault();
Fault br_ex_no_ip_fault();
Fault no_masquerade_fault();
Fault fip_dnat_missing_fault();
Fault fip_snat_missing_fault();
Fault gre_port_deleted_fault();
Fault gre_wrong_remote_fault();
Fault tunnel_mtu_fault();
Fault tun_flow_deleted_fault();
Fault qrouter_deleted_fault();
Fault qg_unplugged_fault();
Fault router_no_forward_fault();
Fault dnsmasq_dead_fault();
Fault dhcp_files_unreadable_fault();
Fault instance_wrong_vlan_fault();

/// Every fault, in the order `lab fault --list` prints them.
const std::vector<Fault>& fault_catalogue();
/// The fault called name, or nullptr.
const Fault* find_fault(std::string_view name);
/// "br-ex-down, br-ex-no-ip, …".
std::string fault_names();

/// Shared by the NAT faults: deletes the given rules of table in netns (or the host's own namespace
/// when netns is empty), saving each as an item; restores saved items at their positions.
Result<std::vector<SavedItem>> delete_rules(FaultContext& ctx, std::string_view host, std::string_view netns,
                                            std::string_view table, const std::vector<IptRule>& rules);
Result<std::string> restore_rules(FaultContext& ctx, std::string_view host, std::string_view netns,
                                  std::string_view table, const std::vector<SavedItem>& items);
/// `iptables -S` of table in netns ("" = the host's own), decoded.
Result<std::vector<IptRule>> list_rules(FaultContext& ctx, std::string_view host, std::string_view netns,
                                        std::string_view table);

/// The heal of faults that only a restart of the L3 agent undoes (qrouter-missing, qg-unplugged):
/// restarts neutron-l3-agent unless the floating IP's router is already whole, then waits until
/// its namespace holds the floating IP on a tagged qg- device again and the agent's log says it
/// finished processing router_netns's router (it writes the NAT rules last: a fault applied before
/// that would be undone under its feet).
Result<std::string> heal_by_l3_restart(FaultContext& ctx, std::string_view what, std::string_view router_netns);

}  // namespace sw::lab::faults
