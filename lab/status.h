// `lab status`: what is up, per host, as plain data; and its JSON and text forms (pure).
//
// JSON (DESIGN.md contract, plus extras):
// {"prefix","state_dir","up","healthy","computes",
//  "hosts":[{"name","roles":[…],"netns","mgmt_ip","tunnel_ip"(null on the controller),
//            "external_if"("eth3" on the network host, else null),"init_pid","ssh",
//            "daemons":[{"name","pid","alive"}],"healthy"}],
//  "outside":{"netns","ip","ok"}, "switch":{"netns","ok"},
//  "answer_file","topology","ssh_config","ssh_key","known_hosts"}
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "lab/layout.h"

namespace sw::lab {

/// One daemon of a host, found through the pidfile it wrote inside the host.
struct DaemonStatus {
  std::string name;  ///< "sshd", "ovsdb-server", "ovs-vswitchd"
  pid_t pid = 0;     ///< in the root PID namespace; 0 if not running
  bool alive = false;
};

struct HostStatus {
  HostSpec spec;
  std::string netns;
  bool namespaces = false;  ///< netns, mnt, uts and pid namespaces present and the host's init alive
  pid_t init_pid = 0;
  bool ssh = false;         ///< sshd greets on mgmt_ip:22, seen from the controller
  std::vector<DaemonStatus> daemons;
  bool healthy() const;
};

struct LabStatus {
  LabLayout layout;
  bool up = false;  ///< a completed `lab up` is recorded and its namespaces exist
  std::vector<HostStatus> hosts;
  bool outside_ok = false;
  bool switch_ok = false;
  bool healthy() const;
};

nlohmann::json status_json(const LabStatus& s);
std::string status_text(const LabStatus& s);

}  // namespace sw::lab
