// The flow text parser on real dumps: today's agents (OpenFlow 1.3, --no-stats) and a Havana-era
// OpenFlow 1.0 br-tun dump with counters. No OVS involved.
#include "ovs/flow.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "common/strings.h"
#include "tests/ovs/test_data.h"

namespace sw::ovs {
namespace {

std::vector<std::string> flow_lines(std::string_view text) {
  std::vector<std::string> out;
  for (auto line : split(text, '\n')) {
    const auto t = trim(line);
    if (t.find("actions=") != std::string_view::npos) out.emplace_back(t);
  }
  return out;
}

TEST(FlowParse, RealBrTunOpenFlow13) {
  const auto sections = test::split_sections(test::read_test_data("flows-net.txt"));
  const auto flows = parse_flows(sections.at("br-tun"));
  ASSERT_TRUE(flows) << flows.error().message();
  ASSERT_EQ(flows->size(), 14u);

  const Flow& f0 = (*flows)[0];
  EXPECT_EQ(f0.table, 0);
  EXPECT_EQ(f0.priority, 1);
  EXPECT_EQ(f0.cookie, 0xadb428037d117e4cULL);
  EXPECT_FALSE(f0.duration_sec);
  EXPECT_FALSE(f0.n_packets);
  ASSERT_EQ(f0.match.size(), 1u);
  EXPECT_EQ(f0.match[0], (MatchField{"in_port", "1", ""}));
  ASSERT_EQ(f0.actions.size(), 1u);
  EXPECT_EQ(f0.actions[0].name, "goto_table");
  EXPECT_EQ(f0.actions[0].argument, "2");

  const Flow& unicast = (*flows)[3];
  EXPECT_EQ(unicast.table, 2);
  EXPECT_EQ(unicast.priority, 0);
  ASSERT_EQ(unicast.match.size(), 1u);
  EXPECT_EQ(unicast.match[0], (MatchField{"dl_dst", "00:00:00:00:00:00", "01:00:00:00:00:00"}));

  const Flow& tun = (*flows)[5];
  EXPECT_EQ(tun.table, 3);
  EXPECT_EQ(tun.match[0], (MatchField{"tun_id", "0x7d5", ""}));
  ASSERT_EQ(tun.actions.size(), 3u);
  EXPECT_EQ(tun.actions[0].name, "push_vlan");
  EXPECT_EQ(tun.actions[0].argument, "0x8100");
  EXPECT_EQ(tun.actions[1].name, "set_field");
  EXPECT_EQ(tun.actions[1].argument, "4097->vlan_vid");
  EXPECT_EQ(tun.actions[2].text, "goto_table:10");

  const Flow& learn = (*flows)[9];
  EXPECT_EQ(learn.table, 10);
  ASSERT_EQ(learn.actions.size(), 2u);
  EXPECT_EQ(learn.actions[0].name, "learn");
  EXPECT_EQ(learn.actions[0].argument,
            "table=20,hard_timeout=300,priority=1,cookie=0xadb428037d117e4c,NXM_OF_VLAN_TCI[0..11],"
            "NXM_OF_ETH_DST[]=NXM_OF_ETH_SRC[],load:0->NXM_OF_VLAN_TCI[],load:NXM_NX_TUN_ID[]->NXM_NX_TUN_ID[],"
            "output:OXM_OF_IN_PORT[]");
  EXPECT_EQ(learn.actions[1].text, "output:1");

  const Flow& learned = (*flows)[10];
  EXPECT_EQ(learned.table, 20);
  EXPECT_EQ(learned.hard_timeout, 300);
  EXPECT_EQ(learned.priority, 1);
  ASSERT_EQ(learned.match.size(), 2u);
  EXPECT_EQ(learned.match[0], (MatchField{"vlan_tci", "0x0001", "0x0fff"}));
  EXPECT_EQ(learned.match[1], (MatchField{"dl_dst", "fa:16:3e:1b:37:a6", ""}));

  const Flow& flood = (*flows)[12];
  EXPECT_EQ(flood.table, 22);
  EXPECT_EQ(flood.match[0], (MatchField{"dl_vlan", "1", ""}));
  ASSERT_EQ(flood.actions.size(), 3u);
  EXPECT_EQ(flood.actions[0].name, "pop_vlan");
  EXPECT_EQ(flood.actions[0].argument, "");
  EXPECT_EQ(flood.actions[1].argument, "0x7d5->tun_id");

  const Flow& drop = (*flows)[13];
  ASSERT_EQ(drop.actions.size(), 1u);
  EXPECT_EQ(drop.actions[0].name, "drop");
}

TEST(FlowParse, RealBrIntConntrackConjunctionAndFlags) {
  const auto sections = test::split_sections(test::read_test_data("flows-net.txt"));
  const auto flows = parse_flows(sections.at("br-int"));
  ASSERT_TRUE(flows) << flows.error().message();
  ASSERT_GT(flows->size(), 80u);
  const Flow* reset = nullptr;
  const Flow* ct_commit = nullptr;
  const Flow* icmp6 = nullptr;
  for (const auto& f : *flows) {
    if (!reset && !f.flags.empty()) reset = &f;
    if (!ct_commit && f.actions.size() == 1 && f.actions[0].name == "ct" &&
        f.actions[0].argument.starts_with("commit,"))
      ct_commit = &f;
    if (!icmp6 && f.match_field("nd_target")) icmp6 = &f;
  }
  ASSERT_NE(reset, nullptr);
  EXPECT_EQ(reset->flags, std::vector<std::string>{"reset_counts"});
  EXPECT_EQ(reset->table, 71);
  EXPECT_EQ(reset->priority, 110);
  EXPECT_EQ(reset->match[0], (MatchField{"ct_state", "+trk", ""}));
  ASSERT_NE(ct_commit, nullptr);
  EXPECT_EQ(ct_commit->actions[0].argument, "commit,zone=NXM_NX_REG6[0..15],exec(set_field:0x1->ct_mark)");
  ASSERT_NE(icmp6, nullptr);
  EXPECT_EQ(icmp6->match[0], (MatchField{"icmp6", "", ""}));
  EXPECT_EQ(icmp6->match_field("nd_target")->value, "fe80::f816:3eff:fe32:3ebe");
}

TEST(FlowParse, HavanaOpenFlow10WithCounters) {
  const auto flows = parse_flows(test::read_test_data("flows-havana-br-tun.txt"));
  ASSERT_TRUE(flows) << flows.error().message();
  ASSERT_EQ(flows->size(), 13u);
  const Flow& f = (*flows)[0];
  EXPECT_EQ(f.cookie, 0u);
  EXPECT_EQ(f.duration_sec, 1204u);
  EXPECT_EQ(f.duration_nsec, 537000000u);
  EXPECT_EQ(f.n_packets, 12u);
  EXPECT_EQ(f.n_bytes, 1092u);
  EXPECT_EQ(f.idle_age, 6);
  EXPECT_FALSE(f.hard_age);
  EXPECT_EQ(f.actions[0].name, "resubmit");
  EXPECT_EQ(f.actions[0].argument, ",1");

  const Flow& tun = (*flows)[5];
  EXPECT_EQ(tun.table, 2);
  EXPECT_EQ(tun.actions[0].text, "mod_vlan_vid:1");
  EXPECT_EQ(tun.actions[0].argument, "1");

  const Flow& learned = (*flows)[9];
  EXPECT_EQ(learned.hard_timeout, 300);
  EXPECT_EQ(learned.hard_age, 5);

  const Flow& flood = (*flows)[11];
  ASSERT_EQ(flood.actions.size(), 3u);
  EXPECT_EQ(flood.actions[0].name, "strip_vlan");
  EXPECT_EQ(flood.actions[1].name, "set_tunnel");
  EXPECT_EQ(flood.actions[1].argument, "0x3e9");
  EXPECT_EQ(flood.actions[2].argument, "2");
}

// format_flow(parse_flow(x)) == x for every line of every dump: nothing is lost or invented.
TEST(FlowParse, FormatReproducesEveryRealLine) {
  for (const char* file : {"flows-net.txt", "flows-cmp.txt", "flows-havana-br-tun.txt"}) {
    const auto lines = flow_lines(test::read_test_data(file));
    ASSERT_FALSE(lines.empty()) << file;
    for (const auto& line : lines) {
      const auto f = parse_flow(line);
      ASSERT_TRUE(f) << file << ": " << line << ": " << f.error().message();
      EXPECT_EQ(format_flow(*f), line) << file;
      EXPECT_EQ(f->text, line);
    }
  }
}

TEST(FlowParse, EmptyMatchAndDefaultPriority) {
  const auto f = parse_flow(" cookie=0x0, duration=3.5s, table=0, n_packets=0, n_bytes=0, actions=NORMAL");
  ASSERT_TRUE(f) << f.error().message();
  EXPECT_EQ(f->priority, 32768);
  EXPECT_TRUE(f->match.empty());
  EXPECT_EQ(f->duration_nsec, 500000000u);
  EXPECT_EQ(f->actions[0].name, "NORMAL");
  EXPECT_EQ(format_flow(*f), "cookie=0x0, duration=3.500s, table=0, n_packets=0, n_bytes=0, actions=NORMAL");
  const auto bare = parse_flow("actions=drop");
  ASSERT_TRUE(bare);
  EXPECT_EQ(bare->actions[0].name, "drop");
}

TEST(FlowParse, NestedCommasStayInsideTheirAction) {
  const auto actions = parse_actions("ct(commit,zone=NXM_NX_REG6[0..15],exec(set_field:0x1->ct_mark)),output:6,resubmit(,92)");
  ASSERT_TRUE(actions);
  ASSERT_EQ(actions->size(), 3u);
  EXPECT_EQ((*actions)[0].name, "ct");
  EXPECT_EQ((*actions)[2].argument, ",92");
  const auto m = parse_match("priority=5,packet_type=(0,0x800),nw_src=10.0.0.0/24");
  ASSERT_TRUE(m);
  ASSERT_EQ(m->size(), 2u);
  EXPECT_EQ((*m)[0], (MatchField{"packet_type", "(0,0x800)", ""}));
  EXPECT_EQ((*m)[1], (MatchField{"nw_src", "10.0.0.0", "24"}));
}

TEST(FlowParse, RejectsWhatIsNotAFlow) {
  EXPECT_FALSE(parse_flow("cookie=0x1, priority=1"));                          // no actions
  EXPECT_FALSE(parse_flow("cookie=0xzz, priority=1 actions=drop"));            // bad number
  EXPECT_FALSE(parse_flow("cookie=0x1, table=300, priority=1 actions=drop"));  // table out of range
  EXPECT_FALSE(parse_flow("frobnicate=1, priority=1 actions=drop"));           // unknown attribute
  EXPECT_FALSE(parse_flow("priority=1 in_port=2 actions=drop"));               // two matches
  EXPECT_FALSE(parse_flow("priority=99999 actions=drop"));                     // priority range
  EXPECT_FALSE(parse_flow("duration=abc, priority=1 actions=drop"));
  const auto bad = parse_flows(" cookie=0x0, priority=1 actions=drop\n garbage\n");
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message().find("line 2"), std::string::npos) << bad.error().message();
  EXPECT_EQ(bad.error().kind(), ErrorKind::input);
}

TEST(FlowJson, RoundTripsEveryRealFlow) {
  for (const char* file : {"flows-net.txt", "flows-havana-br-tun.txt"}) {
    const auto flows = parse_flows(test::read_test_data(file));  // "### br-x" lines are skipped
    ASSERT_TRUE(flows) << flows.error().message();
    for (const auto& f : *flows) {
      const nlohmann::json j = f;
      const auto text = j.dump();
      const Flow back = nlohmann::json::parse(text).get<Flow>();
      EXPECT_EQ(back, f) << text;
    }
  }
}

TEST(FlowJson, SchemaKeys) {
  const auto f = parse_flow(
      " cookie=0xadb428037d117e4c, duration=6.142s, table=20, n_packets=4, n_bytes=392, hard_timeout=300, "
      "priority=1,vlan_tci=0x0001/0x0fff actions=output:2");
  ASSERT_TRUE(f);
  const nlohmann::json j = *f;
  EXPECT_EQ(j["cookie"], "0xadb428037d117e4c");
  EXPECT_EQ(j["table"], 20);
  EXPECT_EQ(j["n_packets"], 4);
  EXPECT_EQ(j["duration_sec"], 6);
  EXPECT_EQ(j["duration_nsec"], 142000000);
  EXPECT_TRUE(j["idle_age"].is_null());
  EXPECT_EQ(j["match"][0], (nlohmann::json{{"field", "vlan_tci"}, {"value", "0x0001"}, {"mask", "0x0fff"}}));
  EXPECT_EQ(j["actions"][0], (nlohmann::json{{"name", "output"}, {"argument", "2"}, {"text", "output:2"}}));
  // A hand-written flow without text gets it from format_flow.
  const Flow g = nlohmann::json{{"table", 3}, {"priority", 1}, {"match", {{{"field", "tun_id"}, {"value", "0x3e9"}}}},
                                {"actions", {{{"name", "goto_table"}, {"argument", "10"}}}}}
                     .get<Flow>();
  EXPECT_EQ(g.text, "table=3, priority=1,tun_id=0x3e9 actions=goto_table:10");
}

}  // namespace
}  // namespace sw::ovs
