// stackwire ovs show [--db unix:PATH] [--json]
// stackwire ovs flows BRIDGE [--rundir DIR] [--table N] [--json]
//
// This host's Open vSwitch, read natively through libopenvswitch (ovs/): the content of
// `ovs-vsctl show` and of `ovs-ofctl -O OpenFlow13 dump-flows BRIDGE`. Exit 0 on success, 1 when
// ovsdb-server or ovs-vswitchd cannot be reached, 2 for bad input (a malformed --db, an unknown
// bridge).
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <cstdio>
#include <memory>
#include <optional>
#include <string>

#include "cli/command.h"
#include "cli/commands.h"
#include "ovs/flow_dump.h"
#include "ovs/rundir.h"
#include "ovs/snapshot.h"

namespace sw::cli {
namespace {

struct ShowArgs {
  std::string db;
  bool json = false;
};

struct FlowsArgs {
  std::string bridge;
  std::string rundir;
  std::optional<int> table;
  bool json = false;
};

void print_text(const std::string& s) { std::fwrite(s.data(), 1, s.size(), stdout); }

Result<int> run_show(const ShowArgs& a) {
  ovs::SnapshotOptions o;
  if (!a.db.empty()) o.db = SW_TRY(ovs::parse_db_remote(a.db));
  const auto snapshot = SW_TRY(ovs::read_snapshot(o));
  if (a.json) print_json(ovs::snapshot_to_json(snapshot));
  else print_text(ovs::format_show(snapshot));
  return 0;
}

Result<int> run_flows(const FlowsArgs& a) {
  ovs::FlowDumpOptions o;
  o.bridge = a.bridge;
  o.rundir = a.rundir;
  o.table = a.table;
  const auto dump = SW_TRY(ovs::dump_flows(o));
  if (a.json) print_text(ovs::flow_dump_json_text(dump));
  else print_text(dump.text());
  return 0;
}

}  // namespace

void add_ovs_command(CLI::App& app) {
  auto* ovs = app.add_subcommand("ovs", "Open vSwitch on this host, read natively: OVSDB and OpenFlow");
  ovs->require_subcommand(1);

  auto show_args = std::make_shared<ShowArgs>();
  auto* show = ovs->add_subcommand("show", "Bridges, ports and interfaces, as `ovs-vsctl show` shows them");
  show->add_option("--db", show_args->db,
                   "OVSDB server: unix:PATH or tcp:IP:PORT (default unix:$OVS_RUNDIR/db.sock, "
                   "OVS_RUNDIR defaulting to /var/run/openvswitch)");
  show->add_flag("--json", show_args->json, "Every column stackwire reads, as JSON");
  show->callback([show_args] { finish(run_show(*show_args)); });

  auto flows_args = std::make_shared<FlowsArgs>();
  auto* flows = ovs->add_subcommand(
      "flows", "A bridge's OpenFlow table, as `ovs-ofctl -O OpenFlow13 dump-flows BRIDGE` prints it");
  flows->add_option("BRIDGE", flows_args->bridge, "Bridge name (br-int, br-tun, br-ex, …)")->required();
  flows->add_option("--rundir", flows_args->rundir,
                    "OVS run directory holding BRIDGE.mgmt and db.sock (default $OVS_RUNDIR or "
                    "/var/run/openvswitch)");
  flows->add_option("--table", flows_args->table, "Only this table")->check(CLI::Range(0, 254));
  flows->add_flag("--json", flows_args->json, "Flows as data: match fields and actions, as JSON");
  flows->callback([flows_args] { finish(run_flows(*flows_args)); });
}

}  // namespace sw::cli
