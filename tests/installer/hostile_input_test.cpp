// Hostile input: answer files and topologies that are truncated, binary, huge, duplicated, in CRLF or
// with a BOM, IPv6 where IPv4 belongs, overlapping or reversed, or carrying shell syntax. Every case
// must give at least one finding whose place is "file:line" (or "file" for whole-file findings), an
// error where the file cannot be deployed; and no value, however it is written, may run anything
// when answers.env is sourced or a manifest is run: a canary file that an injection would create is
// looked for after each.
//
// The corpus is generated here from one clean base file (so that every finding is the case's own).
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "installer/answer_file.h"
#include "installer/deploy.h"
#include "installer/facts.h"
#include "installer/inventory.h"
#include "installer/topology.h"
#include "tests/support/system.h"

namespace sw::installer {
namespace {

// A clean multinode file: no errors, no warnings. Line numbers are fixed (1-based):
constexpr const char* kBase =
    "[general]\n"                                      // 1
    "CONFIG_CONTROLLER_HOST=10.15.0.4\n"               // 2
    "CONFIG_NETWORK_HOSTS=10.15.0.7\n"                 // 3
    "CONFIG_COMPUTE_HOSTS=10.15.0.2,10.15.0.8\n"       // 4
    "CONFIG_NEUTRON_OVS_TUNNEL_IF=eth2\n"              // 5
    "CONFIG_NEUTRON_OVS_BRIDGE_IFACES=br-ex:eth3\n"    // 6
    "CONFIG_NEUTRON_L3_EXT_BRIDGE=br-ex\n"             // 7
    "CONFIG_NEUTRON_ML2_TUNNEL_ID_RANGES=1000:3000\n"  // 8
    "CONFIG_DEFAULT_PASSWORD=0123456789abcdef\n"       // 9
    "CONFIG_PROVISION_DEMO=n\n";                       // 10

// kBase with line n replaced by `with` (which may hold several lines, or none).
std::string base_with(int n, const std::string& with) {
  std::string out;
  int i = 1;
  for (std::size_t pos = 0; pos < std::char_traits<char>::length(kBase); ++i) {
    const std::size_t end = std::string_view(kBase).find('\n', pos);
    if (i == n) out += with.empty() ? "" : with + "\n";
    else out += std::string(kBase + pos, kBase + end + 1);
    pos = end + 1;
  }
  return out;
}
std::string base_plus(const std::string& extra) { return std::string(kBase) + extra + "\n"; }

struct Case {
  std::string name;  // also the file name in messages
  std::string text;
  int line = -1;     // the line a finding must name; 0 = the whole file; -1 = any
  bool error = true;  // false: a warning is enough
};

// Shell that would leave a trace if it ever ran: every form a value could smuggle it in.
const std::vector<std::string>& injections() {
  static const std::vector<std::string> v = {
      "$(touch CANARY)", "`touch CANARY`", ";touch CANARY", "x;touch CANARY", "x && touch CANARY", "x|touch CANARY",
      "x'$(touch CANARY)'", "x\"$(touch CANARY)\"", "x' ; touch CANARY ; '", "${IFS}touch${IFS}CANARY",
      "x\\$(touch CANARY)", ">CANARY",
  };
  return v;
}

std::vector<Case> answer_cases() {
  std::vector<Case> cs;
  auto add = [&](std::string name, std::string text, int line, bool error = true) {
    cs.push_back({"hostile/" + name + ".txt", std::move(text), line, error});
  };
  // Truncated: a key cut before its '=' (the writer died mid-line), at every line of the base.
  {
    std::string before;  // the lines before the cut one
    int n = 1;
    for (std::string_view rest = kBase; !rest.empty(); ++n) {
      const std::string_view line = rest.substr(0, rest.find('\n'));
      if (n >= 2) add("truncated-line" + std::to_string(n), before + std::string(line.substr(0, line.find('=') / 2)), n);
      before += std::string(line) + "\n";
      rest.remove_prefix(line.size() + 1);
    }
  }
  add("truncated-section", "[gene", 1);
  // Binary data.
  std::mt19937 rng(9);
  for (int i = 0; i < 8; ++i) {
    std::string junk(64 + i * 37, '\0');
    for (auto& c : junk) c = static_cast<char>(rng());
    junk[5] = '\0';  // at least one NUL on line 1 whatever the draw
    add("binary-" + std::to_string(i), junk, -1);
  }
  add("nul-in-value", base_with(2, std::string("CONFIG_CONTROLLER_HOST=10.15.0.4\0x", 34)), 2);
  add("elf-header", std::string("\x7f" "ELF\x02\x01\x01\0\0\0", 10) + kBase, 1);
  add("invalid-utf8-value", base_with(5, "CONFIG_NEUTRON_OVS_TUNNEL_IF=eth\xff"), 5);
  add("utf16le", std::string("\xff\xfe[\0g\0e\0n\0", 10), -1);
  // Duplicate keys: the second one is named, whichever key and however it is spelled.
  add("dup-controller", base_plus("CONFIG_CONTROLLER_HOST=10.15.0.9"), 11);
  add("dup-tunnel-if", base_plus("CONFIG_NEUTRON_OVS_TUNNEL_IF=eth9"), 11);
  add("dup-lowercase", base_plus("config_compute_hosts=10.15.0.3"), 11);
  add("dup-same-value", base_plus("CONFIG_NETWORK_HOSTS=10.15.0.7"), 11);
  add("dup-password", base_plus("CONFIG_DEFAULT_PASSWORD=0123456789abcdef"), 11);
  add("dup-old-and-new-name", base_plus("CONFIG_NOVA_COMPUTE_HOSTS=10.15.0.3"), 11, false);
  // Line ends and byte order marks.
  {
    std::string crlf;
    for (char c : std::string(kBase)) crlf += c == '\n' ? std::string("\r\n") : std::string(1, c);
    add("crlf-bad-value", crlf + "CONFIG_NEUTRON_OVS_TUNNEL_IF=eth 2\r\n", 11);
    add("bom-bad-value", "\xef\xbb\xbf" + base_plus("CONFIG_NEUTRON_OVS_TUNNEL_IF=eth 2"), 11);
    add("cr-only", "[general]\rCONFIG_CONTROLLER_HOST=10.15.0.4\rCONFIG_NETWORK_HOSTS=x y\r", -1);
  }
  // IPv6 and other non-IPv4 where an IPv4 address is expected; bad addresses.
  for (const auto& [key, line] : std::vector<std::pair<std::string, int>>{
           {"CONFIG_CONTROLLER_HOST", 2}, {"CONFIG_NETWORK_HOSTS", 3}, {"CONFIG_COMPUTE_HOSTS", 4}})
    for (const std::string v : {"10.15.0.256", "10.15.0", "10.15.0.4/24", "10.15.0.4:22",
                                "-oProxyCommand=touch", "host name", "2001:db8::4", "fe80::1", "::ffff:10.15.0.4"})
      add("addr-" + key + "-" + std::to_string(cs.size()), base_with(line, key + "=" + v), line);
  // Reversed and broken ranges.
  for (const std::string v : {"3000:1000", "1000", "1000:", "a:b", "-5:10", "1000:99999999999"})
    add("tunnel-range-" + std::to_string(cs.size()), base_with(8, "CONFIG_NEUTRON_ML2_TUNNEL_ID_RANGES=" + v), 8);
  add("vlan-range-reversed-applied",
      base_plus("CONFIG_NEUTRON_ML2_TYPE_DRIVERS=vlan\nCONFIG_NEUTRON_ML2_VLAN_RANGES=physnet1:200:100"), 12);
  add("floatrange-applied", base_with(10, "CONFIG_PROVISION_DEMO=y\nCONFIG_PROVISION_DEMO_FLOATRANGE=172.24.4.224/99"), 11);
  add("vlan-range-reversed", base_plus("CONFIG_NEUTRON_ML2_VLAN_RANGES=physnet1:200:100"), 11, false);
  add("vlan-range-too-big", base_plus("CONFIG_NEUTRON_ML2_VLAN_RANGES=physnet1:1:5000"), 11, false);
  add("floatrange-not-cidr", base_plus("CONFIG_PROVISION_DEMO_FLOATRANGE=172.24.4.224-172.24.4.240"), 11, false);
  add("floatrange-ipv6-prefix", base_plus("CONFIG_PROVISION_DEMO_FLOATRANGE=172.24.4.224/99"), 11, false);
  // Unknown services and roles: keys no packstack ever had, hosts for a role that does not exist.
  add("unknown-role", base_plus("CONFIG_FROBNICATOR_HOSTS=10.15.0.4"), 11, false);
  add("unknown-key-typo", base_plus("CONFIG_NEUTRON_OVS_TUNEL_IF=eth2"), 11, false);
  add("bad-choice", base_plus("CONFIG_NEUTRON_OVS_DATAPATH_TYPE=dpdk"), 11);
  add("bad-yes-no", base_with(10, "CONFIG_PROVISION_DEMO=yes"), 10);
  // Shell syntax in every value that reaches a command line on a host (they must be refused).
  for (const auto& [key, line] : std::vector<std::pair<std::string, int>>{{"CONFIG_CONTROLLER_HOST", 2},
                                                                           {"CONFIG_NETWORK_HOSTS", 3},
                                                                           {"CONFIG_NEUTRON_OVS_TUNNEL_IF", 5},
                                                                           {"CONFIG_NEUTRON_OVS_BRIDGE_IFACES", 6},
                                                                           {"CONFIG_NEUTRON_L3_EXT_BRIDGE", 7}})
    for (const auto& inj : injections())
      add("inject-" + key + "-" + std::to_string(cs.size()), base_with(line, key + "=" + inj), line);
  // A value with a newline in it is two lines; the second is no KEY=value.
  add("newline-in-value", base_with(5, "CONFIG_NEUTRON_OVS_TUNNEL_IF=eth2\ntouch CANARY"), 6);
  add("continuation", base_with(5, "CONFIG_NEUTRON_OVS_TUNNEL_IF=eth2 \\\n  ;touch CANARY"), -1);
  add("no-section", std::string(kBase).substr(10) + "garbage line\n", 10);
  add("empty-key", base_plus("=value"), 11);
  add("key-with-space", base_plus("CONFIG CONTROLLER_HOST=10.15.0.4"), 11);
  add("long-line", base_plus("CONFIG_NEUTRON_OVS_TUNNEL_IF=" + std::string(20000, 'e')), 11);
  return cs;
}

bool names_place(const Diagnostic& d, const std::string& file) {
  const std::string s = d.str();
  if (d.origin.line > 0) return s.starts_with(file + ":" + std::to_string(d.origin.line) + ": ");
  return s.starts_with(file + ": ");
}

TEST(HostileAnswerFile, TheBaseIsClean) {
  const AnswerFile f = read_answer_file("base.txt", kBase);
  EXPECT_TRUE(f.diagnostics().empty()) << (f.diagnostics().empty() ? "" : f.diagnostics()[0].str());
}

TEST(HostileAnswerFile, EveryCaseIsAFindingAtItsPlace) {
  const auto cases = answer_cases();
  EXPECT_GE(cases.size(), 100u);
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    const AnswerFile f = read_answer_file(c.name, c.text);
    if (f.diagnostics().empty()) {
      ADD_FAILURE() << "no finding at all";
      continue;
    }
    for (const auto& d : f.diagnostics()) EXPECT_TRUE(names_place(d, c.name)) << d.str();
    if (c.error) {
      EXPECT_TRUE(f.has_errors()) << f.diagnostics()[0].str();
      auto p = parse_answer_file(c.name, c.text);
      EXPECT_FALSE(p);
      if (!p) {
        EXPECT_EQ(p.error().exit_code(), 2);
      }
    }
    if (c.line >= 0) {
      bool at_line = false;
      for (const auto& d : f.diagnostics()) at_line |= d.origin.line == c.line;
      std::string all;
      for (const auto& d : f.diagnostics()) all += d.str() + "\n";
      EXPECT_TRUE(at_line) << "expected a finding at line " << c.line << ", got:\n" << all;
    }
    // Nothing a finding says may carry a whole injected value back out unquoted to a terminal.
    for (const auto& d : f.diagnostics()) EXPECT_EQ(d.str().find('\0'), std::string::npos);
  }
}

TEST(HostileAnswerFile, HundredMegabytesIsOneWholeFileError) {
  std::string huge;
  huge.reserve(100u << 20);
  huge = "[general]\n";
  while (huge.size() < (100u << 20)) huge += "CONFIG_NEUTRON_OVS_TUNNEL_IF=eth2\n";
  const auto t0 = std::chrono::steady_clock::now();
  const AnswerFile f = read_answer_file("huge.txt", huge);
  const auto took = std::chrono::steady_clock::now() - t0;
  ASSERT_TRUE(f.has_errors());
  EXPECT_EQ(f.diagnostics().size(), 1u);
  EXPECT_TRUE(f.diagnostics()[0].str().starts_with("huge.txt: ")) << f.diagnostics()[0].str();
  EXPECT_NE(f.diagnostics()[0].str().find("too large"), std::string::npos) << f.diagnostics()[0].str();
  EXPECT_LT(took, std::chrono::seconds(2));
}

// Found by fuzz_answer_file (10 executions a second): an unknown key is compared with every catalogue
// key for a "did you mean", and a key of 16 KiB made that quadratic. A 1 MiB file of them (within the
// size limit) took minutes; now keys too far apart in length are not compared.
TEST(HostileAnswerFile, LongUnknownKeysAreQuick) {
  std::string text = "[general]\n";
  while (text.size() + 16100 < (1u << 20)) text += "CONFIG_" + std::string(16000, 'X') + "=v\n";
  const auto t0 = std::chrono::steady_clock::now();
  const AnswerFile f = read_answer_file("long.txt", text);
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(2));
  bool named = false;
  for (const auto& d : f.diagnostics()) named |= d.origin.line >= 2 && d.str().starts_with("long.txt:" + std::to_string(d.origin.line) + ": ");
  EXPECT_TRUE(named) << f.diagnostics()[0].str().substr(0, 200);
}

// ---- topologies -------------------------------------------------------------------------------

constexpr const char* kTopology = R"({
  "networks": [
    {"name": "external", "external": true,
     "subnets": [{"name": "ext-subnet", "cidr": "172.16.13.0/24", "gateway_ip": "172.16.13.1",
                  "enable_dhcp": false,
                  "allocation_pools": [{"start": "172.16.13.2", "end": "172.16.13.200"}]}]},
    {"name": "net0",
     "subnets": [{"name": "net0-subnet", "cidr": "10.0.0.0/24", "gateway_ip": "10.0.0.1"}]}
  ],
  "routers": [{"name": "extrouter", "external_gateway": "external", "interfaces": ["net0-subnet"]}],
  "instances": [{"name": "test0", "network": "net0", "host": "compute1", "floating_ip": "172.16.13.3"}]
}
)";

std::string topo_replace(const std::string& from, const std::string& to) {
  std::string t = kTopology;
  const auto p = t.find(from);
  EXPECT_NE(p, std::string::npos) << from;
  if (p != std::string::npos) t.replace(p, from.size(), to);
  return t;
}

std::vector<Case> topology_cases() {
  std::vector<Case> cs;
  auto add = [&](std::string name, std::string text, int line) {
    cs.push_back({"hostile/" + name + ".json", std::move(text), line, true});
  };
  const std::string good = kTopology;
  for (std::size_t cut : {1ul, 10ul, 40ul, 100ul, 200ul, 300ul, 400ul, 500ul, good.size() - 3})
    add("truncated-" + std::to_string(cut), good.substr(0, cut), -1);
  std::mt19937 rng(11);
  for (int i = 0; i < 4; ++i) {
    std::string junk(50 + i * 20, '\0');
    for (auto& c : junk) c = static_cast<char>(rng());
    add("binary-" + std::to_string(i), junk, -1);
  }
  add("bom", "\xef\xbb\xbf" + topo_replace("\"10.0.0.0/24\"", "\"10.0.0.0/33\""), 8);
  add("crlf", [&] {
    std::string t;
    for (char c : topo_replace("\"10.0.0.0/24\"", "\"10.0.0.0/33\"")) t += c == '\n' ? std::string("\r\n") : std::string(1, c);
    return t;
  }(), 8);
  add("dup-key", topo_replace("\"name\": \"net0\",", "\"name\": \"net0\", \"name\": \"net1\","), 7);
  add("dup-network", topo_replace("\"name\": \"net0\",", "\"name\": \"external\","), -1);
  add("overlap-tenant", topo_replace("\"subnets\": [{\"name\": \"net0-subnet\", \"cidr\": \"10.0.0.0/24\", \"gateway_ip\": \"10.0.0.1\"}]}",
                                     "\"subnets\": [{\"name\": \"net0-subnet\", \"cidr\": \"10.0.0.0/24\", \"gateway_ip\": \"10.0.0.1\"},\n"
                                     "                 {\"name\": \"net0-b\", \"cidr\": \"10.0.0.128/25\"}]}"), 9);
  add("tenant-inside-external", topo_replace("\"cidr\": \"10.0.0.0/24\", \"gateway_ip\": \"10.0.0.1\"",
                                             "\"cidr\": \"172.16.13.128/25\", \"gateway_ip\": \"172.16.13.129\""), 8);
  add("reversed-pool", topo_replace("\"start\": \"172.16.13.2\", \"end\": \"172.16.13.200\"",
                                    "\"start\": \"172.16.13.200\", \"end\": \"172.16.13.2\""), 6);
  add("pool-outside", topo_replace("\"end\": \"172.16.13.200\"", "\"end\": \"172.16.14.200\""), 6);
  add("ipv6-gateway-in-v4", topo_replace("\"gateway_ip\": \"10.0.0.1\"", "\"gateway_ip\": \"fe80::1\""), 8);
  add("ipv6-floating-ip", topo_replace("\"floating_ip\": \"172.16.13.3\"", "\"floating_ip\": \"2001:db8::3\""), 11);
  add("bad-cidr", topo_replace("\"10.0.0.0/24\"", "\"10.0.0.0/24; touch CANARY\""), 8);
  add("host-bits", topo_replace("\"10.0.0.0/24\"", "\"10.0.0.5/24\""), 8);
  add("unknown-network", topo_replace("\"network\": \"net0\"", "\"network\": \"$(touch CANARY)\""), 11);
  add("unknown-gateway-net", topo_replace("\"external_gateway\": \"external\"", "\"external_gateway\": \"`x`\""), 10);
  add("wrong-type", topo_replace("\"external\": true", "\"external\": \"yes\""), 3);
  add("not-an-object", "[\"networks\"]", 1);
  add("deep-nesting", std::string(100000, '[') + std::string(100000, ']'), 1);  // refused at depth 64, not in 18 GB
  add("deep-nesting-lines", std::string(70, '[') + "\n" + std::string(70, ']'), 1);
  add("nul-in-string", topo_replace("\"net0\",", std::string("\"net\0\",", 7)), -1);
  return cs;
}

TEST(HostileTopology, EveryCaseIsAnErrorAtItsPlace) {
  std::vector<std::string> warnings;
  ASSERT_TRUE(parse_topology("good.json", kTopology, &warnings));
  const auto cases = topology_cases();
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    auto t = parse_topology(c.name, c.text, &warnings);
    ASSERT_FALSE(t) << "parsed";
    const std::string m = t.error().message();
    EXPECT_EQ(t.error().exit_code(), 2) << m;
    EXPECT_TRUE(m.starts_with(c.name + ":")) << m;
    if (c.line > 0) {
      EXPECT_TRUE(m.starts_with(c.name + ":" + std::to_string(c.line) + ":")) << m;
    }
  }
}

// ---- injection: answers.env and manifests run under sh, a canary proves nothing ran -----------

class HostileShell : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/swt-hostile-XXXXXX";
    dir_ = ::mkdtemp(tmpl);
  }
  void TearDown() override { std::system(("rm -rf " + test::shq(dir_)).c_str()); }
  std::string canary() const { return dir_ + "/CANARY"; }
  // Runs script in dir_ with a PATH where touch exists (so an injection would succeed).
  test::CmdResult run(const std::string& name, const std::string& script) const {
    std::ofstream(dir_ + "/" + name) << script;
    return test::sh("cd " + test::shq(dir_) + " && env -i PATH=/usr/bin:/bin HOME=" + test::shq(dir_) + " sh " +
                    test::shq(name) + " 2>&1");
  }
  std::string dir_;
};

// Every secret key takes free text: each injection as a password is accepted, quoted into
// answers.env, and sourcing it defines the value byte for byte without running anything.
TEST_F(HostileShell, AnswersEnvRunsNothing) {
  std::string text = kBase;
  const std::vector<std::string> keys = {"CONFIG_MARIADB_PW", "CONFIG_KEYSTONE_ADMIN_PW", "CONFIG_KEYSTONE_DEMO_PW",
                                         "CONFIG_NEUTRON_DB_PW", "CONFIG_NEUTRON_KS_PW", "CONFIG_AMQP_AUTH_PASSWORD",
                                         "CONFIG_NEUTRON_METADATA_PW", "CONFIG_KEYSTONE_DB_PW"};
  for (const auto& inj : injections()) {
    SCOPED_TRACE(inj);
    const std::string value = [&] {
      std::string v = inj;
      const std::string to = canary() + "_";
      for (std::size_t p = 0; (p = v.find("CANARY", p)) != std::string::npos; p += to.size()) v.replace(p, 6, to);
      return v;
    }();
    std::string t = text;
    for (const auto& k : keys) t += k + "=" + value + "\n";
    auto a = parse_answer_file("inj.txt", t);
    ASSERT_TRUE(a) << a.error().message();
    const std::string env = render_answers_env(*a);
    ASSERT_EQ(run("syntax.sh", "set -e\n" + env).status, 0);
    // Each value reads back unchanged, and nothing ran.
    std::string check = ". ./answers.env\n";
    for (const auto& k : keys) check += "printf '%s\\n' \"$" + k + "\"\n";
    std::ofstream(dir_ + "/answers.env") << env;
    const auto r = run("check.sh", check);
    ASSERT_EQ(r.status, 0) << r.out;
    std::string expected;
    for (std::size_t i = 0; i < keys.size(); ++i) expected += value + "\n";
    EXPECT_EQ(r.out, expected);
    EXPECT_NE(::access((canary() + "_").c_str(), F_OK), 0) << "an injection ran: " << inj;
    EXPECT_NE(::access(canary().c_str(), F_OK), 0);
  }
}

// The manifests of a whole deploy with hostile passwords: no secret appears in any manifest (they
// read $CONFIG_* from answers.env), each manifest is valid sh, and its prelude with the functions
// it defines — everything up to the first step's run — sources the hostile answers.env and runs nothing.
TEST_F(HostileShell, ManifestsRunNothing) {
  std::string text = kBase;
  const std::string pw = "x'$(touch " + canary() + ")`touch " + canary() + "`;touch " + canary() + "\"";
  for (const char* k : {"CONFIG_MARIADB_PW", "CONFIG_KEYSTONE_ADMIN_PW", "CONFIG_KEYSTONE_DEMO_PW",
                        "CONFIG_NEUTRON_DB_PW", "CONFIG_NEUTRON_KS_PW", "CONFIG_NEUTRON_METADATA_PW",
                        "CONFIG_KEYSTONE_DB_PW", "CONFIG_AMQP_AUTH_PASSWORD"})
    text += std::string(k) + "=" + pw + "\n";
  auto a = parse_answer_file("inj.txt", text);
  ASSERT_TRUE(a) << a.error().message();
  auto inv = make_inventory(*a);
  ASSERT_TRUE(inv) << inv.error().message();
  std::map<std::string, HostFacts> facts;
  for (const auto& [addr, name, tun] : std::vector<std::tuple<std::string, std::string, std::string>>{
           {"10.15.0.4", "controller", ""}, {"10.15.0.7", "network", "10.19.0.7"},
           {"10.15.0.2", "compute1", "10.19.0.2"}, {"10.15.0.8", "compute2", "10.19.0.8"}}) {
    std::string out = "os_id debian\nos_version 12\npkg apt\nsvc none\nhostname " + name + "\n";
    out += "link lo 65536 1\nlink eth0 1500 1\naddr eth0 inet " + addr + "/24\n";
    if (!tun.empty()) out += "link eth2 1500 1\naddr eth2 inet " + tun + "/24\n";
    if (name == "network") out += "link eth3 1500 1\n";
    out += "end\n";
    auto f = parse_facts(addr, out);
    ASSERT_TRUE(f) << f.error().message();
    facts[addr] = *f;
  }
  auto plan = make_plan(*a, *inv, facts, nullptr);
  ASSERT_TRUE(plan) << plan.error().message();
  std::ofstream(dir_ + "/answers.env") << render_answers_env(*a);
  int manifests = 0;
  for (const auto& p : plan->plugins)
    for (const auto& m : p.manifests) {
      SCOPED_TRACE(m.file_name());
      ++manifests;
      std::string script = m.render();
      EXPECT_EQ(script.find("touch " + canary()), std::string::npos) << "a secret reached the manifest";
      ASSERT_EQ(test::sh("sh -n /dev/stdin <<'SW_EOF'\n" + script + "\nSW_EOF").status, 0);
      // The prelude reads the host's answers.env; here it reads ours, and stops before step 1 runs.
      for (std::size_t p2; (p2 = script.find(kSecretsEnvPath)) != std::string::npos;)
        script.replace(p2, std::string(kSecretsEnvPath).size(), dir_ + "/answers.env");
      const auto first_run = script.find("\nsw_step 1 ");
      ASSERT_NE(first_run, std::string::npos);
      const auto r = run("prelude.sh", script.substr(0, first_run) + "\necho \"ok $CONFIG_KEYSTONE_ADMIN_PW\"\n");
      EXPECT_EQ(r.status, 0) << r.out;
      EXPECT_NE(r.out.find("ok " + pw), std::string::npos) << r.out;
      EXPECT_NE(::access(canary().c_str(), F_OK), 0) << "an injection ran";
    }
  EXPECT_GE(manifests, 8);
}

}  // namespace
}  // namespace sw::installer
