// The OVSDB side, pure: rows → snapshot, `ovs-vsctl show` text, OVSDB quoting, JSON round trip.
#include "ovs/snapshot.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "common/strings.h"
#include "ovs/rundir.h"
#include "tests/ovs/test_data.h"

namespace sw::ovs {
namespace {

// Test-only reader of `ovs-vsctl show` text back into a snapshot, so that the real artefacts
// can be fed through format_show().
std::string unquote(std::string_view v) {
  if (v.starts_with('"')) return nlohmann::json::parse(v).get<std::string>();
  return std::string(v);
}

StringMap parse_show_map(std::string_view v) {
  StringMap m;
  v = v.substr(1, v.size() - 2);
  bool quoted = false;
  size_t start = 0;
  for (size_t i = 0; i <= v.size(); ++i) {
    if (i < v.size() && v[i] == '"' && (i == 0 || v[i - 1] != '\\')) quoted = !quoted;
    if (i == v.size() || (!quoted && v[i] == ',')) {
      auto item = trim(v.substr(start, i - start));
      start = i + 1;
      if (item.empty()) continue;
      const auto eq = item.find('=');
      m[unquote(item.substr(0, eq))] = unquote(item.substr(eq + 1));
    }
  }
  return m;
}

OvsSnapshot parse_show(std::string_view text) {
  OvsSnapshot s;
  Target* target = nullptr;
  for (auto line : split(text, '\n')) {
    if (trim(line).empty()) continue;
    const size_t indent = line.find_first_not_of(' ');
    const auto body = line.substr(indent);
    const auto level = indent / 4;
    const auto space = body.find(' ');
    const auto word = body.substr(0, space);
    const auto rest = space == std::string_view::npos ? std::string_view{} : body.substr(space + 1);
    if (level == 0) s.uuid = std::string(body);
    else if (word == "Manager") target = &s.managers.emplace_back(Target{unquote(rest), false});
    else if (word == "Bridge") s.bridges.emplace_back().name = unquote(rest);
    else if (word == "ovs_version:") s.ovs_version = unquote(rest);
    else if (word == "is_connected:") target->is_connected = rest == "true";
    else if (word == "Controller") target = &s.bridges.back().controllers.emplace_back(Target{unquote(rest), false});
    else if (word == "fail_mode:") s.bridges.back().fail_mode = unquote(rest);
    else if (word == "datapath_type:") s.bridges.back().datapath_type = unquote(rest);
    else if (word == "Port") s.bridges.back().ports.emplace_back().name = unquote(rest);
    else if (word == "tag:") s.bridges.back().ports.back().tag = std::stoll(std::string(rest));
    else if (word == "Interface") s.bridges.back().ports.back().interfaces.emplace_back().name = unquote(rest);
    else if (word == "type:") s.bridges.back().ports.back().interfaces.back().type = unquote(rest);
    else if (word == "options:") s.bridges.back().ports.back().interfaces.back().options = parse_show_map(rest);
    else if (word == "error:") s.bridges.back().ports.back().interfaces.back().error = unquote(rest);
    else ADD_FAILURE() << "unexpected show line: " << line;
  }
  return s;
}

TEST(OvsShow, ReproducesRealNetworkAndComputeHosts) {
  for (const char* file : {"ovs-show-net.txt", "ovs-show-cmp.txt"}) {
    const auto text = test::read_test_data(file);
    const auto snapshot = parse_show(text);
    ASSERT_FALSE(snapshot.bridges.empty()) << file;
    EXPECT_EQ(format_show(snapshot), text) << file;
  }
}

TEST(OvsShow, RealNetworkHostAsData) {
  const auto s = parse_show(test::read_test_data("ovs-show-net.txt"));
  const Bridge* tun = s.bridge("br-tun");
  ASSERT_NE(tun, nullptr);
  EXPECT_EQ(tun->fail_mode, "secure");
  EXPECT_EQ(tun->datapath_type, "netdev");
  const Interface* gre = tun->interface("gre-0a100008");
  ASSERT_NE(gre, nullptr);
  EXPECT_EQ(gre->type, "gre");
  EXPECT_EQ(gre->option("remote_ip"), "10.16.0.8");
  EXPECT_EQ(gre->option("in_key"), "flow");
  EXPECT_EQ(s.bridge("br-int")->port("qg-d70d86be-74")->tag, 2);
  EXPECT_EQ(s.managers.at(0).target, "ptcp:6640:127.0.0.1");
  EXPECT_TRUE(s.managers.at(0).is_connected);
}

TEST(OvsShow, QuotesAsOvsdbDoes) {
  EXPECT_EQ(ovsdb_string("br-int"), "br-int");
  EXPECT_EQ(ovsdb_string("_x.y-z"), "_x.y-z");
  EXPECT_EQ(ovsdb_string("10.16.0.7"), "\"10.16.0.7\"");
  EXPECT_EQ(ovsdb_string("true"), "\"true\"");
  EXPECT_EQ(ovsdb_string("false"), "\"false\"");
  EXPECT_EQ(ovsdb_string(""), "\"\"");
  EXPECT_EQ(ovsdb_string("tcp:127.0.0.1:6633"), "\"tcp:127.0.0.1:6633\"");
  EXPECT_EQ(ovsdb_string("d6b4e5a2-2f1c-4b0e-9c1a-0123456789ab"), "\"d6b4e5a2-2f1c-4b0e-9c1a-0123456789ab\"");
  EXPECT_EQ(ovsdb_string("a\"b\\c\n"), "\"a\\\"b\\\\c\\n\"");
  EXPECT_EQ(ovsdb_string(std::string("\x01", 1)), "\"\\u0001\"");
}

std::vector<Row> sample_rows() {
  // As `ovs-vsctl --format=json list` prints them.
  const auto ovs = rows_from_vsctl_json("Open_vSwitch", R"({"headings":["_uuid","bridges","external_ids","manager_options","ovs_version"],
    "data":[[["uuid","00000000-0000-0000-0000-0000000000aa"],["set",[["uuid","00000000-0000-0000-0000-000000000002"],["uuid","00000000-0000-0000-0000-000000000001"]]],
             ["map",[["hostname","net"],["system-id","abc"]]],["set",[]],"3.1.0"]]})");
  const auto bridges = rows_from_vsctl_json("Bridge", R"({"headings":["_uuid","name","datapath_type","fail_mode","ports","controller","protocols"],
    "data":[[["uuid","00000000-0000-0000-0000-000000000001"],"br-tun","netdev","secure",["uuid","00000000-0000-0000-0000-000000000011"],["set",[]],["set",["OpenFlow10","OpenFlow13"]]],
            [["uuid","00000000-0000-0000-0000-000000000002"],"br-int","netdev",["set",[]],["set",[]],["set",[]],["set",[]]]]})");
  const auto ports = rows_from_vsctl_json("Port", R"({"headings":["_uuid","name","tag","trunks","interfaces"],
    "data":[[["uuid","00000000-0000-0000-0000-000000000011"],"gre-0a130002",["set",[]],["set",[10,20]],["uuid","00000000-0000-0000-0000-000000000021"]]]})");
  const auto ifaces = rows_from_vsctl_json("Interface", R"({"headings":["_uuid","name","type","options","ofport","mtu","statistics","external_ids","error"],
    "data":[[["uuid","00000000-0000-0000-0000-000000000021"],"gre-0a130002","gre",
             ["map",[["in_key","flow"],["local_ip","10.19.0.7"],["out_key","flow"],["remote_ip","10.19.0.2"]]],2,["set",[]],
             ["map",[["rx_packets",5],["tx_packets",7]]],["map",[]],"could not add"]]})");
  EXPECT_TRUE(ovs && bridges && ports && ifaces);
  std::vector<Row> rows;
  for (const auto* r : {&ovs, &bridges, &ports, &ifaces})
    if (*r) rows.insert(rows.end(), (*r)->begin(), (*r)->end());
  return rows;
}

TEST(OvsSnapshot, FromRows) {
  const auto s = snapshot_from_rows(sample_rows());
  EXPECT_EQ(s.uuid, "00000000-0000-0000-0000-0000000000aa");
  EXPECT_EQ(s.hostname(), "net");
  EXPECT_EQ(s.system_id(), "abc");
  ASSERT_EQ(s.bridges.size(), 2u);
  // The order of the bridges column (OVSDB sorts it by UUID), not the rows' order.
  EXPECT_EQ(s.bridges[0].name, "br-int");
  EXPECT_EQ(s.bridges[1].name, "br-tun");
  EXPECT_FALSE(s.bridges[0].fail_mode);
  EXPECT_EQ(s.bridges[1].protocols, (std::vector<std::string>{"OpenFlow10", "OpenFlow13"}));
  const Interface* gre = s.bridges[1].interface("gre-0a130002");
  ASSERT_NE(gre, nullptr);
  EXPECT_EQ(gre->ofport, 2);
  EXPECT_FALSE(gre->mtu);
  EXPECT_EQ(gre->statistics.at("tx_packets"), 7);
  EXPECT_EQ(gre->error, "could not add");
  EXPECT_EQ(s.bridges[1].ports[0].trunks, (std::vector<std::int64_t>{10, 20}));
  EXPECT_EQ(format_show(s),
            "00000000-0000-0000-0000-0000000000aa\n"
            "    Bridge br-int\n"
            "        datapath_type: netdev\n"
            "    Bridge br-tun\n"
            "        fail_mode: secure\n"
            "        datapath_type: netdev\n"
            "        Port gre-0a130002\n"
            "            trunks: [10, 20]\n"
            "            Interface gre-0a130002\n"
            "                type: gre\n"
            "                options: {in_key=flow, local_ip=\"10.19.0.7\", out_key=flow, remote_ip=\"10.19.0.2\"}\n"
            "                error: \"could not add\"\n"
            "    ovs_version: \"3.1.0\"\n");
}

TEST(OvsSnapshot, EmptyDatabase) {
  const auto s = snapshot_from_rows({});
  EXPECT_TRUE(s.uuid.empty());
  EXPECT_TRUE(s.bridges.empty());
  EXPECT_EQ(format_show(s), "");
}

TEST(OvsSnapshot, JsonRoundTrip) {
  const auto s = snapshot_from_rows(sample_rows());
  const auto text = snapshot_to_json(s).dump();
  const auto back = snapshot_from_json(nlohmann::json::parse(text));
  ASSERT_TRUE(back) << back.error().message();
  EXPECT_EQ(*back, s);
  const auto j = nlohmann::json::parse(text);
  EXPECT_EQ(j["bridges"][1]["ports"][0]["interfaces"][0]["options"]["remote_ip"], "10.19.0.2");
  EXPECT_TRUE(j["bridges"][0]["fail_mode"].is_null());
  EXPECT_EQ(j["external_ids"]["system-id"], "abc");

  const auto real = parse_show(test::read_test_data("ovs-show-net.txt"));
  const auto real_back = snapshot_from_json(snapshot_to_json(real));
  ASSERT_TRUE(real_back);
  EXPECT_EQ(*real_back, real);
}

TEST(OvsSnapshot, JsonErrorsAreInputErrors) {
  const auto bad = snapshot_from_json(nlohmann::json::parse(R"({"bridges":[{"name":5}]})"));
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().kind(), ErrorKind::input);
  EXPECT_FALSE(snapshot_from_json(nlohmann::json::parse("[1]")));
  EXPECT_FALSE(snapshot_from_json(nlohmann::json::parse(R"({"bridges":[{"ports":[]}]})")));  // no name
}

TEST(OvsRows, VsctlJsonErrors) {
  EXPECT_FALSE(rows_from_vsctl_json("Bridge", "not json"));
  EXPECT_FALSE(rows_from_vsctl_json("Bridge", R"({"headings":["a"],"data":[[1,2]]})"));
  EXPECT_FALSE(rows_from_vsctl_json("Bridge", R"({"headings":["a"],"data":[[["map",[[1]]]]]})"));
}

TEST(OvsRundir, RemotesAndDefaults) {
  EXPECT_EQ(db_remote_for("/run/x"), "unix:/run/x/db.sock");
  EXPECT_EQ(mgmt_remote_for("/run/x", "br-tun"), "unix:/run/x/br-tun.mgmt");
  EXPECT_TRUE(parse_db_remote("unix:/var/run/openvswitch/db.sock"));
  EXPECT_TRUE(parse_db_remote("tcp:127.0.0.1:6640"));
  EXPECT_TRUE(parse_db_remote("tcp:[::1]:6640"));
  for (const char* bad : {"unix:", "/var/run/openvswitch/db.sock", "tcp:127.0.0.1", "tcp:host:6640", "tcp:127.0.0.1:0",
                          "ssl:1.2.3.4:6640"}) {
    const auto r = parse_db_remote(bad);
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.error().kind(), ErrorKind::input);
    EXPECT_NE(r.error().message().find(bad), std::string::npos) << r.error().message();
  }
  EXPECT_FALSE(check_bridge_name(""));
  EXPECT_FALSE(check_bridge_name("br/x"));
  EXPECT_TRUE(check_bridge_name("br-int"));
  ::setenv("OVS_RUNDIR", "/tmp/somewhere", 1);
  EXPECT_EQ(default_rundir(), "/tmp/somewhere");
  ::unsetenv("OVS_RUNDIR");
  EXPECT_EQ(default_rundir(), "/var/run/openvswitch");
}

}  // namespace
}  // namespace sw::ovs
