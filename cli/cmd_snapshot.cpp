// stackwire snapshot [--json] [--db unix:PATH] [--rundir DIR] [--no-flows]
//
// This host's observed state, read natively and read-only (checks/host_snapshot.h): its own network
// namespace and every namespace in /run/netns (links, addresses, routes, neighbours, sysctls, NAT,
// processes), OVSDB and every bridge's OpenFlow table. --json prints the whole snapshot, which is
// what verify reads from remote hosts; without it, a short summary. Parts that cannot be read are
// reported in the data and still exit 0; exit 1 only when nothing at all could be read, 2 for bad
// input (a malformed --db).
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdio>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "checks/host_snapshot.h"
#include "cli/command.h"
#include "cli/commands.h"
#include "ovs/rundir.h"

namespace sw::cli {
namespace {

struct SnapshotArgs {
  std::string db;
  std::string rundir;
  bool no_flows = false;
  bool json = false;
};

void out(const std::string& s) { std::fwrite(s.data(), 1, s.size(), stdout); }

std::string pad(std::string s, std::size_t width) {
  if (s.size() < width) s.append(width - s.size(), ' ');
  return s;
}

std::size_t nat_rules(const netprobe::NatView& v) {
  std::size_t n = 0;
  for (const auto& t : v.tables)
    for (const auto& c : t.chains) n += c.rules.size();
  return n;
}

// "dnsmasq", "sshd (3), ovsdb-server, … +4 more": distinct comms in pid order.
std::string comms(const std::vector<checks::ProcessInfo>& processes) {
  constexpr std::size_t kShown = 6;
  std::vector<std::pair<std::string, int>> seen;
  for (const auto& p : processes) {
    auto it = std::find_if(seen.begin(), seen.end(), [&](const auto& s) { return s.first == p.comm; });
    if (it == seen.end()) seen.emplace_back(p.comm, 1);
    else ++it->second;
  }
  std::string s;
  for (std::size_t i = 0; i < seen.size() && i < kShown; ++i) {
    if (!s.empty()) s += ", ";
    s += seen[i].first;
    if (seen[i].second > 1) s += " (" + std::to_string(seen[i].second) + ")";
  }
  if (seen.size() > kShown) s += ", +" + std::to_string(seen.size() - kShown) + " more";
  return s.empty() ? "-" : s;
}

std::string summary(const checks::HostSnapshot& s) {
  std::string text = "host " + (s.hostname.empty() ? std::string("?") : s.hostname) + ": " +
                     std::to_string(s.namespaces.size()) + " named namespace" +
                     (s.namespaces.size() == 1 ? "" : "s");
  if (s.ovs) {
    text += ", OVS " + (s.ovs->ovs_version ? *s.ovs->ovs_version + " " : std::string()) + "with " +
            std::to_string(s.ovs->bridges.size()) + " bridge" + (s.ovs->bridges.size() == 1 ? "" : "s");
  } else {
    text += ", OVS unreadable";
  }
  text += "\n\n";

  std::vector<const checks::NamespaceView*> views{&s.root};
  for (const auto& v : s.namespaces) views.push_back(&v);
  auto label = [](const checks::NamespaceView& v) { return v.net.name.empty() ? std::string("(host)") : v.net.name; };
  std::size_t width = 9;
  for (const auto* v : views) width = std::max(width, label(*v).size());
  width += 2;
  text += pad("NAMESPACE", width) + "LINKS  ADDRS  NAT    PROCESSES\n";
  for (const auto* v : views) {
    text += pad(label(*v), width) + pad(std::to_string(v->net.links.size()), 7) +
            pad(std::to_string(v->net.addresses.size()), 7) + pad(std::to_string(nat_rules(v->nat)), 7) +
            comms(v->processes) + "\n";
  }

  if (s.ovs && !s.ovs->bridges.empty()) {
    std::size_t bwidth = 6;
    for (const auto& b : s.ovs->bridges) bwidth = std::max(bwidth, b.name.size());
    bwidth += 2;
    text += "\n" + pad("BRIDGE", bwidth) + "PORTS  FLOWS\n";
    for (const auto& b : s.ovs->bridges) {
      std::string flows = "-";
      for (const auto& f : s.flows)
        if (f.bridge == b.name) flows = f.error.empty() ? std::to_string(f.dump.flows.size()) : "?";
      text += pad(b.name, bwidth) + pad(std::to_string(b.ports.size()), 7) + flows + "\n";
    }
  }

  std::vector<std::string> problems;
  for (const auto* v : views)
    if (!v->error.empty()) problems.push_back(label(*v) + ": " + v->error);
  if (!s.ovs) problems.push_back("OVSDB: " + s.ovs_error);
  for (const auto& f : s.flows)
    if (!f.error.empty()) problems.push_back(f.bridge + " flows: " + f.error);
  if (!problems.empty()) {
    text += "\nunreadable:\n";
    for (const auto& p : problems) text += "  " + p + "\n";
  }
  return text;
}

// Every namespace has at least lo: a view without links was not read.
bool read_anything(const checks::HostSnapshot& s) {
  if (s.ovs || !s.root.net.links.empty()) return true;
  return std::any_of(s.namespaces.begin(), s.namespaces.end(), [](const auto& v) { return !v.net.links.empty(); });
}

Result<int> run_snapshot(const SnapshotArgs& a) {
  checks::HostSnapshotOptions o;
  if (!a.db.empty()) o.ovs_db = SW_TRY(ovs::parse_db_remote(a.db));
  else if (!a.rundir.empty()) o.ovs_db = ovs::db_remote_for(a.rundir);
  o.ovs_rundir = a.rundir;
  o.flows = !a.no_flows;
  bool anything = false;
  if (a.json) {
    anything = SW_TRY(checks::stream_host_snapshot_json(
        o, [](std::string_view piece) { std::fwrite(piece.data(), 1, piece.size(), stdout); }));
  } else {
    const auto snapshot = SW_TRY(checks::take_host_snapshot(o));
    out(summary(snapshot));
    anything = read_anything(snapshot);
  }
  if (!anything) return fail(Error::failed("nothing on this host could be read (see above)"));
  return 0;
}

}  // namespace

void add_snapshot_command(CLI::App& app) {
  auto args = std::make_shared<SnapshotArgs>();
  auto* cmd = app.add_subcommand(
      "snapshot", "This host's network state, read natively and read-only: namespaces, NAT, processes, OVS");
  cmd->add_flag("--json", args->json, "The whole snapshot as JSON (what verify reads from remote hosts)");
  cmd->add_option("--db", args->db,
                  "OVSDB server: unix:PATH or tcp:IP:PORT (default unix:$OVS_RUNDIR/db.sock, "
                  "OVS_RUNDIR defaulting to /var/run/openvswitch)");
  cmd->add_option("--rundir", args->rundir,
                  "OVS run directory holding BRIDGE.mgmt, and db.sock unless --db is given (default "
                  "$OVS_RUNDIR or /var/run/openvswitch)");
  cmd->add_flag("--no-flows", args->no_flows, "Do not read the bridges' OpenFlow tables");
  cmd->callback([args] { finish(run_snapshot(*args)); });
}

}  // namespace sw::cli
