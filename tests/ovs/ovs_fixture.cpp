#include "tests/ovs/ovs_fixture.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <functional>
#include <regex>
#include <thread>
#include <vector>

namespace sw::ovs::test {
namespace {

using sw::test::shq;

// Removes /tmp/swt<pid>-<n>-ovs directories of test runs whose pid is gone.
void sweep_stale_dirs() {
  DIR* d = ::opendir("/tmp");
  if (!d) return;
  std::vector<std::string> stale;
  while (dirent* e = ::readdir(d)) {
    const std::string n = e->d_name;
    if (!n.starts_with("swt") || !n.ends_with("-ovs")) continue;
    const int pid = std::atoi(n.c_str() + 3);
    if (pid <= 0 || pid == ::getpid()) continue;
    if (::kill(pid, 0) == 0 || errno == EPERM) continue;
    stale.push_back("/tmp/" + n);
  }
  ::closedir(d);
  for (const auto& dir : stale) sw::test::sh("rm -rf " + shq(dir));
}

bool wait_for(const std::function<bool()>& ready, std::chrono::milliseconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    if (ready()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return ready();
}

bool exists(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0;
}

}  // namespace

OvsFixture::OvsFixture() : OvsFixture(Options{}) {}

OvsFixture::OvsFixture(Options options) : options_(options) {
  sweep_stale_dirs();
  ns_ = std::make_unique<sw::test::TempNetns>("ovs");
  dir_ = "/tmp/" + ns_->name();
  sw::test::sh_ok("mkdir -p " + shq(dir_ + "/run") + " " + shq(dir_ + "/db") + " " + shq(dir_ + "/log"));
  sw::test::sh_ok("ovsdb-tool create " + shq(dir_ + "/db/conf.db") + " /usr/share/openvswitch/vswitch.ovsschema");
  ovsdb_pid_ = spawn(dir_ + "/log/ovsdb-server.out",
                     "ovsdb-server " + shq(dir_ + "/db/conf.db") + " --remote=punix:" + shq(rundir() + "/db.sock") +
                         " --pidfile=" + shq(rundir() + "/ovsdb-server.pid") + " --unixctl=" +
                         shq(rundir() + "/ovsdb-server.ctl") + " --log-file=" + shq(dir_ + "/log/ovsdb-server.log") +
                         " -vconsole:off");
  if (!wait_for([&] { return exists(rundir() + "/db.sock"); }, std::chrono::seconds(10))) {
    ADD_FAILURE() << "ovsdb-server did not create " << rundir() << "/db.sock";
    return;
  }
  if (options_.init_db && vsctl("--no-wait init").status != 0) {
    ADD_FAILURE() << "ovs-vsctl init failed";
    return;
  }
  if (options_.start_vswitchd && !start_vswitchd()) return;
  ok_ = true;
}

OvsFixture::~OvsFixture() {
  stop(vswitchd_pid_);
  stop(ovsdb_pid_);
  ns_.reset();  // deletes the namespace and the netdev datapath's tap devices in it
  if (!dir_.empty()) sw::test::sh("rm -rf " + shq(dir_));
}

const std::string& OvsFixture::netns() const { return ns_->name(); }

std::string OvsFixture::env() const {
  return "env OVS_RUNDIR=" + shq(rundir()) + " OVS_DBDIR=" + shq(dir_ + "/db") + " OVS_LOGDIR=" + shq(dir_ + "/log");
}

pid_t OvsFixture::spawn(const std::string& log, const std::string& command) {
  const std::string full = "exec " + env() + " " + command;
  const pid_t parent = ::getpid();
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::setpgid(0, 0);
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(1);
    const int in = ::open("/dev/null", O_RDONLY);
    const int out = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (in >= 0) ::dup2(in, 0);
    if (out >= 0) {
      ::dup2(out, 1);
      ::dup2(out, 2);
    }
    // ip netns exec execs (no fork): the pid stays the daemon's.
    ::execlp("ip", "ip", "netns", "exec", ns_->name().c_str(), "sh", "-c", full.c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  }
  return pid;
}

void OvsFixture::stop(pid_t& pid) {
  if (pid <= 0) return;
  ::kill(pid, SIGTERM);
  int status;
  const bool gone = wait_for([&] { return ::waitpid(pid, &status, WNOHANG) != 0; }, std::chrono::seconds(5));
  if (!gone) {
    ::kill(pid, SIGKILL);
    ::waitpid(pid, &status, 0);
  }
  pid = -1;
}

bool OvsFixture::start_vswitchd() {
  vswitchd_pid_ = spawn(dir_ + "/log/ovs-vswitchd.out",
                        "ovs-vswitchd " + shq(db_remote()) + " --pidfile=" + shq(rundir() + "/ovs-vswitchd.pid") +
                            " --unixctl=" + shq(rundir() + "/ovs-vswitchd.ctl") + " --log-file=" +
                            shq(dir_ + "/log/ovs-vswitchd.log") + " -vconsole:off");
  // ovs-vsctl without --no-wait returns once vswitchd has applied the database.
  const auto r = vsctl("--timeout=20 set Open_vSwitch . external_ids:stackwire-test=up");
  if (r.status != 0) {
    ADD_FAILURE() << "ovs-vswitchd did not come up: " << r.err << sw::test::sh("tail -5 " + shq(dir_ + "/log/ovs-vswitchd.log")).out;
    return false;
  }
  return true;
}

void OvsFixture::stop_vswitchd() { stop(vswitchd_pid_); }

void OvsFixture::kill_ovsdb_server() {
  if (ovsdb_pid_ <= 0) return;
  ::kill(ovsdb_pid_, SIGKILL);
  int status;
  ::waitpid(ovsdb_pid_, &status, 0);
  ovsdb_pid_ = -1;
}

sw::test::CmdResult OvsFixture::vsctl(const std::string& args) const {
  return sw::test::sh(env() + " ovs-vsctl --db=" + shq(db_remote()) + " --timeout=30 " + args);
}

std::string OvsFixture::vsctl_ok(const std::string& args) const {
  const auto r = vsctl(args);
  EXPECT_EQ(r.status, 0) << "ovs-vsctl " << args << ": " << r.err;
  return r.out;
}

sw::test::CmdResult OvsFixture::ofctl(const std::string& args) const {
  return sw::test::sh(env() + " ovs-ofctl " + args);
}

std::string OvsFixture::ofctl_ok(const std::string& args) const {
  const auto r = ofctl(args);
  EXPECT_EQ(r.status, 0) << "ovs-ofctl " << args << ": " << r.err;
  return r.out;
}

bool OvsFixture::build_neutron_layout() {
  const std::string internal = " type=internal";
  const auto agent_port = [&](const std::string& br, const std::string& name, int tag, const std::string& id,
                              const std::string& mac, const std::string& vm) {
    std::string s = " -- add-port " + br + " " + name + (tag >= 0 ? " tag=" + std::to_string(tag) : "") +
                    " -- set Interface " + name + internal + " external_ids:iface-id=" + id +
                    " external_ids:iface-status=active external_ids:attached-mac=" + mac;
    if (!vm.empty()) s += " external_ids:vm-uuid=" + vm;
    return s;
  };
  std::string cmd =
      "-- add-br br-int -- set Bridge br-int datapath_type=netdev fail_mode=secure "
      "protocols=OpenFlow10,OpenFlow13 other_config:disable-in-band=true"
      " -- set-controller br-int tcp:127.0.0.1:6633"
      " -- add-port br-int patch-tun -- set Interface patch-tun type=patch options:peer=patch-int ofport_request=1";
  cmd += agent_port("br-int", "qr-1a2b3c4d-5e", 1, "1a2b3c4d-5e6f-4a1b-8c2d-0123456789ab", "fa:16:3e:11:22:33", "");
  cmd += agent_port("br-int", "tap9f8e7d6c-5b", 1, "9f8e7d6c-5b4a-4c3d-9e2f-0123456789ab", "fa:16:3e:44:55:66", "");
  cmd += agent_port("br-int", "qvo0a1b2c3d-4e", 4095, "0a1b2c3d-4e5f-4a6b-8c7d-0123456789ab", "fa:16:3e:77:88:99",
                    "d6b4e5a2-2f1c-4b0e-9c1a-0123456789ab");
  cmd +=
      " -- set Port qr-1a2b3c4d-5e other_config:net_uuid=5b1d1c5e-0000-4000-8000-000000000001"
      " other_config:network_type=gre other_config:segmentation_id=1001 other_config:tag=1"
      " -- add-port br-int trunk0 trunks=10,20 -- set Interface trunk0 type=internal"
      " -- add-br br-tun -- set Bridge br-tun datapath_type=netdev fail_mode=secure protocols=OpenFlow10,OpenFlow13"
      " -- add-port br-tun patch-int -- set Interface patch-int type=patch options:peer=patch-tun ofport_request=1"
      " -- add-port br-tun gre-0a130002 -- set Interface gre-0a130002 type=gre options:remote_ip=10.19.0.2"
      " options:local_ip=10.19.0.7 options:in_key=flow options:out_key=flow options:df_default=true ofport_request=2"
      " -- add-port br-tun gre-0a130008 -- set Interface gre-0a130008 type=gre options:remote_ip=10.19.0.8"
      " options:local_ip=10.19.0.7 options:in_key=flow options:out_key=flow ofport_request=3"
      " -- add-br br-ex -- set Bridge br-ex datapath_type=netdev"
      " -- add-port br-ex eth-missing";
  cmd += agent_port("br-ex", "qg-5e6f7a8b-9c", -1, "5e6f7a8b-9c0d-4e1f-8a2b-0123456789ab", "fa:16:3e:aa:bb:cc", "");
  cmd += " -- set Open_vSwitch . external_ids:hostname=network external_ids:system-id=3f1c0d2e-0000-4000-8000-00000000beef";
  if (const auto r = vsctl(cmd); r.status != 0) {
    ADD_FAILURE() << "building the layout failed: " << r.err;
    return false;
  }
  // br-tun as today's agents write it (OpenFlow 1.3), cookie and all.
  const std::string flows = R"(cookie=0xadb428037d117e4c,table=0,priority=1,in_port=1,actions=goto_table:2
cookie=0xadb428037d117e4c,table=0,priority=1,in_port=2,actions=goto_table:3
cookie=0xadb428037d117e4c,table=0,priority=1,in_port=3,actions=goto_table:3
cookie=0xadb428037d117e4c,table=0,priority=0,actions=drop
cookie=0xadb428037d117e4c,table=2,priority=0,dl_dst=00:00:00:00:00:00/01:00:00:00:00:00,actions=goto_table:20
cookie=0xadb428037d117e4c,table=2,priority=0,dl_dst=01:00:00:00:00:00/01:00:00:00:00:00,actions=goto_table:22
cookie=0xadb428037d117e4c,table=3,priority=1,tun_id=0x3e9,actions=push_vlan:0x8100,set_field:4097->vlan_vid,goto_table:10
cookie=0xadb428037d117e4c,table=3,priority=0,actions=drop
cookie=0xadb428037d117e4c,table=10,priority=1,actions=learn(table=20,hard_timeout=300,priority=1,cookie=0xadb428037d117e4c,NXM_OF_VLAN_TCI[0..11],NXM_OF_ETH_DST[]=NXM_OF_ETH_SRC[],load:0->NXM_OF_VLAN_TCI[],load:NXM_NX_TUN_ID[]->NXM_NX_TUN_ID[],output:OXM_OF_IN_PORT[]),output:1
cookie=0xadb428037d117e4c,table=20,priority=1,hard_timeout=300,vlan_tci=0x0001/0x0fff,dl_dst=fa:16:3e:1b:37:a6,actions=load:0->NXM_OF_VLAN_TCI[],load:0x3e9->NXM_NX_TUN_ID[],output:2
cookie=0xadb428037d117e4c,table=20,priority=0,actions=goto_table:22
cookie=0xadb428037d117e4c,table=22,priority=1,dl_vlan=1,actions=pop_vlan,set_field:0x3e9->tun_id,output:2,output:3
cookie=0xadb428037d117e4c,table=22,priority=0,actions=drop
)";
  // br-int: a few of today's firewall flows (reset_counts, conntrack, conjunction) and NORMAL.
  const std::string int_flows = R"(cookie=0x219739414083ffac,table=0,priority=65535,dl_vlan=4095,actions=drop
cookie=0x219739414083ffac,table=0,priority=3,in_port=1,vlan_tci=0x0000/0x1fff,actions=push_vlan:0x8100,set_field:4098->vlan_vid,goto_table:59
cookie=0x219739414083ffac,table=59,priority=0,actions=goto_table:60
cookie=0x219739414083ffac,table=60,priority=3,actions=NORMAL
cookie=0x219739414083ffac,table=71,reset_counts,priority=110,ct_state=+trk,actions=ct_clear,resubmit(,71)
cookie=0x219739414083ffac,table=72,priority=40,ct_state=+est,ip,reg5=0x6,actions=ct(commit,zone=NXM_NX_REG6[0..15],exec(set_field:0x1->ct_mark))
cookie=0x219739414083ffac,table=82,priority=70,ct_state=+est-rel-rpl,ip,reg5=0x6,actions=conjunction(16,2/2)
cookie=0x219739414083ffac,table=82,priority=70,ct_state=+est-rel-rpl,ip,reg6=0x1,nw_src=10.0.0.10,actions=conjunction(16,1/2)
cookie=0x219739414083ffac,table=82,priority=70,conj_id=16,ct_state=+est-rel-rpl,ip,reg5=0x6,actions=set_field:0x10->reg7,output:6
)";
  for (const auto& [bridge, text] : {std::pair{std::string("br-tun"), flows}, std::pair{std::string("br-int"), int_flows}}) {
    const std::string file = dir_ + "/" + bridge + ".flows";
    std::ofstream(file) << text;
    const auto r = ofctl("-O OpenFlow13 add-flows " + bridge + " " + shq(file));
    if (r.status != 0) {
      ADD_FAILURE() << "add-flows " << bridge << ": " << r.err;
      return false;
    }
  }
  return true;
}

bool OvsFixture::add_ports(const std::string& bridge, int n) {
  std::string cmd;
  for (int i = 0; i < n; ++i) {
    char name[32], mac[32];
    std::snprintf(name, sizeof name, "p%04d", i);
    std::snprintf(mac, sizeof mac, "fa:16:3e:00:%02x:%02x", i / 256, i % 256);
    cmd += " -- add-port " + bridge + " " + name + " tag=" + std::to_string(1 + i % 4000) + " -- set Interface " + name +
           " type=internal external_ids:iface-id=port-" + std::to_string(i) +
           " external_ids:iface-status=active external_ids:attached-mac=" + mac;
  }
  const std::string file = dir_ + "/ports.args";
  std::ofstream(file) << cmd;
  const auto r = sw::test::sh(env() + " ovs-vsctl --db=" + shq(db_remote()) + " --timeout=120 $(cat " + shq(file) + ")");
  if (r.status != 0) ADD_FAILURE() << "adding " << n << " ports: " << r.err;
  return r.status == 0;
}

bool OvsFixture::add_flows(const std::string& bridge, int n) {
  const std::string file = dir_ + "/many.flows";
  {
    std::ofstream out(file);
    for (int i = 0; i < n; ++i) {
      char line[256];
      std::snprintf(line, sizeof line,
                    "table=20,priority=2,dl_vlan=%d,dl_dst=fa:16:3e:%02x:%02x:%02x,"
                    "actions=pop_vlan,set_field:0x%x->tun_id,output:%d\n",
                    1 + i % 4000, (i >> 16) & 0xff, (i >> 8) & 0xff, i & 0xff, 1000 + i % 2000, 2 + i % 2);
      out << line;
    }
  }
  const auto r = ofctl("-O OpenFlow13 add-flows " + bridge + " " + shq(file));
  if (r.status != 0) ADD_FAILURE() << "add-flows " << n << ": " << r.err;
  return r.status == 0;
}

std::string without_ages(const std::string& text) {
  static const std::regex ages(R"((duration|idle_age|hard_age)=[0-9.]+s?, )");
  return std::regex_replace(text, ages, "");
}

}  // namespace sw::ovs::test
