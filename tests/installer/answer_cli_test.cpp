// The command line: packstack's top-level habits (argv rewrite), the --os-* option glue on a CLI11
// app, and the built binary's exit codes (gen-answer-file writes 0600; validate-answer-file of a
// bad file exits 2 with file:line on stderr).
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <CLI/CLI.hpp>
#include <cstdlib>
#include <algorithm>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>

#include "cli/answer_options.h"
#include "cli/packstack_argv.h"
#include "tests/support/system.h"

namespace sw::cli {
namespace {

using Args = std::vector<std::string>;

TEST(PackstackArgvTest, GenAnswerFileAtTheTopLevel) {
  EXPECT_EQ(rewrite_packstack_args({"stackwire", "--gen-answer-file=a.txt"}), (Args{"stackwire", "gen-answer-file", "a.txt"}));
  EXPECT_EQ(rewrite_packstack_args({"stackwire", "--gen-answer-file", "a.txt", "--allinone"}),
            (Args{"stackwire", "gen-answer-file", "a.txt", "--allinone"}));
  EXPECT_EQ(rewrite_packstack_args({"stackwire", "--gen-answer-file=a.txt", "--os-neutron-ovs-tunnel-if=eth2"}),
            (Args{"stackwire", "gen-answer-file", "a.txt", "--os-neutron-ovs-tunnel-if=eth2"}));
}

TEST(PackstackArgvTest, AnswerFileAtTheTopLevelIsDeploy) {
  EXPECT_EQ(rewrite_packstack_args({"stackwire", "--answer-file=a.txt", "--dry-run"}),
            (Args{"stackwire", "deploy", "--answer-file", "a.txt", "--dry-run"}));
  EXPECT_EQ(rewrite_packstack_args({"stackwire", "--answer-file", "a.txt"}), (Args{"stackwire", "deploy", "--answer-file", "a.txt"}));
}

TEST(PackstackArgvTest, AnythingElseIsLeftAlone) {
  for (const Args& a : {Args{"stackwire"}, Args{"stackwire", "deploy", "--answer-file=a.txt"},
                        Args{"stackwire", "-v", "--answer-file=a.txt"}, Args{"stackwire", "--answer-filex=a"},
                        Args{"stackwire", "gen-answer-file", "--gen-answer-file=x"}})
    EXPECT_EQ(rewrite_packstack_args(a), a);
  EXPECT_EQ(rewrite_packstack_args({"stackwire", "--gen-answer-file"}), (Args{"stackwire", "gen-answer-file"}));
}

TEST(PackstackArgvTest, ArgvForCli11) {
  std::vector<std::string> storage = {"stackwire", "--answer-file=x.txt"};
  std::vector<char*> argv;
  for (auto& s : storage) argv.push_back(s.data());
  PackstackArgv a(static_cast<int>(argv.size()), argv.data());
  ASSERT_EQ(a.argc(), 4);
  EXPECT_STREQ(a.argv()[1], "deploy");
  EXPECT_STREQ(a.argv()[3], "x.txt");
  EXPECT_EQ(a.argv()[4], nullptr);
}

// Parses args (without the program name) with the override options on a subcommand.
Result<installer::Overrides> parse_overrides(std::vector<std::string> args) {
  CLI::App app{"t"};
  auto* sub = app.add_subcommand("gen", "");
  std::string file;
  sub->add_option("file", file);
  auto options = AnswerOverrideOptions::add_to(*sub);
  Result<installer::Overrides> out = installer::Overrides{};
  sub->callback([&] { out = options->take(); });
  args.insert(args.begin(), "gen");
  std::reverse(args.begin(), args.end());
  app.parse(args);
  return out;
}

TEST(AnswerOptionsTest, BothSpellingsAndPackstacksOwn) {
  const auto o = parse_overrides({"--os-neutron-ovs-tunnel-if=eth2", "f.txt", "--neutron-ovs-datapath-type=netdev",
                                  "--os-neutron-ovs-bridge-interfaces=br-ex:eth3", "--os-neutron-ml2-vlan-ranges=",
                                  "--os-keystone-admin-pw=a=b;c"});
  ASSERT_TRUE(o) << o.error().message();
  ASSERT_EQ(o->size(), 5u);
  EXPECT_EQ((*o)[0].option, "--os-neutron-ovs-tunnel-if");
  std::map<std::string, std::string> got;
  for (const auto& x : *o) got[x.key] = x.value;
  EXPECT_EQ(got["CONFIG_KEYSTONE_ADMIN_PW"], "a=b;c");
  EXPECT_EQ(got["CONFIG_NEUTRON_OVS_TUNNEL_IF"], "eth2");
  EXPECT_EQ(got["CONFIG_NEUTRON_OVS_DATAPATH_TYPE"], "netdev");
  EXPECT_EQ(got["CONFIG_NEUTRON_OVS_BRIDGE_IFACES"], "br-ex:eth3");
  EXPECT_EQ(got.count("CONFIG_NEUTRON_ML2_VLAN_RANGES"), 1u);
  EXPECT_EQ(got["CONFIG_NEUTRON_ML2_VLAN_RANGES"], "");
}

TEST(AnswerOptionsTest, UsageErrors) {
  const auto typo = parse_overrides({"f.txt", "--os-neutron-ovs-tunel-if=eth2"});
  ASSERT_FALSE(typo);
  EXPECT_EQ(typo.error().message(),
            "unknown option --os-neutron-ovs-tunel-if (nearest key: CONFIG_NEUTRON_OVS_TUNNEL_IF, --os-neutron-ovs-tunnel-if)");
  const auto spaced = parse_overrides({"f.txt", "--os-neutron-ovs-tunnel-if", "eth2"});
  ASSERT_FALSE(spaced);
  EXPECT_EQ(spaced.error().message(),
            "--os-neutron-ovs-tunnel-if: give the value after '=' (--os-neutron-ovs-tunnel-if=VALUE; "
            "--os-neutron-ovs-tunnel-if= for an empty value)");
  const auto twice = parse_overrides({"f.txt", "--os-neutron-ovs-tunnel-if=eth2", "--os-neutron-ovs-tunnel-if=eth3"});
  ASSERT_TRUE(twice);  // the key given twice is refused where overrides are applied
  auto file = installer::read_answer_file("a.txt", "[general]\n");
  const auto applied = installer::apply_overrides(file, *twice);
  ASSERT_FALSE(applied);
  EXPECT_EQ(applied.error().message(),
            "--os-neutron-ovs-tunnel-if: CONFIG_NEUTRON_OVS_TUNNEL_IF is already set by --os-neutron-ovs-tunnel-if");
  const auto single_dash = parse_overrides({"f.txt", "-x"});
  ASSERT_FALSE(single_dash);
  EXPECT_EQ(single_dash.error().message(), "unexpected argument '-x'");
  const auto stray = parse_overrides({"f.txt", "g.txt"});
  ASSERT_FALSE(stray);
  EXPECT_EQ(stray.error().message(), "unexpected argument 'g.txt'");
}

// The built binary.
class AnswerCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/swt-answers-cli-XXXXXX";
    dir_ = ::mkdtemp(tmpl);
  }
  void TearDown() override { std::system(("rm -rf " + sw::test::shq(dir_)).c_str()); }
  std::string path(const std::string& name) const { return dir_ + "/" + name; }
  static test::CmdResult run(const std::string& args) {
    return test::sh(test::shq(STACKWIRE_BINARY) + " " + args);
  }
  std::string dir_;
};

TEST_F(AnswerCliTest, GenWritesA0600FileThatValidates) {
  const auto file = path("answers.txt");
  auto r = run("gen-answer-file " + test::shq(file) +
               " --install-hosts=10.15.0.4,10.15.0.2,10.15.0.8 --os-neutron-ovs-tunnel-if=eth2"
               " --neutron-ovs-bridge-ifaces=br-ex:eth3 --os-neutron-ovs-datapath-type=netdev");
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("A new answer file was created in: " + file), std::string::npos) << r.out;
  struct stat st{};
  ASSERT_EQ(::stat(file.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0600u);
  std::ifstream in(file);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_NE(text.find("\nCONFIG_NEUTRON_OVS_TUNNEL_IF=eth2\n"), std::string::npos);
  EXPECT_NE(text.find("\nCONFIG_COMPUTE_HOSTS=10.15.0.2,10.15.0.8\n"), std::string::npos);

  r = run("validate-answer-file " + test::shq(file));
  EXPECT_EQ(r.status, 0) << r.out << r.err;
  EXPECT_NE(r.out.find(file + ": valid"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("10.15.0.4  controller network mariadb amqp keystone client neutron-server"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("10.15.0.8  compute neutron-ovs-agent"), std::string::npos) << r.out;

  // A second gen to the same path is refused (exit 2) and leaves the file alone; --force replaces it.
  r = run("gen-answer-file " + test::shq(file) + " --allinone");
  EXPECT_EQ(r.status, 2) << r.err;
  EXPECT_NE(r.err.find("exists; use --force"), std::string::npos) << r.err;
  r = run("gen-answer-file " + test::shq(file) + " --allinone --force");
  EXPECT_EQ(r.status, 0) << r.err;
  ASSERT_EQ(::stat(file.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0600u);
}

TEST_F(AnswerCliTest, TopLevelGenAnswerFile) {
  const auto file = path("top.txt");
  const auto r = run("--gen-answer-file=" + test::shq(file) + " --allinone");
  ASSERT_EQ(r.status, 0) << r.err;
  const auto v = run("validate-answer-file --json " + test::shq(file));
  EXPECT_EQ(v.status, 0) << v.out << v.err;
  const auto j = nlohmann::json::parse(v.out);
  EXPECT_EQ(j["valid"], true);
  EXPECT_EQ(j["hosts"].size(), 1u);
  EXPECT_EQ(j["hosts"][0]["roles"][0], "controller");
}

TEST_F(AnswerCliTest, ValidateBadFileExits2WithFileLine) {
  const auto file = path("bad.txt");
  std::ofstream(file) << "[general]\nCONFIG_CONTROLLER_HOST=10.15.0.4\nCONFIG_NETWORK_HOSTS=10.15.0.7\n"
                         "CONFIG_COMPUTE_HOSTS=10.15.0.2\nCONFIG_DEFAULT_PASSWORD=hunter22\n"
                         "CONFIG_NEUTRON_OVS_TUNNEL_IF=eth 2\nCONFIG_NEUTRON_OVS_TUNEL_IF=eth2\n";
  const auto r = run("validate-answer-file " + test::shq(file));
  EXPECT_EQ(r.status, 2) << r.out << r.err;
  EXPECT_NE(r.err.find(file + ":6: error: CONFIG_NEUTRON_OVS_TUNNEL_IF: 'eth 2' is not an interface name"), std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find(file + ":7: warning: unknown key CONFIG_NEUTRON_OVS_TUNEL_IF (did you mean CONFIG_NEUTRON_OVS_TUNNEL_IF?)"),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.out.find("invalid (1 errors, 1 warnings)"), std::string::npos) << r.out;
  EXPECT_EQ(r.err.find("hunter22"), std::string::npos);

  const auto j = run("validate-answer-file --json " + test::shq(file));
  EXPECT_EQ(j.status, 2);
  const auto doc = nlohmann::json::parse(j.out);
  EXPECT_EQ(doc["valid"], false);
  EXPECT_EQ(doc["errors"], 1);
  EXPECT_EQ(doc["diagnostics"][0]["line"], 6);
  EXPECT_EQ(doc["diagnostics"][0]["key"], "CONFIG_NEUTRON_OVS_TUNNEL_IF");
}

TEST_F(AnswerCliTest, UsageErrorsExit2) {
  auto r = run("validate-answer-file " + test::shq(path("missing.txt")));
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("missing.txt: No such file or directory"), std::string::npos) << r.err;
  r = run("gen-answer-file " + test::shq(path("x.txt")) + " --os-neutron-ovs-tunel-if=eth2");
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("unknown option --os-neutron-ovs-tunel-if (nearest key: CONFIG_NEUTRON_OVS_TUNNEL_IF"), std::string::npos)
      << r.err;
  r = run("gen-answer-file " + test::shq(path("y.txt")) + " --allinone --install-hosts=10.0.0.1");
  EXPECT_EQ(r.status, 2) << r.err;
  r = run("gen-answer-file " + test::shq(path("z.txt")) + " --install-hosts='10.0.0.1;reboot'");
  EXPECT_EQ(r.status, 2) << r.err;
  EXPECT_NE(r.err.find("--install-hosts: '10.0.0.1;reboot' is not a host"), std::string::npos) << r.err;
  struct stat st{};
  EXPECT_NE(::stat(path("x.txt").c_str(), &st), 0) << "nothing written on a usage error";
}

}  // namespace
}  // namespace sw::cli
