#include "lab/faults/fault_state.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace sw::lab::faults {
namespace {

FaultState sample() {
  FaultState s;
  ActiveFault dnat;
  dnat.name = "fip-dnat-missing";
  dnat.host = "network";
  dnat.applied = 1795575442;
  dnat.values = {{"netns", "qrouter-b66f3e55"}};
  dnat.items = {{"-A neutron-l3-agent-OUTPUT -d 172.16.13.3/32 -j DNAT --to-destination 10.0.0.3", 1},
                {"-A neutron-postrouting-bottom -m comment --comment \"Perform source NAT.\" -j x", 2}};
  ActiveFault dns;
  dns.name = "dnsmasq-dead";
  dns.host = "network";
  dns.applied = 1795575443;
  dns.stopped_agent = "neutron-dhcp-agent";
  dns.values = {{"netns", "qdhcp-a0cb"}};
  s.active = {dnat, dns};
  return s;
}

TEST(FaultState, RoundTripsThroughJson) {
  const auto s = sample();
  const auto text = fault_state_to_json(s).dump(2);
  const auto back = fault_state_from_json(text, "faults.json");
  ASSERT_TRUE(back) << back.error().message();
  EXPECT_EQ(back->active, s.active);
  EXPECT_EQ(back->active[0].value("netns"), "qrouter-b66f3e55");
  EXPECT_EQ(back->active[0].value("absent"), "");
  EXPECT_EQ(back->active[1].stopped_agent, "neutron-dhcp-agent");
}

TEST(FaultState, ReadsAHandWrittenFileWithOptionalFieldsLeftOut) {
  const auto s = fault_state_from_json(
      R"({"version": 1, "active": [{"name": "tunnel-mtu-small", "host": "network", "values": {"mtu": "1500"}}]})",
      "faults.json");
  ASSERT_TRUE(s) << s.error().message();
  ASSERT_EQ(s->active.size(), 1u);
  EXPECT_EQ(s->active[0].value("mtu"), "1500");
  EXPECT_EQ(s->active[0].applied, 0);
  EXPECT_TRUE(s->active[0].items.empty());
  EXPECT_TRUE(s->active[0].stopped_agent.empty());
}

TEST(FaultState, RejectsMalformedFilesNamingThem) {
  for (const char* text : {"", "[]", R"({"version": 2, "active": []})", R"({"version": 1})",
                           R"({"version": 1, "active": [{"name": "x"}]})",
                           R"({"version": 1, "active": [{"name": "", "host": "network"}]})",
                           R"({"version": 1, "active": [{"name": "a", "host": "n"}, {"name": "a", "host": "n"}]})",
                           R"({"version": 1, "active": [{"name": "a", "host": "n", "values": {"k": 1}}]})"}) {
    const auto s = fault_state_from_json(text, "/srv/x/faults.json");
    ASSERT_FALSE(s) << text;
    EXPECT_EQ(s.error().kind(), ErrorKind::input) << text;
    EXPECT_NE(s.error().message().find("/srv/x/faults.json"), std::string::npos) << s.error().message();
  }
}

TEST(FaultState, FindAndRemove) {
  auto s = sample();
  ASSERT_NE(s.find("dnsmasq-dead"), nullptr);
  EXPECT_EQ(s.find("br-ex-down"), nullptr);
  s.remove("fip-dnat-missing");
  ASSERT_EQ(s.active.size(), 1u);
  EXPECT_EQ(s.active[0].name, "dnsmasq-dead");
  s.remove("nothing");
  EXPECT_EQ(s.active.size(), 1u);
}

}  // namespace
}  // namespace sw::lab::faults
