// The `stackwire netns …` contract through the built binary: exit codes (0 all answered, 1 a probe
// failed, 2 bad input), one stderr line naming the bad thing, and --json documents.
#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "tests/netprobe/two_netns.h"

namespace sw::netprobe {
namespace {

using nlohmann::json;
using test::CmdResult;
using test::shq;

CmdResult sw(const std::string& args) { return test::sh(std::string(STACKWIRE_BINARY) + " " + args); }

// stderr must be exactly one line, naming `thing`.
void expect_one_line_naming(const CmdResult& r, const std::string& thing) {
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  EXPECT_NE(r.err.find(thing), std::string::npos) << r.err;
}

class CliNetns : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (!test::is_root()) return;
    t_ = new test::TwoNetns();
    t_->a.exec_ok("ip route add default via 10.77.0.2");
    listener_ = test::tcp_listener(t_->b, 8080).release();
  }
  static void TearDownTestSuite() {
    delete listener_;
    delete t_;
    listener_ = nullptr;
    t_ = nullptr;
  }
  void SetUp() override { SW_REQUIRE_ROOT(); }
  const std::string& a() const { return t_->a.name(); }

  static test::TwoNetns* t_;
  static test::BackgroundProcess* listener_;
};
test::TwoNetns* CliNetns::t_ = nullptr;
test::BackgroundProcess* CliNetns::listener_ = nullptr;

TEST_F(CliNetns, ListJsonAndText) {
  auto r = sw("netns list --json");
  ASSERT_EQ(r.status, 0) << r.err;
  const json j = json::parse(r.out);
  bool found = false;
  for (const auto& e : j["namespaces"])
    if (e["name"] == a()) found = e["inode"].get<std::uint64_t>() > 0;
  EXPECT_TRUE(found) << r.out;
  auto text = sw("netns list");
  ASSERT_EQ(text.status, 0);
  EXPECT_NE(text.out.find(a()), std::string::npos);
  EXPECT_NE(text.out.find("net:["), std::string::npos);
}

TEST_F(CliNetns, ShowTextLooksLikeIproute2) {
  auto r = sw("netns show " + shq(a()));
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("default via 10.77.0.2 dev va"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("inet 10.77.0.1/24 scope global va"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("va@if"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("local 10.77.0.1 dev va table local proto kernel scope host src 10.77.0.1"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("net.ipv4.ip_forward = "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("fd77::/64 dev va proto kernel metric 256 pref medium"), std::string::npos) << r.out;
}

TEST_F(CliNetns, ShowJsonByNamePathAndPid) {
  test::BackgroundProcess sleeper({"sleep", "30"}, a());
  for (int i = 0; i < 500 && test::sh("grep -qx sleep /proc/" + std::to_string(sleeper.pid()) + "/comm").status != 0; ++i)
    usleep(10000);
  for (const std::string& ns : {shq(a()), shq(t_->a.path()), "--pid " + std::to_string(sleeper.pid())}) {
    SCOPED_TRACE(ns);
    auto r = sw("netns show " + ns + " --json");
    ASSERT_EQ(r.status, 0) << r.err;
    const json j = json::parse(r.out);
    EXPECT_EQ(j["name"], a());
    bool va = false;
    for (const auto& l : j["links"]) va = va || (l["name"] == "va" && l["kind"] == "veth");
    EXPECT_TRUE(va);
    EXPECT_TRUE(j.contains("routes") && j.contains("addresses") && j.contains("neighbours") && j.contains("sysctls"));
  }
}

TEST_F(CliNetns, BadNamespaceIsExit2WithOneLine) {
  auto r = sw("netns show stackwire-no-such-ns");
  EXPECT_EQ(r.status, 2);
  EXPECT_EQ(r.out, "");
  expect_one_line_naming(r, "netns 'stackwire-no-such-ns': no such namespace in /run/netns");
  auto pid = sw("netns show --pid 12x");
  EXPECT_EQ(pid.status, 2);
  expect_one_line_naming(pid, "--pid '12x'");
  auto both = sw("netns show " + shq(a()) + " --pid 1");
  EXPECT_EQ(both.status, 2);
  auto none = sw("netns show");
  EXPECT_EQ(none.status, 2);
  expect_one_line_naming(none, "no namespace given");
}

TEST_F(CliNetns, NotRootIsExit2) {
  if (test::sh("command -v setpriv").status != 0) GTEST_SKIP() << "setpriv not installed";
  auto r = test::sh("setpriv --reuid=65534 --regid=65534 --clear-groups " + std::string(STACKWIRE_BINARY) +
                    " netns show " + shq(a()));
  EXPECT_EQ(r.status, 2) << r.out << r.err;
  expect_one_line_naming(r, "netns '" + a() + "'");
  EXPECT_NE(r.err.find("root"), std::string::npos) << r.err;
}

TEST_F(CliNetns, PingExitCodesAndJson) {
  auto ok = sw("netns ping " + shq(a()) + " 10.77.0.2 fd77::2 --count 2 --json");
  ASSERT_EQ(ok.status, 0) << ok.err;
  const json j = json::parse(ok.out);
  EXPECT_EQ(j["summary"]["answered"], 2);
  EXPECT_EQ(j["summary"]["failed"], 0);
  EXPECT_EQ(j["targets"][0]["target"], "10.77.0.2");
  EXPECT_EQ(j["targets"][0]["received"], 2);
  EXPECT_EQ(j["targets"][0]["status"], "answered");
  EXPECT_TRUE(j["targets"][0]["rtt_avg_ms"].is_number());
  EXPECT_EQ(j["options"]["count"], 2);
  EXPECT_EQ(j["netns"]["ref"], a());

  auto text = sw("netns ping " + shq(a()) + " 10.77.0.2 --count 1");
  ASSERT_EQ(text.status, 0);
  EXPECT_NE(text.out.find("10.77.0.2: 1 packets transmitted, 1 received, 0% packet loss, rtt min/avg/max/mdev = "),
            std::string::npos)
      << text.out;

  auto silent = sw("netns ping " + shq(a()) + " 10.77.0.2 10.77.0.99 --count 1 --timeout 0.5");
  EXPECT_EQ(silent.status, 1);
  EXPECT_NE(silent.out.find("10.77.0.99: 1 packets transmitted, 0 received, 100% packet loss (timeout"), std::string::npos)
      << silent.out;
  EXPECT_NE(silent.out.find("2 targets: 1 answered, 1 failed"), std::string::npos) << silent.out;

  auto df = sw("netns ping " + shq(a()) + " 10.77.0.2 --count 1 --size 2000 --dont-fragment --json");
  EXPECT_EQ(df.status, 1);
  EXPECT_EQ(json::parse(df.out)["targets"][0]["status"], "too_big");

  auto bad = sw("netns ping " + shq(a()) + " 10.77.0.300");
  EXPECT_EQ(bad.status, 2);
  expect_one_line_naming(bad, "10.77.0.300");
  auto none = sw("netns ping " + shq(a()));
  EXPECT_EQ(none.status, 2);
  expect_one_line_naming(none, "no destination");
  auto badtimeout = sw("netns ping " + shq(a()) + " 10.77.0.2 --timeout 0");
  EXPECT_EQ(badtimeout.status, 2);
  expect_one_line_naming(badtimeout, "--timeout");
}

TEST_F(CliNetns, PingTargetsFile) {
  const std::string good = "/tmp/" + test::unique_name("targets");
  const std::string bad = "/tmp/" + test::unique_name("badtargets");
  std::ofstream(good) << "# lab\n10.77.0.2\n\nfd77::2  # b, v6\n";
  std::ofstream(bad) << "10.77.0.2\nnot-an-address\n";
  auto ok = sw("netns ping " + shq(a()) + " --targets " + good + " --count 1 --json");
  auto wrong = sw("netns ping " + shq(a()) + " --targets " + bad);
  auto missing = sw("netns ping " + shq(a()) + " --targets /nonexistent/targets.txt");
  ::unlink(good.c_str());
  ::unlink(bad.c_str());
  ASSERT_EQ(ok.status, 0) << ok.err;
  EXPECT_EQ(json::parse(ok.out)["summary"]["targets"], 2);
  EXPECT_EQ(wrong.status, 2);
  expect_one_line_naming(wrong, bad + ":2: 'not-an-address' is not an IPv4 or IPv6 address");
  EXPECT_EQ(missing.status, 2);
  expect_one_line_naming(missing, "/nonexistent/targets.txt");
}

TEST_F(CliNetns, TcpExitCodesAndJson) {
  auto open = sw("netns tcp " + shq(a()) + " 10.77.0.2:8080 --json");
  ASSERT_EQ(open.status, 0) << open.err << open.out;
  const json j = json::parse(open.out);
  EXPECT_EQ(j["status"], "open");
  EXPECT_EQ(j["host"], "10.77.0.2");
  EXPECT_EQ(j["port"], 8080);
  EXPECT_TRUE(j["elapsed_ms"].is_number());

  auto refused = sw("netns tcp " + shq(a()) + " 10.77.0.2:9");
  EXPECT_EQ(refused.status, 1);
  EXPECT_NE(refused.out.find("10.77.0.2:9 refused"), std::string::npos) << refused.out;
  auto timeout = sw("netns tcp " + shq(a()) + " 10.77.0.97:80 --timeout 0.3 --json");
  EXPECT_EQ(timeout.status, 1);
  EXPECT_EQ(json::parse(timeout.out)["status"], "timeout");

  for (const char* bad : {"10.77.0.2:99999", "10.77.0.2", "host.example:22"}) {
    auto r = sw("netns tcp " + shq(a()) + " " + bad);
    EXPECT_EQ(r.status, 2) << bad;
    expect_one_line_naming(r, bad);
  }
}

TEST_F(CliNetns, ArpExitCodesAndJson) {
  auto yes = sw("netns arp " + shq(a()) + " va 10.77.0.2 --json");
  ASSERT_EQ(yes.status, 0) << yes.err;
  const json j = json::parse(yes.out);
  EXPECT_EQ(j["answered"], true);
  EXPECT_EQ(j["mac"], t_->b.exec_ok("cat /sys/class/net/vb/address").substr(0, 17));
  auto no = sw("netns arp " + shq(a()) + " va 10.77.0.99 --timeout 0.3");
  EXPECT_EQ(no.status, 1);
  EXPECT_NE(no.out.find("no reply from 10.77.0.99 on va"), std::string::npos) << no.out;
  auto unknown = sw("netns arp " + shq(a()) + " nosuch0 10.77.0.2");
  EXPECT_EQ(unknown.status, 2);
  expect_one_line_naming(unknown, "interface 'nosuch0' does not exist");
  auto badip = sw("netns arp " + shq(a()) + " va 10.77.0");
  EXPECT_EQ(badip.status, 2);
  expect_one_line_naming(badip, "10.77.0");
}

TEST_F(CliNetns, HelpOnEverySubcommand) {
  for (const char* sub : {"", " list", " show", " ping", " tcp", " arp"}) {
    auto r = sw(std::string("netns") + sub + " --help");
    EXPECT_EQ(r.status, 0) << sub << r.err;
    EXPECT_NE(r.out.find(*sub ? "--json" : "ping"), std::string::npos) << sub;
  }
}

}  // namespace
}  // namespace sw::netprobe
