// The built binary on hostile answer files and topologies: `validate-answer-file F` and
// `deploy --answer-file F` exit 2 with F:line on stderr, and deploy contacts no host. The hosts of
// every file are 127.0.0.x inside a throwaway network namespace whose every outgoing packet is
// counted by an nftables rule: the counter must stay at zero (a control run with a valid file
// shows that the same deploy, once it gets that far, does send packets).
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <memory>
#include <fstream>
#include <string>
#include <vector>

#include "tests/support/system.h"

namespace {

using sw::test::shq;

constexpr const char* kHosts =
    "[general]\n"
    "CONFIG_CONTROLLER_HOST=127.0.0.2\n"
    "CONFIG_NETWORK_HOSTS=127.0.0.3\n"
    "CONFIG_COMPUTE_HOSTS=127.0.0.4\n"
    "CONFIG_NEUTRON_OVS_TUNNEL_IF=eth2\n"
    "CONFIG_DEFAULT_PASSWORD=0123456789abcdef\n";

class HostileDeploy : public ::testing::Test {
 protected:
  void SetUp() override {
    SW_REQUIRE_ROOT();
    char tmpl[] = "/tmp/swt-hostile-deploy-XXXXXX";
    dir_ = ::mkdtemp(tmpl);
    ns_ = std::make_unique<sw::test::TempNetns>("hostile");
    ns_->exec_ok("ip link set lo up && nft add table inet swcount && "
                 "nft add chain inet swcount out '{ type filter hook output priority 0; }' && "
                 "nft add rule inet swcount out counter");
  }
  void TearDown() override {
    ns_.reset();
    if (!dir_.empty()) std::system(("rm -rf " + shq(dir_)).c_str());
  }
  std::string write(const std::string& name, const std::string& text) const {
    const std::string p = dir_ + "/" + name;
    std::ofstream(p, std::ios::binary) << text;
    return p;
  }
  sw::test::CmdResult stackwire(const std::string& args) const {
    return ns_->exec("HOME=" + shq(dir_) + " " + shq(STACKWIRE_BINARY) + " " + args);
  }
  long packets() const {
    const auto out = ns_->exec_ok("nft list chain inet swcount out");
    const auto p = out.find("counter packets ");
    return p == std::string::npos ? -1 : std::stol(out.substr(p + 16));
  }
  std::string deploy_args(const std::string& file) const {
    return "deploy --answer-file " + shq(file) + " --timeout 5 --log-dir " + shq(dir_ + "/logs") +
           " --known-hosts " + shq(dir_ + "/known_hosts");
  }
  std::string dir_;
  std::unique_ptr<sw::test::TempNetns> ns_;
};

TEST_F(HostileDeploy, BadFilesExit2WithFileLineAndContactNoHost) {
  struct Case {
    std::string name, text, where;  // where: "F:line:" expected on stderr ("F:" for the whole file)
  };
  const std::string base = kHosts;
  std::string huge = base;
  huge.reserve(100u << 20);
  while (huge.size() < (100u << 20)) huge += "# padding padding padding padding padding padding padding\n";
  std::string crlf;
  for (char c : base + "CONFIG_NEUTRON_OVS_TUNNEL_IF=eth 2\n") crlf += c == '\n' ? std::string("\r\n") : std::string(1, c);
  const std::vector<Case> cases = {
      {"inject-host.txt", base + "CONFIG_NETWORK_HOSTS=127.0.0.3;touch " + dir_ + "/CANARY\n", ":7:"},
      {"inject-subst.txt", base + "CONFIG_NEUTRON_OVS_TUNNEL_IF=$(touch " + dir_ + "/CANARY)\n", ":7:"},
      {"inject-backquote.txt", base + "CONFIG_NEUTRON_L3_EXT_BRIDGE=`touch " + dir_ + "/CANARY`\n", ":7:"},
      {"ipv6.txt", base + "CONFIG_CONTROLLER_HOST=::1\n", ":7:"},
      {"dup.txt", base + "CONFIG_COMPUTE_HOSTS=127.0.0.5\n", ":7:"},
      {"binary.txt", std::string("\x7f" "ELF\x02\x01\x01\0\0\0", 10) + base, ":1:"},
      {"truncated.txt", base + "CONFIG_NEUTRON_OVS_TUN", ":7:"},
      {"crlf.txt", crlf, ":7:"},
      {"bom.txt", "\xef\xbb\xbf" + base + "CONFIG_NEUTRON_ML2_TUNNEL_ID_RANGES=3000:1000\n", ":7:"},
      {"huge.txt", huge, ": "},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    const std::string f = write(c.name, c.text);
    auto v = stackwire("validate-answer-file " + shq(f));
    EXPECT_EQ(v.status, 2) << v.out << v.err;
    EXPECT_NE(v.err.find(f + c.where), std::string::npos) << v.err;
    auto d = stackwire(deploy_args(f));
    EXPECT_EQ(d.status, 2) << d.out << d.err;
    EXPECT_NE(d.err.find(f + c.where), std::string::npos) << d.err;
    EXPECT_EQ(d.out.find("Setting up ssh keys"), std::string::npos) << d.out;
    EXPECT_NE(::access((dir_ + "/CANARY").c_str(), F_OK), 0);
  }
  // A bad topology is refused before any host too.
  const std::string topo = write("overlap.json", R"({"networks": [
  {"name": "a", "subnets": [{"name": "a1", "cidr": "10.0.0.0/16"}]},
  {"name": "b", "subnets": [{"name": "b1", "cidr": "10.0.3.0/24"}]}]}
)");
  auto d = stackwire(deploy_args(write("ok.txt", base)) + " --topology " + shq(topo));
  EXPECT_EQ(d.status, 2) << d.out << d.err;
  EXPECT_NE(d.err.find(topo + ":3: subnet 'b1' (10.0.3.0/24) overlaps subnet 'a1' (10.0.0.0/16)"), std::string::npos)
      << d.err;
  EXPECT_EQ(packets(), 0) << "a hostile file made deploy send packets";

  // Control: the same deploy with a valid file gets as far as ssh, and the counter sees it.
  d = stackwire(deploy_args(write("ok.txt", base)));
  EXPECT_NE(d.status, 0);
  EXPECT_NE(d.out.find("Setting up ssh keys"), std::string::npos) << d.out << d.err;
  EXPECT_GT(packets(), 0);
}

}  // namespace
