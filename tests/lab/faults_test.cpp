// The catalogue and the apply/heal logic (lab/faults/faults.cpp), against a fake host runner that
// answers scripted commands and records every call: no lab, no root.
#include "lab/faults/faults.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

namespace sw::lab::faults {
namespace {

class FakeHosts final : public HostRunner {
 public:
  /// "host: argv joined by blanks" → what it prints and its exit status. Unscripted commands succeed
  /// silently.
  void on(const std::string& call, std::string out, int status = 0) {
    RunResult r;
    r.status = status;
    r.out = std::move(out);
    if (status != 0) r.err = "scripted failure";
    answers_[call] = std::move(r);
  }
  Result<RunResult> run(std::string_view host, const std::vector<std::string>& argv, std::chrono::milliseconds) override {
    std::string key = std::string(host) + ":";
    for (const auto& a : argv) key += " " + a;
    calls.push_back(key);
    const auto it = answers_.find(key);
    if (it != answers_.end()) return it->second;
    RunResult ok;
    ok.status = 0;
    return ok;
  }
  bool called(const std::string& call) const { return std::find(calls.begin(), calls.end(), call) != calls.end(); }
  /// Index of the first call, or -1.
  long index(const std::string& call) const {
    const auto it = std::find(calls.begin(), calls.end(), call);
    return it == calls.end() ? -1 : it - calls.begin();
  }
  std::vector<std::string> calls;

 private:
  std::map<std::string, RunResult> answers_;
};

constexpr const char* kNat = R"(-P PREROUTING ACCEPT
-N neutron-l3-agent-OUTPUT
-N neutron-l3-agent-PREROUTING
-N neutron-l3-agent-float-snat
-A PREROUTING -j neutron-l3-agent-PREROUTING
-A OUTPUT -j neutron-l3-agent-OUTPUT
-A neutron-l3-agent-OUTPUT -d 172.16.13.3/32 -j DNAT --to-destination 10.0.0.3
-A neutron-l3-agent-PREROUTING -d 169.254.169.254/32 -i qr-+ -p tcp -m tcp --dport 80 -j REDIRECT --to-ports 9697
-A neutron-l3-agent-PREROUTING -d 172.16.13.3/32 -j DNAT --to-destination 10.0.0.3
-A neutron-l3-agent-float-snat -s 10.0.0.3/32 -j SNAT --to-source 172.16.13.3 --random-fully
)";
constexpr const char* kNatWithoutDnat = R"(-A PREROUTING -j neutron-l3-agent-PREROUTING
-A OUTPUT -j neutron-l3-agent-OUTPUT
-A neutron-l3-agent-PREROUTING -d 169.254.169.254/32 -i qr-+ -p tcp -m tcp --dport 80 -j REDIRECT --to-ports 9697
-A neutron-l3-agent-float-snat -s 10.0.0.3/32 -j SNAT --to-source 172.16.13.3 --random-fully
)";
constexpr const char* kSvc = "/var/lib/stackwire/bin/sw-service";

class FaultsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto layout = make_layout("swt", "/srv/stackwire/swt", 2);
    ASSERT_TRUE(layout) << layout.error().message();
    auto facts = make_lab_facts(*layout, "", "", "");
    ASSERT_TRUE(facts);
    ctx_ = std::make_unique<FaultContext>(*layout, *facts, hosts_);
    // A deployed network host: one router holding the floating IP, one DHCP namespace.
    hosts_.on("network: ip netns list", "qrouter-r1 (id: 1)\nqdhcp-n1 (id: 2)\n");
    hosts_.on("network: ip netns exec qrouter-r1 ip -o -4 addr show",
              "10: qg-aaa    inet 172.16.13.139/24 brd 172.16.13.255 scope global qg-aaa\\ x\n"
              "10: qg-aaa    inet 172.16.13.3/32 brd 172.16.13.3 scope global qg-aaa\\ x\n"
              "12: qr-bbb    inet 10.0.0.1/24 brd 10.0.0.255 scope global qr-bbb\\ x\n");
    hosts_.on("network: ip netns exec qrouter-r1 ip -o link show",
              "10: qg-aaa: <BROADCAST,UP,LOWER_UP> mtu 1500 qdisc x\n12: qr-bbb: <BROADCAST,UP,LOWER_UP> mtu 1458 q\n");
    hosts_.on("network: ip netns exec qrouter-r1 iptables -w 10 -t nat -S", kNat);
  }
  Result<void> save(const FaultState& s) {
    saved_ = s;
    ++saves_;
    return {};
  }
  FakeHosts hosts_;
  std::unique_ptr<FaultContext> ctx_;
  FaultState state_, saved_;
  int saves_ = 0;
};

TEST(FaultCatalogue, NamesAreUniqueKebabCaseAndEveryFaultIsComplete) {
  std::set<std::string> names;
  for (const auto& f : fault_catalogue()) {
    EXPECT_TRUE(names.insert(f.name).second) << f.name;
    EXPECT_TRUE(std::all_of(f.name.begin(), f.name.end(), [](char c) { return (c >= 'a' && c <= 'z') || c == '-'; }))
        << f.name;
    EXPECT_FALSE(f.breaks.empty()) << f.name;
    EXPECT_FALSE(f.heal.empty()) << f.name;
    EXPECT_TRUE(f.apply && f.undo) << f.name;
    EXPECT_EQ(f.stops_agent.empty(), f.agent_why.empty()) << f.name;
    EXPECT_EQ(find_fault(f.name), &f);
  }
  EXPECT_EQ(names.size(), 15u);
  EXPECT_EQ(find_fault("nope"), nullptr);
  // Measured on the lab: only the DHCP agent repairs its fault (respawns dnsmasq) within 90 s.
  EXPECT_EQ(find_fault("dnsmasq-dead")->stops_agent, "neutron-dhcp-agent");
  for (const auto& f : fault_catalogue()) {
    if (f.name != "dnsmasq-dead") {
      EXPECT_TRUE(f.stops_agent.empty()) << f.name;
    }
  }
  EXPECT_NE(fault_names().find("br-ex-down, br-ex-no-address, "), std::string::npos);
}

TEST(FaultCatalogue, ListSaysWhereAndWhichAgentStops) {
  auto layout = make_layout("swt", "/srv/stackwire/swt", 2);
  ASSERT_TRUE(layout);
  auto facts = make_lab_facts(*layout, "CONFIG_NEUTRON_OVS_TUNNEL_IF=eth7\n",
                              R"({"instances": [{"name": "vm1", "host": "compute2", "floating_ip": "172.16.13.9"}]})",
                              "t.json");
  ASSERT_TRUE(facts) << facts.error().message();
  EXPECT_EQ(facts->tunnel_if, "eth7");
  EXPECT_EQ(facts->floating_ip, "172.16.13.9");
  EXPECT_EQ(facts->tunnel_ips.at("compute2"), "10.19.0.8");
  FaultState state;
  ActiveFault a;
  a.name = "br-ex-down";
  a.host = "network";
  state.active.push_back(a);
  const auto list = list_faults(*facts, state);
  ASSERT_EQ(list.size(), fault_catalogue().size());
  for (const auto& e : list) {
    EXPECT_EQ(e.host, e.name == "instance-vlan-wrong" ? "compute2" : "network") << e.name;
    EXPECT_EQ(e.active, e.name == "br-ex-down");
  }
  const auto text = fault_list_text(list, "swt");
  EXPECT_NE(text.find("(stops neutron-dhcp-agent while active"), std::string::npos) << text;
  EXPECT_NE(text.find("br-ex-down *"), std::string::npos) << text;
  EXPECT_NE(text.find("* active on lab 'swt'"), std::string::npos) << text;
  const auto j = fault_list_json(list, state);
  EXPECT_EQ(j["faults"].size(), fault_catalogue().size());
  EXPECT_EQ(j["active"][0]["name"], "br-ex-down");
  for (const auto& f : j["faults"])
    EXPECT_EQ(f["stops_agent"].is_null(), f["name"] != "dnsmasq-dead") << f["name"];
}

TEST_F(FaultsTest, UnknownNameIsAnInputErrorListingTheNames) {
  const auto r = apply_fault(*ctx_, state_, "no-such-fault", 1);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind(), ErrorKind::input);
  EXPECT_EQ(r.error().exit_code(), 2);
  EXPECT_NE(r.error().message().find("tunnel-flow-missing"), std::string::npos);
  EXPECT_TRUE(hosts_.calls.empty());
}

TEST_F(FaultsTest, NoCloudIsAFailureSayingSo) {
  hosts_.on("network: ip netns list", "");
  const auto r = apply_fault(*ctx_, state_, "fip-dnat-missing", 1);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind(), ErrorKind::failed);
  EXPECT_EQ(r.error().exit_code(), 1);
  EXPECT_NE(r.error().message().find("no qrouter- namespace"), std::string::npos) << r.error().message();
  EXPECT_TRUE(state_.active.empty());
}

TEST_F(FaultsTest, DnatRulesAreDeletedSavedAndPutBackWhereTheyWere) {
  const auto r = apply_fault(*ctx_, state_, "fip-dnat-missing", 1000);
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_FALSE(r->already_active);
  EXPECT_EQ(r->host, "network");
  EXPECT_TRUE(hosts_.called("network: ip netns exec qrouter-r1 iptables -w 10 -t nat -D neutron-l3-agent-OUTPUT "
                            "-d 172.16.13.3/32 -j DNAT --to-destination 10.0.0.3"));
  EXPECT_TRUE(hosts_.called("network: ip netns exec qrouter-r1 iptables -w 10 -t nat -D neutron-l3-agent-PREROUTING "
                            "-d 172.16.13.3/32 -j DNAT --to-destination 10.0.0.3"));
  ASSERT_EQ(state_.active.size(), 1u);
  const auto& a = state_.active[0];
  EXPECT_EQ(a.applied, 1000);
  EXPECT_EQ(a.value("netns"), "qrouter-r1");
  ASSERT_EQ(a.items.size(), 2u);
  EXPECT_EQ(a.items[0].position, 1);
  EXPECT_EQ(a.items[1].position, 2);
  EXPECT_EQ(a.items[1].text, "-A neutron-l3-agent-PREROUTING -d 172.16.13.3/32 -j DNAT --to-destination 10.0.0.3");

  // Twice: a no-op that says so.
  const auto calls = hosts_.calls.size();
  const auto again = apply_fault(*ctx_, state_, "fip-dnat-missing", 2000);
  ASSERT_TRUE(again);
  EXPECT_TRUE(again->already_active);
  EXPECT_EQ(again->applied, 1000);
  EXPECT_EQ(hosts_.calls.size(), calls);
  EXPECT_EQ(state_.active.size(), 1u);

  // Heal: the rules are gone (-C fails), so each goes back at its old position.
  hosts_.on("network: ip netns exec qrouter-r1 iptables -w 10 -t nat -S", kNatWithoutDnat);
  for (const char* chain : {"neutron-l3-agent-OUTPUT", "neutron-l3-agent-PREROUTING"})
    hosts_.on(std::string("network: ip netns exec qrouter-r1 iptables -w 10 -t nat -C ") + chain +
                  " -d 172.16.13.3/32 -j DNAT --to-destination 10.0.0.3",
              "", 1);
  const auto h = heal_faults(*ctx_, state_, "", [&](const FaultState& s) { return save(s); });
  ASSERT_TRUE(h) << h.error().message();
  ASSERT_EQ(h->faults.size(), 1u);
  EXPECT_TRUE(h->all_ok()) << h->faults[0].message;
  EXPECT_TRUE(hosts_.called("network: ip netns exec qrouter-r1 iptables -w 10 -t nat -I neutron-l3-agent-OUTPUT 1 "
                            "-d 172.16.13.3/32 -j DNAT --to-destination 10.0.0.3"));
  EXPECT_TRUE(hosts_.called("network: ip netns exec qrouter-r1 iptables -w 10 -t nat -I neutron-l3-agent-PREROUTING 2 "
                            "-d 172.16.13.3/32 -j DNAT --to-destination 10.0.0.3"));
  EXPECT_TRUE(state_.active.empty());
  EXPECT_EQ(saves_, 1);
  EXPECT_TRUE(saved_.active.empty());
}

TEST_F(FaultsTest, HealOfWhatIsAlreadyBackChangesNothing) {
  ASSERT_TRUE(apply_fault(*ctx_, state_, "fip-snat-missing", 1));
  // -C succeeds (unscripted): the L3 agent put the rule back by itself.
  const auto h = heal_faults(*ctx_, state_, "", [&](const FaultState& s) { return save(s); });
  ASSERT_TRUE(h);
  ASSERT_TRUE(h->all_ok());
  EXPECT_NE(h->faults[0].message.find("already back"), std::string::npos) << h->faults[0].message;
  for (const auto& c : hosts_.calls) EXPECT_EQ(c.find(" -I "), std::string::npos) << c;
}

TEST_F(FaultsTest, DnsmasqFaultStopsTheDhcpAgentFirstAndHealStartsIt) {
  hosts_.on(std::string("network: ") + kSvc + " status neutron-dhcp-agent", "neutron-dhcp-agent is running\n");
  hosts_.on("network: ip netns pids qdhcp-n1", "42\n");
  hosts_.on("network: ps -o pid=,comm= -p 42", "   42 dnsmasq\n");
  hosts_.on("network: ps -o pid= -p 42", "", 1);  // gone after SIGTERM
  const auto r = apply_fault(*ctx_, state_, "dnsmasq-dead", 1);
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(r->stopped_agent, "neutron-dhcp-agent");
  const auto stop = hosts_.index(std::string("network: ") + kSvc + " stop neutron-dhcp-agent");
  const auto kill = hosts_.index("network: kill -TERM 42");
  ASSERT_GE(stop, 0);
  ASSERT_GE(kill, 0);
  EXPECT_LT(stop, kill);
  ASSERT_EQ(state_.active.size(), 1u);
  EXPECT_EQ(state_.active[0].stopped_agent, "neutron-dhcp-agent");
  EXPECT_EQ(state_.active[0].value("netns"), "qdhcp-n1");

  const auto h = heal_faults(*ctx_, state_, "", [&](const FaultState& s) { return save(s); });
  ASSERT_TRUE(h);
  ASSERT_TRUE(h->all_ok()) << h->faults[0].message;
  EXPECT_EQ(h->faults[0].restarted_agent, "neutron-dhcp-agent");
  EXPECT_TRUE(hosts_.called(std::string("network: ") + kSvc + " start neutron-dhcp-agent"));
  EXPECT_NE(h->faults[0].message.find("dnsmasq runs in qdhcp-n1 again"), std::string::npos) << h->faults[0].message;
}

TEST_F(FaultsTest, AFailedApplyStartsTheStoppedAgentAgain) {
  hosts_.on(std::string("network: ") + kSvc + " status neutron-dhcp-agent", "running\n");
  hosts_.on("network: ip netns pids qdhcp-n1", "");  // no dnsmasq: nothing to break
  const auto r = apply_fault(*ctx_, state_, "dnsmasq-dead", 1);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind(), ErrorKind::failed);
  EXPECT_TRUE(hosts_.called(std::string("network: ") + kSvc + " stop neutron-dhcp-agent"));
  EXPECT_TRUE(hosts_.called(std::string("network: ") + kSvc + " start neutron-dhcp-agent"));
  EXPECT_TRUE(state_.active.empty());
}

TEST_F(FaultsTest, HealWalksNewestFirstAndKeepsWhatFailed) {
  hosts_.on("network: ip netns exec qrouter-r1 sysctl -n net.ipv4.ip_forward", "1\n");
  hosts_.on("network: ip -o link show dev br-ex", "6: br-ex: <BROADCAST,UP,LOWER_UP> mtu 1500 qdisc x\n");
  ASSERT_TRUE(apply_fault(*ctx_, state_, "router-forwarding-off", 1));
  ASSERT_TRUE(apply_fault(*ctx_, state_, "br-ex-down", 2));
  EXPECT_TRUE(hosts_.called("network: ip netns exec qrouter-r1 sysctl -q -w net.ipv4.ip_forward=0"));
  EXPECT_TRUE(hosts_.called("network: ip link set dev br-ex down"));

  hosts_.on("network: ip netns exec qrouter-r1 sysctl -n net.ipv4.ip_forward", "0\n");
  hosts_.on("network: ip -o link show dev br-ex", "6: br-ex: <BROADCAST> mtu 1500 qdisc x\n");
  hosts_.on("network: ip link set dev br-ex up", "", 2);
  const auto h = heal_faults(*ctx_, state_, "", [&](const FaultState& s) { return save(s); });
  ASSERT_TRUE(h);
  ASSERT_EQ(h->faults.size(), 2u);
  EXPECT_EQ(h->faults[0].name, "br-ex-down");
  EXPECT_FALSE(h->faults[0].ok);
  EXPECT_NE(h->faults[0].message.find("ip link set dev br-ex up"), std::string::npos) << h->faults[0].message;
  EXPECT_EQ(h->faults[1].name, "router-forwarding-off");
  EXPECT_TRUE(h->faults[1].ok) << h->faults[1].message;
  EXPECT_TRUE(hosts_.called("network: ip netns exec qrouter-r1 sysctl -q -w net.ipv4.ip_forward=1"));
  EXPECT_FALSE(h->all_ok());
  ASSERT_EQ(state_.active.size(), 1u);
  EXPECT_EQ(state_.active[0].name, "br-ex-down");
  EXPECT_EQ(saved_.active.size(), 1u);
}

TEST_F(FaultsTest, HealOfOneNameLeavesTheOthers) {
  hosts_.on("network: ip netns exec qrouter-r1 sysctl -n net.ipv4.ip_forward", "1\n");
  ASSERT_TRUE(apply_fault(*ctx_, state_, "router-forwarding-off", 1));
  ASSERT_TRUE(apply_fault(*ctx_, state_, "fip-snat-missing", 2));
  const auto h = heal_faults(*ctx_, state_, "router-forwarding-off", [&](const FaultState& s) { return save(s); });
  ASSERT_TRUE(h);
  ASSERT_EQ(h->faults.size(), 1u);
  ASSERT_EQ(state_.active.size(), 1u);
  EXPECT_EQ(state_.active[0].name, "fip-snat-missing");
  const auto none = heal_faults(*ctx_, state_, "br-ex-down", [&](const FaultState& s) { return save(s); });
  ASSERT_TRUE(none);
  EXPECT_TRUE(none->faults.empty());
  const auto bad = heal_faults(*ctx_, state_, "bogus", [&](const FaultState& s) { return save(s); });
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().kind(), ErrorKind::input);
}

TEST_F(FaultsTest, TunnelFlowIsFoundThroughTheRoutersPortSegmentationId) {
  hosts_.on("network: ovs-vsctl --timeout=10 --format=json --columns=name,other_config list Port qr-bbb",
            R"({"data":[["qr-bbb",["map",[["network_type","gre"],["segmentation_id","2255"],["tag","1"]]]]],)"
            R"("headings":["name","other_config"]})");
  hosts_.on("network: ovs-ofctl -O OpenFlow13 dump-flows br-tun",
            "OFPST_FLOW reply (OF1.3) (xid=0x2):\n"
            " cookie=0xab, duration=1s, table=3, n_packets=1, n_bytes=1, priority=1,tun_id=0x8cf "
            "actions=push_vlan:0x8100,set_field:4097->vlan_vid,goto_table:10\n"
            " cookie=0xab, duration=1s, table=3, n_packets=0, n_bytes=0, priority=0 actions=drop\n"
            " cookie=0xab, duration=1s, table=22, n_packets=0, n_bytes=0, priority=1,dl_vlan=1 "
            "actions=pop_vlan,set_field:0x8cf->tun_id,output:2\n");
  const auto r = apply_fault(*ctx_, state_, "tunnel-flow-missing", 1);
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_TRUE(hosts_.called("network: ovs-ofctl -O OpenFlow13 del-flows br-tun table=3,tun_id=0x8cf"));
  ASSERT_EQ(state_.active[0].items.size(), 1u);
  const auto text = state_.active[0].items[0].text;
  EXPECT_EQ(text, "cookie=0xab,table=3,priority=1,tun_id=0x8cf,actions=push_vlan:0x8100,set_field:4097->vlan_vid,"
                  "goto_table:10");
  hosts_.on("network: ovs-ofctl -O OpenFlow13 dump-flows br-tun",
            " cookie=0xab, duration=1s, table=3, n_packets=0, n_bytes=0, priority=0 actions=drop\n");
  const auto h = heal_faults(*ctx_, state_, "", [&](const FaultState& s) { return save(s); });
  ASSERT_TRUE(h);
  EXPECT_TRUE(h->all_ok()) << h->faults[0].message;
  EXPECT_TRUE(hosts_.called("network: ovs-ofctl -O OpenFlow13 add-flow br-tun " + text));
}

TEST_F(FaultsTest, MtuFaultStaysBelowWhatTheTenantMtuNeeds) {
  hosts_.on("network: ip -o link show dev eth2", "3: eth2@if7: <BROADCAST,UP,LOWER_UP> mtu 1500 qdisc x\n");
  const auto r = apply_fault(*ctx_, state_, "tunnel-mtu-small", 1);
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_TRUE(hosts_.called("network: ip link set dev eth2 mtu 1400"));
  EXPECT_EQ(state_.active[0].value("mtu"), "1500");
  EXPECT_EQ(state_.active[0].value("tenant_mtu"), "1458");
  hosts_.on("network: ip -o link show dev eth2", "3: eth2@if7: <BROADCAST,UP,LOWER_UP> mtu 1400 qdisc x\n");
  ASSERT_TRUE(heal_faults(*ctx_, state_, "", [&](const FaultState& s) { return save(s); }));
  EXPECT_TRUE(hosts_.called("network: ip link set dev eth2 mtu 1500"));
}

}  // namespace
}  // namespace sw::lab::faults
