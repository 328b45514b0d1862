// The service plugins' plans, rendered per role, OS family and service manager, against golden
// manifests in testdata/golden/ (SW_UPDATE_GOLDEN=1 rewrites them; review the diff), plus the
// properties every rendering must have: no secret value in any manifest, every secret-bearing
// config line filled from the environment at apply time, steps that only the right roles get.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include "installer/manifest.h"
#include "installer/services.h"

namespace sw::installer {
namespace {

namespace fs = std::filesystem;

const fs::path kGolden = fs::path(STACKWIRE_SOURCE_DIR) / "tests/installer/testdata/golden";

struct HostCase {
  std::string name;
  std::string mgmt_ip;
  std::string tunnel_ip;
  HostRoles roles;
};

const std::vector<HostCase>& lab_hosts() {
  static const std::vector<HostCase> hosts = {
      {"controller", "10.15.0.4", "", {true, false, false}},
      {"network", "10.15.0.7", "10.19.0.7", {false, true, false}},
      {"compute1", "10.15.0.2", "10.19.0.2", {false, false, true}},
  };
  return hosts;
}

ServiceHost service_host(const HostCase& h, OsFamily os, ServiceManager sm) {
  return {h.name, h.mgmt_ip, "10.15.0.4", h.roles, os, sm};
}

NeutronParams neutron_params(const HostCase& h, OsFamily os, ServiceManager sm, DatapathType dp) {
  NeutronParams p;
  p.host = service_host(h, os, sm);
  p.tunnel_ip = h.tunnel_ip;
  p.datapath_type = dp;
  return p;
}

// Every plugin's manifest for one host, in packstack's order (plugins with no steps left out).
std::vector<Manifest> manifests_for(const HostCase& h, OsFamily os, ServiceManager sm, DatapathType dp) {
  const ServiceHost host = service_host(h, os, sm);
  KeystoneParams ks{host};
  ks.services = {neutron_service_user("10.15.0.4")};
  std::vector<Manifest> out;
  auto add = [&](const char* plugin, std::vector<Step> steps) {
    if (!steps.empty()) out.push_back({h.mgmt_ip, plugin, std::move(steps)});
  };
  add("mariadb", plan_mariadb(MariadbParams{host}));
  add("amqp", plan_amqp(AmqpParams{host}));
  add("keystone", plan_keystone(ks));
  add("neutron", plan_neutron(neutron_params(h, os, sm, dp)));
  return out;
}

struct Flavour {
  std::string tag;
  OsFamily os;
  ServiceManager sm;
  DatapathType dp;
};

const std::vector<Flavour>& flavours() {
  static const std::vector<Flavour> f = {
      {"lab-debian", OsFamily::debian, ServiceManager::none, DatapathType::netdev},
      {"debian-systemd", OsFamily::debian, ServiceManager::systemd, DatapathType::system},
      {"rhel-systemd", OsFamily::redhat, ServiceManager::systemd, DatapathType::system},
  };
  return f;
}

// A manifest's own part: its header and steps, without the shared prelude (tested on its own).
std::string plan_text(const Manifest& m) {
  const std::string text = m.render();
  const auto steps = text.find("\n# --- step 1:");
  return "# " + m.file_name() + " (prelude left out)" + (steps == std::string::npos ? text : text.substr(steps));
}

std::string read_file(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST(ServicesPlans, RenderedManifestsMatchGoldenFiles) {
  const bool update = std::getenv("SW_UPDATE_GOLDEN") != nullptr;
  int compared = 0;
  for (const auto& f : flavours()) {
    for (const auto& h : lab_hosts()) {
      for (const auto& m : manifests_for(h, f.os, f.sm, f.dp)) {
        const fs::path golden = kGolden / (f.tag + "_" + h.name + "_" + m.plugin + ".sh");
        const std::string text = plan_text(m);
        if (update) {
          fs::create_directories(kGolden);
          std::ofstream(golden) << text;
          continue;
        }
        ASSERT_TRUE(fs::exists(golden)) << golden << " is missing: run with SW_UPDATE_GOLDEN=1";
        EXPECT_EQ(read_file(golden), text) << "manifest differs from " << golden
                                           << " (SW_UPDATE_GOLDEN=1 rewrites it; review the diff)";
        ++compared;
      }
    }
  }
  if (!update) {
    EXPECT_EQ(compared, 3 * (4 + 1 + 1));
  }
}

// The lab answer file's secrets (and any CONFIG_*_PW / *_TOKEN value) never reach a manifest.
TEST(ServicesPlans, NoSecretValueInAnyManifest) {
  const std::string answers = read_file(fs::path(STACKWIRE_SOURCE_DIR) / "lab/answers.txt");
  std::vector<std::string> secrets = {"5a1b0d7e2c9f4a36", "c4a8e1f6b3d9027e", "3b8e1d6f9a2c4705",
                                      "d2f6a9c3e8b17045", "6e1a4c9f2d7b3508", "0e6c2f9a4b7d1853"};
  const std::regex line(R"(^(CONFIG_[A-Z0-9_]*(PW|PASSWORD|TOKEN|SECRET))=(.+)$)");
  std::istringstream in(answers);
  for (std::string l; std::getline(in, l);) {
    std::smatch m;
    if (std::regex_match(l, m, line)) secrets.push_back(m[3]);
  }
  for (const auto& f : flavours()) {
    for (const auto& h : lab_hosts()) {
      for (const auto& m : manifests_for(h, f.os, f.sm, f.dp)) {
        const std::string text = m.render();
        for (const auto& s : secrets)
          EXPECT_EQ(text.find(s), std::string::npos) << f.tag << " " << m.file_name() << " holds a secret";
      }
    }
  }
}

// Every config line that carries a secret is filled from a shell variable at apply time.
TEST(ServicesPlans, SecretBearingLinesExpandAtApplyTime) {
  const std::regex key(R"((^|[\s'"])(password|connection|transport_url|metadata_proxy_shared_secret|export OS_PASSWORD)\s*=)");
  int seen = 0;
  for (const auto& f : flavours()) {
    for (const auto& h : lab_hosts()) {
      for (const auto& m : manifests_for(h, f.os, f.sm, f.dp)) {
        std::istringstream in(m.render());
        for (std::string l; std::getline(in, l);) {
          if (l.find("sw_conf") != std::string::npos || !std::regex_search(l, key)) continue;
          if (l.find("bootstrap") != std::string::npos) continue;
          ++seen;
          EXPECT_NE(l.find("${sw_"), std::string::npos) << m.file_name() << ": " << l;
          EXPECT_EQ(l.find('\''), std::string::npos) << m.file_name() << " quotes a secret line literally: " << l;
        }
      }
    }
  }
  EXPECT_GE(seen, 3 * (1 + 3 + 1 + 1 + 1));
}

std::string titles(const std::vector<Step>& steps) {
  std::string out;
  for (const auto& s : steps) out += s.title + "\n";
  return out;
}

TEST(ServicesPlans, RolesDecideWhatAHostGets) {
  const auto& hosts = lab_hosts();
  for (const auto& h : {hosts[1], hosts[2]}) {
    const ServiceHost sh = service_host(h, OsFamily::debian, ServiceManager::none);
    EXPECT_TRUE(plan_mariadb(MariadbParams{sh}).empty());
    EXPECT_TRUE(plan_amqp(AmqpParams{sh}).empty());
    EXPECT_TRUE(plan_keystone(KeystoneParams{sh}).empty());
  }
  const std::string ctl =
      titles(plan_neutron(neutron_params(hosts[0], OsFamily::debian, ServiceManager::none, DatapathType::netdev)));
  const std::string net =
      titles(plan_neutron(neutron_params(hosts[1], OsFamily::debian, ServiceManager::none, DatapathType::netdev)));
  const std::string cmp =
      titles(plan_neutron(neutron_params(hosts[2], OsFamily::debian, ServiceManager::none, DatapathType::netdev)));
  EXPECT_NE(ctl.find("neutron-server is running"), std::string::npos) << ctl;
  EXPECT_EQ(ctl.find("agent"), std::string::npos) << ctl;
  for (const char* a : {"neutron-openvswitch-agent is running", "neutron-l3-agent is running",
                        "neutron-dhcp-agent is running", "neutron-metadata-agent is running", "alive"})
    EXPECT_NE(net.find(a), std::string::npos) << a << "\n" << net;
  EXPECT_EQ(net.find("neutron-server is running"), std::string::npos) << net;
  EXPECT_NE(cmp.find("neutron-openvswitch-agent is running"), std::string::npos) << cmp;
  EXPECT_EQ(cmp.find("l3"), std::string::npos) << cmp;

  // An all-in-one host gets the server and every agent, with one neutron.conf for all of them.
  HostCase aio{"allinone", "10.15.0.4", "10.19.0.4", {true, true, false}};
  const auto steps = plan_neutron(neutron_params(aio, OsFamily::debian, ServiceManager::none, DatapathType::netdev));
  int confs = 0;
  for (const auto& s : steps) confs += s.title == "neutron.conf is as rendered";
  EXPECT_EQ(confs, 1);
  EXPECT_NE(titles(steps).find("neutron-server is running"), std::string::npos);
  EXPECT_NE(titles(steps).find("neutron-l3-agent is running"), std::string::npos);
}

TEST(ServicesPlans, TenantNetworkTypeShapesMl2AndTheAgent) {
  HostCase ctl = lab_hosts()[0];
  HostCase cmp = lab_hosts()[2];
  NeutronParams p = neutron_params(ctl, OsFamily::debian, ServiceManager::none, DatapathType::netdev);
  p.tenant_network_type = TenantNetworkType::vxlan;
  p.vni_ranges = "10:100";
  std::string all;
  for (const auto& s : plan_neutron(p)) all += s.apply;
  EXPECT_NE(all.find("'type_drivers = flat,vxlan'"), std::string::npos);
  EXPECT_NE(all.find("'vni_ranges = 10:100'"), std::string::npos);
  EXPECT_EQ(all.find("ml2_type_gre"), std::string::npos);

  NeutronParams q = neutron_params(cmp, OsFamily::debian, ServiceManager::none, DatapathType::system);
  q.tenant_network_type = TenantNetworkType::vlan;
  q.bridge_mappings = {{"physnet1", "br-eth1"}};
  all.clear();
  for (const auto& s : plan_neutron(q)) all += s.apply;
  EXPECT_NE(all.find("'bridge_mappings = physnet1:br-eth1'"), std::string::npos);
  EXPECT_EQ(all.find("tunnel_types"), std::string::npos);
  EXPECT_EQ(all.find("local_ip"), std::string::npos);
  EXPECT_NE(all.find("'datapath_type = system'"), std::string::npos);
}

TEST(ServicesPlans, ValidateNamesWhatIsMissing) {
  NeutronParams p = neutron_params(lab_hosts()[1], OsFamily::debian, ServiceManager::none, DatapathType::netdev);
  EXPECT_TRUE(validate_neutron_params(p).has_value());
  p.tunnel_ip.clear();
  auto r = validate_neutron_params(p);
  ASSERT_FALSE(r.has_value());
  EXPECT_NE(r.error().message().find("network has no tunnel address for gre"), std::string::npos)
      << r.error().message();
  p.tenant_network_type = TenantNetworkType::vlan;
  EXPECT_TRUE(validate_neutron_params(p).has_value());
}

}  // namespace
}  // namespace sw::installer
