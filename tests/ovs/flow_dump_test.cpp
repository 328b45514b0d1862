// The CLI's direct JSON writer for flow dumps says exactly what flow_dump_to_json says.
#include "ovs/flow_dump.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/ovs/test_data.h"

namespace sw::ovs {
namespace {

TEST(FlowDumpJson, DirectWriterEqualsTheTree) {
  for (const char* file : {"flows-net.txt", "flows-havana-br-tun.txt"}) {
    FlowDump d;
    d.bridge = "br-tun";
    d.socket = "unix:/var/run/openvswitch/br-tun.mgmt";
    d.openflow_version = "OpenFlow13";
    auto flows = parse_flows(test::read_test_data(file));
    ASSERT_TRUE(flows);
    d.flows = *flows;
    EXPECT_EQ(nlohmann::json::parse(flow_dump_json_text(d)), flow_dump_to_json(d)) << file;
    d.table = 3;
    EXPECT_EQ(nlohmann::json::parse(flow_dump_json_text(d)), flow_dump_to_json(d)) << file;
  }
}

TEST(FlowDumpJson, EscapesAndEmptyDumps) {
  FlowDump d;
  d.bridge = "br\"x\\";
  EXPECT_EQ(nlohmann::json::parse(flow_dump_json_text(d)), flow_dump_to_json(d));
  auto f = parse_flow("priority=1 actions=note:\"q\",output:1");
  ASSERT_TRUE(f);
  f->text += "\t\x01";
  d.flows.push_back(*f);
  const auto j = nlohmann::json::parse(flow_dump_json_text(d));
  EXPECT_EQ(j, flow_dump_to_json(d));
  const auto back = flow_dump_from_json(j);
  ASSERT_TRUE(back);
  EXPECT_EQ(*back, d);
  EXPECT_EQ(openflow_version_name(0x04), "OpenFlow13");
}

}  // namespace
}  // namespace sw::ovs
