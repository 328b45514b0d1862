#include "lab/faults/decode.h"

#include <gtest/gtest.h>

namespace sw::lab::faults {
namespace {

// Captured on a deployed lab (network host, Zed agents, iptables-nft).
constexpr const char* kRouterNat = R"(-P PREROUTING ACCEPT
-P INPUT ACCEPT
-P OUTPUT ACCEPT
-P POSTROUTING ACCEPT
-N neutron-l3-agent-OUTPUT
-N neutron-l3-agent-POSTROUTING
-N neutron-l3-agent-PREROUTING
-N neutron-l3-agent-float-snat
-N neutron-l3-agent-snat
-N neutron-postrouting-bottom
-A PREROUTING -j neutron-l3-agent-PREROUTING
-A OUTPUT -j neutron-l3-agent-OUTPUT
-A POSTROUTING -j neutron-l3-agent-POSTROUTING
-A POSTROUTING -j neutron-postrouting-bottom
-A neutron-l3-agent-OUTPUT -d 172.16.13.3/32 -j DNAT --to-destination 10.0.0.192
-A neutron-l3-agent-POSTROUTING ! -o qg-f0805ec8-33 -m conntrack ! --ctstate DNAT -j ACCEPT
-A neutron-l3-agent-PREROUTING -d 169.254.169.254/32 -i qr-+ -p tcp -m tcp --dport 80 -j REDIRECT --to-ports 9697
-A neutron-l3-agent-PREROUTING -d 172.16.13.3/32 -j DNAT --to-destination 10.0.0.192
-A neutron-l3-agent-float-snat -s 10.0.0.192/32 -j SNAT --to-source 172.16.13.3 --random-fully
-A neutron-l3-agent-snat -j neutron-l3-agent-float-snat
-A neutron-postrouting-bottom -m comment --comment "Perform source NAT on outgoing traffic." -j neutron-l3-agent-snat
)";

TEST(FaultDecode, NetnsListDropsIds) {
  EXPECT_EQ(parse_netns_list("qdhcp-8454 (id: 2)\nqrouter-b66f (id: 1)\nswvm-test0\n\n"),
            (std::vector<std::string>{"qdhcp-8454", "qrouter-b66f", "swvm-test0"}));
  EXPECT_TRUE(parse_netns_list("").empty());
}

TEST(FaultDecode, Ipv4Addresses) {
  const auto a = parse_ipv4_addrs(
      "1: lo    inet 127.0.0.1/8 scope host lo\\       valid_lft forever preferred_lft forever\n"
      "10: qg-f0805ec8-33    inet 172.16.13.139/24 brd 172.16.13.255 scope global qg-f0805ec8-33\\  valid_lft forever\n"
      "10: qg-f0805ec8-33    inet 172.16.13.3/32 brd 172.16.13.3 scope global qg-f0805ec8-33\\  valid_lft forever\n");
  ASSERT_EQ(a.size(), 3u);
  EXPECT_EQ(a[1].dev, "qg-f0805ec8-33");
  EXPECT_EQ(a[1].cidr, "172.16.13.139/24");
  EXPECT_EQ(a[2].cidr, "172.16.13.3/32");
}

TEST(FaultDecode, LinksWithMtuAndUpFlag) {
  const auto l = parse_links(
      "3: eth2@if7: <BROADCAST,MULTICAST,NOARP,PROMISC,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP mode DEFAULT\n"
      "6: br-ex: <BROADCAST,MULTICAST,PROMISC> mtu 1500 qdisc pfifo_fast state DOWN\n"
      "12: qr-2e6fbfd3-40: <BROADCAST,MULTICAST,PROMISC,UP,LOWER_UP> mtu 1458 qdisc pfifo_fast\n");
  ASSERT_EQ(l.size(), 3u);
  EXPECT_EQ(l[0].name, "eth2");
  EXPECT_TRUE(l[0].up);
  EXPECT_EQ(l[0].mtu, 1500);
  EXPECT_EQ(l[1].name, "br-ex");
  EXPECT_FALSE(l[1].up);  // LOWER_UP alone is not UP; here neither is present
  EXPECT_EQ(l[2].mtu, 1458);
}

TEST(FaultDecode, RuleWordsKeepQuotedComments) {
  EXPECT_EQ(split_rule_words(R"(-A neutron-postrouting-bottom -m comment --comment "Perform source NAT." -j x)"),
            (std::vector<std::string>{"-A", "neutron-postrouting-bottom", "-m", "comment", "--comment",
                                      "Perform source NAT.", "-j", "x"}));
  EXPECT_EQ(split_rule_words(R"(-A c --comment "say \"hi\"")"),
            (std::vector<std::string>{"-A", "c", "--comment", "say \"hi\""}));
  EXPECT_TRUE(split_rule_words("   ").empty());
}

TEST(FaultDecode, IptablesRulesWithPositionsPerChain) {
  const auto rules = parse_iptables_rules(kRouterNat);
  ASSERT_EQ(rules.size(), 11u);
  EXPECT_EQ(rules[0].chain, "PREROUTING");
  EXPECT_EQ(rules[3].chain, "POSTROUTING");
  EXPECT_EQ(rules[3].position, 2);
  const auto& dnat = rules[7];
  EXPECT_EQ(dnat.chain, "neutron-l3-agent-PREROUTING");
  EXPECT_EQ(dnat.position, 2);
  EXPECT_EQ(dnat.option("-d"), "172.16.13.3/32");
  EXPECT_EQ(dnat.option("-j"), "DNAT");
  EXPECT_EQ(dnat.option("--to-destination"), "10.0.0.192");
  EXPECT_EQ(dnat.option("-s"), std::nullopt);
  EXPECT_EQ(dnat.text, "-A neutron-l3-agent-PREROUTING -d 172.16.13.3/32 -j DNAT --to-destination 10.0.0.192");
  EXPECT_EQ(rules[10].option("--comment"), "Perform source NAT on outgoing traffic.");
}

TEST(FaultDecode, FlowDumpLineBecomesAddFlowText) {
  const auto f = parse_flow_line(
      " cookie=0x4f6903199d4f16fa, duration=53.312s, table=3, n_packets=9, n_bytes=1418, priority=1,tun_id=0x8cf "
      "actions=push_vlan:0x8100,set_field:4097->vlan_vid,goto_table:10");
  ASSERT_TRUE(f);
  EXPECT_EQ(f->table, 3);
  EXPECT_EQ(f->match, "priority=1,tun_id=0x8cf");
  EXPECT_EQ(f->match_field("tun_id"), "0x8cf");
  EXPECT_EQ(f->match_field("in_port"), std::nullopt);
  EXPECT_EQ(f->add_flow,
            "cookie=0x4f6903199d4f16fa,table=3,priority=1,tun_id=0x8cf,"
            "actions=push_vlan:0x8100,set_field:4097->vlan_vid,goto_table:10");
  // The add-flow text decodes to the same flow (heal compares tables and matches).
  const auto again = parse_flow_line(f->add_flow);
  ASSERT_TRUE(again);
  EXPECT_EQ(again->table, 3);
  EXPECT_EQ(again->match, f->match);
  EXPECT_EQ(again->actions, f->actions);
}

TEST(FaultDecode, FlowDumpSkipsHeaderAndKeepsTimeoutsOutOfTheMatch) {
  const auto flows = parse_flow_dump(
      "OFPST_FLOW reply (OF1.3) (xid=0x2):\n"
      " cookie=0x1, duration=80.3s, table=0, n_packets=0, n_bytes=0, priority=0 actions=drop\n"
      " cookie=0x1, duration=51.9s, table=20, n_packets=2, n_bytes=140, hard_timeout=300, idle_age=3, "
      "priority=1,vlan_tci=0x0001/0x0fff,dl_dst=fa:16:3e:21:f6:56 actions=load:0->NXM_OF_VLAN_TCI[],"
      "load:0x8cf->NXM_NX_TUN_ID[],output:3\n");
  ASSERT_EQ(flows.size(), 2u);
  EXPECT_EQ(flows[0].table, 0);
  EXPECT_EQ(flows[0].match, "priority=0");
  EXPECT_EQ(flows[1].table, 20);
  EXPECT_EQ(flows[1].match, "priority=1,vlan_tci=0x0001/0x0fff,dl_dst=fa:16:3e:21:f6:56");
  EXPECT_EQ(flows[1].match_field("tun_id"), std::nullopt);  // only in the actions
  EXPECT_NE(flows[1].add_flow.find("hard_timeout=300"), std::string::npos);
  EXPECT_EQ(flows[1].add_flow.find("idle_age"), std::string::npos);
}

TEST(FaultDecode, OvsJsonRows) {
  const auto rows = parse_ovs_json(
      R"({"data":[["gre-0a130002","gre",["map",[["df_default","true"],["in_key","flow"],["remote_ip","10.19.0.2"]]],3],)"
      R"(["br-tun","internal",["map",[]],["set",[]]]],"headings":["name","type","options","ofport"]})");
  ASSERT_TRUE(rows) << rows.error().message();
  ASSERT_EQ(rows->size(), 2u);
  EXPECT_EQ((*rows)[0].scalar("name"), "gre-0a130002");
  EXPECT_EQ((*rows)[0].scalar("ofport"), "3");
  EXPECT_EQ((*rows)[0].map_value("options", "remote_ip"), "10.19.0.2");
  EXPECT_EQ((*rows)[1].scalar("ofport"), "");
  EXPECT_EQ((*rows)[1].map_value("options", "remote_ip"), "");
  EXPECT_FALSE(parse_ovs_json("not json"));
  EXPECT_FALSE(parse_ovs_json(R"({"data":[["a"]],"headings":["name","type"]})"));
}

TEST(FaultDecode, OvsQuote) {
  EXPECT_EQ(ovs_quote("10.19.0.2"), "\"10.19.0.2\"");
  EXPECT_EQ(ovs_quote("a\"b"), "\"a\\\"b\"");
}

TEST(FaultDecode, AnswerValue) {
  const char* text = "[general]\n# CONFIG_NEUTRON_OVS_TUNNEL_IF=eth9\nCONFIG_NEUTRON_OVS_TUNNEL_IF=eth2\nCONFIG_X = y \n";
  EXPECT_EQ(answer_value(text, "CONFIG_NEUTRON_OVS_TUNNEL_IF"), "eth2");
  EXPECT_EQ(answer_value(text, "CONFIG_X"), "y");
  EXPECT_EQ(answer_value(text, "CONFIG_NONE"), std::nullopt);
}

TEST(FaultDecode, TopologyFactsPreferTheInstanceWithAFloatingIp) {
  const auto t = parse_topology_facts(R"({
    "networks": [{"name": "net0", "subnets": [{"cidr": "10.0.0.0/24"}]},
                 {"name": "external", "external": true,
                  "subnets": [{"cidr": "172.16.13.0/24", "gateway_ip": "172.16.13.1"}]}],
    "instances": [{"name": "a", "host": "compute2"},
                  {"name": "test0", "host": "compute1", "floating_ip": "172.16.13.3"}]})",
                                      "topology.json");
  ASSERT_TRUE(t) << t.error().message();
  EXPECT_EQ(t->instance, "test0");
  EXPECT_EQ(t->instance_host, "compute1");
  EXPECT_EQ(t->floating_ip, "172.16.13.3");
  EXPECT_EQ(t->external_cidr, "172.16.13.0/24");
  EXPECT_EQ(t->external_gateway, "172.16.13.1");
  const auto bad = parse_topology_facts("{", "t.json");
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message().find("t.json"), std::string::npos);
}

TEST(FaultDecode, SubnetsAndTags) {
  EXPECT_TRUE(in_subnet("10.0.0.1/24", "10.0.0.192"));
  EXPECT_FALSE(in_subnet("10.0.0.1/24", "10.0.1.1"));
  EXPECT_TRUE(in_subnet("0.0.0.0/0", "192.0.2.1"));
  EXPECT_FALSE(in_subnet("10.0.0.1", "10.0.0.1"));
  EXPECT_FALSE(in_subnet("10.0.0.1/24", "nope"));
  EXPECT_EQ(with_prefix_of("172.16.13.1", "172.16.13.0/24"), "172.16.13.1/24");
  EXPECT_EQ(with_prefix_of("x", "172.16.13.0/24"), "");
  EXPECT_EQ(pick_unused_tag({1, 2, 3}), 100);
  EXPECT_EQ(pick_unused_tag({1, 100, 101}), 102);
}

TEST(FaultDecode, L3AgentFinishedTheRouterSinceItsLastStart) {
  const std::string before =
      "--- 2026-11-25T03:45:17Z stackwire starts neutron-l3-agent\n"
      "2026-11-25 03:45:33.395 10464 INFO neutron.agent.l3.agent [-] Starting router update for r1, action 3\n";
  const std::string done = "2026-11-25 03:45:50.810 10464 INFO neutron.agent.l3.agent [-] Finished a router update for r1, "
                           "update_id f0d0. Time elapsed: 17.415\n";
  const std::string marker = "stackwire starts neutron-l3-agent";
  EXPECT_FALSE(l3_agent_finished_router(before, marker, "r1"));
  EXPECT_TRUE(l3_agent_finished_router(before + done, marker, "r1"));
  EXPECT_FALSE(l3_agent_finished_router(before + done, marker, "r2"));
  // A finish from before the last restart does not count.
  EXPECT_FALSE(l3_agent_finished_router(before + done + "--- 2026-11-25T03:50:00Z stackwire starts neutron-l3-agent\n",
                                        marker, "r1"));
  EXPECT_FALSE(l3_agent_finished_router(done, marker, "r1"));
}

}  // namespace
}  // namespace sw::lab::faults
