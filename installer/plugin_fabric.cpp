#include "installer/fabric.h"

#include "installer/shell_quote.h"

namespace sw::installer {
namespace {

// Values reach here from a validated answer file and facts, which cannot hold NUL (the only thing
// shell_quote refuses); an empty word keeps the script well-formed regardless.
std::string q(const std::string& s) { return shell_quote(s).value_or("''"); }

// "ip -o -4 addr show dev X" lists "N: X    inet A/P ..."; match the address with its prefix.
std::string has_addr(const std::string& dev, const std::string& cidr) {
  return "ip -o -4 addr show dev " + q(dev) + " | grep -q \" inet " + cidr + " \"";
}

std::string link_up(const std::string& dev) {
  return "ip -o link show dev " + q(dev) + " | grep -q '[<,]UP[,>]'";
}

void ensure_bridge(std::vector<Step>& s, const std::string& br, const std::string& datapath) {
  s.push_back({"Open vSwitch bridge " + br + " (datapath " + datapath + ")",
               "ovs-vsctl --timeout=10 br-exists " + q(br) + " &&\n"
               "[ \"$(ovs-vsctl --timeout=10 get Bridge " + q(br) + " datapath_type)\" = " + q(datapath) + " ]",
               "ovs-vsctl --timeout=10 --may-exist add-br " + q(br) + " -- set Bridge " + q(br) +
                   " datapath_type=" + q(datapath)});
}

void ensure_port(std::vector<Step>& s, const std::string& br, const std::string& port) {
  s.push_back({port + " is a port of " + br,
               "[ \"$(ovs-vsctl --timeout=10 port-to-br " + q(port) + " 2>/dev/null)\" = " + q(br) + " ]",
               "ip link show dev " + q(port) + " >/dev/null || { echo \"no interface " + port +
                   " on this host\" >&2; exit 1; }\n"
               "ovs-vsctl --timeout=10 --may-exist add-port " + q(br) + " " + q(port) + "\n"
               "ip link set dev " + q(port) + " up"});
}

void ensure_rule(std::vector<Step>& s, const std::string& title, const std::string& table,
                 const std::string& chain, const std::string& rule) {
  const std::string t = table == "filter" ? "" : "-t " + table + " ";
  s.push_back({title, "iptables -w 10 " + t + "-C " + chain + " " + rule,
               "iptables -w 10 " + t + "-I " + chain + " 1 " + rule});
}

std::vector<std::string> packages(const FabricParams& p) {
  const bool rh = p.os_family == "redhat";
  std::vector<std::string> pk = {"iptables", rh ? "iproute" : "iproute2"};
  if (p.network || p.compute) {
    pk.push_back(rh ? "openvswitch" : "openvswitch-switch");
    pk.push_back("ethtool");
  }
  return pk;
}

}  // namespace

std::vector<Step> prescript_steps(const FabricParams& p) {
  std::vector<Step> s;
  const bool rh = p.os_family == "redhat";
  for (const auto& pkg : packages(p)) {
    if (rh)
      s.push_back({"package " + pkg + " installed", "rpm -q " + q(pkg) + " >/dev/null",
                   "dnf install -y " + q(pkg), true});
    else
      s.push_back({"package " + pkg + " installed",
                   "dpkg-query -W -f='${db:Status-Status}' " + q(pkg) + " 2>/dev/null | grep -qx installed",
                   "DEBIAN_FRONTEND=noninteractive apt-get install -y -q " + q(pkg), true});
  }
  if (p.network || p.compute) {
    const std::string unit = rh ? "openvswitch" : "openvswitch-switch";
    std::string start;
    if (p.service_manager == "systemd")
      start = "systemctl enable --now " + unit;
    else
      start = "/usr/share/openvswitch/scripts/ovs-ctl start --system-id=random --no-monitor";
    s.push_back({"Open vSwitch is running", "ovs-vsctl --timeout=5 show >/dev/null", start});
  }
  return s;
}

std::vector<Step> fabric_steps(const FabricParams& p) {
  std::vector<Step> s;
  if (p.network) {
    s.push_back({"net.ipv4.ip_forward=1 (now and at boot)",
                 "[ \"$(cat /proc/sys/net/ipv4/ip_forward)\" = 1 ] &&\n"
                 "grep -qx 'net.ipv4.ip_forward = 1' /etc/sysctl.d/90-stackwire.conf",
                 "mkdir -p /etc/sysctl.d\n"
                 "echo 'net.ipv4.ip_forward = 1' > /etc/sysctl.d/90-stackwire.conf\n"
                 "sysctl -q -w net.ipv4.ip_forward=1"});
    if (!p.ext_bridge.empty()) {
      ensure_bridge(s, p.ext_bridge, p.datapath_type);
      for (const auto& [br, iface] : p.bridge_ifaces) {
        if (br != p.ext_bridge) ensure_bridge(s, br, p.datapath_type);
        ensure_port(s, br, iface);
      }
      s.push_back({p.ext_bridge + " is up", link_up(p.ext_bridge),
                   "ip link set dev " + q(p.ext_bridge) + " up"});
      if (!p.ext_gateway_cidr.empty())
        s.push_back({p.ext_bridge + " holds " + p.ext_gateway_cidr, has_addr(p.ext_bridge, p.ext_gateway_cidr),
                     "ip addr replace " + q(p.ext_gateway_cidr) + " dev " + q(p.ext_bridge)});
      if (!p.ext_subnet.empty())
        ensure_rule(s, "MASQUERADE for " + p.ext_subnet, "nat", "POSTROUTING",
                    "-s " + q(p.ext_subnet) + " -j MASQUERADE");
    }
  }
  if ((p.network || p.compute) && !p.tunnel_type.empty()) {
    const std::string cidr = p.local_ip + "/" + std::to_string(p.local_prefix);
    if (p.datapath_type == "netdev") {
      // Userspace tunnelling: OVS routes tunnel packets by the namespace's routing table, so the
      // endpoint address must sit on an OVS bridge holding the NIC (lab-and-ovs.md). ARP off on the
      // enslaved NIC; never copy its MAC onto the bridge (duplicate replies with veth).
      const std::string br = kTunnelBridge;
      ensure_bridge(s, br, "netdev");
      ensure_port(s, br, p.tunnel_if);
      s.push_back({br + " holds the tunnel endpoint " + cidr,
                   has_addr(br, cidr) + " &&\n" + link_up(br),
                   "ip link set dev " + br + " up\nip addr replace " + q(cidr) + " dev " + br});
      s.push_back({p.tunnel_if + " carries no address and no ARP (its address is on " + br + ")",
                   "! ip -o -4 addr show dev " + q(p.tunnel_if) + " | grep -q ' inet ' &&\n"
                   "ip -o link show dev " + q(p.tunnel_if) + " | grep -q NOARP",
                   "ip -4 addr flush dev " + q(p.tunnel_if) + "\nip link set dev " + q(p.tunnel_if) + " arp off up"});
    } else {
      s.push_back({p.tunnel_if + " holds the tunnel endpoint " + cidr, has_addr(p.tunnel_if, cidr),
                   "echo \"tunnel interface " + p.tunnel_if + " does not hold " + cidr +
                       " (CONFIG_NEUTRON_OVS_TUNNEL_IF): configure it on the host first\" >&2\nexit 1"});
    }
    for (const auto& peer : p.tunnel_peers) {
      if (p.tunnel_type == "vxlan")
        ensure_rule(s, "VXLAN from tunnel peer " + peer + " accepted", "filter", "INPUT",
                    "-s " + q(peer + "/32") + " -p udp --dport " + std::to_string(p.vxlan_port) + " -j ACCEPT");
      else
        ensure_rule(s, "GRE from tunnel peer " + peer + " accepted", "filter", "INPUT",
                    "-s " + q(peer + "/32") + " -p gre -j ACCEPT");
    }
  }
  if (p.controller && !p.mgmt_cidr.empty()) {
    for (const auto& [name, port] : std::vector<std::pair<std::string, int>>{
             {"MariaDB", 3306}, {"RabbitMQ", 5672}, {"Keystone", 5000}, {"Neutron API", 9696}})
      ensure_rule(s, name + " port " + std::to_string(port) + " open to " + p.mgmt_cidr, "filter", "INPUT",
                  "-s " + q(p.mgmt_cidr) + " -p tcp --dport " + std::to_string(port) + " -j ACCEPT");
  }
  return s;
}

}  // namespace sw::installer
