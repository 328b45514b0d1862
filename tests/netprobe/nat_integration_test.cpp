// read_nat() against the real kernel, in throwaway namespaces: rulesets loaded with iptables-nft-restore,
// iptables-legacy-restore and nft, compared line by line with iptables-*-save and `nft -j list ruleset`;
// reading must change nothing and create nothing.
#include <fcntl.h>
#include <sched.h>
#include <unistd.h>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cstring>
#include <fstream>
#include <functional>
#include <optional>
#include <sstream>
#include <string>
#include <thread>

#include "netprobe/nat.h"
#include "netprobe/nat_nftables.h"
#include "tests/support/system.h"

namespace sw::netprobe {
namespace {

using sw::test::TempNetns;

const std::string kFixtures = std::string(STACKWIRE_SOURCE_DIR) + "/tests/netprobe/nat_fixtures";

// Runs f on a fresh thread that has entered the namespace at `path`; the caller's namespace is untouched.
template <class F>
auto in_netns(const std::string& path, F&& f) -> decltype(f()) {
  std::optional<decltype(f())> result;
  std::string error;
  std::thread t([&] {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0 || ::setns(fd, CLONE_NEWNET) != 0) {
      error = path + ": " + std::strerror(errno);
      if (fd >= 0) ::close(fd);
      return;
    }
    ::close(fd);
    result.emplace(f());
  });
  t.join();
  if (!result) throw std::runtime_error("entering netns " + error);
  return std::move(*result);
}

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string without_comments(const std::string& text) {
  std::istringstream in(text);
  std::string out, line;
  while (std::getline(in, line))
    if (!line.starts_with("#")) out += line + "\n";
  return out;
}

// The "*nat" ... "COMMIT" section of an iptables-save text.
std::string nat_section(const std::string& text) {
  const auto begin = text.find("*nat\n");
  const auto end = text.find("COMMIT\n", begin);
  if (begin == std::string::npos || end == std::string::npos) return {};
  return without_comments(text.substr(begin, end + 7 - begin));
}

std::string rule_lines(const std::string& text) {
  std::istringstream in(text);
  std::string out, line;
  while (std::getline(in, line))
    if (line.starts_with("-A ")) out += line + "\n";
  return out;
}

std::string render_rules(const NatTable& t) {
  std::string out;
  for (const auto& c : t.chains)
    for (const auto& r : c.rules) out += render_rule(r) + "\n";
  return out;
}

// Everything a reader could change, as the tools see it.
struct SystemState {
  std::string nft, nft_save, legacy_names, legacy_save;
  bool operator==(const SystemState&) const = default;
};
SystemState state_of(const TempNetns& ns, bool with_legacy_save) {
  SystemState s;
  s.nft = ns.exec_ok("nft list ruleset");
  s.nft_save = without_comments(ns.exec_ok("iptables-nft-save"));
  s.legacy_names = ns.exec_ok("cat /proc/net/ip_tables_names");
  // iptables-legacy-save instantiates every legacy table: only where they exist already.
  if (with_legacy_save) s.legacy_save = without_comments(ns.exec_ok("iptables-legacy-save -c"));
  return s;
}

Result<NatView> read_in(const TempNetns& ns) {
  return in_netns(ns.path(), [] { return read_nat(); });
}

TEST(NatIntegration, QrouterRulesetWrittenByIptablesNft) {
  SW_REQUIRE_ROOT();
  TempNetns ns("natnft");
  ns.exec_ok("iptables-nft-restore < " + sw::test::shq(kFixtures + "/qrouter-iptables.txt"));
  const SystemState before = state_of(ns, false);

  auto view = read_in(ns);
  ASSERT_TRUE(view) << view.error().message();
  ASSERT_EQ(view->tables.size(), 1u) << "only the nat table of filter/mangle/raw/nat";
  const NatTable& t = view->tables[0];
  EXPECT_EQ(t.backend, NatBackend::nftables);
  EXPECT_EQ(t.name, "nat");
  EXPECT_EQ(t.family, "ip");
  EXPECT_EQ(render_table(t), nat_section(ns.exec_ok("iptables-nft-save -t nat")));
  EXPECT_EQ(render_rules(t), rule_lines(nat_section(read_file(kFixtures + "/qrouter-iptables.txt"))));
  for (const auto& c : t.chains)
    for (const auto& r : c.rules) EXPECT_TRUE(r.fully_decoded()) << render_rule(r);
  EXPECT_TRUE(is_reachable(t, "neutron-l3-agent-float-snat"));

  EXPECT_EQ(state_of(ns, false), before) << "reading changed the ruleset";
}

TEST(NatIntegration, QrouterRulesetWrittenByIptablesLegacy) {
  SW_REQUIRE_ROOT();
  TempNetns ns("natleg");
  ns.exec_ok("iptables-legacy-restore < " + sw::test::shq(kFixtures + "/qrouter-iptables.txt"));
  const SystemState before = state_of(ns, true);

  auto view = read_in(ns);
  ASSERT_TRUE(view) << view.error().message();
  ASSERT_EQ(view->tables.size(), 1u);
  const NatTable& t = view->tables[0];
  EXPECT_EQ(t.backend, NatBackend::iptables_legacy);
  EXPECT_EQ(render_table(t), nat_section(ns.exec_ok("iptables-legacy-save -t nat")));
  EXPECT_EQ(render_rules(t), rule_lines(nat_section(read_file(kFixtures + "/qrouter-iptables.txt"))));
  EXPECT_EQ(chain_path(t, "neutron-l3-agent-float-snat"),
            (std::vector<std::string>{"POSTROUTING", "neutron-postrouting-bottom", "neutron-l3-agent-snat",
                                      "neutron-l3-agent-float-snat"}));

  EXPECT_EQ(state_of(ns, true), before) << "reading changed the ruleset";
}

// Every line equal to the save tool's, except the rules holding modules the model does not know
// (addrtype, conntrack --ctorigdst, the MARK target): those must still be there, marked not fully
// decoded. (A second comment is an "other" match too, but one whose text is iptables' own.)
void expect_same_as_save(const NatTable& t, const std::string& saved) {
  EXPECT_TRUE(render_table(t).starts_with(saved.substr(0, saved.find("-A "))));
  std::istringstream in(rule_lines(saved));
  std::string line;
  size_t undecoded = 0;
  for (const auto& c : t.chains) {
    for (const auto& r : c.rules) {
      ASSERT_TRUE(std::getline(in, line)) << "more rules than the save tool: " << render_rule(r);
      if (r.fully_decoded() || render_rule(r) == line) {
        EXPECT_EQ(render_rule(r), line);
      } else {
        ++undecoded;
        EXPECT_TRUE(line.find("addrtype") != std::string::npos || line.find("ctorigdst") != std::string::npos ||
                    line.find("MARK") != std::string::npos)
            << "unexpectedly undecoded: " << render_rule(r) << " (save: " << line << ")";
      }
    }
  }
  EXPECT_FALSE(std::getline(in, line)) << "rule missing from the view: " << line;
  EXPECT_EQ(undecoded, 3u);
}

TEST(NatIntegration, ManyRuleFormsMatchBothSaveTools) {
  SW_REQUIRE_ROOT();
  TempNetns nft_ns("natformsn");
  TempNetns leg_ns("natformsl");
  const std::string rules = kFixtures + "/forms.rules";
  nft_ns.exec_ok("iptables-nft-restore < " + sw::test::shq(rules));
  leg_ns.exec_ok("iptables-legacy-restore < " + sw::test::shq(rules));

  auto nft_view = read_in(nft_ns);
  auto leg_view = read_in(leg_ns);
  ASSERT_TRUE(nft_view) << nft_view.error().message();
  ASSERT_TRUE(leg_view) << leg_view.error().message();
  ASSERT_EQ(nft_view->tables.size(), 1u);
  ASSERT_EQ(leg_view->tables.size(), 1u);
  expect_same_as_save(nft_view->tables[0], nat_section(nft_ns.exec_ok("iptables-nft-save -t nat")));
  expect_same_as_save(leg_view->tables[0], nat_section(leg_ns.exec_ok("iptables-legacy-save -t nat")));
}

TEST(NatIntegration, LegacyAndNftTablesSideBySide) {
  SW_REQUIRE_ROOT();
  TempNetns ns("natboth");
  ns.exec_ok("iptables-legacy -t nat -A POSTROUTING -s 10.0.0.0/24 -j MASQUERADE");
  ns.exec_ok("iptables-nft -t nat -A PREROUTING -d 172.16.13.3/32 -j DNAT --to-destination 10.0.0.3");
  auto view = read_in(ns);
  ASSERT_TRUE(view) << view.error().message();
  ASSERT_EQ(view->tables.size(), 2u);
  EXPECT_EQ(view->tables[0].backend, NatBackend::iptables_legacy);
  EXPECT_EQ(view->tables[1].backend, NatBackend::nftables);
  EXPECT_EQ(render_rules(view->tables[0]), "-A POSTROUTING -s 10.0.0.0/24 -j MASQUERADE\n");
  EXPECT_EQ(render_rules(view->tables[1]), "-A PREROUTING -d 172.16.13.3/32 -j DNAT --to-destination 10.0.0.3\n");
}

constexpr const char* kNativeRuleset = R"(
table ip swnat {
  set blocked { type ipv4_addr; elements = { 192.0.2.1 } }
  chain pre {
    type nat hook prerouting priority dstnat; policy accept;
    ip daddr 172.16.13.3 dnat to 10.0.0.3
    iifname "qr-*" ip daddr 169.254.169.254 tcp dport 80 redirect to :9697
    tcp dport 8080-8090 dnat to 10.0.0.4-10.0.0.6:80-90 random,persistent
    ip saddr @blocked counter dnat to 10.0.0.9
    jump floating
  }
  chain floating {
    ip daddr 172.16.13.4 counter dnat to 10.0.0.4 comment "fip 4"
    meta mark & 0x0000ffff != 0x00000002 ct state established,related return
  }
  chain unreferenced {
    ip daddr 172.16.13.5 dnat to 10.0.0.5
  }
  chain post {
    type nat hook postrouting priority srcnat; policy accept;
    ip saddr 10.0.0.3 snat to 172.16.13.3 fully-random
    oifname "br-ex" ip saddr 172.16.13.0/24 masquerade
    ip saddr 10.0.0.0/8 ip daddr != 10.0.0.0/8 meta l4proto udp masquerade to :1024-65535 random
  }
}
table inet swnat6 {
  chain post {
    type nat hook postrouting priority srcnat; policy accept;
    oifname "eth9" masquerade
  }
}
table ip swfilter {
  chain forwarding { type filter hook forward priority 0; policy drop; }
}
)";

TEST(NatIntegration, NativeNftStatementsAgreeWithNftJson) {
  SW_REQUIRE_ROOT();
  TempNetns ns("natnative");
  ns.exec_ok("nft -f - <<'EOF'\n" + std::string(kNativeRuleset) + "\nEOF");
  const SystemState before = state_of(ns, false);

  auto view = read_in(ns);
  ASSERT_TRUE(view) << view.error().message();
  ASSERT_EQ(view->tables.size(), 2u) << "swnat and swnat6, not the filter table";
  const NatTable& t = view->tables[0];
  EXPECT_EQ(t.name, "swnat");
  EXPECT_EQ(view->tables[1].name, "swnat6");
  EXPECT_EQ(view->tables[1].family, "inet");

  EXPECT_EQ(render_rules(t),
            "-A pre -d 172.16.13.3/32 -j DNAT --to-destination 10.0.0.3\n"
            "-A pre -d 169.254.169.254/32 -i qr-+ -p tcp -m tcp --dport 80 -j REDIRECT --to-ports 9697\n"
            "-A pre -p tcp -m tcp --dport 8080:8090 -j DNAT --to-destination 10.0.0.4-10.0.0.6:80-90 --random "
            "--persistent\n"
            "-A pre [unparsed: [ payload load 4b @ network header + 12 => reg 1 ] [ lookup reg 1 set blocked 0x0 ]] "
            "-j DNAT --to-destination 10.0.0.9\n"
            "-A pre -j floating\n"
            "-A post -s 10.0.0.3/32 -j SNAT --to-source 172.16.13.3 --random-fully\n"
            "-A post -s 172.16.13.0/24 -o br-ex -j MASQUERADE\n"
            "-A post -s 10.0.0.0/8 ! -d 10.0.0.0/8 -p udp -j MASQUERADE --to-ports 1024-65535 --random\n"
            "-A floating -d 172.16.13.4/32 -m comment --comment \"fip 4\" -j DNAT --to-destination 10.0.0.4\n"
            "-A floating -m mark ! --mark 0x2/0xffff -m conntrack --ctstate RELATED,ESTABLISHED -j RETURN\n"
            "-A unreferenced -d 172.16.13.5/32 -j DNAT --to-destination 10.0.0.5\n");
  EXPECT_FALSE(is_reachable(t, "unreferenced"));
  EXPECT_TRUE(is_reachable(t, "floating"));

  // Cross-check with nft's own JSON: same chains, same rules (by handle, in order), same NAT statements.
  const auto j = nlohmann::json::parse(ns.exec_ok("nft -j list table ip swnat"));
  std::map<std::string, std::vector<nlohmann::json>> nft_rules;
  for (const auto& item : j.at("nftables"))
    if (item.contains("rule")) nft_rules[item["rule"]["chain"].get<std::string>()].push_back(item["rule"]);
  for (const auto& c : t.chains) {
    const auto& expected = nft_rules[c.name];
    ASSERT_EQ(c.rules.size(), expected.size()) << c.name;
    for (size_t i = 0; i < expected.size(); ++i) {
      const NatRule& r = c.rules[i];
      EXPECT_EQ(r.handle, expected[i]["handle"].get<uint64_t>()) << c.name << " rule " << i;
      for (const auto& stmt : expected[i]["expr"]) {
        if (stmt.contains("dnat") || stmt.contains("snat")) {
          const bool dnat = stmt.contains("dnat");
          const auto& n = dnat ? stmt["dnat"] : stmt["snat"];
          const std::string& to = dnat ? r.target.to_destination : r.target.to_source;
          EXPECT_EQ(r.target.kind, dnat ? NatTargetKind::dnat : NatTargetKind::snat);
          const std::string addr = n["addr"].is_string() ? n["addr"].get<std::string>()
                                                         : n["addr"]["range"][0].get<std::string>();
          EXPECT_TRUE(to.starts_with(addr)) << to << " vs " << n.dump();
        }
        if (stmt.contains("masquerade")) {
          EXPECT_EQ(r.target.kind, NatTargetKind::masquerade);
        }
        if (stmt.contains("redirect")) {
          EXPECT_EQ(r.target.kind, NatTargetKind::redirect);
        }
        if (stmt.contains("jump")) {
          EXPECT_EQ(r.target.chain, stmt["jump"]["target"].get<std::string>());
        }
      }
    }
  }
  EXPECT_EQ(state_of(ns, false), before) << "reading changed the ruleset";
}

TEST(NatIntegration, EmptyNamespaceGivesEmptyViewAndCreatesNothing) {
  SW_REQUIRE_ROOT();
  TempNetns ns("natempty");
  auto view = read_in(ns);
  ASSERT_TRUE(view) << view.error().message();
  EXPECT_TRUE(view->tables.empty());
  EXPECT_EQ(ns.exec_ok("cat /proc/net/ip_tables_names"), "") << "a legacy table was instantiated";
  EXPECT_EQ(ns.exec_ok("nft list ruleset"), "");
}

TEST(NatIntegration, EmptyLegacyTableStillListsItsBuiltinChains) {
  SW_REQUIRE_ROOT();
  TempNetns ns("natlegempty");
  ns.exec_ok("iptables-legacy -t nat -S >/dev/null");  // instantiates the empty table
  auto view = read_in(ns);
  ASSERT_TRUE(view) << view.error().message();
  ASSERT_EQ(view->tables.size(), 1u);
  EXPECT_EQ(render_table(view->tables[0]), nat_section(ns.exec_ok("iptables-legacy-save -t nat")));
}

// Regenerates the fixtures the unit tests decode (raw netlink messages captured from this kernel):
//   nat_integration_tests --gtest_also_run_disabled_tests --gtest_filter='*CaptureFixtures'
void write_dump(const std::string& path, const NftDump& d) {
  std::ofstream out(path);
  auto put = [&](const char* kind, const std::vector<std::vector<uint8_t>>& msgs) {
    for (const auto& m : msgs) {
      out << kind << ' ';
      char buf[3];
      for (uint8_t b : m) {
        std::snprintf(buf, sizeof buf, "%02x", b);
        out << buf;
      }
      out << '\n';
    }
  };
  out << "# nftables dump captured by nat_integration_tests (CaptureFixtures); one netlink message a line\n";
  put("table", d.tables);
  put("chain", d.chains);
  put("rule", d.rules);
}

TEST(NatIntegration, DISABLED_CaptureFixtures) {
  SW_REQUIRE_ROOT();
  {
    TempNetns ns("natcap1");
    ns.exec_ok("iptables-nft-restore < " + sw::test::shq(kFixtures + "/qrouter-iptables.txt"));
    auto d = in_netns(ns.path(), [] { return dump_nft_ruleset(); });
    ASSERT_TRUE(d) << d.error().message();
    write_dump(kFixtures + "/qrouter-nft.dump", *d);
  }
  {
    TempNetns ns("natcap2");
    ns.exec_ok("iptables-nft-restore < " + sw::test::shq(kFixtures + "/forms.rules"));
    ns.exec_ok("iptables-nft-save -t nat | grep -v '^#' > " + sw::test::shq(kFixtures + "/forms-nft-save.txt"));
    auto d = in_netns(ns.path(), [] { return dump_nft_ruleset(); });
    ASSERT_TRUE(d) << d.error().message();
    write_dump(kFixtures + "/forms-nft.dump", *d);
  }
  {
    TempNetns ns("natcap3");
    ns.exec_ok("nft -f - <<'EOF'\n" + std::string(kNativeRuleset) + "\nEOF");
    auto d = in_netns(ns.path(), [] { return dump_nft_ruleset(); });
    ASSERT_TRUE(d) << d.error().message();
    write_dump(kFixtures + "/native-nft.dump", *d);
  }
}

}  // namespace
}  // namespace sw::netprobe
