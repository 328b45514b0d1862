// gen-answer-file's engine and overrides: generate → parse → same values; every key documented;
// packstack's option spellings; and (the one test here that touches the disk) the 0600 file.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "installer/answer_file_gen.h"
#include "installer/answer_file_io.h"
#include "installer/answer_keys.h"

namespace sw::installer {
namespace {

std::string findings(const AnswerFile& f) {
  std::string out;
  for (const auto& d : f.diagnostics()) out += d.str() + "\n";
  return out;
}

GenerateOptions options() {
  GenerateOptions o;
  o.name = "gen.txt";
  o.local_address = "192.0.2.2";
  o.ssh_key = "/root/.ssh/id_ed25519.pub";
  int n = 0;
  o.random_password = [n]() mutable {
    char buf[17];
    std::snprintf(buf, sizeof buf, "%016x", 0xabc00 + ++n);
    return std::string(buf);
  };
  return o;
}

TEST(AnswerGenTest, GeneratesEveryKeyWithItsUsageAndRoundTrips) {
  const auto f = generate_answer_file(options());
  ASSERT_TRUE(f) << f.error().message();
  EXPECT_FALSE(f->has_errors()) << findings(*f);
  const std::string text = f->render();
  EXPECT_TRUE(text.starts_with("[general]\n\n# ")) << text.substr(0, 200);

  const auto again = read_answer_file("gen.txt", text);
  EXPECT_FALSE(again.has_errors()) << findings(again);
  EXPECT_EQ(again.count(Severity::warning), 0u) << findings(again);
  for (const auto& spec : answer_keys()) {
    if (!spec.generated) {
      EXPECT_FALSE(again.has(spec.name)) << spec.name << " is not written";
      continue;
    }
    ASSERT_TRUE(again.has(spec.name)) << spec.name;
    EXPECT_EQ(again.entry(spec.name)->value, f->entry(spec.name)->value) << spec.name;
    // The key's line is preceded by its wrapped usage comment.
    const std::string comment = wrap_comment(usage_text(spec));
    EXPECT_NE(text.find("\n" + comment + std::string(spec.name) + "="), std::string::npos) << spec.name;
  }
}

TEST(AnswerGenTest, DefaultLayoutIsThisHostEverywhere) {
  const auto f = generate_answer_file(options());
  ASSERT_TRUE(f);
  for (auto key : {"CONFIG_CONTROLLER_HOST", "CONFIG_NETWORK_HOSTS", "CONFIG_COMPUTE_HOSTS", "CONFIG_MARIADB_HOST", "CONFIG_AMQP_HOST"})
    EXPECT_EQ(f->entry(key)->value, "192.0.2.2") << key;
  EXPECT_EQ(f->entry("CONFIG_SSH_KEY")->value, "/root/.ssh/id_ed25519.pub");
  EXPECT_EQ(f->entry("CONFIG_PROVISION_DEMO")->value, "n");
  EXPECT_EQ(f->entry("CONFIG_NEUTRON_OVS_DATAPATH_TYPE")->value, "system");
  EXPECT_EQ(f->entry("CONFIG_NOVA_INSTALL")->value, "n");
  EXPECT_EQ(f->entry("CONFIG_NEUTRON_INSTALL")->value, "y");
}

TEST(AnswerGenTest, PasswordsAreRandomSixteenHexCharacters) {
  const auto f = generate_answer_file(options());
  ASSERT_TRUE(f);
  std::set<std::string> seen;
  for (const auto& spec : answer_keys()) {
    if (!spec.generated || !spec.password) continue;
    const auto& v = f->entry(spec.name)->value;
    EXPECT_EQ(v.size(), 16u) << spec.name;
    EXPECT_TRUE(seen.insert(v).second) << spec.name << " reuses a password";
  }
  EXPECT_EQ(seen.size(), 8u);  // mariadb, amqp, keystone db/admin/demo, neutron ks/db/metadata
  EXPECT_EQ(f->entry("CONFIG_DEFAULT_PASSWORD")->value, "");
  // The real source: 16 lower-case hex characters, different each time.
  const auto a = random_password(), b = random_password();
  EXPECT_EQ(a.size(), 16u);
  EXPECT_EQ(a.find_first_not_of("0123456789abcdef"), std::string::npos);
  EXPECT_NE(a, b);
}

TEST(AnswerGenTest, DefaultPasswordFillsEveryPassword) {
  const auto o = make_override("--default-password", "Hangout2014");
  ASSERT_TRUE(o);
  const auto f = generate_answer_file(options(), {*o});
  ASSERT_TRUE(f) << f.error().message();
  EXPECT_EQ(f->entry("CONFIG_DEFAULT_PASSWORD")->value, "Hangout2014");
  EXPECT_EQ(f->entry("CONFIG_NEUTRON_KS_PW")->value, "Hangout2014");
  EXPECT_EQ(f->entry("CONFIG_MARIADB_PW")->value, "Hangout2014");
}

TEST(AnswerGenTest, AllInOne) {
  auto o = options();
  o.allinone = true;
  o.install_hosts = {"10.0.0.1"};  // ignored: --allinone wins (the CLI refuses both)
  const auto f = generate_answer_file(o);
  ASSERT_TRUE(f);
  EXPECT_EQ(f->entry("CONFIG_CONTROLLER_HOST")->value, "192.0.2.2");
  EXPECT_EQ(f->entry("CONFIG_COMPUTE_HOSTS")->value, "192.0.2.2");
  EXPECT_EQ(f->entry("CONFIG_PROVISION_DEMO")->value, "y");
  EXPECT_EQ(f->entry("CONFIG_PROVISION_OVS_BRIDGE")->value, "y");
}

TEST(AnswerGenTest, InstallHostsFirstIsControllerRestAreCompute) {
  auto o = options();
  o.install_hosts = {"10.15.0.4", "10.15.0.2", "10.15.0.8"};
  const auto f = generate_answer_file(o);
  ASSERT_TRUE(f);
  EXPECT_EQ(f->entry("CONFIG_CONTROLLER_HOST")->value, "10.15.0.4");
  EXPECT_EQ(f->entry("CONFIG_NETWORK_HOSTS")->value, "10.15.0.4");
  EXPECT_EQ(f->entry("CONFIG_MARIADB_HOST")->value, "10.15.0.4");
  EXPECT_EQ(f->entry("CONFIG_COMPUTE_HOSTS")->value, "10.15.0.2,10.15.0.8");
  o.install_hosts = {"10.15.0.4"};
  const auto single = generate_answer_file(o);
  ASSERT_TRUE(single);
  EXPECT_EQ(single->entry("CONFIG_COMPUTE_HOSTS")->value, "10.15.0.4");
}

TEST(AnswerGenTest, OverridesInBothSpellings) {
  Overrides ov;
  for (auto [opt, value] : std::initializer_list<std::pair<const char*, const char*>>{
           {"--os-neutron-ovs-tunnel-if", "eth2"},
           {"--neutron-ovs-bridge-ifaces", "br-ex:eth3"},
           {"--os-neutron-ovs-datapath-type", "netdev"},
           {"--os-neutron-ml2-type-drivers", "vxlan"},
           {"--os-neutron-ml2-tenant-network-types", "vxlan"},
           {"--os-keystone-admin-pw", "a;b$(c)`d`"}}) {
    auto o = make_override(opt, value);
    ASSERT_TRUE(o) << o.error().message();
    ov.push_back(*o);
  }
  const auto f = generate_answer_file(options(), ov);
  ASSERT_TRUE(f) << f.error().message();
  EXPECT_EQ(f->entry("CONFIG_NEUTRON_OVS_TUNNEL_IF")->value, "eth2");
  EXPECT_EQ(f->entry("CONFIG_NEUTRON_OVS_TUNNEL_IF")->origin.source, "--os-neutron-ovs-tunnel-if");
  EXPECT_EQ(f->entry("CONFIG_NEUTRON_OVS_BRIDGE_IFACES")->value, "br-ex:eth3");
  EXPECT_EQ(f->entry("CONFIG_NEUTRON_OVS_DATAPATH_TYPE")->value, "netdev");
  EXPECT_EQ(f->entry("CONFIG_KEYSTONE_ADMIN_PW")->value, "a;b$(c)`d`");
  const auto again = read_answer_file("gen.txt", f->render());
  EXPECT_EQ(again.value("CONFIG_KEYSTONE_ADMIN_PW"), "a;b$(c)`d`");
  EXPECT_EQ(again.value("CONFIG_NEUTRON_ML2_TENANT_NETWORK_TYPES"), "vxlan");
}

TEST(AnswerGenTest, UnknownOptionNamesTheNearestKey) {
  const auto o = make_override("--os-neutron-ovs-tunel-if", "eth2");
  ASSERT_FALSE(o);
  EXPECT_EQ(o.error().exit_code(), 2);
  EXPECT_EQ(o.error().message(),
            "unknown option --os-neutron-ovs-tunel-if (nearest key: CONFIG_NEUTRON_OVS_TUNNEL_IF, --os-neutron-ovs-tunnel-if)");
  const auto far = make_override("--os-frobnicate", "1");
  ASSERT_FALSE(far);
  EXPECT_NE(far.error().message().find("not an answer-file key"), std::string::npos);
}

TEST(AnswerGenTest, BadOverridesAreErrorsAtTheOption) {
  const auto bad = generate_answer_file(options(), {*make_override("--os-neutron-ovs-tunnel-if", "eth 2"),
                                                    *make_override("--os-neutron-ml2-tenant-network-types", "gre,vxlan")});
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message().find("--os-neutron-ovs-tunnel-if: CONFIG_NEUTRON_OVS_TUNNEL_IF: 'eth 2' is not an interface name"),
            std::string::npos)
      << bad.error().message();
  EXPECT_NE(bad.error().message().find("--os-neutron-ml2-tenant-network-types: tenant network type vxlan is not in"),
            std::string::npos)
      << bad.error().message();
  const auto twice = generate_answer_file(options(), {*make_override("--os-neutron-ovs-tunnel-if", "eth2"),
                                                      *make_override("--neutron-ovs-tunnel-if", "eth3")});
  ASSERT_FALSE(twice);
  EXPECT_EQ(twice.error().message(), "--neutron-ovs-tunnel-if: CONFIG_NEUTRON_OVS_TUNNEL_IF is already set by --os-neutron-ovs-tunnel-if");
  const auto newline = generate_answer_file(options(), {*make_override("--os-keystone-region", "a\nCONFIG_DEBUG_MODE=y")});
  ASSERT_FALSE(newline);
  EXPECT_NE(newline.error().message().find("line break"), std::string::npos);
}

TEST(AnswerGenTest, OldNameOverridesSetTheNewKey) {
  AnswerFile f = read_answer_file("a.txt",
                                  "[general]\nCONFIG_CONTROLLER_HOST=10.15.0.4\nCONFIG_NETWORK_HOSTS=10.15.0.7\n"
                                  "CONFIG_COMPUTE_HOSTS=10.15.0.2\nCONFIG_DEFAULT_PASSWORD=x1234\n");
  ASSERT_TRUE(apply_overrides(f, {*make_override("--novacompute-hosts", "10.15.0.2,10.15.0.8")}));
  EXPECT_EQ(f.entry("CONFIG_COMPUTE_HOSTS")->value, "10.15.0.2,10.15.0.8");
  EXPECT_FALSE(f.has("CONFIG_NOVA_COMPUTE_HOSTS"));
}

class TempDir {
 public:
  TempDir() {
    char tmpl[] = "/tmp/swt-answers-XXXXXX";
    path_ = ::mkdtemp(tmpl);
  }
  ~TempDir() { std::system(("rm -rf '" + path_ + "'").c_str()); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

mode_t mode_of(const std::string& path) {
  struct stat st{};
  if (::stat(path.c_str(), &st) != 0) return 0;
  return st.st_mode & 07777;
}

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST(AnswerGenTest, WritesMode0600AndRefusesToOverwrite) {
  TempDir dir;
  ASSERT_FALSE(dir.path().empty());
  const std::string path = dir.path() + "/answers.txt";
  const mode_t old_umask = ::umask(0);  // even with a permissive umask the file is created 0600
  ASSERT_TRUE(write_answer_file(path, "[general]\nA=1\n", false));
  EXPECT_EQ(mode_of(path), 0600u);
  const auto again = write_answer_file(path, "[general]\nA=2\n", false);
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().exit_code(), 2);
  EXPECT_NE(again.error().message().find("exists; use --force"), std::string::npos);
  EXPECT_EQ(slurp(path), "[general]\nA=1\n");
  ASSERT_TRUE(write_answer_file(path, "[general]\nA=3\n", true));
  EXPECT_EQ(mode_of(path), 0600u);
  EXPECT_EQ(slurp(path), "[general]\nA=3\n");
  ::umask(old_umask);
  // load_answer_file reads it back; a missing file is a not_found error naming it.
  const auto loaded = load_answer_file(path);
  ASSERT_TRUE(loaded);
  EXPECT_EQ(loaded->entry("A")->value, "3");
  const auto missing = load_answer_file(dir.path() + "/nope.txt");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().exit_code(), 2);
  EXPECT_NE(missing.error().message().find("nope.txt: No such file or directory"), std::string::npos);
}

TEST(AnswerGenTest, LocalFileCheckOfTheSshKey) {
  TempDir dir;
  const std::string pub = dir.path() + "/id.pub", priv = dir.path() + "/id";
  std::ofstream(pub) << "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIB root@x\n";
  std::ofstream(priv) << "-----BEGIN OPENSSH PRIVATE KEY-----\nxx\n-----END OPENSSH PRIVATE KEY-----\n";
  const std::string base = "[general]\nCONFIG_CONTROLLER_HOST=10.15.0.4\nCONFIG_NETWORK_HOSTS=10.15.0.4\n"
                           "CONFIG_COMPUTE_HOSTS=10.15.0.4\nCONFIG_DEFAULT_PASSWORD=x1234\nCONFIG_SSH_KEY=";
  EXPECT_TRUE(check_local_files(read_answer_file("a.txt", base + pub + "\n")).empty());
  const auto p = check_local_files(read_answer_file("a.txt", base + priv + "\n"));
  ASSERT_EQ(p.size(), 1u);
  EXPECT_EQ(p[0].str(), "a.txt:6: CONFIG_SSH_KEY=" + priv + ": is a private key, not a public key (give the .pub file)");
  const auto m = check_local_files(read_answer_file("a.txt", base + dir.path() + "/missing.pub\n"));
  ASSERT_EQ(m.size(), 1u);
  EXPECT_NE(m[0].message.find("No such file or directory"), std::string::npos);
}

TEST(AnswerGenTest, DefaultRouteInterfaceFromProcNetRoute) {
  const std::string table =
      "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\n"
      "eth1\t00000000\t0102000A\t0003\t0\t0\t200\t00000000\t0\t0\t0\n"
      "eth0\t00000000\t010200C0\t0003\t0\t0\t100\t00000000\t0\t0\t0\n"
      "eth0\t000200C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0\n";
  EXPECT_EQ(default_route_interface(table), "eth0");
  EXPECT_EQ(default_route_interface("Iface\tDestination\n"), std::nullopt);
  const auto here = local_address();
  EXPECT_TRUE(here == "127.0.0.1" || here.find('.') != std::string::npos) << here;
}

}  // namespace
}  // namespace sw::installer
