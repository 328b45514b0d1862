// `stackwire deploy`: the installer's run, in packstack's shape.
//
//   answer file (+ --os-* overrides) → inventory → Clean Up → Setting up ssh keys (connect to every
//   host, host keys checked) → Discovering hosts' details (facts) → planning: one manifest per host
//   and plugin, written to <logdir>/manifests → applying the plugins in order — prescript, fabric,
//   mariadb, amqp, keystone, neutron — each on all its hosts in parallel, with a barrier between
//   plugins → provision (the hangout's post-install through the APIs, when a topology is given or
//   CONFIG_PROVISION_DEMO=y) → the summary.
//
// Nothing is applied anywhere until every host has been reached and its facts read. A failed step
// stops the run after the current plugin's other hosts finish; the summary names host, step, exit
// status, the last lines of output and the log. Every step is check-then-apply, so the next run
// picks up where this one stopped, and a run on a deployed cloud reports "0 changed".
//
// Planning (make_plan) is pure: answer file, inventory, facts and topology in, manifests out.
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/error.h"
#include "installer/answer_file.h"
#include "installer/answer_file_overrides.h"
#include "installer/facts.h"
#include "installer/inventory.h"
#include "installer/manifest.h"
#include "installer/progress.h"
#include "installer/topology.h"

namespace sw::installer {

struct DeployOptions {
  std::string answer_file;   ///< path
  std::string topology;      ///< path of a topology JSON to provision; empty = none
  Overrides overrides;       ///< --os-KEY=VALUE
  bool dry_run = false;      ///< stop after writing the manifests
  int jobs = 64;             ///< hosts applied at once (one ssh session and thread each)
  std::chrono::seconds timeout{300};  ///< per manifest (packstack's -t)
  bool accept_new_host_keys = false;
  std::string known_hosts;   ///< empty = ~/.ssh/known_hosts
  std::string identity;      ///< private key; empty = CONFIG_SSH_KEY without ".pub", else ~/.ssh/id_ed25519
  std::string log_base = "/var/tmp/stackwire";
};

/// One plugin of the plan: its manifests (one per host that has a part in it).
struct PluginPlan {
  std::string name;   ///< "prescript", "fabric", "mariadb", ...
  std::string title;  ///< "Adding pre install manifest entries"
  std::vector<Manifest> manifests;
  /// Hosts whose manifests run, and must succeed, before the other hosts' start: neutron-server's,
  /// which the agents wait for — run together, a server that cannot start kept the agents' hosts
  /// waiting out their 300 s after its own host had already failed.
  std::vector<std::string> first;
};

/// What the plan derived per host (shown in the summary and used by provision).
struct HostPlanInfo {
  std::string address;
  std::string hostname;   ///< from facts: Neutron's agent host name
  std::string roles;      ///< "controller mariadb ..."
  std::string tunnel_ip;  ///< "" when the host has no tunnel endpoint
};

struct Plan {
  std::vector<PluginPlan> plugins;
  std::vector<HostPlanInfo> hosts;
  std::string controller;
  /// The external gateway put on br-ex ("172.16.13.1/24"), "" = none.
  std::string ext_gateway_cidr;
};

/// The external gateway deploy puts on br-ex of network hosts ("172.16.13.1/24") and the subnet
/// it masquerades ("172.16.13.0/24"): the topology's first external subnet with a gateway, else
/// packstack's demo float range (its first host). Both "" when there is none.
struct BrExGateway {
  std::string cidr;
  std::string subnet;
};
BrExGateway brex_gateway(const Inventory& inventory, const Topology* topology);

/// Makes the manifests. facts must hold every host the inventory deploys to. Input errors (a
/// tunnel interface with no address, services split across hosts in a way stackwire cannot
/// deploy) name the host and the key.
Result<Plan> make_plan(const AnswerFile& answers, const Inventory& inventory,
                       const std::map<std::string, HostFacts>& facts, const Topology* topology);

/// The answer file's values as the `KEY='value'` lines of answers.env (secrets included: the file
/// is uploaded 0600 and is never logged). Keys that are not shell names are left out.
std::string render_answers_env(const AnswerFile& answers);

/// packstack's demo topology (CONFIG_PROVISION_DEMO=y): public (external, flat on the physnet of
/// the external bridge) with the float range, private 10.0.0.0/24, router1 between them.
Topology demo_topology(const Inventory& inventory);

/// The ssh key stackwire logs in with by default: ~/.ssh/id_ed25519, id_ecdsa or id_rsa, the first readable.
std::string default_ssh_identity();

/// The run. Returns the exit code: 0 success, 1 a host or step failed. Input errors are Errors.
Result<int> deploy(const DeployOptions& options, ProgressSink& progress);

}  // namespace sw::installer
