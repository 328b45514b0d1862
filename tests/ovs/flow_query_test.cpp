// Questions asked by meaning: the same br-tun layout written by today's agents (OpenFlow 1.3)
// and by Havana's (OpenFlow 1.0) must give the same answers.
#include "ovs/flow_query.h"

#include <gtest/gtest.h>

#include "tests/ovs/test_data.h"

namespace sw::ovs {
namespace {

std::vector<Flow> real_br_tun() {
  const auto sections = test::split_sections(test::read_test_data("flows-net.txt"));
  auto flows = parse_flows(sections.at("br-tun"));
  EXPECT_TRUE(flows);
  return flows ? *flows : std::vector<Flow>{};
}

std::vector<Flow> havana_br_tun() {
  auto flows = parse_flows(test::read_test_data("flows-havana-br-tun.txt"));
  EXPECT_TRUE(flows);
  return flows ? *flows : std::vector<Flow>{};
}

Flow flow(std::string_view text) {
  auto f = parse_flow(text);
  EXPECT_TRUE(f) << text;
  return f ? *f : Flow{};
}

TEST(FlowQuery, TunnelToLocalVlanInBothEras) {
  // Zed: table 3 (GRE_TUN_TO_LV), tun_id 0x7d5 (2005) → VLAN 1.
  auto q = parse_flow_query("table=3,tun_id=2005");
  ASSERT_TRUE(q);
  q->sets_vlan = 1;
  q->continues_to_table = 10;
  const auto today = real_br_tun();
  ASSERT_EQ(find_flows(today, *q).size(), 1u);
  q->sets_vlan = 2;
  EXPECT_TRUE(find_flows(today, *q).empty());

  // Havana: table 2, tun_id 0x3e9, mod_vlan_vid:1 then resubmit(,10).
  auto h = parse_flow_query("table=2,tunnel_id=0x3e9");
  ASSERT_TRUE(h);
  h->sets_vlan = 1;
  h->continues_to_table = 10;
  EXPECT_EQ(find_flows(havana_br_tun(), *h).size(), 1u);
}

TEST(FlowQuery, FloodToTunnelsInBothEras) {
  FlowQuery q;
  q.match = {{"dl_vlan", "1", ""}};
  q.strips_vlan = true;
  q.sets_tunnel = 0x7d5;
  q.outputs_to = "2";
  q.table = 22;
  EXPECT_EQ(find_flows(real_br_tun(), q).size(), 1u);
  q.table = 21;
  q.sets_tunnel = 1001;
  EXPECT_EQ(find_flows(havana_br_tun(), q).size(), 1u);
}

TEST(FlowQuery, LearnedUnicastFlowsSpellTheVlanAsTciWithMask) {
  // vlan_tci=0x0001/0x0fff is "VLAN 1" (learned from NXM_OF_VLAN_TCI[0..11]).
  FlowQuery q;
  q.table = 20;
  q.match = {{"dl_vlan", "1", ""}, {"dl_dst", "FA:16:3E:1B:37:A6", ""}};
  q.sets_tunnel = 0x7d5;
  q.strips_vlan = true;
  EXPECT_EQ(find_flows(real_br_tun(), q).size(), 1u);
  EXPECT_EQ(matched_vlan(flow("priority=1,vlan_tci=0x1005/0x1fff actions=drop")), 5);
  EXPECT_EQ(matched_vlan(flow("priority=1,vlan_tci=0x1000/0x1000 actions=drop")), std::nullopt);
  EXPECT_EQ(matched_vlan(flow("priority=1,vlan_tci=0x0000/0x1fff actions=drop")), 0);
}

TEST(FlowQuery, LearnAndPatchOutput) {
  FlowQuery q;
  q.table = 10;
  q.learns = true;
  q.outputs_to = "1";
  EXPECT_EQ(find_flows(real_br_tun(), q).size(), 1u);
  EXPECT_EQ(find_flows(havana_br_tun(), q).size(), 1u);
  const auto f = real_br_tun();
  const Action* learn = learn_action(f[9]);
  ASSERT_NE(learn, nullptr);
  EXPECT_NE(learn->argument.find("load:NXM_NX_TUN_ID[]->NXM_NX_TUN_ID[]"), std::string::npos);
}

TEST(FlowQuery, MasksAndDrops) {
  FlowQuery unicast;
  unicast.match = {{"eth_dst", "00:00:00:00:00:00", "01:00:00:00:00:00"}};
  unicast.continues_to_table = 20;
  EXPECT_EQ(find_flows(real_br_tun(), unicast).size(), 1u);
  unicast.match[0].mask.clear();  // a query without a mask does not match a masked field
  EXPECT_TRUE(find_flows(real_br_tun(), unicast).empty());

  FlowQuery drops;
  drops.drops = true;
  EXPECT_EQ(find_flows(real_br_tun(), drops).size(), 5u);
  drops.priority = 0;
  drops.table = 0;
  EXPECT_EQ(find_flows(real_br_tun(), drops).size(), 1u);
}

TEST(FlowQuery, ActionSemantics) {
  EXPECT_EQ(vlan_set(flow("actions=push_vlan:0x8100,set_field:4098->vlan_vid,goto_table:59")), 2);
  EXPECT_EQ(vlan_set(flow("actions=mod_vlan_vid:7,NORMAL")), 7);
  EXPECT_EQ(vlan_set(flow("actions=load:0x1003->NXM_OF_VLAN_TCI[],NORMAL")), 3);
  EXPECT_EQ(vlan_set(flow("actions=load:0x9->NXM_OF_VLAN_TCI[0..11],NORMAL")), 9);
  EXPECT_EQ(vlan_set(flow("actions=mod_vlan_vid:7,strip_vlan")), std::nullopt);
  EXPECT_EQ(tunnel_set(flow("actions=set_tunnel64:0x10,output:1")), 0x10u);
  EXPECT_EQ(tunnel_set(flow("actions=load:0x3e9->NXM_NX_TUN_ID[],output:2")), 1001u);
  EXPECT_EQ(tunnel_set(flow("actions=output:2")), std::nullopt);
  EXPECT_TRUE(vlan_stripped(flow("actions=load:0->NXM_OF_VLAN_TCI[],output:2")));
  EXPECT_FALSE(vlan_stripped(flow("actions=output:2")));
  EXPECT_EQ(output_ports(flow("actions=output:2,IN_PORT,enqueue:3:1,NORMAL")),
            (std::vector<std::string>{"2", "IN_PORT", "3"}));
  EXPECT_EQ(next_tables(flow("actions=resubmit(,10),resubmit:3,goto_table:20,resubmit(1,21)")),
            (std::vector<int>{10, 20, 21}));
  EXPECT_TRUE(is_drop(flow("priority=0 actions=drop")));
  FlowQuery normal;
  normal.normal = true;
  EXPECT_TRUE(flow_matches(flow("priority=0 actions=NORMAL"), normal));
  EXPECT_FALSE(flow_matches(flow("priority=0 actions=drop"), normal));
}

TEST(FlowQuery, ParseQueryRejectsBadNumbers) {
  EXPECT_FALSE(parse_flow_query("table=x"));
  EXPECT_FALSE(parse_flow_query("table=255"));
  EXPECT_FALSE(parse_flow_query("cookie=0xzz"));
  const auto q = parse_flow_query("table=0,priority=1,cookie=0xadb428037d117e4c,in_port=1");
  ASSERT_TRUE(q);
  EXPECT_EQ(q->priority, 1);
  EXPECT_EQ(q->cookie, 0xadb428037d117e4cULL);
  EXPECT_EQ(find_flows(real_br_tun(), *q).size(), 1u);
}

}  // namespace
}  // namespace sw::ovs
