// The instance's port on br-int of its compute host, with a wrong local VLAN tag: the port sits on a
// VLAN no network uses there, so its traffic reaches nothing (Neutron's agent sets the tag when it
// binds the port and does not look again: measured, still wrong 100 s later).
#include <algorithm>

#include "common/strings.h"
#include "lab/faults/fault.h"

namespace sw::lab::faults {
namespace {

constexpr const char* kIntegrationBridge = "br-int";

// The namespace stackwire's provisioning plugs a lab instance into (installer: instance_netns_name).
std::string instance_netns(std::string_view instance) {
  std::string out = "swvm-";
  for (char c : instance)
    out += (std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-') ? c : '-';
  return out;
}

// The instance's port: the br-int port whose device is in the instance's namespace, else the only
// br-int port carrying external_ids:vm-uuid (a VM's port, as Nova plugs it).
Result<std::string> instance_port(FaultContext& ctx, const std::string& host) {
  if (SW_TRY(ctx.run(host, {"ovs-vsctl", "--timeout=10", "br-exists", kIntegrationBridge})).status != 0)
    return fail(Error::failed(host + " has no " + kIntegrationBridge + ": no cloud is deployed on lab '" +
                              ctx.layout().prefix + "' (nothing to break)"));
  const auto ports = SW_TRY(ctx.lines_ok(host, {"ovs-vsctl", "--timeout=10", "list-ports", kIntegrationBridge}));
  const auto ns = instance_netns(ctx.facts().instance);
  const auto names = SW_TRY(ctx.netns_list(host));
  if (std::find(names.begin(), names.end(), ns) != names.end())
    for (const auto& l : parse_links(SW_TRY(ctx.in_netns(host, ns, {"ip", "-o", "link", "show"}))))
      if (std::find(ports.begin(), ports.end(), l.name) != ports.end()) return l.name;
  std::vector<std::string> vms;
  for (const auto& r : SW_TRY(parse_ovs_json(SW_TRY(ctx.run_ok(
           host, {"ovs-vsctl", "--timeout=10", "--format=json", "--columns=name,external_ids", "list", "Interface"})))))
    if (!r.map_value("external_ids", "vm-uuid").empty() &&
        std::find(ports.begin(), ports.end(), r.scalar("name")) != ports.end())
      vms.push_back(r.scalar("name"));
  if (vms.size() == 1) return vms.front();
  return fail(Error::failed(host + ": cannot find instance " + ctx.facts().instance + "'s port on " + kIntegrationBridge +
                            (vms.empty() ? ": no instance is plugged there (no cloud deployed? nothing to break)"
                                         : ": " + std::to_string(vms.size()) + " VM ports and no namespace " + ns)));
}

Result<std::string> port_tag(FaultContext& ctx, const std::string& host, const std::string& port) {
  return std::string(trim(SW_TRY(ctx.run_ok(host, {"ovs-vsctl", "--timeout=10", "get", "Port", port, "tag"}))));
}

}  // namespace

Fault instance_wrong_vlan_fault() {
  Fault f;
  f.name = "instance-vlan-wrong";
  f.on_instance_host = true;
  f.breaks = "the instance's port on br-int of its compute host gets a local VLAN tag no network uses: the "
             "instance is cut off (DHCP, router, floating IP)";
  f.heal = "sets the saved tag back";
  f.apply = [](FaultContext& ctx) -> Result<Applied> {
    const auto& host = ctx.facts().instance_host;
    const auto port = SW_TRY(instance_port(ctx, host));
    const auto tag = SW_TRY(port_tag(ctx, host, port));
    if (!parse_uint(tag, 1, 4094))
      return fail(Error::failed(host + ": port " + port + " has tag '" + tag + "', not a live local VLAN (not by `lab "
                                "fault`?): nothing to break"));
    std::vector<int> used;
    for (const auto& r : SW_TRY(parse_ovs_json(SW_TRY(
             ctx.run_ok(host, {"ovs-vsctl", "--timeout=10", "--format=json", "--columns=name,tag", "list", "Port"})))))
      if (const auto t = parse_uint(r.scalar("tag"), 0, 4095)) used.push_back(static_cast<int>(*t));
    const int wrong = pick_unused_tag(used);
    SW_TRY(ctx.run_ok(host, {"ovs-vsctl", "--timeout=10", "set", "Port", port, "tag=" + std::to_string(wrong)}));
    Applied a;
    a.values = {{"port", port}, {"tag", tag}, {"wrong_tag", std::to_string(wrong)}};
    a.message = ctx.facts().instance + "'s port " + port + " on " + host + ": tag " + tag + " → " + std::to_string(wrong) +
                " (a VLAN no network uses there)";
    return a;
  };
  f.undo = [](FaultContext& ctx, const ActiveFault& s) -> Result<std::string> {
    const auto port = s.value("port"), tag = s.value("tag");
    if (SW_TRY(port_tag(ctx, s.host, port)) == tag) return port + " already has tag " + tag;
    SW_TRY(ctx.run_ok(s.host, {"ovs-vsctl", "--timeout=10", "set", "Port", port, "tag=" + tag}));
    return port + " on " + s.host + " has tag " + tag + " again";
  };
  return f;
}

}  // namespace sw::lab::faults
