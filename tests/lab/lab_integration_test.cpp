// The lab end to end, through the stackwire binary: up → status → ssh from the controller into every
// host, proving each session lands in its own host (address, OVS, /etc, /var, named namespaces) →
// links (eth3 ↔ outside, the eth2 mesh) → down → nothing left. Plus: five up/down cycles, eight
// compute hosts, a crashed host, dead daemons, a "deployed cloud" of stubborn processes, and exec.
//
// Every test runs its own lab under a unique prefix (STACKWIRE_LAB_PREFIX=swl<pid>x<n>), so a user's lab
// is never touched, and `lab down` runs in TearDown whatever happened.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "tests/support/system.h"

namespace sw::test {
namespace {

std::atomic<int> g_lab_counter{0};

double now_s() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

std::string file_text(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::set<std::string> root_links() {
  std::set<std::string> out;
  std::istringstream in(sh("ip -o link show").out);
  for (std::string line; std::getline(in, line);) {
    const auto a = line.find(": "), b = line.find(':', a + 2);
    if (a != std::string::npos && b != std::string::npos) out.insert(line.substr(a + 2, b - a - 2));
  }
  return out;
}

class LabTest : public ::testing::Test {
 protected:
  void SetUp() override {
    SW_REQUIRE_ROOT();
    prefix_ = "swl" + std::to_string(::getpid()) + "x" + std::to_string(g_lab_counter++);
    state_dir_ = "/srv/stackwire/" + prefix_;
    ssh_config_ = state_dir_ + "/ssh/ssh_config";
    links_before_ = root_links();
  }

  void TearDown() override {
    if (prefix_.empty()) return;
    const auto r = lab("down");
    EXPECT_EQ(r.status, 0) << r.out << r.err;
    expect_nothing_left();
  }

  CmdResult lab(const std::string& args) const {
    return sh("STACKWIRE_LAB_PREFIX=" + prefix_ + " " + STACKWIRE_BINARY + " lab " + args);
  }

  // Runs cmd on host (by mgmt address) over ssh from the controller, with the lab's ssh config.
  CmdResult on(const std::string& ip, const std::string& cmd) const {
    return lab("exec controller -- ssh -F " + ssh_config_ + " root@" + ip + " " + shq(cmd));
  }
  std::string on_ok(const std::string& ip, const std::string& cmd) const {
    const auto r = on(ip, cmd);
    EXPECT_EQ(r.status, 0) << "on " << ip << ": " << cmd << "\n" << r.out << r.err;
    return r.out;
  }

  nlohmann::json status_json(int expect_exit = 0) const {
    const auto r = lab("status --json");
    EXPECT_EQ(r.status, expect_exit) << r.out << r.err;
    try {
      return nlohmann::json::parse(r.out);
    } catch (const std::exception& e) {
      ADD_FAILURE() << "status --json is not JSON: " << e.what() << "\n" << r.out;
      return {};
    }
  }

  double up_ok(const std::string& extra = "") {
    const double t0 = now_s();
    const auto r = lab("up" + extra);
    const double dt = now_s() - t0;
    EXPECT_EQ(r.status, 0) << r.out << r.err;
    return dt;
  }

  double down_ok() {
    const double t0 = now_s();
    const auto r = lab("down");
    const double dt = now_s() - t0;
    EXPECT_EQ(r.status, 0) << r.out << r.err;
    EXPECT_NE(r.out.find("is down"), std::string::npos) << r.out;
    return dt;
  }

  // Every process the lab reported (inits and daemons), to prove they are gone after down.
  std::vector<std::pair<pid_t, std::string>> lab_pids(const nlohmann::json& st) const {
    std::vector<std::pair<pid_t, std::string>> out;
    for (const auto& h : st["hosts"]) {
      if (h["init_pid"].is_number()) out.emplace_back(h["init_pid"].get<pid_t>(), file_text("/proc/" + std::to_string(h["init_pid"].get<pid_t>()) + "/stat"));
      for (const auto& d : h["daemons"])
        if (d["pid"].is_number()) out.emplace_back(d["pid"].get<pid_t>(), file_text("/proc/" + std::to_string(d["pid"].get<pid_t>()) + "/stat"));
    }
    return out;
  }

  static void expect_gone(const std::vector<std::pair<pid_t, std::string>>& pids) {
    for (const auto& [pid, stat] : pids) {
      const std::string now = file_text("/proc/" + std::to_string(pid) + "/stat");
      // Gone, or a zombie waiting for the machine's init to reap it, or a recycled pid.
      const bool gone = now.empty() || now.find(") Z ") != std::string::npos ||
                        now.substr(0, now.find(' ', now.find(')'))) != stat.substr(0, stat.find(' ', stat.find(')')));
      EXPECT_TRUE(gone) << "lab process " << pid << " survived lab down: " << now;
    }
  }

  void expect_nothing_left() const {
    // No namespace of ours in /run/netns.
    const auto netns = sh("ls /run/netns 2>/dev/null").out;
    EXPECT_EQ(netns.find(prefix_ + "-"), std::string::npos) << netns;
    // No mount of ours.
    const std::string mounts = file_text("/proc/self/mountinfo");
    EXPECT_EQ(mounts.find(prefix_), std::string::npos) << "mounts left behind";
    // No files.
    struct stat st {};
    EXPECT_NE(::stat(state_dir_.c_str(), &st), 0) << state_dir_ << " left behind";
    // No process in a namespace or mount table of ours.
    const auto procs = sh("for p in /proc/[0-9]*; do grep -l " + shq("hosts/" + prefix_) +
                          " $p/mountinfo 2>/dev/null; done; grep -l " + shq(state_dir_) +
                          " /proc/[0-9]*/mountinfo 2>/dev/null; true");
    EXPECT_EQ(procs.out, "") << "processes still see the lab's mounts";
    // No link added to (or left in) the root namespace.
    EXPECT_EQ(root_links(), links_before_);
    const auto addrs = sh("ip -4 -o addr show").out;
    for (const char* net : {"10.15.0.", "10.19.0.", "172.16.13."}) EXPECT_EQ(addrs.find(net), std::string::npos) << addrs;
  }

  std::string prefix_, state_dir_, ssh_config_;
  std::set<std::string> links_before_;
};

const std::vector<std::pair<std::string, std::string>> kHosts = {
    {"controller", "10.15.0.4"}, {"network", "10.15.0.7"}, {"compute1", "10.15.0.2"}, {"compute2", "10.15.0.8"}};

TEST_F(LabTest, UpStatusSshIsolationLinksDown) {
  const double t_up = up_ok();
  EXPECT_LT(t_up, 10.0) << "lab up took " << t_up << " s";
  RecordProperty("lab_up_seconds", std::to_string(t_up));
  std::printf("[ timing ] lab up (4 hosts): %.2f s\n", t_up);

  // Status: every host healthy, the contract's keys present.
  const auto st = status_json(0);
  ASSERT_EQ(st["hosts"].size(), 4u) << st.dump(2);
  for (size_t i = 0; i < kHosts.size(); ++i) {
    const auto& h = st["hosts"][i];
    EXPECT_EQ(h["name"], kHosts[i].first);
    EXPECT_EQ(h["mgmt_ip"], kHosts[i].second);
    EXPECT_EQ(h["netns"], prefix_ + "-" + kHosts[i].first);
    EXPECT_EQ(h["ssh"], true);
    EXPECT_EQ(h["healthy"], true);
    ASSERT_EQ(h["daemons"].size(), 3u);
    for (const auto& d : h["daemons"]) EXPECT_EQ(d["alive"], true) << h.dump();
  }
  EXPECT_EQ(st["outside"]["netns"], prefix_ + "-outside");
  EXPECT_EQ(st["outside"]["ip"], "172.16.13.250");
  EXPECT_EQ(st["ssh_config"], ssh_config_);
  EXPECT_EQ(st["answer_file"], state_dir_ + "/answers.txt");
  EXPECT_EQ(st["topology"], state_dir_ + "/topology.json");
  EXPECT_NE(file_text(st["answer_file"]).find("CONFIG_NOVA_COMPUTE_HOSTS=10.15.0.2,10.15.0.8\n"), std::string::npos);
  EXPECT_NE(file_text(st["topology"]).find("\"extrouter\""), std::string::npos);
  const auto pids = lab_pids(st);
  EXPECT_EQ(pids.size(), 16u);

  // A second up is a no-op that says so.
  {
    const auto r = lab("up");
    EXPECT_EQ(r.status, 0) << r.err;
    EXPECT_NE(r.out.find("already up"), std::string::npos) << r.out;
    EXPECT_EQ(lab("up --computes 3").status, 2) << "a running lab is not resized";
  }

  // ssh from the controller lands in each host: its name, its address, its own OVS and /etc.
  for (const auto& [name, ip] : kHosts) {
    const std::string out =
        on_ok(ip, "hostname; cat /etc/hostname; ip -4 -o addr show dev eth0; "
                  "ovs-vsctl get Open_vSwitch . external_ids:hostname; ovs-vsctl list-br | wc -l");
    std::istringstream in(out);
    std::string hostname, etc_hostname, addr, ovs_host, n_bridges;
    std::getline(in, hostname);
    std::getline(in, etc_hostname);
    std::getline(in, addr);
    std::getline(in, ovs_host);
    std::getline(in, n_bridges);
    EXPECT_EQ(hostname, name);
    EXPECT_EQ(etc_hostname, name);
    EXPECT_NE(addr.find("inet " + ip + "/24"), std::string::npos) << addr;
    // ovs-vsctl quotes a string only when it could be read as something else.
    EXPECT_TRUE(ovs_host == name || ovs_host == "\"" + name + "\"") << ovs_host;
    EXPECT_EQ(n_bridges, "0") << "a fresh host has no bridges";
  }
  // Plain `ssh root@IP` works from the controller too (its own /root/.ssh), host keys checked.
  EXPECT_EQ(sh_ok("STACKWIRE_LAB_PREFIX=" + prefix_ + " " STACKWIRE_BINARY +
                  " lab exec controller -- ssh -o BatchMode=yes -o StrictHostKeyChecking=yes root@10.15.0.7 hostname"),
            "network\n");

  // Files written on one host exist only there (and never on the machine).
  on_ok("10.15.0.7", "echo network > /etc/" + prefix_ + "-marker && echo x > /var/lib/" + prefix_ + "-marker");
  EXPECT_EQ(on_ok("10.15.0.7", "cat /etc/" + prefix_ + "-marker"), "network\n");
  for (const auto& [name, ip] : kHosts) {
    if (name == "network") continue;
    EXPECT_EQ(on(ip, "test -e /etc/" + prefix_ + "-marker").status, 1) << name << " sees network's /etc";
    EXPECT_EQ(on(ip, "test -e /var/lib/" + prefix_ + "-marker").status, 1) << name << " sees network's /var";
  }
  struct stat sb {};
  EXPECT_NE(::stat(("/etc/" + prefix_ + "-marker").c_str(), &sb), 0) << "the machine's /etc was changed";
  EXPECT_NE(::stat(("/var/lib/" + prefix_ + "-marker").c_str(), &sb), 0) << "the machine's /var was changed";

  // A bridge made on one host exists only in that host's OVS.
  on_ok("10.15.0.2", "ovs-vsctl add-br br-probe -- set bridge br-probe datapath_type=netdev");
  EXPECT_EQ(on("10.15.0.2", "ovs-vsctl br-exists br-probe").status, 0);
  for (const auto& [name, ip] : kHosts) {
    if (name != "compute1") { EXPECT_EQ(on(ip, "ovs-vsctl br-exists br-probe").status, 2) << name; }
  }

  // A namespace made on one host (as an agent makes qrouter-…) is usable from any later session there
  // and from `lab exec`, and invisible on the other hosts and on the machine.
  on_ok("10.15.0.7", "ip netns add qrouter-probe && ip netns exec qrouter-probe ip link set lo up");
  EXPECT_NE(on_ok("10.15.0.7", "ip netns exec qrouter-probe ip -o link show lo").find("UP"), std::string::npos);
  EXPECT_EQ(lab("exec network -- ip netns exec qrouter-probe true").status, 0);
  for (const auto& [name, ip] : kHosts) {
    if (name != "network") { EXPECT_EQ(on_ok(ip, "ip netns list"), "") << name; }
  }
  EXPECT_NE(::stat("/run/netns/qrouter-probe", &sb), 0) << "a host's namespace leaked into the machine's /run/netns";

  // Links: the network host's eth3 reaches the outside namespace at L2; eth2 meshes the tunnel hosts.
  on_ok("10.15.0.7", "ip addr add 172.16.13.1/24 dev eth3 && ping -c1 -W2 172.16.13.250 >/dev/null");
  EXPECT_NE(lab("exec outside -- ip neigh show 172.16.13.1").out.find("lladdr"), std::string::npos);
  on_ok("10.15.0.7", "ip addr del 172.16.13.1/24 dev eth3");
  EXPECT_EQ(on("10.15.0.7", "ip -4 -o addr show dev eth3").out, "") << "eth3 carries no address of its own";
  for (const char* from : {"10.15.0.7", "10.15.0.2", "10.15.0.8"})
    for (const char* to : {"10.19.0.7", "10.19.0.2", "10.19.0.8"})
      EXPECT_EQ(on(from, std::string("ping -c1 -W2 ") + to + " >/dev/null").status, 0) << from << " -> " << to;
  // The controller is on mgmt only.
  EXPECT_EQ(on("10.15.0.4", "ip -o link show eth2").status, 1);

  const double t_down = down_ok();
  EXPECT_LT(t_down, 5.0) << "lab down took " << t_down << " s";
  RecordProperty("lab_down_seconds", std::to_string(t_down));
  std::printf("[ timing ] lab down (4 hosts): %.2f s\n", t_down);
  expect_gone(pids);
  expect_nothing_left();
  // A second down is a no-op that says so.
  const auto again = lab("down");
  EXPECT_EQ(again.status, 0);
  EXPECT_NE(again.out.find("not up"), std::string::npos) << again.out;
  EXPECT_EQ(lab("status").status, 1);
}

TEST_F(LabTest, UpDownFiveTimesInARow) {
  for (int i = 0; i < 5; ++i) {
    const double t_up = up_ok();
    const auto st = status_json(0);
    EXPECT_EQ(st["healthy"], true) << "cycle " << i;
    EXPECT_EQ(on_ok("10.15.0.8", "hostname"), "compute2\n") << "cycle " << i;
    const auto pids = lab_pids(st);
    const double t_down = down_ok();
    std::printf("[ timing ] cycle %d: lab up %.2f s, lab down %.2f s\n", i + 1, t_up, t_down);
    EXPECT_LT(t_up, 10.0);
    EXPECT_LT(t_down, 5.0);
    expect_gone(pids);
    expect_nothing_left();
  }
}

TEST_F(LabTest, EightComputeHostsComeUpAndDownCleanly) {
  const double t_up = up_ok(" --computes 8");
  std::printf("[ timing ] lab up --computes 8 (10 hosts): %.2f s\n", t_up);
  const auto st = status_json(0);
  ASSERT_EQ(st["hosts"].size(), 10u);
  EXPECT_EQ(st["computes"], 8);
  EXPECT_EQ(st["hosts"][9]["name"], "compute8");
  EXPECT_EQ(st["hosts"][9]["mgmt_ip"], "10.15.0.25");
  EXPECT_EQ(st["hosts"][9]["tunnel_ip"], "10.19.0.25");
  EXPECT_NE(file_text(st["answer_file"]).find(
                "CONFIG_NOVA_COMPUTE_HOSTS=10.15.0.2,10.15.0.8,10.15.0.20,10.15.0.21,10.15.0.22,10.15.0.23,10.15.0.24,10.15.0.25\n"),
            std::string::npos);
  EXPECT_EQ(on_ok("10.15.0.25", "hostname"), "compute8\n");
  EXPECT_EQ(on("10.15.0.25", "ping -c1 -W2 10.19.0.7 >/dev/null").status, 0);
  // `lab exec` follows the running lab's size.
  EXPECT_EQ(lab("exec compute8 -- hostname").out, "compute8\n");
  const auto pids = lab_pids(st);
  EXPECT_EQ(pids.size(), 40u);
  const double t_down = down_ok();
  std::printf("[ timing ] lab down (10 hosts): %.2f s\n", t_down);
  expect_gone(pids);
  expect_nothing_left();
}

TEST_F(LabTest, UpRestartsDeadDaemonsAndRebuildsACrashedHost) {
  up_ok();
  auto st = status_json(0);
  // A dead sshd: status says so (exit 1); up restarts it.
  const pid_t sshd = st["hosts"][1]["daemons"][0]["pid"].get<pid_t>();
  ASSERT_EQ(::kill(sshd, SIGKILL), 0);
  for (int i = 0; i < 100 && file_text("/proc/" + std::to_string(sshd) + "/stat").find(") S") != std::string::npos; ++i)
    ::usleep(10000);
  st = status_json(1);
  EXPECT_EQ(st["hosts"][1]["daemons"][0]["alive"], false);
  EXPECT_EQ(st["hosts"][1]["healthy"], false);
  auto r = lab("up");
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("restarted network/sshd"), std::string::npos) << r.out;
  st = status_json(0);
  EXPECT_EQ(on_ok("10.15.0.7", "hostname"), "network\n");

  // A crashed host (its init killed: every process of the host dies with it): up rebuilds the lab.
  const pid_t init = st["hosts"][2]["init_pid"].get<pid_t>();
  const auto old_pids = lab_pids(st);
  ASSERT_EQ(::kill(init, SIGKILL), 0);
  ::usleep(100000);
  EXPECT_EQ(lab("status").status, 1);
  r = lab("up");
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("removed the remains"), std::string::npos) << r.out;
  expect_gone(old_pids);
  st = status_json(0);
  EXPECT_EQ(st["healthy"], true);
  EXPECT_EQ(on_ok("10.15.0.2", "hostname"), "compute1\n");
}

TEST_F(LabTest, DownStopsEverythingADeployedCloudStarted) {
  up_ok();
  // What agents leave running on a host: daemons in namespaces created on the host, daemons that ignore
  // SIGTERM (as the OVS agent may), in the host's own PID namespace, detached from the ssh session.
  on_ok("10.15.0.7",
        "ip netns add qdhcp-probe && ip netns exec qdhcp-probe ip link set lo up && "
        "setsid -f ip netns exec qdhcp-probe sleep 1000 </dev/null >/dev/null 2>&1; "
        "setsid -f sh -c 'trap \"\" TERM; while :; do sleep 1; done' </dev/null >/dev/null 2>&1");
  // And a process someone started from the machine into a lab namespace (not in any host PID namespace).
  BackgroundProcess outsider({"sleep", "1000"}, prefix_ + "-compute2");
  // Count the lab's processes as the machine sees them: by network namespace.
  const auto count = [&](const std::string& ns) {
    return sh("ip netns pids " + shq(ns) + " 2>/dev/null | wc -l").out;
  };
  for (int i = 0; i < 100 && count(prefix_ + "-compute2") == "0\n"; ++i) ::usleep(10000);
  EXPECT_NE(count(prefix_ + "-compute2"), "0\n");
  const std::string stubborn = on_ok("10.15.0.7", "pgrep -f 'trap' | head -1");
  EXPECT_FALSE(stubborn.empty()) << "the SIGTERM-ignoring process did not start";
  EXPECT_NE(on_ok("10.15.0.7", "ip netns pids qdhcp-probe"), "");

  const auto st = status_json(0);
  const auto pids = lab_pids(st);
  const double t = down_ok();
  EXPECT_LT(t, 5.0) << "down with stubborn processes took " << t << " s";
  std::printf("[ timing ] lab down with a SIGTERM-ignoring process: %.2f s\n", t);
  EXPECT_FALSE(outsider.alive()) << "a process in a lab namespace outlived lab down";
  expect_gone(pids);
  expect_nothing_left();
}

TEST_F(LabTest, ExecRunsInTheMembersNamespacesAndReturnsItsStatus) {
  {
    const auto r = lab("exec controller -- true");
    EXPECT_EQ(r.status, 2) << "exec before up";
    EXPECT_NE(r.err.find("not up"), std::string::npos) << r.err;
  }
  up_ok();
  EXPECT_EQ(lab("exec controller -- hostname").out, "controller\n");
  EXPECT_EQ(lab("exec controller -- sh -c 'exit 7'").status, 7);
  EXPECT_EQ(lab("exec network -- false").status, 1);
  {
    const auto r = lab("exec controller -- no-such-command-xyz");
    EXPECT_EQ(r.status, 127);
    EXPECT_NE(r.err.find("command not found"), std::string::npos) << r.err;
  }
  {
    const auto r = lab("exec nosuchhost -- true");
    EXPECT_EQ(r.status, 2);
    EXPECT_NE(r.err.find("lab host 'nosuchhost'"), std::string::npos) << r.err;
  }
  // Each host sees only its own processes; its pid 1 is the lab's init.
  EXPECT_EQ(lab("exec compute1 -- cat /proc/1/comm").out, "stackwire-init\n");
  EXPECT_NE(lab("exec compute1 -- ps -e -o comm=").out.find("ovs-vswitchd"), std::string::npos);
  EXPECT_EQ(lab("exec compute1 -- sh -c 'ps -e -o comm= | grep -c ovs-vswitchd'").out, "1\n");
  // /sys shows the member's own interfaces.
  EXPECT_NE(lab("exec network -- ls /sys/class/net").out.find("eth3"), std::string::npos);
  EXPECT_NE(lab("exec outside -- ip -4 -o addr show dev eth0").out.find("172.16.13.250/24"), std::string::npos);
  EXPECT_NE(lab("exec switch -- ls /sys/class/net").out.find("mgmt"), std::string::npos);
  // The switch holds every link's far end and nothing routes: it has no address at all.
  EXPECT_EQ(lab("exec switch -- ip -4 -o addr show scope global").out, "");
  // The machine's own namespaces are not the hosts' business.
  TempNetns mine("labvis");
  EXPECT_EQ(lab("exec compute1 -- ip netns list").out, "");
}

}  // namespace
}  // namespace sw::test
