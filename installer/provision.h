// Provision: the hangout's post-install, through Keystone v3 and Neutron v2.0. From a wanted
// Topology it makes, idempotently (found by name and reused, never duplicated):
//   the demo project and user with the member role, and keystonerc_demo (0600, through a FileWriter);
//   the external network (router:external, provider flat on its physnet) and its subnet (no DHCP);
//   tenant networks and subnets in the demo project; routers with gateway and interfaces;
//   ingress rules (ICMP, tcp/22) in the demo project's `default` security group;
//   instances: a Neutron port per instance, bound to its host, brought up by an InstancePlugger;
//   floating IPs, with the requested address, associated to the instance's port.
// Then it waits (bounded) for every instance port to go ACTIVE. The report lists every resource
// with its id and whether it was created, reused or updated: a re-run reports nothing created.
//
// Instances without a hypervisor (the lab, or hosts without Nova): NamespaceInstancePlugger turns a
// bound port into a network namespace on its host — an OVS internal port on br-int carrying the
// port's iface-id/attached-mac, moved into the namespace "swvm-<instance>", with the port's MAC and
// the network's MTU, an address from Neutron's own dnsmasq (busybox udhcpc; static fallback), a
// default route via the router, and a TCP listener on port 22 (busybox nc, by pidfile). It renders
// these as manifest Steps and hands them to a ManifestRunner that the deploy pipeline binds to ssh
// on that host. A Nova backend implements InstancePlugger by booting a server on the port instead.
#pragma once

#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.h"
#include "installer/keystone_client.h"
#include "installer/manifest.h"
#include "installer/neutron_client.h"
#include "installer/topology.h"

namespace sw::installer {

/// Writes a file on a host (deploy binds it to ssh on the controller; tests record it).
class FileWriter {
 public:
  virtual ~FileWriter() = default;
  /// Makes `path` hold `content` with permission bits `mode` (0600 for keystonercs); returns true
  /// when it created or changed the file, false when it was already so. `content` may hold
  /// secrets: implementations never log it.
  virtual Result<bool> write_file(const std::string& path, const std::string& content, unsigned mode) = 0;
};

/// One instance's Neutron port, bound to its host: what an instance backend needs.
struct InstancePort {
  std::string instance;    ///< "test0"
  std::string host;        ///< binding:host_id — the Neutron agent host name ("compute1")
  std::string port_id;
  std::string device_id;   ///< the instance's uuid (the port's device_id; OVS external_ids:vm-uuid)
  std::string mac;
  std::string fixed_ip;
  int prefix_len = 24;     ///< of the fixed IP's subnet
  std::string gateway_ip;  ///< the subnet's gateway ("" = none)
  int mtu = 1500;          ///< the network's MTU
  std::string network_id;
};

/// Brings instances up on their hosts.
class InstancePlugger {
 public:
  virtual ~InstancePlugger() = default;
  /// "namespaces", "nova": named in the report.
  virtual std::string_view kind() const = 0;
  /// Makes `port` a running instance on port.host. Idempotent: an instance already up is left as is.
  virtual Result<void> plug(const InstancePort& port) = 0;
};

/// Runs a manifest on manifest.host — a Neutron agent host name ("compute1"), which the deploy
/// pipeline maps to that host's ssh address — and fails when a step fails.
using ManifestRunner = std::function<Result<void>(const Manifest& manifest)>;

struct NamespaceInstanceOptions {
  std::string integration_bridge = "br-int";
  /// How long the address step waits for the OVS agent to tag the port before trying DHCP.
  int bind_wait_seconds = 60;
  /// DHCP discovers sent (2 s apart) before falling back to the static address.
  int dhcp_attempts = 5;
  /// Where the udhcpc event script is written on the host.
  std::string state_dir = "/var/lib/stackwire";
  /// Where the listeners' pidfiles live on the host.
  std::string run_dir = "/run/stackwire/instances";
};

/// Instances as network namespaces (see the header comment).
class NamespaceInstancePlugger final : public InstancePlugger {
 public:
  explicit NamespaceInstancePlugger(ManifestRunner run, NamespaceInstanceOptions options = {});
  std::string_view kind() const override { return "namespaces"; }
  /// Renders namespace_instance_steps() as the manifest "<host>_instance-<name>.sh" and runs it.
  Result<void> plug(const InstancePort& port) override;
  /// Every manifest it ran, in order.
  const std::vector<Manifest>& manifests() const { return manifests_; }

 private:
  ManifestRunner run_;
  NamespaceInstanceOptions options_;
  std::vector<Manifest> manifests_;
};

/// "swvm-<instance>" (characters outside [A-Za-z0-9_.-] become '-'): the namespace an instance
/// lives in on its host. The prefix keeps it apart from the agents' qrouter-/qdhcp- namespaces.
std::string instance_netns_name(std::string_view instance);
/// "tap" + the port id's first 11 characters — the device name Nova gives a VM's port.
std::string instance_tap_name(std::string_view port_id);
/// "<run_dir>/<netns>.listener.pid" (/run/stackwire/instances/swvm-test0.listener.pid): the
/// port-22 listener's pidfile on the host.
std::string instance_listener_pidfile(std::string_view instance, const NamespaceInstanceOptions& options = {});
/// The check/apply steps that make `port` an instance on its host: namespace; OVS internal port with
/// iface-id/iface-status/attached-mac/vm-uuid; device in the namespace with MAC, MTU, tx checksum
/// offload off, up; address by DHCP (static fallback) and default route; listener on port 22.
std::vector<Step> namespace_instance_steps(const InstancePort& port, const NamespaceInstanceOptions& options = {});
/// The steps that remove it: listener stopped, OVS port deleted, namespace deleted.
std::vector<Step> namespace_instance_removal_steps(const InstancePort& port,
                                                   const NamespaceInstanceOptions& options = {});

/// The API sessions provision uses, all over one HttpClient (which must outlive them).
class Clients {
 public:
  /// Logs in with admin credentials and finds Neutron in the catalog.
  static Result<Clients> login(HttpClient& http, const Credentials& admin);
  Clients(KeystoneClient keystone, NeutronClient neutron);

  const KeystoneClient& keystone() const { return keystone_; }
  const NeutronClient& neutron() const { return neutron_; }
  /// Logs in as `creds` (the demo user) and returns a Neutron session on the same endpoint.
  Result<NeutronClient> neutron_as(const Credentials& creds) const;

 private:
  KeystoneClient keystone_;
  NeutronClient neutron_;
};

struct ProvisionOptions {
  /// The demo user's password (CONFIG_KEYSTONE_DEMO_PW). Required.
  std::string demo_password;
  /// Where keystonerc_demo is written through the FileWriter (on the controller).
  std::string keystonerc_demo_path = "/root/keystonerc_demo";
  /// Roles tried, in order, for the demo user on the demo project.
  std::vector<std::string> member_roles = {"member", "_member_"};
  /// Wait for instance ports to go ACTIVE (timeout 0 = do not wait).
  WaitOptions port_active{std::chrono::seconds(120), std::chrono::seconds(1)};
};

struct ProvisionedResource {
  std::string kind;    ///< "project", "user", "role assignment", "file", "network", "subnet", "router",
                       ///< "router interface", "security group rule", "port", "instance", "floating ip"
  std::string name;    ///< "demo", "net0-subnet", "extrouter:net0-subnet", "icmp", "tcp/22", ...
  std::string id;      ///< the API's id ("" for files and plugged instances)
  Action action = Action::reused;
  std::string detail;  ///< "10.0.0.0/24", "172.16.13.3 -> test0 (10.0.0.5)", "/root/keystonerc_demo (0600)"
};

struct ProvisionedInstance {
  std::string name;
  std::string host;
  std::string netns;  ///< for namespace instances
  std::string port_id;
  std::string mac;
  std::string fixed_ip;
  std::string floating_ip;
  std::string status;  ///< the port's status after the wait
};

struct ProvisionReport {
  std::string project_id;
  std::string user_id;
  std::string instance_backend;  ///< the InstancePlugger's kind()
  std::vector<ProvisionedResource> resources;
  std::vector<ProvisionedInstance> instances;

  int count(Action action) const;
  /// One line per resource: "created  network      net0  <id>  10.0.0.0/24", then a summary line.
  std::string render() const;
  nlohmann::ordered_json to_json() const;
};

/// Provisions `wanted` (see the header comment). `files` may be null: keystonerc_demo is then
/// not written. Stops at the first failure, naming the resource.
Result<ProvisionReport> provision(const Topology& wanted, const Clients& clients, InstancePlugger& instances,
                                  FileWriter* files, const ProvisionOptions& options);

}  // namespace sw::installer
