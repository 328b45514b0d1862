// The NAT model on its own: render() golden lines (today's qrouter artefact and Havana-era forms),
// reachability through jumps, and the JSON round trip.
#include "netprobe/nat_rule.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "netprobe/json_text.h"

namespace sw::netprobe {
namespace {

// A small builder so each golden line reads like the rule it is.
struct R {
  NatRule r;
  explicit R(std::string chain) {
    r.table = "nat";
    r.chain = std::move(chain);
  }
  R& s(std::string a, int p, bool neg = false) { r.src = NatAddrMatch{std::move(a), p, "", neg}; return *this; }
  R& d(std::string a, int p, bool neg = false) { r.dst = NatAddrMatch{std::move(a), p, "", neg}; return *this; }
  R& i(std::string n, bool wc = false, bool neg = false) { r.in_iface = NatIfaceMatch{std::move(n), wc, neg}; return *this; }
  R& o(std::string n, bool wc = false, bool neg = false) { r.out_iface = NatIfaceMatch{std::move(n), wc, neg}; return *this; }
  R& p(int n, bool neg = false) { r.protocol = NatProtoMatch{n, neg}; return *this; }
  R& tcp() { r.modules.push_back("tcp"); return *this; }
  R& udp() { r.modules.push_back("udp"); return *this; }
  R& dport(uint16_t lo, uint16_t hi, bool neg = false) { r.dport = NatPortMatch{lo, hi, neg}; return *this; }
  R& sport(uint16_t lo, uint16_t hi, bool neg = false) { r.sport = NatPortMatch{lo, hi, neg}; return *this; }
  R& mark(uint32_t v, uint32_t m, bool neg = false) {
    r.modules.push_back("mark");
    r.mark = NatMarkMatch{v, m, neg};
    return *this;
  }
  R& ct(std::vector<std::string> st, bool neg = false, std::string module = "conntrack") {
    r.modules.push_back(std::move(module));
    r.ctstate = NatCtStateMatch{std::move(st), neg};
    return *this;
  }
  R& comment(std::string c) {
    r.modules.push_back("comment");
    r.comment = std::move(c);
    return *this;
  }
  R& other(std::string name, std::string text) {
    r.modules.push_back("other");
    r.other_matches.push_back({std::move(name), std::move(text)});
    return *this;
  }
  R& jump(std::string c) { r.target.kind = NatTargetKind::jump; r.target.chain = std::move(c); return *this; }
  R& go(std::string c) { r.target.kind = NatTargetKind::goto_; r.target.chain = std::move(c); return *this; }
  R& verdict(NatTargetKind k) { r.target.kind = k; return *this; }
  R& dnat(std::string to) { r.target.kind = NatTargetKind::dnat; r.target.name = "DNAT"; r.target.to_destination = std::move(to); return *this; }
  R& snat(std::string to) { r.target.kind = NatTargetKind::snat; r.target.name = "SNAT"; r.target.to_source = std::move(to); return *this; }
  R& masq(std::string ports = "") { r.target.kind = NatTargetKind::masquerade; r.target.to_ports = std::move(ports); return *this; }
  R& redirect(std::string ports) { r.target.kind = NatTargetKind::redirect; r.target.to_ports = std::move(ports); return *this; }
  R& fully() { r.target.random_fully = true; return *this; }
  R& random() { r.target.random = true; return *this; }
  R& persistent() { r.target.persistent = true; return *this; }
  std::string line() const { return render_rule(r); }
};

NatChain chain(std::string name, bool builtin = false, std::vector<NatRule> rules = {}) {
  NatChain c;
  c.name = std::move(name);
  c.builtin = builtin;
  if (builtin) c.policy = "ACCEPT";
  c.rules = std::move(rules);
  return c;
}

NatTarget other_target(std::string name, std::string text) {
  NatTarget t;
  t.kind = NatTargetKind::other;
  t.name = std::move(name);
  t.text = std::move(text);
  return t;
}

TEST(NatRenderTest, EveryNatLineOfTodaysQrouterArtefact) {
  EXPECT_EQ(R("PREROUTING").jump("neutron-l3-agent-PREROUTING").line(), "-A PREROUTING -j neutron-l3-agent-PREROUTING");
  EXPECT_EQ(R("OUTPUT").jump("neutron-l3-agent-OUTPUT").line(), "-A OUTPUT -j neutron-l3-agent-OUTPUT");
  EXPECT_EQ(R("POSTROUTING").jump("neutron-l3-agent-POSTROUTING").line(),
            "-A POSTROUTING -j neutron-l3-agent-POSTROUTING");
  EXPECT_EQ(R("POSTROUTING").jump("neutron-postrouting-bottom").line(), "-A POSTROUTING -j neutron-postrouting-bottom");
  EXPECT_EQ(R("neutron-l3-agent-OUTPUT").d("172.16.13.150", 32).dnat("10.0.0.10").line(),
            "-A neutron-l3-agent-OUTPUT -d 172.16.13.150/32 -j DNAT --to-destination 10.0.0.10");
  EXPECT_EQ(R("neutron-l3-agent-POSTROUTING").o("qg-d70d86be-74", false, true).ct({"DNAT"}, true)
                .verdict(NatTargetKind::accept).line(),
            "-A neutron-l3-agent-POSTROUTING ! -o qg-d70d86be-74 -m conntrack ! --ctstate DNAT -j ACCEPT");
  EXPECT_EQ(R("neutron-l3-agent-PREROUTING").d("169.254.169.254", 32).i("qr-", true).p(6).tcp().dport(80, 80)
                .redirect("9697").line(),
            "-A neutron-l3-agent-PREROUTING -d 169.254.169.254/32 -i qr-+ -p tcp -m tcp --dport 80 -j REDIRECT "
            "--to-ports 9697");
  EXPECT_EQ(R("neutron-l3-agent-PREROUTING").d("172.16.13.150", 32).dnat("10.0.0.10").line(),
            "-A neutron-l3-agent-PREROUTING -d 172.16.13.150/32 -j DNAT --to-destination 10.0.0.10");
  EXPECT_EQ(R("neutron-l3-agent-float-snat").s("10.0.0.10", 32).snat("172.16.13.150").fully().line(),
            "-A neutron-l3-agent-float-snat -s 10.0.0.10/32 -j SNAT --to-source 172.16.13.150 --random-fully");
  EXPECT_EQ(R("neutron-l3-agent-snat").jump("neutron-l3-agent-float-snat").line(),
            "-A neutron-l3-agent-snat -j neutron-l3-agent-float-snat");
  EXPECT_EQ(R("neutron-l3-agent-snat").o("qg-d70d86be-74").snat("172.16.13.124").fully().line(),
            "-A neutron-l3-agent-snat -o qg-d70d86be-74 -j SNAT --to-source 172.16.13.124 --random-fully");
  EXPECT_EQ(R("neutron-l3-agent-snat").mark(0x2, 0xffff, true).ct({"DNAT"}).snat("172.16.13.124").fully().line(),
            "-A neutron-l3-agent-snat -m mark ! --mark 0x2/0xffff -m conntrack --ctstate DNAT -j SNAT --to-source "
            "172.16.13.124 --random-fully");
  EXPECT_EQ(R("neutron-postrouting-bottom").comment("Perform source NAT on outgoing traffic.")
                .jump("neutron-l3-agent-snat").line(),
            "-A neutron-postrouting-bottom -m comment --comment \"Perform source NAT on outgoing traffic.\" -j "
            "neutron-l3-agent-snat");
}

TEST(NatRenderTest, HavanaEraForms) {
  EXPECT_EQ(R("neutron-l3-agent-snat").s("10.0.0.0", 24).snat("172.16.13.2").line(),
            "-A neutron-l3-agent-snat -s 10.0.0.0/24 -j SNAT --to-source 172.16.13.2");
  EXPECT_EQ(R("neutron-l3-agent-PREROUTING").d("169.254.169.254", 32).p(6).tcp().dport(80, 80).redirect("9697").line(),
            "-A neutron-l3-agent-PREROUTING -d 169.254.169.254/32 -p tcp -m tcp --dport 80 -j REDIRECT --to-ports 9697");
  EXPECT_EQ(R("neutron-l3-agent-POSTROUTING").i("qg-0b4d9ec2-3a", false, true).o("qg-0b4d9ec2-3a", false, true)
                .ct({"DNAT"}, true).verdict(NatTargetKind::accept).line(),
            "-A neutron-l3-agent-POSTROUTING ! -i qg-0b4d9ec2-3a ! -o qg-0b4d9ec2-3a -m conntrack ! --ctstate DNAT -j "
            "ACCEPT");
  EXPECT_EQ(R("neutron-postrouting-bottom").jump("neutron-l3-agent-snat").line(),
            "-A neutron-postrouting-bottom -j neutron-l3-agent-snat");
  EXPECT_EQ(R("neutron-l3-agent-float-snat").s("10.0.0.3", 32).snat("172.16.13.3").line(),
            "-A neutron-l3-agent-float-snat -s 10.0.0.3/32 -j SNAT --to-source 172.16.13.3");
  EXPECT_EQ(R("POSTROUTING").s("172.16.13.0", 24).o("br-ex").masq().line(),
            "-A POSTROUTING -s 172.16.13.0/24 -o br-ex -j MASQUERADE");
}

TEST(NatRenderTest, NegationsRangesFlagsAndQuoting) {
  EXPECT_EQ(R("X").s("10.0.0.0", 8, true).d("1.2.3.4", 32, true).p(17).udp().sport(53, 53).dport(1000, 2000)
                .jump("zeta").line(),
            "-A X ! -s 10.0.0.0/8 ! -d 1.2.3.4/32 -p udp -m udp --sport 53 --dport 1000:2000 -j zeta");
  EXPECT_EQ(R("X").p(6).tcp().dport(1000, 2000, true).verdict(NatTargetKind::return_).line(),
            "-A X -p tcp -m tcp ! --dport 1000:2000 -j RETURN");
  EXPECT_EQ(R("X").p(6).tcp().sport(22, 22).dport(23, 23).go("Beta").line(), "-A X -p tcp -m tcp --sport 22 --dport 23 -g Beta");
  auto flags = R("X").p(6).tcp();
  flags.r.tcp_flags = NatTcpFlagsMatch{0x12, 0x02, false};
  EXPECT_EQ(flags.verdict(NatTargetKind::accept).line(), "-A X -p tcp -m tcp --tcp-flags SYN,ACK SYN -j ACCEPT");
  EXPECT_EQ(R("X").p(6, true).i("eth0").o("eth", true, true).verdict(NatTargetKind::accept).line(),
            "-A X -i eth0 ! -o eth+ ! -p tcp -j ACCEPT");
  EXPECT_EQ(R("X").i("", true).verdict(NatTargetKind::accept).line(), "-A X -j ACCEPT");
  EXPECT_EQ(R("X").mark(1, 0xffffffff).ct({"NEW", "RELATED", "ESTABLISHED"}).verdict(NatTargetKind::accept).line(),
            "-A X -m mark --mark 0x1 -m conntrack --ctstate NEW,RELATED,ESTABLISHED -j ACCEPT");
  EXPECT_EQ(R("X").ct({"INVALID", "UNTRACKED"}, false, "state").verdict(NatTargetKind::accept).line(),
            "-A X -m state --state INVALID,UNTRACKED -j ACCEPT");
  EXPECT_EQ(R("X").comment("plain").other("comment", "--comment \"with \\\"quote\\\" and \\'x\\'\"")
                .verdict(NatTargetKind::accept).line(),
            "-A X -m comment --comment plain -m comment --comment \"with \\\"quote\\\" and \\'x\\'\" -j ACCEPT");
  EXPECT_EQ(R("X").comment("").verdict(NatTargetKind::accept).line(), "-A X -m comment --comment \"\" -j ACCEPT");
  EXPECT_EQ(R("X").p(6).dnat("10.0.0.1-10.0.0.5:80-90").line(), "-A X -p tcp -j DNAT --to-destination 10.0.0.1-10.0.0.5:80-90");
  EXPECT_EQ(R("X").p(6).dnat("10.0.0.1:80").random().persistent().line(),
            "-A X -p tcp -j DNAT --to-destination 10.0.0.1:80 --random --persistent");
  EXPECT_EQ(R("X").p(6).redirect("8000-8010").random().line(), "-A X -p tcp -j REDIRECT --to-ports 8000-8010 --random");
  EXPECT_EQ(R("X").p(6).masq("1024-65535").fully().line(), "-A X -p tcp -j MASQUERADE --to-ports 1024-65535 --random-fully");
  EXPECT_EQ(R("X").p(47).verdict(NatTargetKind::accept).line(), "-A X -p gre -j ACCEPT");
  EXPECT_EQ(R("X").p(253).verdict(NatTargetKind::accept).line(), "-A X -p 253 -j ACCEPT");
  EXPECT_EQ(R("X").d("1.2.3.4", 32).line(), "-A X -d 1.2.3.4/32");
  auto nc = R("X");
  nc.r.src = NatAddrMatch{"10.0.0.0", -1, "255.0.255.0", false};
  EXPECT_EQ(nc.verdict(NatTargetKind::accept).line(), "-A X -s 10.0.0.0/255.0.255.0 -j ACCEPT");
  auto other = R("X").other("addrtype", "[rev 1: 0x00000400]");
  other.r.target = other_target("MARK", "[rev 2: 0x01]");
  EXPECT_EQ(other.line(), "-A X -m addrtype [rev 1: 0x00000400] -j MARK [rev 2: 0x01]");
  EXPECT_FALSE(other.r.fully_decoded());
}

TEST(NatRenderTest, TableAsIptablesSave) {
  NatTable t;
  t.name = "nat";
  NatChain pre = chain("PREROUTING", true, {R("PREROUTING").jump("a").r});
  pre.packets = 2;
  pre.bytes = 168;
  t.chains = {pre, chain("a", false, {R("a").d("1.2.3.4", 32).dnat("10.0.0.1").r})};
  EXPECT_EQ(render_table(t),
            "*nat\n:PREROUTING ACCEPT [2:168]\n:a - [0:0]\n-A PREROUTING -j a\n"
            "-A a -d 1.2.3.4/32 -j DNAT --to-destination 10.0.0.1\nCOMMIT\n");
}

NatTable qrouter_like() {
  NatTable t;
  t.name = "nat";
  t.chains = {
      chain("PREROUTING", true),
      chain("POSTROUTING", true, {R("POSTROUTING").jump("neutron-postrouting-bottom").r}),
      chain("neutron-postrouting-bottom", false, {R("neutron-postrouting-bottom").jump("snat").r}),
      chain("float-snat", false, {R("float-snat").s("10.0.0.3", 32).snat("172.16.13.3").r}),
      chain("orphan", false, {R("orphan").jump("float-snat").r}),
      chain("snat", false, {R("snat").go("float-snat").r, R("snat").jump("no-such-chain").r, R("snat").jump("snat").r}),
  };
  return t;
}

TEST(NatReachabilityTest, FollowsJumpsAndGotosFromBaseChains) {
  const NatTable t = qrouter_like();
  const auto reach = reachable_chains(t);
  EXPECT_EQ(reach.at("PREROUTING"), "");
  EXPECT_EQ(reach.at("neutron-postrouting-bottom"), "POSTROUTING");
  EXPECT_EQ(reach.at("snat"), "neutron-postrouting-bottom");
  EXPECT_EQ(reach.at("float-snat"), "snat");  // through a goto; not via the orphan
  EXPECT_FALSE(reach.contains("orphan"));
  EXPECT_FALSE(reach.contains("no-such-chain"));
  EXPECT_TRUE(is_reachable(t, "float-snat"));
  EXPECT_FALSE(is_reachable(t, "orphan"));
  EXPECT_EQ(chain_path(t, "float-snat"),
            (std::vector<std::string>{"POSTROUTING", "neutron-postrouting-bottom", "snat", "float-snat"}));
  EXPECT_EQ(chain_path(t, "POSTROUTING"), std::vector<std::string>{"POSTROUTING"});
  EXPECT_TRUE(chain_path(t, "orphan").empty());
}

TEST(NatReachabilityTest, NoBaseChainMeansNothingReachable) {
  NatTable t;
  t.chains = {chain("a", false, {R("a").jump("b").r}), chain("b", false, {R("b").jump("a").r})};
  EXPECT_TRUE(reachable_chains(t).empty());
  EXPECT_TRUE(chain_path(t, "a").empty());
}

TEST(NatJsonTest, RoundTripIsLossless) {
  NatView v;
  NatTable t = qrouter_like();
  t.backend = NatBackend::iptables_legacy;
  auto full = R("snat").s("10.0.0.0", 24, true).d("1.2.3.4", 32).i("qr-", true).o("qg-1", false, true).p(6).tcp()
                  .sport(1, 2).dport(80, 80, true).mark(2, 0xffff, true).ct({"DNAT"}, true).comment("a \"b\"")
                  .other("addrtype", "[rev 1: 0x00]").dnat("10.0.0.1-10.0.0.2:80-90/85").random().fully().persistent();
  full.r.tcp_flags = NatTcpFlagsMatch{0x3f, 0x02, true};
  full.r.packets = 1ull << 40;
  full.r.bytes = 12345678901234ull;
  full.r.handle = 77;
  full.r.unparsed = "[ lookup reg 1 set s ]";
  full.r.family = "inet";
  t.chains.back().rules.push_back(full.r);
  auto nc = R("orphan");
  nc.r.src = NatAddrMatch{"10.0.0.0", -1, "255.0.255.0", false};
  nc.r.target = other_target("MARK", "[rev 2: 0x01]");
  t.chains[4].rules.push_back(nc.r);
  v.tables.push_back(t);
  NatTable n;
  n.name = "swnat";
  n.family = "inet";
  NatChain post = chain("post", true, {R("post").o("eth9").masq().r});
  post.hook = "postrouting";
  post.priority = 100;
  post.type = "nat";
  post.policy = "DROP";
  n.chains.push_back(post);
  v.tables.push_back(n);

  const nlohmann::json j = v;
  const auto text = j.dump();
  auto back = nat_view_from_json(nlohmann::json::parse(text));
  ASSERT_TRUE(back) << back.error().message();
  EXPECT_EQ(*back, v);
  EXPECT_EQ(j["tables"][0]["backend"], "iptables-legacy");
  EXPECT_EQ(j["tables"][0]["chains"][5]["rules"].back()["target"]["kind"], "dnat");
  EXPECT_EQ(j["tables"][0]["chains"][5]["rules"].back()["protocol"]["name"], "tcp");
  for (size_t i = 0; i < v.tables.size(); ++i) EXPECT_EQ(render_table(back->tables[i]), render_table(v.tables[i]));

  // snapshot --json writes the same text without building the tree.
  std::string direct;
  append_json(direct, v);
  EXPECT_EQ(direct, text);
}

TEST(NatJsonTest, MalformedSnapshotsAreInputErrors) {
  for (const char* bad : {R"({})", R"({"tables": 3})", R"({"tables": [{"name": "nat"}]})",
                          R"({"tables": [{"name": "nat", "backend": "ipchains"}]})",
                          R"({"tables": [{"name": "nat", "backend": "nftables", "chains": [{"name": "a",
                              "rules": [{"table": "nat", "chain": "a", "target": {"kind": "teleport"}}]}]}]})",
                          R"({"tables": [{"name": "nat", "backend": "nftables", "chains": [{"name": "a",
                              "rules": [{"table": "nat", "chain": "a", "target": {"kind": "jump"},
                              "dport": {"min": "eighty"}}]}]}]})"}) {
    auto r = nat_view_from_json(nlohmann::json::parse(bad));
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.error().kind(), ErrorKind::input);
    EXPECT_TRUE(r.error().message().starts_with("NAT snapshot JSON: ")) << r.error().message();
  }
}

}  // namespace
}  // namespace sw::netprobe
