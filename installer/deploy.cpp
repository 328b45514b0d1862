#include "installer/deploy.h"

#include <arpa/inet.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <fstream>
#include <memory>
#include <set>
#include <sstream>
#include <thread>

#include "common/log.h"
#include "common/strings.h"
#include "installer/fabric.h"
#include "installer/http.h"
#include "installer/provision.h"
#include "installer/remote_executor.h"
#include "installer/runner.h"
#include "installer/services.h"
#include "installer/setup_log.h"
#include "installer/shell_quote.h"
#include "installer/ssh_session.h"

namespace sw::installer {
namespace {

// ---------------------------------------------------------------- small helpers

std::string q(const std::string& s) { return shell_quote(s).value_or("''"); }

RunOptions run_opts(std::chrono::seconds timeout, std::string display = {}) {
  RunOptions o;
  o.timeout = timeout;
  o.display = std::move(display);
  return o;
}

Result<std::string> read_text_file(const std::string& path, std::string_view what) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return fail(Error::from_errno(errno, std::string(what) + " " + path).context(""));
  std::stringstream ss;
  ss << in.rdbuf();
  if (in.bad()) return fail(Error::input(std::string(what) + " " + path + ": read error"));
  return ss.str();
}

/// Runs fn(i) for i in [0, n), at most jobs at a time.
template <class F>
void parallel_for(size_t n, int jobs, F fn) {
  std::atomic<size_t> next{0};
  auto worker = [&] {
    for (size_t i = next++; i < n; i = next++) fn(i);
  };
  const size_t threads = std::min(n, static_cast<size_t>(std::max(jobs, 1)));
  std::vector<std::jthread> pool;
  for (size_t t = 1; t < threads; ++t) pool.emplace_back(worker);
  if (threads > 0) worker();
}

std::optional<uint32_t> parse_v4(std::string_view s) {
  in_addr a{};
  if (::inet_pton(AF_INET, std::string(s).c_str(), &a) != 1) return std::nullopt;
  return ntohl(a.s_addr);
}

std::string format_v4(uint32_t v) {
  in_addr a{htonl(v)};
  char buf[INET_ADDRSTRLEN];
  ::inet_ntop(AF_INET, &a, buf, sizeof buf);
  return buf;
}

/// "10.15.0.4/24" → "10.15.0.0/24".
std::string network_of(std::string_view cidr) {
  const auto slash = cidr.find('/');
  if (slash == std::string_view::npos) return std::string(cidr);
  auto addr = parse_v4(cidr.substr(0, slash));
  auto prefix = parse_uint(cidr.substr(slash + 1), 0, 32);
  if (!addr || !prefix) return std::string(cidr);
  const uint32_t mask = *prefix == 0 ? 0 : ~uint32_t{0} << (32 - *prefix);
  return format_v4(*addr & mask) + "/" + std::to_string(*prefix);
}

/// "172.24.4.224/28" → "172.24.4.225/28" (packstack puts the float range's first host on br-ex).
std::string first_host_of(std::string_view cidr) {
  const std::string net = network_of(cidr);
  const auto slash = net.find('/');
  auto addr = parse_v4(std::string_view(net).substr(0, slash));
  if (!addr) return {};
  return format_v4(*addr + 1) + net.substr(slash);
}

std::string prefix_of(std::string_view cidr) {
  const auto slash = cidr.find('/');
  return slash == std::string_view::npos ? "" : std::string(cidr.substr(slash + 1));
}

std::string address_of(std::string_view cidr) { return std::string(cidr.substr(0, cidr.find('/'))); }

/// The IPv4 address with prefix ("10.19.0.7/24") of the host's tunnel endpoint: the tunnel
/// interface's own address, or (netdev datapath, after a previous run) that of the OVS bridge
/// holding the interface.
Result<std::string> tunnel_endpoint(const HostFacts& f, const NeutronSettings& n, const std::string& mgmt) {
  if (n.tunnel_iface.empty()) {
    auto iface = f.interface_with(mgmt);
    if (!iface) return fail(Error::input("host " + f.host + ": no interface holds the management address " + mgmt));
    for (const auto& a : f.interfaces.at(*iface).ipv4)
      if (address_of(a) == mgmt) return a;
  }
  if (n.tunnel_iface_is_subnet)
    return fail(Error::input("host " + f.host + ": CONFIG_USE_SUBNETS=y (tunnel subnets instead of interface names) "
                             "is not supported by stackwire yet"));
  auto it = f.interfaces.find(n.tunnel_iface);
  if (it == f.interfaces.end())
    return fail(Error::input("host " + f.host + " has no interface " + n.tunnel_iface +
                             " (CONFIG_NEUTRON_OVS_TUNNEL_IF); it has: " + [&] {
                               std::string names;
                               for (const auto& [name, _] : f.interfaces) names += (names.empty() ? "" : ", ") + name;
                               return names;
                             }()));
  if (!it->second.ipv4.empty()) return it->second.ipv4.front();
  auto br = f.ovs_port_bridge.find(n.tunnel_iface);
  if (br != f.ovs_port_bridge.end()) {
    auto b = f.interfaces.find(br->second);
    if (b != f.interfaces.end() && !b->second.ipv4.empty()) return b->second.ipv4.front();
  }
  return fail(Error::input("host " + f.host + ": tunnel interface " + n.tunnel_iface +
                           " has no IPv4 address (CONFIG_NEUTRON_OVS_TUNNEL_IF): give it the host's tunnel address"));
}

OsFamily os_family_of(const HostFacts& f) { return f.os_family == "redhat" ? OsFamily::redhat : OsFamily::debian; }
ServiceManager service_manager_of(const HostFacts& f) {
  return f.service_manager == "systemd" ? ServiceManager::systemd : ServiceManager::none;
}

TenantNetworkType tenant_type_of(NetworkType t) {
  switch (t) {
    case NetworkType::gre: return TenantNetworkType::gre;
    case NetworkType::vxlan: return TenantNetworkType::vxlan;
    case NetworkType::vlan: return TenantNetworkType::vlan;
    default: return TenantNetworkType::local;
  }
}

std::string join_ranges(const std::vector<IdRange>& ranges) {
  std::string s;
  for (const auto& r : ranges) s += (s.empty() ? "" : ",") + std::to_string(r.min) + ":" + std::to_string(r.max);
  return s;
}

std::string join_vlan_ranges(const std::vector<VlanRange>& ranges) {
  std::string s;
  for (const auto& r : ranges) {
    s += (s.empty() ? "" : ",") + r.physnet;
    if (r.range) s += ":" + std::to_string(r.range->min) + ":" + std::to_string(r.range->max);
  }
  return s;
}

bool is_shell_name(std::string_view k) {
  if (k.empty() || (k[0] >= '0' && k[0] <= '9')) return false;
  return std::all_of(k.begin(), k.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
  });
}

}  // namespace

// ---------------------------------------------------------------- planning

std::string render_answers_env(const AnswerFile& answers) {
  std::set<std::string> keys;
  for (const auto& e : answers.entries()) keys.insert(e.key);
  // The current names the service plans read, resolved from whatever spelling the file used.
  for (const char* k : {"CONFIG_MARIADB_PW", "CONFIG_MARIADB_USER", "CONFIG_AMQP_AUTH_PASSWORD",
                        "CONFIG_AMQP_AUTH_USER", "CONFIG_KEYSTONE_DB_PW", "CONFIG_KEYSTONE_ADMIN_PW",
                        "CONFIG_KEYSTONE_DEMO_PW", "CONFIG_NEUTRON_DB_PW", "CONFIG_NEUTRON_KS_PW",
                        "CONFIG_NEUTRON_METADATA_PW"})
    keys.insert(k);
  std::string out = "# stackwire: the answer file's values for this host's manifests (mode 0600)\n";
  for (const auto& k : keys) {
    if (!is_shell_name(k)) continue;
    const std::string& v = answers.value(k);
    if (v.find('\n') != std::string::npos || v.find('\0') != std::string::npos) continue;
    out += k + "=" + (v.empty() ? "''" : q(v)) + "\n";
  }
  return out;
}

Topology demo_topology(const Inventory& inv) {
  Topology t;
  t.project = "demo";
  t.user = "demo";
  Topology::Network pub;
  pub.name = "public";
  pub.external = true;
  pub.provider.network_type = "flat";
  pub.provider.physical_network = "external";
  for (const auto& m : inv.neutron.bridge_mappings)
    if (m.bridge == inv.neutron.ext_bridge) pub.provider.physical_network = m.physnet;
  Topology::Subnet ps;
  ps.name = "public_subnet";
  const std::string range = inv.provision.float_range ? inv.provision.float_range->network() : "172.24.4.224/28";
  ps.cidr = range;
  ps.gateway_ip = address_of(first_host_of(range));
  ps.enable_dhcp = false;
  pub.subnets.push_back(ps);
  Topology::Network priv;
  priv.name = "private";
  Topology::Subnet s;
  s.name = "private_subnet";
  s.cidr = "10.0.0.0/24";
  priv.subnets.push_back(s);
  t.networks = {pub, priv};
  Topology::Router r;
  r.name = "router1";
  r.external_gateway = "public";
  r.interfaces = {"private_subnet"};
  t.routers = {r};
  Topology::Rule icmp, ssh;
  icmp.protocol = "icmp";
  ssh.protocol = "tcp";
  ssh.port = 22;
  t.security_group_rules = {icmp, ssh};
  return t;
}

BrExGateway brex_gateway(const Inventory& inv, const Topology* topology) {
  // The topology's first external subnet with a gateway, or packstack's demo float range.
  BrExGateway g;
  if (topology) {
    for (const auto& net : topology->networks) {
      if (!net.external || net.subnets.empty()) continue;
      const auto& sub = net.subnets.front();
      if (sub.gateway_ip && !sub.gateway_ip->empty()) {
        g.cidr = *sub.gateway_ip + "/" + prefix_of(sub.cidr);
        g.subnet = network_of(sub.cidr);
      }
      break;
    }
  } else if (inv.provision.demo && inv.provision.float_range) {
    g.subnet = inv.provision.float_range->network();
    g.cidr = first_host_of(g.subnet);
  }
  return g;
}

Result<Plan> make_plan(const AnswerFile& answers, const Inventory& inv,
                       const std::map<std::string, HostFacts>& facts, const Topology* topology) {
  (void)answers;
  Plan plan;
  plan.controller = inv.controller;
  const NeutronSettings& n = inv.neutron;

  // stackwire co-locates the controller services (MariaDB is reached over its unix socket).
  const auto same_host = [&](const std::string& host, const char* key) -> Result<void> {
    if (!host.empty() && host != inv.controller)
      return fail(Error::input(std::string(key) + "=" + host + " differs from the controller " + inv.controller +
                               ": stackwire deploys MariaDB, RabbitMQ, Keystone and neutron-server together on "
                               "the controller (set them to " + inv.controller + ")"));
    return {};
  };
  SW_TRY_VOID(same_host(inv.mariadb_install ? inv.mariadb_host : "", "CONFIG_MARIADB_HOST"));
  SW_TRY_VOID(same_host(inv.amqp_host, "CONFIG_AMQP_HOST"));
  SW_TRY_VOID(same_host(inv.keystone_host, "CONFIG_KEYSTONE_HOST"));
  SW_TRY_VOID(same_host(inv.neutron_server_host, "CONFIG_NEUTRON_SERVER_HOST"));

  const auto facts_of = [&](const std::string& host) -> Result<const HostFacts*> {
    auto it = facts.find(host);
    if (it == facts.end()) return fail(Error::os("host " + host + ": no facts were discovered"));
    return &it->second;
  };

  const BrExGateway ext = brex_gateway(inv, topology);
  const std::string& ext_gateway = ext.cidr;
  const std::string& ext_subnet = ext.subnet;
  plan.ext_gateway_cidr = ext_gateway;

  const auto tunnel = n.tunnel_type();
  std::map<std::string, std::string> tunnel_ips;  // host → "10.19.0.7/24"
  for (const auto& h : inv.hosts) {
    if (!tunnel || !h.has(HostRole::neutron_ovs_agent)) continue;
    if (h.excluded) {
      // Excluded hosts are still tunnel peers when their facts are known.
      if (auto it = facts.find(h.address); it != facts.end())
        if (auto ep = tunnel_endpoint(it->second, n, h.address)) tunnel_ips[h.address] = *ep;
      continue;
    }
    const HostFacts* f = SW_TRY(facts_of(h.address));
    tunnel_ips[h.address] = SW_TRY(tunnel_endpoint(*f, n, h.address));
  }

  std::string mgmt_cidr;
  if (auto cf = facts.find(inv.controller); cf != facts.end()) {
    if (auto iface = cf->second.interface_with(inv.controller))
      for (const auto& a : cf->second.interfaces.at(*iface).ipv4)
        if (address_of(a) == inv.controller) mgmt_cidr = network_of(a);
  }

  PluginPlan prescript{"prescript", "Adding pre install manifest entries", {}, {}};
  PluginPlan fabric{"fabric", "Adding network fabric manifest entries", {}, {}};
  PluginPlan mariadb{"mariadb", "Adding MariaDB manifest entries", {}, {}};
  PluginPlan amqp{"amqp", "Adding AMQP manifest entries", {}, {}};
  PluginPlan keystone{"keystone", "Adding Keystone manifest entries", {}, {}};
  PluginPlan neutron{"neutron", "Adding Neutron manifest entries", {}, {}};

  const auto add = [](PluginPlan& p, const std::string& host, std::vector<Step> steps) {
    if (!steps.empty()) p.manifests.push_back({host, p.name, std::move(steps)});
  };

  for (const auto& h : inv.hosts) {
    if (h.excluded) continue;
    const HostFacts* f = SW_TRY(facts_of(h.address));
    const bool is_controller = h.has(HostRole::controller) || h.has(HostRole::mariadb) || h.has(HostRole::amqp) ||
                               h.has(HostRole::keystone) || h.has(HostRole::neutron_server);
    const bool is_network = h.has(HostRole::neutron_l3_agent) || h.has(HostRole::neutron_dhcp_agent) ||
                            h.has(HostRole::neutron_metadata_agent) || h.has(HostRole::network);
    const bool ovs = h.has(HostRole::neutron_ovs_agent);

    HostPlanInfo info{h.address, f->hostname, h.roles_text(), ""};
    if (auto t = tunnel_ips.find(h.address); t != tunnel_ips.end()) info.tunnel_ip = address_of(t->second);
    plan.hosts.push_back(info);

    FabricParams fp;
    fp.os_family = f->os_family.empty() ? "debian" : f->os_family;
    fp.service_manager = f->service_manager;
    fp.controller = h.has(HostRole::controller) || h.has(HostRole::neutron_server);
    fp.network = h.has(HostRole::neutron_l3_agent);
    fp.compute = ovs && !fp.network;
    fp.datapath_type = std::string(datapath_name(n.datapath_type));
    fp.ext_bridge = n.provider_external() ? "" : n.ext_bridge;
    for (const auto& bi : n.bridge_ifaces) fp.bridge_ifaces.emplace_back(bi.bridge, bi.iface);
    fp.ext_gateway_cidr = ext_gateway;
    fp.ext_subnet = ext_subnet;
    if (tunnel && ovs) {
      fp.tunnel_type = std::string(network_type_name(*tunnel));
      fp.tunnel_if = n.tunnel_iface;
      const std::string& ep = tunnel_ips.at(h.address);
      fp.local_ip = address_of(ep);
      fp.local_prefix = static_cast<int>(parse_uint(prefix_of(ep), 0, 32).value_or(32));
      if (n.tunnel_iface.empty() && fp.datapath_type == "netdev")
        return fail(Error::input("CONFIG_NEUTRON_OVS_TUNNEL_IF is empty: with CONFIG_NEUTRON_OVS_DATAPATH_TYPE=netdev "
                                 "the tunnel needs its own interface"));
      for (const auto& [peer, peer_ep] : tunnel_ips)
        if (peer != h.address) fp.tunnel_peers.push_back(address_of(peer_ep));
      fp.vxlan_port = n.vxlan_udp_port;
    }
    fp.mgmt_cidr = mgmt_cidr;
    add(prescript, h.address, prescript_steps(fp));
    add(fabric, h.address, fabric_steps(fp));

    ServiceHost sh{f->hostname, h.address, inv.controller, {}, os_family_of(*f), service_manager_of(*f)};
    if (h.has(HostRole::mariadb) && inv.mariadb_install) {
      MariadbParams p;
      p.host = sh;
      p.host.roles.controller = true;
      add(mariadb, h.address, plan_mariadb(p));
    }
    if (h.has(HostRole::amqp)) {
      AmqpParams p;
      p.host = sh;
      p.host.roles.controller = true;
      add(amqp, h.address, plan_amqp(p));
    }
    if (h.has(HostRole::keystone)) {
      KeystoneParams p;
      p.host = sh;
      p.host.roles.controller = true;
      p.region = inv.keystone_region;
      if (!inv.neutron_server_host.empty()) p.services.push_back(neutron_service_user(inv.controller));
      add(keystone, h.address, plan_keystone(p));
    }
    if (!inv.neutron_server_host.empty() && (h.has(HostRole::neutron_server) || is_network || ovs)) {
      NeutronParams p;
      p.host = sh;
      p.host.roles = {h.has(HostRole::neutron_server), is_network, ovs && !is_network};
      (void)is_controller;
      p.region = inv.keystone_region;
      if (auto t = tunnel_ips.find(h.address); t != tunnel_ips.end()) p.tunnel_ip = address_of(t->second);
      p.tenant_network_type = tenant_type_of(n.tenant_network_type());
      if (!n.tunnel_id_ranges.empty()) p.tunnel_id_ranges = join_ranges(n.tunnel_id_ranges);
      if (!n.vni_ranges.empty()) p.vni_ranges = join_ranges(n.vni_ranges);
      p.vlan_ranges = join_vlan_ranges(n.vlan_ranges);
      p.vxlan_udp_port = n.vxlan_udp_port;
      p.external_bridge = n.provider_external() ? "" : n.ext_bridge;
      p.bridge_mappings.clear();
      for (const auto& m : n.bridge_mappings) p.bridge_mappings.emplace_back(m.physnet, m.bridge);
      p.datapath_type = n.datapath_type == OvsDatapath::netdev ? DatapathType::netdev : DatapathType::system;
      // Tenant networks get the tunnel underlay's MTU less the encapsulation (Neutron's own rule).
      if (!n.tunnel_iface.empty())
        if (auto it = f->interfaces.find(n.tunnel_iface); it != f->interfaces.end() && it->second.mtu > 0)
          p.global_physnet_mtu = it->second.mtu;
      if (auto v = validate_neutron_params(p); !v) return fail(std::move(v.error()).context("host " + h.address));
      add(neutron, h.address, plan_neutron(p));
      // Not yet: neutron.first = neutron-server's host. With it, the network host's session sat idle
      // through the controller's first neutron run and its next upload failed ("Unable to send
      // close-channel request") twice in the e2e SetUp; until that is understood, one wave.
    }
  }
  plan.plugins = {std::move(prescript), std::move(fabric), std::move(mariadb),
                  std::move(amqp),      std::move(keystone), std::move(neutron)};
  return plan;
}

// ---------------------------------------------------------------- the run

namespace {


/// Writes files on the controller for provision (keystonerc_demo), only when they differ.
class RunnerFileWriter final : public FileWriter {
 public:
  explicit RunnerFileWriter(HostRunner& r) : r_(r) {}
  Result<bool> write_file(const std::string& path, const std::string& content, unsigned mode) override {
    RunOptions opts;
    opts.display = "cat " + path;
    opts.timeout = std::chrono::seconds(30);
    auto cur = r_.run("cat " + q(path) + " 2>/dev/null; stat -c %a " + q(path) + " 2>/dev/null", opts);
    char m[8];
    std::snprintf(m, sizeof m, "%o", mode);
    if (cur && cur->out == content + m + "\n") return false;
    SW_TRY_VOID(r_.upload(path, content, {.mode = static_cast<mode_t>(mode)}));
    return true;
  }

 private:
  HostRunner& r_;
};

struct HostConn {
  std::string address;
  SshTarget target;
  std::unique_ptr<SshHostRunner> runner;
  std::string error;
  HostFacts facts;
};

}  // namespace

std::string default_ssh_identity() {
  const char* home = std::getenv("HOME");
  std::string h = home ? home : "";
  if (h.empty())
    if (const passwd* pw = ::getpwuid(::getuid())) h = pw->pw_dir;
  for (const char* name : {"/.ssh/id_ed25519", "/.ssh/id_ecdsa", "/.ssh/id_rsa"})
    if (::access((h + name).c_str(), R_OK) == 0) return h + name;
  return h + "/.ssh/id_ed25519";
}

Result<int> deploy(const DeployOptions& o, ProgressSink& progress) {
  // The answer file: every problem is reported with file:line before any host is contacted.
  const std::string text = SW_TRY(read_text_file(o.answer_file, "answer file"));
  AnswerFile answers = read_answer_file(o.answer_file, text);
  if (!o.overrides.empty()) {
    auto r = apply_overrides(answers, o.overrides);
    if (!r) return fail(std::move(r.error()));
  }
  // Deprecated keys of an older packstack are expected in old files: one line for all of them
  // (validate-answer-file lists each); every other warning as it is.
  int deprecated = 0;
  for (const auto& d : answers.diagnostics()) {
    if (d.severity != Severity::warning) continue;
    if (d.str().find(" is deprecated, read as ") != std::string::npos) ++deprecated;
    else log::warn(d.str());
  }
  if (deprecated > 0)
    log::warn(o.answer_file + ": " + std::to_string(deprecated) +
              " keys of an older packstack are read under their current names (stackwire validate-answer-file " +
              o.answer_file + " lists them)");
  if (answers.has_errors()) return fail(Error::input(answers.error_text()));
  const auto filled = fill_placeholder_passwords(answers, random_password);
  for (const auto& s : answers.secrets()) log::add_secret(s);
  if (!filled.empty() && !o.dry_run)
    SW_TRY_VOID(write_file_atomic(o.answer_file, answers.render(), 0600));
  const Inventory inv = SW_TRY(make_inventory(answers));
  const ServiceCredentials passwords = SW_TRY(credentials(answers));

  std::optional<Topology> topology;
  if (!o.topology.empty()) topology = SW_TRY(read_topology_file(o.topology));
  else if (inv.provision.demo) topology = demo_topology(inv);

  const std::string logdir = SW_TRY(make_log_dir(o.log_base));
  SetupLog log = SW_TRY(SetupLog::open(logdir + "/setup.log"));
  log.write("stackwire", "answer file " + o.answer_file + "\n" + inv.describe());

  progress.line("Welcome to stackwire setup utility");
  progress.line("");
  progress.line("Installing:");
  progress.begin("Clean Up");
  progress.end(true);

  // ---- ssh: every host reached and trusted before anything is applied.
  progress.begin("Setting up ssh keys");
  SshOptions ssh_opts;
  ssh_opts.known_hosts = o.known_hosts;
  ssh_opts.accept_new_host_keys = o.accept_new_host_keys;
  ssh_opts.connect_timeout = std::min<std::chrono::milliseconds>(o.timeout, std::chrono::seconds(30));
  std::string identity = o.identity;
  if (identity.empty() && !inv.ssh_key.empty())
    identity = inv.ssh_key.ends_with(".pub") ? inv.ssh_key.substr(0, inv.ssh_key.size() - 4) : inv.ssh_key;
  if (identity.empty()) identity = default_ssh_identity();
  std::vector<HostConn> conns;
  for (const auto& addr : inv.deploy_hosts()) {
    HostConn c;
    c.address = addr;
    SshTarget target;
    target.host = addr;
    target.identity = identity;
    c.target = target;
    c.runner = std::make_unique<SshHostRunner>(target, ssh_opts);
    conns.push_back(std::move(c));
  }
  std::string pubkey;
  if (!inv.ssh_key.empty()) {
    auto k = read_text_file(inv.ssh_key, "CONFIG_SSH_KEY");
    if (k) pubkey = std::string(trim(*k));
  }
  const std::string own_pub = [&] {
    auto k = read_text_file(identity + ".pub", "key");
    return k ? std::string(trim(*k)) : std::string();
  }();
  parallel_for(conns.size(), o.jobs, [&](size_t i) {
    HostConn& c = conns[i];
    if (auto r = c.runner->connect(); !r) {
      c.error = r.error().message();
      return;
    }
    // The key we logged in with is authorized already; another CONFIG_SSH_KEY is appended, as packstack does.
    if (!pubkey.empty() && pubkey != own_pub) {
      const std::string cmd = "umask 077; mkdir -p ~/.ssh; grep -qxF " + q(pubkey) +
                              " ~/.ssh/authorized_keys 2>/dev/null || echo " + q(pubkey) + " >> ~/.ssh/authorized_keys";
      auto r = c.runner->run(cmd, run_opts(std::chrono::seconds(30), "authorize CONFIG_SSH_KEY"));
      if (!r || !r->ok()) c.error = "host " + c.address + ": cannot append CONFIG_SSH_KEY to authorized_keys";
    }
  });
  const auto report_failures = [&](const char* what) {
    bool failed = false;
    for (const auto& c : conns)
      if (!c.error.empty()) {
        failed = true;
        log.write(c.address, c.error);
      }
    if (!failed) return false;
    progress.end(false);
    for (const auto& c : conns)
      if (!c.error.empty()) progress.line(" * " + c.error);
    progress.line(std::string(" * ") + what + ": nothing was applied on any host.");
    progress.line(" * The installation log file is available at: " + log.path());
    return true;
  };
  if (report_failures("Some hosts could not be reached")) return 1;
  progress.end(true);

  // ---- facts
  progress.begin("Discovering hosts' details");
  parallel_for(conns.size(), o.jobs, [&](size_t i) {
    HostConn& c = conns[i];
    auto r = c.runner->run("sh -c " + q(discovery_script()),
                           run_opts(std::chrono::seconds(60), "fact discovery"));
    if (!r) {
      c.error = r.error().message();
      return;
    }
    log.write(c.address + " facts", r->out);
    auto f = parse_facts(c.address, r->out);
    if (!f) c.error = f.error().message();
    else c.facts = std::move(*f);
  });
  if (report_failures("Fact discovery failed")) return 1;
  progress.end(true);
  std::map<std::string, HostFacts> facts;
  for (const auto& c : conns) facts[c.address] = c.facts;

  // ---- plan: manifests written to <logdir>/manifests
  Plan plan = SW_TRY(make_plan(answers, inv, facts, topology ? &*topology : nullptr));
  for (const auto& p : plan.plugins) {
    progress.begin(p.title);
    for (const auto& m : p.manifests)
      SW_TRY_VOID(write_file_atomic(logdir + "/manifests/" + m.file_name(), m.render(), 0600));
    progress.end(true);
  }
  if (o.dry_run) {
    progress.line("");
    progress.line(" **** Dry run: nothing was applied ****");
    progress.line(" * The generated manifests are available at: " + logdir + "/manifests");
    return 0;
  }

  // ---- apply
  std::map<std::string, HostRunner*> runners;
  for (auto& c : conns) runners[c.address] = c.runner.get();
  progress.begin("Preparing servers");
  const std::string env = render_answers_env(answers);
  parallel_for(conns.size(), o.jobs, [&](size_t i) {
    HostConn& c = conns[i];
    auto r = c.runner->run(std::string("mkdir -p -m 0700 ") + kRemoteManifestDir, run_opts(std::chrono::seconds(30)));
    if (!r || !r->ok()) {
      c.error = r ? "host " + c.address + ": cannot create " + kRemoteManifestDir + " (" + r->status_text() + ")"
                  : r.error().message();
      return;
    }
    if (auto u = c.runner->upload(kSecretsEnvPath, env, {.mode = 0600}); !u) c.error = u.error().message();
  });
  if (report_failures("Preparing the servers failed")) return 1;
  progress.end(true);

  RemoteExecutor executor(runners, o.timeout);
  // When a host fails, the others of its plugin stop waiting for what it will not provide (agent
  // hosts wait for neutron-server's API): a second connection leaves them a note.
  executor.enable_interrupts(logdir.substr(logdir.rfind('/') + 1), [&](const std::string& host) -> std::unique_ptr<HostRunner> {
    for (const auto& c : conns)
      if (c.address == host) return std::make_unique<SshHostRunner>(c.target, ssh_opts);
    return nullptr;
  });
  int changed = 0;
  std::set<std::string> failed_hosts;
  const auto finish_failed = [&](const PluginOutcome& out, const std::vector<std::string>& not_started) {
    progress.line("");
    progress.line(" **** Installation failed ****");
    for (const auto& h : out.hosts) {
      if (h.ok) continue;
      failed_hosts.insert(h.host);
      progress.line(" * " + (h.error.empty() ? "host " + h.host + ": step '" + h.failed_step + "' of plugin " +
                                                   out.plugin + " failed (exit status " +
                                                   std::to_string(h.exit_status) + ")"
                                             : h.error));
      if (!h.tail.empty()) {
        progress.line("   last lines of its output:");
        // Named: split() returns views, and a temporary in a range-for's initializer dies before
        // the loop runs (GCC 12 has no P2718) — the first line printed as garbage.
        const std::string tail = log::mask(h.tail);
        for (auto l : split(tail, '\n')) progress.line("     " + std::string(l));
      }
      progress.line("   manifest: " + logdir + "/manifests/" + h.host + "_" + out.plugin + ".sh");
    }
    std::string complete, waiting;
    for (const auto& h : plan.hosts) {
      if (std::find(not_started.begin(), not_started.end(), h.address) != not_started.end())
        waiting += (waiting.empty() ? "" : ", ") + h.address;
      else if (!failed_hosts.count(h.address))
        complete += (complete.empty() ? "" : ", ") + h.address;
    }
    progress.line(" * Hosts that completed plugin " + out.plugin + ": " + (complete.empty() ? "none" : complete));
    if (!waiting.empty())
      progress.line(" * Not started, as they wait for the failed host: " + waiting);
    progress.line(" * The run stopped after plugin " + out.plugin + "; re-run the same command to resume.");
    progress.line(" * The installation log file is available at: " + log.path());
    return 1;
  };
  for (const auto& p : plan.plugins) {
    if (p.manifests.empty()) continue;
    // Two waves when the plugin has hosts to run first (neutron-server before the agents' hosts).
    std::vector<Manifest> waves[2];
    for (const auto& m : p.manifests) {
      const bool later = !p.first.empty() && std::find(p.first.begin(), p.first.end(), m.host) == p.first.end();
      waves[later ? 1 : 0].push_back(m);
    }
    for (size_t w = 0; w < 2; ++w) {
      if (waves[w].empty()) continue;
      for (const auto& m : waves[w]) progress.line("Applying " + m.host + "_" + p.name + ".sh");
      const PluginOutcome out = run_plugin(p.name, waves[w], executor, o.jobs, log);
      for (const auto& h : out.hosts) {
        progress.begin(h.host + "_" + p.name + ".sh:");
        progress.end(h.ok, std::to_string(h.changed) + " changed");
      }
      changed += out.changed();
      if (!out.ok()) {
        std::vector<std::string> not_started;
        if (w == 0)
          for (const auto& m : waves[1]) not_started.push_back(m.host);
        return finish_failed(out, not_started);
      }
    }
  }

  // ---- provision: the hangout's post-install through Keystone and Neutron.
  std::optional<ProvisionReport> provisioned;
  if (topology) {
    progress.begin(o.topology.empty() ? "Provisioning demo topology" : "Provisioning topology " + o.topology);
    std::map<std::string, std::string> by_hostname;  // Neutron agent host name → address
    for (const auto& h : plan.hosts) by_hostname[h.hostname] = h.address;
    int plugged_changed = 0;
    ManifestRunner run_on_host = [&](const Manifest& m) -> Result<void> {
      auto it = by_hostname.find(m.host);
      if (it == by_hostname.end())
        return fail(Error::input("instance host '" + m.host + "' is not a deployed host (known: " + [&] {
          std::string s;
          for (const auto& [name, _] : by_hostname) s += (s.empty() ? "" : ", ") + name;
          return s;
        }() + ")"));
      Manifest on_host = m;
      on_host.host = it->second;
      (void)write_file_atomic(logdir + "/manifests/" + on_host.file_name(), on_host.render(), 0600);
      const PluginOutcome out = run_plugin(m.plugin, {on_host}, executor, 1, log);
      plugged_changed += out.changed();
      if (!out.ok()) return fail(Error::failed(out.failures().front() + "\n" + log::mask(out.hosts.front().tail)));
      return {};
    };
    NamespaceInstancePlugger plugger(run_on_host);
    HttpOptions hopts;
    hopts.total_timeout = std::chrono::seconds(60);
    auto http_client = CurlHttpClient::create(hopts);
    if (!http_client) return fail(std::move(http_client.error()));
    HttpClient& http = **http_client;
    Credentials admin;
    admin.auth_url = "http://" + inv.controller + ":5000/v3";
    admin.username = passwords.keystone_admin_user.empty() ? "admin" : passwords.keystone_admin_user;
    admin.password = passwords.keystone_admin_password;
    admin.project_name = "admin";
    admin.region_name = inv.keystone_region;
    auto clients = Clients::login(http, admin);
    if (!clients) {
      progress.end(false);
      progress.line(" * provision: " + clients.error().message());
      progress.line(" * The installation log file is available at: " + log.path());
      return 1;
    }
    RunnerFileWriter files(*runners.at(inv.controller));
    ProvisionOptions popts;
    popts.demo_password = passwords.keystone_demo_password;
    auto report = provision(*topology, *clients, plugger, &files, popts);
    if (!report) {
      progress.end(false);
      progress.line(" * provision: " + report.error().message());
      progress.line(" * The installation log file is available at: " + log.path());
      return 1;
    }
    log.write("provision", report->render());
    const int created = report->count(Action::created) + report->count(Action::updated) + plugged_changed;
    changed += created;
    progress.end(true, std::to_string(created) + " changed");
    provisioned = std::move(*report);
  }

  // ---- summary (postscript)
  progress.begin("Finalizing");
  progress.end(true);
  progress.line("");
  progress.line(" **** Installation completed successfully ******");
  progress.line("");
  progress.line("Additional information:");
  progress.line(" * " + std::to_string(changed) + " changed" + (changed == 0 ? " (the cloud was already as the answer file says)" : ""));
  progress.line(" * File /root/keystonerc_admin has been created on OpenStack client host " + inv.controller +
                ". To use the command line tools you need to source the file.");
  if (provisioned) progress.line(" * File /root/keystonerc_demo has been created on " + inv.controller + ".");
  progress.line(" * Keystone API: http://" + inv.controller + ":5000/v3  Neutron API: http://" + inv.controller + ":9696");
  for (const auto& h : plan.hosts)
    progress.line(" * Host " + h.address + " (" + h.hostname + "): " + h.roles +
                  (h.tunnel_ip.empty() ? "" : ", tunnel endpoint " + h.tunnel_ip));
  if (provisioned)
    for (const auto& i : provisioned->instances)
      progress.line(" * Instance " + i.name + " on " + i.host + ": " + i.fixed_ip +
                    (i.floating_ip.empty() ? "" : ", floating IP " + i.floating_ip) + " (" + i.status + ")");
  progress.line(" * The installation log file is available at: " + log.path());
  progress.line(" * The generated manifests are available at: " + logdir + "/manifests");
  return 0;
}

}  // namespace sw::installer
