// A private Open vSwitch for integration tests: ovsdb-server and (optionally) ovs-vswitchd with
// the userspace datapath, inside a throwaway network namespace, with their own run, db and log
// directory (/tmp/swt<pid>-<n>-ovs). Everything it starts is stopped by pid (SIGTERM, a bounded
// wait, SIGKILL) and everything it makes is removed in the destructor, even when a test fails;
// the daemons also get PR_SET_PDEATHSIG so a killed test binary does not leave them behind, and
// a new fixture sweeps directories left by test runs whose pid is dead.
//
// Ground truth goes through OVS's own tools: vsctl() and ofctl() run ovs-vsctl / ovs-ofctl
// against this instance (OVS_RUNDIR points at it).
#pragma once

#include <sys/types.h>

#include <memory>
#include <string>

#include "tests/support/system.h"

namespace sw::ovs::test {

class OvsFixture {
 public:
  struct Options {
    bool init_db = true;         ///< `ovs-vsctl init` (creates the Open_vSwitch row)
    bool start_vswitchd = true;
  };
  OvsFixture();
  explicit OvsFixture(Options options);
  ~OvsFixture();
  OvsFixture(const OvsFixture&) = delete;
  OvsFixture& operator=(const OvsFixture&) = delete;

  /// True when the requested daemons are up and answering.
  bool ok() const { return ok_; }
  const std::string& dir() const { return dir_; }
  std::string rundir() const { return dir_ + "/run"; }
  std::string db_remote() const { return "unix:" + rundir() + "/db.sock"; }
  const std::string& netns() const;
  /// "env OVS_RUNDIR=… OVS_DBDIR=… OVS_LOGDIR=…" for commands that must find this instance.
  std::string env() const;

  /// ovs-vsctl against this instance (--timeout=30 so nothing hangs).
  sw::test::CmdResult vsctl(const std::string& args) const;
  std::string vsctl_ok(const std::string& args) const;
  /// ovs-ofctl with OVS_RUNDIR set, so bridge names resolve to this instance.
  sw::test::CmdResult ofctl(const std::string& args) const;
  std::string ofctl_ok(const std::string& args) const;

  /// Stops ovs-vswitchd (its .mgmt sockets go with it); ovsdb-server keeps running.
  void stop_vswitchd();
  /// Kills ovsdb-server with SIGKILL, leaving its socket file behind (a dead server).
  void kill_ovsdb_server();
  /// Starts ovs-vswitchd and waits until it serves the database.
  bool start_vswitchd();

  /// Builds Neutron's layout on a network host (br-int, br-tun with patch ports and GRE ports,
  /// br-ex, tagged internal ports with Neutron's external_ids) and br-tun's flow tables 0/2/3/
  /// 10/20/22 with the learn action. Returns false (with a test failure) when a step fails.
  bool build_neutron_layout();
  /// Adds n tagged internal ports to bridge in one transaction.
  bool add_ports(const std::string& bridge, int n);
  /// Adds n unicast flows to table 20 of bridge with `ovs-ofctl add-flows`.
  bool add_flows(const std::string& bridge, int n);

 private:
  pid_t spawn(const std::string& log, const std::string& command);
  static void stop(pid_t& pid);

  Options options_;
  std::unique_ptr<sw::test::TempNetns> ns_;
  std::string dir_;
  pid_t ovsdb_pid_ = -1;
  pid_t vswitchd_pid_ = -1;
  bool ok_ = false;
};

/// The text of one flow line with the fields that change from one dump to the next (duration,
/// idle_age, hard_age) removed.
std::string without_ages(const std::string& flow_text);

}  // namespace sw::ovs::test
