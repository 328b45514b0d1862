// The service plugins for real: their rendered manifests run on throwaway hosts in packstack's
// order, then again. Asserts: MariaDB, RabbitMQ (AMQP login from another host), Keystone (token
// issued with keystonerc_admin's credentials), neutron-server's API, every agent alive; a re-run
// changes and restarts nothing; a changed agent config restarts that agent only. Timings per plugin
// go to the test's output.
//
// Hosts: the lab (`stackwire lab up` with a unique STACKWIRE_LAB_PREFIX: controller, network,
// compute1, compute2; the prescript and fabric plugins run first, as deploy runs them) when the
// stackwire binary has `lab`; otherwise tests/installer/services_rig.sh (controller, network,
// compute1: each a netns with its own mount, pid and uts namespaces, overlay /etc /var /root, fresh
// /run and /tmp, userspace OVS with br-ex and the tunnel address on br-phy). SW_SERVICES_HOSTS=rig|lab
// chooses. Manifests run inside a host as `lab exec HOST -- sh -s < manifest` (later: ssh).
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <random>
#include <sstream>
#include <thread>

#include "installer/fabric.h"
#include "installer/manifest.h"
#include "installer/service_shell.h"
#include "installer/services.h"
#include "tests/support/system.h"

namespace sw::installer {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

const std::string kRig = std::string(STACKWIRE_SOURCE_DIR) + "/tests/installer/services_rig.sh";
const std::string kController = "10.15.0.4";

struct TestHost {
  std::string name, mgmt_ip, tunnel_ip;
  HostRoles roles;
};

const std::vector<TestHost> kRigHosts = {
    {"controller", "10.15.0.4", "", {true, false, false}},
    {"network", "10.15.0.7", "10.19.0.7", {false, true, false}},
    {"compute1", "10.15.0.2", "10.19.0.2", {false, false, true}},
};

const std::vector<TestHost> kLabHosts = {
    {"controller", "10.15.0.4", "", {true, false, false}},
    {"network", "10.15.0.7", "10.19.0.7", {false, true, false}},
    {"compute1", "10.15.0.2", "10.19.0.2", {false, false, true}},
    {"compute2", "10.15.0.8", "10.19.0.8", {false, false, true}},
};

bool packages_present() {
  return test::sh("dpkg-query -W -f='${db:Status-Status}\\n' mariadb-server rabbitmq-server keystone "
                  "neutron-server neutron-openvswitch-agent neutron-l3-agent neutron-dhcp-agent "
                  "neutron-metadata-agent openvswitch-switch | grep -cx installed")
             .out == "9\n";
}

// Random throwaway secrets with the characters the escapes must survive.
std::string secret(std::mt19937_64& rng, const char* extra) {
  std::ostringstream s;
  s << std::hex << rng() << extra;
  return s.str();
}

std::string sq(const std::string& v) { return test::shq(v); }

// Where the manifests run: a set of hosts that can be brought up, entered and removed.
class Hosts {
 public:
  virtual ~Hosts() = default;
  virtual bool up(std::string& err) = 0;
  virtual void down() = 0;
  virtual void keep() = 0;  ///< leave everything up (SW_KEEP_RIG), say how to remove it
  virtual test::CmdResult exec(const std::string& host, const std::string& cmd) const = 0;
  virtual test::CmdResult run_script(const std::string& host, const fs::path& script) const = 0;
  virtual const std::vector<TestHost>& hosts() const = 0;
  /// The lab needs the fabric (br-ex, the tunnel endpoint on br-phy) that deploy's fabric plugin
  /// lays; the rig builds its own.
  virtual bool needs_fabric() const = 0;
};

class Rig final : public Hosts {
 public:
  Rig() : dir_("/srv/" + test::unique_name("svc")), prefix_("sws" + std::to_string(::getpid() % 100000)) {}
  ~Rig() override { down(); }

  bool up(std::string& err) override {
    up_ = true;
    auto r = test::sh(sq(kRig) + " up " + sq(dir_) + " " + prefix_ + " 2>&1");
    err = r.out;
    return r.status == 0;
  }
  void down() override {
    if (!up_) return;
    up_ = false;
    test::sh(sq(kRig) + " down " + sq(dir_) + " 2>&1");
  }
  void keep() override {
    std::cout << "rig left up in " << dir_ << "; remove it with " << kRig << " down " << dir_ << std::endl;
    up_ = false;
  }
  test::CmdResult exec(const std::string& host, const std::string& cmd) const override {
    return test::sh(sq(kRig) + " exec " + sq(dir_) + " " + host + " sh -c " + sq(cmd) + " 2>&1");
  }
  test::CmdResult run_script(const std::string& host, const fs::path& script) const override {
    return test::sh(sq(kRig) + " exec " + sq(dir_) + " " + host + " sh -s < " + sq(script.string()) + " 2>&1");
  }
  const std::vector<TestHost>& hosts() const override { return kRigHosts; }
  bool needs_fabric() const override { return false; }

 private:
  std::string dir_, prefix_;
  bool up_ = false;
};

class Lab final : public Hosts {
 public:
  Lab() : prefix_("swsvc" + std::to_string(::getpid() % 100000)) {}
  ~Lab() override { down(); }

  bool up(std::string& err) override {
    up_ = true;
    auto r = stackwire("lab up");
    err = r.out;
    return r.status == 0;
  }
  void down() override {
    if (!up_) return;
    up_ = false;
    stackwire("lab down");
  }
  void keep() override {
    std::cout << "lab left up; remove it with STACKWIRE_LAB_PREFIX=" << prefix_ << " stackwire lab down" << std::endl;
    up_ = false;
  }
  test::CmdResult exec(const std::string& host, const std::string& cmd) const override {
    return stackwire("lab exec " + host + " -- sh -c " + sq(cmd));
  }
  test::CmdResult run_script(const std::string& host, const fs::path& script) const override {
    return stackwire("lab exec " + host + " -- sh -s < " + sq(script.string()));
  }
  const std::vector<TestHost>& hosts() const override { return kLabHosts; }
  bool needs_fabric() const override { return true; }

  static bool available() { return test::sh(sq(STACKWIRE_BINARY) + " lab --help >/dev/null 2>&1").status == 0; }

 private:
  test::CmdResult stackwire(const std::string& args) const {
    return test::sh("STACKWIRE_LAB_PREFIX=" + prefix_ + " " + sq(STACKWIRE_BINARY) + " " + args + " 2>&1");
  }
  std::string prefix_;
  bool up_ = false;
};

std::unique_ptr<Hosts> make_hosts() {
  const char* want = std::getenv("SW_SERVICES_HOSTS");
  const std::string w = want ? want : "";
  if (w == "rig" || (w.empty() && !Lab::available())) return std::make_unique<Rig>();
  return std::make_unique<Lab>();
}

struct ManifestRun {
  std::string host = {}, plugin = {};
  int status = 0;
  int changed = 0;
  size_t steps = 0;
  double seconds = 0;
  std::string output = {};
};

class ServicesIntegration : public ::testing::Test {
 protected:
  void SetUp() override {
    SW_REQUIRE_ROOT();
    if (!packages_present()) GTEST_SKIP() << "needs the service packages: tools/deps --services";
    if (fs::exists("/run/systemd/system")) GTEST_SKIP() << "this rig runs daemons by pidfile (no systemd)";
    work_ = fs::temp_directory_path() / test::unique_name("svc-manifests");
    fs::create_directories(work_);
    rig_ = make_hosts();
    std::string err;
    ASSERT_TRUE(rig_->up(err)) << "hosts did not come up:\n" << err;
    write_answers();
    if (rig_->needs_fabric()) {
      for (const char* plugin : {"prescript", "fabric"}) {
        for (const auto& r : apply_plugin(plugin))
          ASSERT_EQ(r.status, 0) << plugin << " on " << r.host << ":\n" << r.output;
      }
    }
  }
  void TearDown() override {
    if (rig_ && HasFailure() && std::getenv("SW_KEEP_RIG")) {
      rig_->keep();
    } else if (rig_) {
      rig_->down();
    }
    std::error_code ec;
    if (!work_.empty()) fs::remove_all(work_, ec);
  }

  void write_answers() {
    std::random_device rd;
    std::mt19937_64 rng(rd());
    secrets_ = {
        {"CONFIG_MARIADB_PW", secret(rng, "'q\"$x")},
        // oslo.messaging cannot pass '/' to RabbitMQ, keystone-manage db_sync cannot take '%' or
        // '@' in its database URL (the steps refuse those with a reason); everything else goes.
        {"CONFIG_AMQP_AUTH_PASSWORD", secret(rng, "$a@c:d%e'\"")},
        {"CONFIG_KEYSTONE_DB_PW", secret(rng, "$k/'\"")},
        {"CONFIG_KEYSTONE_ADMIN_PW", secret(rng, "'a$\"b\\c")},
        {"CONFIG_NEUTRON_DB_PW", secret(rng, "%n@")},
        {"CONFIG_NEUTRON_KS_PW", secret(rng, "$k'\"")},
        {"CONFIG_NEUTRON_METADATA_PW", secret(rng, "$m")},
    };
    std::string env;
    for (const auto& [k, v] : secrets_) env += k + "=" + sq(v) + "\n";
    const fs::path f = work_ / "answers.env";
    std::ofstream(f) << env;
    const fs::path put = work_ / "put-answers.sh";
    std::ofstream(put) << "umask 077\nmkdir -p /var/lib/stackwire\ncat > /var/lib/stackwire/answers.env <<'SW_EOF'\n"
                       << env << "SW_EOF\n";
    for (const auto& h : rig_->hosts()) {
      auto r = rig_->run_script(h.name, put);
      ASSERT_EQ(r.status, 0) << r.out;
    }
  }

  // The fabric as deploy lays it on the lab (see installer/deploy.cpp make_plan).
  FabricParams fabric(const TestHost& h) const {
    FabricParams fp;
    fp.service_manager = "none";
    fp.controller = h.roles.controller;
    fp.network = h.roles.network;
    fp.compute = h.roles.compute;
    fp.datapath_type = "netdev";
    fp.bridge_ifaces = {{"br-ex", "eth3"}};
    fp.ext_gateway_cidr = "172.16.13.1/24";
    fp.ext_subnet = "172.16.13.0/24";
    if (!h.tunnel_ip.empty()) {
      fp.tunnel_type = "gre";
      fp.tunnel_if = "eth2";
      fp.local_ip = h.tunnel_ip;
      for (const auto& o : rig_->hosts())
        if (!o.tunnel_ip.empty() && o.name != h.name) fp.tunnel_peers.push_back(o.tunnel_ip);
    }
    fp.mgmt_cidr = "10.15.0.0/24";
    return fp;
  }

  std::vector<Step> plan(const TestHost& h, const std::string& plugin) const {
    if (plugin == "prescript") return prescript_steps(fabric(h));
    if (plugin == "fabric") return fabric_steps(fabric(h));
    ServiceHost sh{h.name, h.mgmt_ip, kController, h.roles, OsFamily::debian, ServiceManager::none};
    if (plugin == "mariadb") return plan_mariadb(MariadbParams{sh});
    if (plugin == "amqp") return plan_amqp(AmqpParams{sh});
    if (plugin == "keystone") {
      KeystoneParams k{sh};
      k.services = {neutron_service_user(kController)};
      return plan_keystone(k);
    }
    NeutronParams n;
    n.host = sh;
    n.tunnel_ip = h.tunnel_ip;
    n.datapath_type = DatapathType::netdev;
    return plan_neutron(n);
  }

  // One plugin on every host that has steps for it, hosts in parallel (the runner's barrier model).
  std::vector<ManifestRun> apply_plugin(const std::string& plugin) {
    std::vector<ManifestRun> runs;
    std::vector<Manifest> ms;
    for (const auto& h : rig_->hosts()) {
      auto steps = plan(h, plugin);
      if (steps.empty()) continue;
      ms.push_back({h.name, plugin, std::move(steps)});
      runs.push_back(ManifestRun{.host = h.name, .plugin = plugin});
    }
    std::vector<std::thread> threads;
    for (size_t i = 0; i < ms.size(); ++i) {
      threads.emplace_back([&, i] {
        const fs::path script = work_ / ms[i].file_name();
        std::ofstream(script) << ms[i].render();
        const auto t0 = Clock::now();
        auto r = rig_->run_script(ms[i].host, script);
        runs[i].seconds = std::chrono::duration<double>(Clock::now() - t0).count();
        runs[i].status = r.status;
        runs[i].output = r.out;
        runs[i].steps = ms[i].steps.size();
        runs[i].changed = parse_manifest_output(r.out, ms[i].steps.size()).changed();
      });
    }
    for (auto& t : threads) t.join();
    return runs;
  }

  // Every plugin in packstack's order; stops at the first failing plugin like the runner does.
  std::vector<ManifestRun> apply_all(const std::string& label) {
    std::vector<ManifestRun> all;
    for (const char* plugin : {"mariadb", "amqp", "keystone", "neutron"}) {
      const auto t0 = Clock::now();
      auto runs = apply_plugin(plugin);
      const double wall = std::chrono::duration<double>(Clock::now() - t0).count();
      std::ostringstream line;
      line << "[timing] " << label << " " << plugin << ": " << wall << " s wall;";
      for (const auto& r : runs) line << " " << r.host << " " << r.seconds << " s, " << r.changed << "/" << r.steps << " changed;";
      std::cout << line.str() << std::endl;
      bool failed = false;
      for (const auto& r : runs) {
        if (r.status != 0) {
          ADD_FAILURE() << label << ": " << r.plugin << " on " << r.host << " failed (exit " << r.status << "):\n"
                        << test::sh("printf '%s' " + sq(r.output) + " | tail -n 60").out;
          failed = true;
        }
        for (const auto& [k, v] : secrets_)
          EXPECT_EQ(r.output.find(v), std::string::npos) << r.plugin << " on " << r.host << " printed " << k;
      }
      all.insert(all.end(), runs.begin(), runs.end());
      if (failed) break;
    }
    return all;
  }

  std::string pid_of(const std::string& host, const std::string& daemon) {
    auto r = rig_->exec(host, "cat /run/stackwire/" + daemon + ".pid");
    return r.status == 0 ? r.out : "none";
  }

  // A token for admin taken with nothing but what keystonerc_admin exports.
  std::string keystonerc_token_status() {
    return rig_
        ->exec("controller",
              ". /root/keystonerc_admin && python3 -c 'import json,os; print(json.dumps({\"auth\":{\"identity\":"
              "{\"methods\":[\"password\"],\"password\":{\"user\":{\"name\":os.environ[\"OS_USERNAME\"],\"domain\":"
              "{\"name\":os.environ[\"OS_USER_DOMAIN_NAME\"]},\"password\":os.environ[\"OS_PASSWORD\"]}}},\"scope\":"
              "{\"project\":{\"name\":os.environ[\"OS_PROJECT_NAME\"],\"domain\":{\"name\":os.environ["
              "\"OS_PROJECT_DOMAIN_NAME\"]}}}}}))' | curl -s -o /dev/null -w '%{http_code}' -H "
              "'Content-Type: application/json' --data-binary @- \"$OS_AUTH_URL/auth/tokens\"")
        .out;
  }

  // Agents as neutron-server lists them: "host binary alive" lines.
  std::string agents() {
    const fs::path f = work_ / "agents.sh";
    std::ofstream(f) << "set -u\n. /var/lib/stackwire/answers.env\n" << service_shell_functions()
                     << "r=$(sw_tmp); t=$(sw_ks_auth http://10.15.0.4:5000/v3 neutron \"$CONFIG_NEUTRON_KS_PW\" "
                        "service \"$r\") || exit 1\n"
                        "printf 'header = \"X-Auth-Token: %s\"\\n' \"$t\" | curl -sf -K - -o \"$r\" "
                        "http://10.15.0.4:9696/v2.0/agents || exit 1\n"
                        "sw_json \"$r\" \"sorted('%s %s %s' % (a['host'], a['binary'], a['alive']) for a in "
                        "d['agents'])\"\n";
    return rig_->run_script("compute1", f).out;
  }

  std::unique_ptr<Hosts> rig_;
  fs::path work_;
  std::map<std::string, std::string> secrets_;
};

int changed(const std::vector<ManifestRun>& runs) {
  int n = 0;
  for (const auto& r : runs) n += r.changed;
  return n;
}

TEST_F(ServicesIntegration, DeployCheckRerunAndRestartOnlyWhatChanged) {
  const auto t0 = Clock::now();
  auto first = apply_all("first run");
  const double first_s = std::chrono::duration<double>(Clock::now() - t0).count();
  std::cout << "[timing] first run total: " << first_s << " s" << std::endl;
  ASSERT_FALSE(HasFailure());
  EXPECT_GT(changed(first), 30);

  // MariaDB holds the services' databases; root keeps its unix-socket login.
  auto dbs = rig_->exec("controller", "mysql -N -B -e 'SHOW DATABASES'");
  EXPECT_NE(dbs.out.find("keystone\n"), std::string::npos) << dbs.out;
  EXPECT_NE(dbs.out.find("neutron\n"), std::string::npos) << dbs.out;

  // RabbitMQ answers on the management address, from another host, with the answer file's password.
  {
    const fs::path f = work_ / "amqp.sh";
    std::ofstream(f) << "set -u\n. /var/lib/stackwire/answers.env\n" << service_shell_functions()
                     << "sw_amqp_login 10.15.0.4 5672 openstack \"$CONFIG_AMQP_AUTH_PASSWORD\" / && echo amqp-ok\n"
                        "sw_amqp_login 10.15.0.4 5672 openstack wrong-password / || echo refused\n";
    auto r = rig_->run_script("network", f);
    EXPECT_NE(r.out.find("amqp-ok"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("refused"), std::string::npos) << r.out;
  }

  // keystonerc_admin is 0600 and its credentials get a token.
  EXPECT_EQ(rig_->exec("controller", "stat -c '%a %U' /root/keystonerc_admin").out, "600 root\n");
  EXPECT_EQ(keystonerc_token_status(), "201");

  // neutron-server's API answers from a compute host; every agent reports alive (bounded wait).
  EXPECT_EQ(rig_->exec("compute1", "curl -s -o /dev/null -w '%{http_code}' http://10.15.0.4:9696/").out, "200");
  std::vector<std::string> expected = {"network neutron-dhcp-agent True", "network neutron-l3-agent True",
                                       "network neutron-metadata-agent True",
                                       "network neutron-openvswitch-agent True"};
  for (const auto& h : rig_->hosts())
    if (h.roles.compute) expected.push_back(h.name + " neutron-openvswitch-agent True");
  std::string listed;
  for (auto end = Clock::now() + std::chrono::seconds(120); Clock::now() < end;) {
    listed = agents();
    bool all = true;
    for (const auto& e : expected) all = all && listed.find(e) != std::string::npos;
    if (all) break;
    std::this_thread::sleep_for(std::chrono::seconds(3));
  }
  for (const auto& e : expected) EXPECT_NE(listed.find(e), std::string::npos) << "not alive: " << e << "\n" << listed;

  // A re-run changes nothing, restarts nothing, and is quick.
  std::vector<std::pair<std::string, std::string>> daemons = {
      {"controller", "mariadb"}, {"controller", "rabbitmq-server"}, {"controller", "keystone"},
      {"controller", "neutron-server"}, {"network", "neutron-openvswitch-agent"}, {"network", "neutron-l3-agent"},
      {"network", "neutron-dhcp-agent"}, {"network", "neutron-metadata-agent"}};
  for (const auto& h : rig_->hosts())
    if (h.roles.compute) daemons.emplace_back(h.name, "neutron-openvswitch-agent");
  std::map<std::string, std::string> pids;
  for (const auto& [h, d] : daemons) pids[h + "/" + d] = pid_of(h, d);
  const auto t1 = Clock::now();
  auto second = apply_all("re-run");
  const double rerun_s = std::chrono::duration<double>(Clock::now() - t1).count();
  std::cout << "[timing] re-run total: " << rerun_s << " s" << std::endl;
  EXPECT_EQ(changed(second), 0);
  for (const auto& r : second)
    if (r.changed) ADD_FAILURE() << r.plugin << " on " << r.host << " changed on re-run:\n" << r.output;
  for (const auto& [h, d] : daemons) EXPECT_EQ(pid_of(h, d), pids[h + "/" + d]) << d << " on " << h << " restarted";
  EXPECT_LT(rerun_s, 15.0);

  // A hand edit of l3_agent.ini is put back, and restarts the L3 agent alone.
  ASSERT_EQ(rig_->exec("network", "echo 'debug = True' >> /etc/neutron/l3_agent.ini").status, 0);
  auto third = apply_plugin("neutron");
  for (const auto& r : third) EXPECT_EQ(r.status, 0) << r.output;
  EXPECT_EQ(changed(third), 2) << "expected: l3_agent.ini rewritten, neutron-l3-agent restarted";
  EXPECT_NE(pid_of("network", "neutron-l3-agent"), pids["network/neutron-l3-agent"]);
  EXPECT_EQ(pid_of("network", "neutron-dhcp-agent"), pids["network/neutron-dhcp-agent"]);
  EXPECT_EQ(pid_of("network", "neutron-openvswitch-agent"), pids["network/neutron-openvswitch-agent"]);
  EXPECT_EQ(rig_->exec("network", "grep -c debug /etc/neutron/l3_agent.ini").out, "0\n");
}

}  // namespace
}  // namespace sw::installer
