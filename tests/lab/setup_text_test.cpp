// What the lab writes onto its hosts: sshd_config, ssh_config, known_hosts, /etc/hosts, the OVS
// root row and daemon command lines, overlay options; and `lab status` as JSON and text.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "lab/host_files.h"
#include "lab/host_ns.h"
#include "lab/ovs_setup.h"
#include "lab/ssh_setup.h"
#include "lab/status.h"

namespace sw::lab {
namespace {

LabLayout layout(int computes = 2) { return *make_layout("swlab", "/srv/stackwire/swlab", computes); }

TEST(SshSetup, SshdConfigIsKeyOnlyRootOnTheMgmtAddress) {
  const std::string c = sshd_config_text(layout().hosts[1]);
  EXPECT_NE(c.find("ListenAddress 10.15.0.7\n"), std::string::npos);
  EXPECT_NE(c.find("PermitRootLogin prohibit-password\n"), std::string::npos);
  EXPECT_NE(c.find("PasswordAuthentication no\n"), std::string::npos);
  EXPECT_NE(c.find("UsePAM no\n"), std::string::npos);
  EXPECT_NE(c.find("HostKey /etc/ssh/ssh_host_ed25519_key\n"), std::string::npos);
  EXPECT_EQ(c.find("0.0.0.0"), std::string::npos);
  EXPECT_EQ(sshd_argv().front(), "/usr/sbin/sshd");  // sshd re-execs itself: absolute path
}

TEST(SshSetup, SshConfigChecksHostKeysWithTheLabsFiles) {
  const std::string c = ssh_config_text(layout(3));
  EXPECT_NE(c.find("Host network 10.15.0.7\n    HostName 10.15.0.7\n"), std::string::npos);
  EXPECT_NE(c.find("Host compute3 10.15.0.20\n"), std::string::npos);
  EXPECT_NE(c.find("StrictHostKeyChecking yes\n"), std::string::npos);
  EXPECT_NE(c.find("IdentityFile /srv/stackwire/swlab/ssh/id_ed25519\n"), std::string::npos);
  EXPECT_NE(c.find("UserKnownHostsFile /srv/stackwire/swlab/ssh/known_hosts\n"), std::string::npos);
  EXPECT_NE(c.find("User root\n"), std::string::npos);
}

TEST(SshSetup, KnownHostsNameEachHostByNameAndAddress) {
  const std::string k = known_hosts_text({{"controller", "10.15.0.4", "ssh-ed25519 AAAAC3Nz root@controller\n"},
                                          {"bad", "10.0.0.1", "garbage"}});
  EXPECT_EQ(k, "controller,10.15.0.4 ssh-ed25519 AAAAC3Nz\n");
}

TEST(HostFiles, EtcHostsNamesEveryLabHost) {
  const std::string h = etc_hosts_text(layout());
  EXPECT_NE(h.find("127.0.0.1\tlocalhost\n"), std::string::npos);
  EXPECT_NE(h.find("10.15.0.4\tcontroller\n"), std::string::npos);
  EXPECT_NE(h.find("10.15.0.8\tcompute2\n"), std::string::npos);
}

TEST(HostFiles, OverlaysKeepUpperDirsOutOfTheirLowerDirs) {
  const auto v = host_overlays(layout(), "compute1");
  ASSERT_EQ(v.size(), 3u);
  EXPECT_EQ(v[0].target, "/etc");
  EXPECT_EQ(v[0].upper, "/srv/stackwire/swlab/hosts/compute1/etc/upper");
  EXPECT_EQ(v[0].work, "/srv/stackwire/swlab/hosts/compute1/etc/work");
  EXPECT_EQ(v[1].target, "/var");
  EXPECT_EQ(v[2].target, "/root");
  EXPECT_EQ(overlay_options(v[1]),
            "lowerdir=/var,upperdir=/srv/stackwire/swlab/hosts/compute1/var/upper,"
            "workdir=/srv/stackwire/swlab/hosts/compute1/var/work");
}

TEST(OvsSetup, RootRowCarriesHostnameAndSystemId) {
  const auto j = nlohmann::json::parse(ovs_root_row_transaction("network", "abc"));
  EXPECT_EQ(j[0], "Open_vSwitch");
  EXPECT_EQ(j[1]["op"], "insert");
  EXPECT_EQ(j[1]["table"], "Open_vSwitch");
  EXPECT_EQ(j[1]["row"]["external_ids"], nlohmann::json::parse(R"(["map",[["hostname","network"],["system-id","abc"]]])"));
}

TEST(OvsSetup, DaemonsUseOvsDefaultPathsAndNoDetach) {
  const auto db = ovsdb_server_argv();
  const auto vs = ovs_vswitchd_argv();
  for (const auto* argv : {&db, &vs})
    for (const auto& a : *argv) {
      EXPECT_NE(a, "--detach");
      EXPECT_NE(a, "--monitor");
    }
  EXPECT_EQ(db[1], "/etc/openvswitch/conf.db");
  EXPECT_NE(std::find(db.begin(), db.end(), "--remote=punix:/run/openvswitch/db.sock"), db.end());
  EXPECT_NE(std::find(db.begin(), db.end(), "--remote=db:Open_vSwitch,Open_vSwitch,manager_options"), db.end());
  EXPECT_EQ(vs[1], "unix:/run/openvswitch/db.sock");
}

TEST(OvsSetup, RandomUuidsAreVersion4) {
  const std::string a = random_uuid(), b = random_uuid();
  EXPECT_NE(a, b);
  ASSERT_EQ(a.size(), 36u);
  EXPECT_EQ(a[14], '4');
  EXPECT_TRUE(a[19] == '8' || a[19] == '9' || a[19] == 'a' || a[19] == 'b');
}

LabStatus sample_status() {
  LabStatus s;
  s.layout = layout();
  s.up = true;
  s.outside_ok = s.switch_ok = true;
  for (const auto& h : s.layout.hosts) {
    HostStatus hs;
    hs.spec = h;
    hs.netns = s.layout.netns_name(h.name);
    hs.namespaces = true;
    hs.init_pid = 100;
    hs.ssh = true;
    hs.daemons = {{"sshd", 200, true}, {"ovsdb-server", 201, true}, {"ovs-vswitchd", 202, true}};
    s.hosts.push_back(hs);
  }
  return s;
}

TEST(Status, JsonCarriesTheContractKeys) {
  auto s = sample_status();
  auto j = status_json(s);
  EXPECT_EQ(j["healthy"], true);
  ASSERT_EQ(j["hosts"].size(), 4u);
  const auto& n = j["hosts"][1];
  EXPECT_EQ(n["name"], "network");
  EXPECT_EQ(n["netns"], "swlab-network");
  EXPECT_EQ(n["mgmt_ip"], "10.15.0.7");
  EXPECT_EQ(n["tunnel_ip"], "10.19.0.7");
  EXPECT_EQ(n["external_if"], "eth3");
  EXPECT_EQ(n["ssh"], true);
  EXPECT_EQ(n["roles"][0], "network");
  EXPECT_EQ(n["daemons"][2]["name"], "ovs-vswitchd");
  EXPECT_EQ(n["daemons"][2]["pid"], 202);
  EXPECT_EQ(n["daemons"][2]["alive"], true);
  EXPECT_TRUE(j["hosts"][0]["tunnel_ip"].is_null());
  EXPECT_EQ(j["outside"]["netns"], "swlab-outside");
  EXPECT_EQ(j["outside"]["ip"], "172.16.13.250");
  EXPECT_EQ(j["answer_file"], "/srv/stackwire/swlab/answers.txt");
  EXPECT_EQ(j["topology"], "/srv/stackwire/swlab/topology.json");
  EXPECT_EQ(j["ssh_config"], "/srv/stackwire/swlab/ssh/ssh_config");

  s.hosts[2].daemons[0].alive = false;
  s.hosts[2].daemons[0].pid = 0;
  j = status_json(s);
  EXPECT_EQ(j["healthy"], false);
  EXPECT_EQ(j["hosts"][2]["healthy"], false);
  EXPECT_TRUE(j["hosts"][2]["daemons"][0]["pid"].is_null());
  EXPECT_NE(status_text(s).find("UNHEALTHY"), std::string::npos);
  EXPECT_NE(status_text(s).find("DEAD"), std::string::npos);
}

TEST(Status, NotUpIsUnhealthyAndSaysHowToStart) {
  LabStatus s;
  s.layout = layout();
  EXPECT_FALSE(s.healthy());
  EXPECT_NE(status_text(s).find("stackwire lab up"), std::string::npos);
  EXPECT_EQ(status_json(s)["up"], false);
  EXPECT_TRUE(status_json(s)["hosts"].empty());
}

}  // namespace
}  // namespace sw::lab
