// stackwire's view of a real Open vSwitch (a private ovsdb-server + ovs-vswitchd with the
// userspace datapath, in a throwaway namespace) compared, field by field, with what OVS's own
// tools print: `ovs-vsctl show`, `ovs-vsctl --format=json list Bridge/Port/Interface` and
// `ovs-ofctl -O OpenFlow13 dump-flows`.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#include <sys/un.h>

#include <chrono>
#include <map>
#include <thread>

#include "common/strings.h"
#include "common/unique_fd.h"
#include "ovs/flow_dump.h"
#include "ovs/flow_query.h"
#include "ovs/snapshot.h"
#include "tests/ovs/ovs_fixture.h"
#include "tests/support/system.h"

namespace sw::ovs {
namespace {

using sw::test::shq;
using test::OvsFixture;

std::vector<Row> vsctl_rows(const OvsFixture& ovs, const std::string& table) {
  const auto out = ovs.vsctl_ok("--format=json list " + table);
  auto rows = rows_from_vsctl_json(table, out);
  EXPECT_TRUE(rows) << rows.error().message();
  return rows ? *rows : std::vector<Row>{};
}

std::map<std::string, const Interface*> interfaces_by_uuid(const OvsSnapshot& s) {
  std::map<std::string, const Interface*> out;
  for (const auto& b : s.bridges)
    for (const auto& p : b.ports)
      for (const auto& i : p.interfaces) out[i.uuid] = &i;
  return out;
}

std::map<std::string, const Port*> ports_by_uuid(const OvsSnapshot& s) {
  std::map<std::string, const Port*> out;
  for (const auto& b : s.bridges)
    for (const auto& p : b.ports) out[p.uuid] = &p;
  return out;
}

Result<OvsSnapshot> read(const OvsFixture& ovs) {
  SnapshotOptions o;
  o.db = ovs.db_remote();
  return read_snapshot(o);
}

Result<FlowDump> dump(const OvsFixture& ovs, const std::string& bridge, std::optional<int> table = std::nullopt) {
  FlowDumpOptions o;
  o.bridge = bridge;
  o.rundir = ovs.rundir();
  o.table = table;
  return dump_flows(o);
}

// Compares our flows with ovs-ofctl's, line by line, apart from the ages that move between dumps.
void expect_same_flows(const FlowDump& ours, const std::string& ofctl_text) {
  const auto theirs = parse_flows(ofctl_text);
  ASSERT_TRUE(theirs) << theirs.error().message();
  ASSERT_EQ(ours.flows.size(), theirs->size());
  for (size_t i = 0; i < theirs->size(); ++i) {
    const Flow& a = ours.flows[i];
    const Flow& b = (*theirs)[i];
    EXPECT_EQ(test::without_ages(a.text), test::without_ages(b.text));
    EXPECT_EQ(a.table, b.table);
    EXPECT_EQ(a.priority, b.priority);
    EXPECT_EQ(a.cookie, b.cookie);
    EXPECT_EQ(a.n_packets, b.n_packets);
    EXPECT_EQ(a.n_bytes, b.n_bytes);
    EXPECT_EQ(a.idle_timeout, b.idle_timeout);
    EXPECT_EQ(a.hard_timeout, b.hard_timeout);
    EXPECT_EQ(a.flags, b.flags);
    EXPECT_EQ(a.match, b.match) << a.text;
    EXPECT_EQ(a.actions, b.actions) << a.text;
    EXPECT_TRUE(a.duration_sec.has_value());
  }
}

class OvsLayout : public ::testing::Test {
 protected:
  void SetUp() override {
    SW_REQUIRE_ROOT();
    ovs_ = std::make_unique<OvsFixture>();
    ASSERT_TRUE(ovs_->ok());
    ASSERT_TRUE(ovs_->build_neutron_layout());
  }
  void TearDown() override { ovs_.reset(); }
  std::unique_ptr<OvsFixture> ovs_;
};

TEST_F(OvsLayout, ShowIsOvsVsctlShowLineForLine) {
  // is_connected and interface errors settle once vswitchd has applied the layout.
  ovs_->vsctl_ok("--timeout=20 wait-until Interface eth-missing ofport=-1");
  const auto snapshot = read(*ovs_);
  ASSERT_TRUE(snapshot) << snapshot.error().message();
  EXPECT_EQ(format_show(*snapshot), ovs_->vsctl_ok("show"));
}

TEST_F(OvsLayout, SnapshotAgreesWithVsctlListFieldByField) {
  ovs_->vsctl_ok("--timeout=20 wait-until Interface eth-missing ofport=-1");
  const auto snapshot = read(*ovs_);
  ASSERT_TRUE(snapshot) << snapshot.error().message();
  const auto ifaces = interfaces_by_uuid(*snapshot);
  const auto ports = ports_by_uuid(*snapshot);

  const auto iface_rows = vsctl_rows(*ovs_, "Interface");
  ASSERT_EQ(iface_rows.size(), ifaces.size());
  for (const auto& row : iface_rows) {
    ASSERT_TRUE(ifaces.contains(row.uuid)) << row.uuid;
    Interface theirs = interface_from_row(row);
    Interface ours = *ifaces.at(row.uuid);
    // vswitchd refreshes counters every few seconds; the set of counters must agree.
    EXPECT_EQ(std::size(theirs.statistics), std::size(ours.statistics)) << ours.name;
    theirs.statistics.clear();
    ours.statistics.clear();
    EXPECT_EQ(ours, theirs) << ours.name;
  }

  const auto port_rows = vsctl_rows(*ovs_, "Port");
  ASSERT_EQ(port_rows.size(), ports.size());
  for (const auto& row : port_rows) {
    ASSERT_TRUE(ports.contains(row.uuid));
    const Port& ours = *ports.at(row.uuid);
    EXPECT_EQ(ours.name, row.string("name"));
    EXPECT_EQ(ours.tag, row.integer("tag"));
    EXPECT_EQ(ours.trunks, row.integers("trunks"));
    EXPECT_EQ(ours.other_config, row.string_map("other_config"));
    EXPECT_EQ(ours.external_ids, row.string_map("external_ids"));
    ASSERT_EQ(ours.interfaces.size(), row.uuids("interfaces").size());
    for (size_t i = 0; i < ours.interfaces.size(); ++i) EXPECT_EQ(ours.interfaces[i].uuid, row.uuids("interfaces")[i]);
  }

  const auto bridge_rows = vsctl_rows(*ovs_, "Bridge");
  ASSERT_EQ(bridge_rows.size(), snapshot->bridges.size());
  for (const auto& row : bridge_rows) {
    const Bridge* b = snapshot->bridge(row.string("name").value_or(""));
    ASSERT_NE(b, nullptr);
    EXPECT_EQ(b->uuid, row.uuid);
    EXPECT_EQ(b->datapath_type, row.string("datapath_type"));
    EXPECT_EQ(b->datapath_id, row.string("datapath_id"));
    EXPECT_EQ(b->fail_mode, row.string("fail_mode"));
    EXPECT_EQ(b->protocols, row.strings("protocols"));
    EXPECT_EQ(b->other_config, row.string_map("other_config"));
    EXPECT_EQ(b->external_ids, row.string_map("external_ids"));
    EXPECT_EQ(b->controllers.size(), row.uuids("controller").size());
    ASSERT_EQ(b->ports.size(), row.uuids("ports").size());
    for (size_t i = 0; i < b->ports.size(); ++i) EXPECT_EQ(b->ports[i].uuid, row.uuids("ports")[i]);
  }

  const auto root = vsctl_rows(*ovs_, "Open_vSwitch");
  ASSERT_EQ(root.size(), 1u);
  EXPECT_EQ(snapshot->uuid, root[0].uuid);
  EXPECT_EQ(snapshot->ovs_version, root[0].string("ovs_version"));
  EXPECT_EQ(snapshot->external_ids, root[0].string_map("external_ids"));
  EXPECT_EQ(snapshot->hostname(), "network");

  // Neutron's facts, as a check would read them.
  const Bridge* tun = snapshot->bridge("br-tun");
  ASSERT_NE(tun, nullptr);
  const Interface* gre = tun->interface("gre-0a130002");
  ASSERT_NE(gre, nullptr);
  EXPECT_EQ(gre->type, "gre");
  EXPECT_EQ(gre->option("remote_ip"), "10.19.0.2");
  EXPECT_EQ(gre->option("local_ip"), "10.19.0.7");
  EXPECT_EQ(gre->option("in_key"), "flow");
  EXPECT_EQ(gre->option("out_key"), "flow");
  EXPECT_EQ(gre->ofport, 2);
  EXPECT_EQ(tun->interface("patch-int")->option("peer"), "patch-tun");
  const Bridge* br_int = snapshot->bridge("br-int");
  ASSERT_NE(br_int, nullptr);
  EXPECT_EQ(br_int->port("qr-1a2b3c4d-5e")->tag, 1);
  EXPECT_EQ(br_int->port("qvo0a1b2c3d-4e")->tag, 4095);
  EXPECT_EQ(br_int->interface("qvo0a1b2c3d-4e")->external_id("vm-uuid"), "d6b4e5a2-2f1c-4b0e-9c1a-0123456789ab");
  EXPECT_EQ(br_int->interface("qr-1a2b3c4d-5e")->external_id("iface-status"), "active");
  EXPECT_EQ(br_int->port("trunk0")->trunks, (std::vector<std::int64_t>{10, 20}));
  EXPECT_EQ(br_int->controllers.at(0).target, "tcp:127.0.0.1:6633");
  const Interface* missing = snapshot->bridge("br-ex")->interface("eth-missing");
  ASSERT_NE(missing, nullptr);
  EXPECT_EQ(missing->ofport, -1);
  EXPECT_TRUE(missing->error.has_value());
  EXPECT_TRUE(br_int->interface("br-int")->mac_in_use.has_value());
}

TEST_F(OvsLayout, FlowsAgreeWithOvsOfctl) {
  for (const char* bridge : {"br-tun", "br-int", "br-ex"}) {
    const auto ours = dump(*ovs_, bridge);
    ASSERT_TRUE(ours) << ours.error().message();
    EXPECT_EQ(ours->openflow_version, "OpenFlow13");
    EXPECT_EQ(ours->socket, "unix:" + ovs_->rundir() + "/" + bridge + ".mgmt");
    expect_same_flows(*ours, ovs_->ofctl_ok(std::string("-O OpenFlow13 dump-flows ") + bridge));
    // The structure decoded by ofputil agrees with our parser on OVS's own text.
    for (const auto& f : ours->flows) {
      const auto parsed = parse_flow(f.text);
      ASSERT_TRUE(parsed) << f.text;
      EXPECT_EQ(*parsed, f) << f.text;
    }
    // Without counters the text is `ovs-ofctl --no-stats`'s.
    const auto no_stats = parse_flows(ovs_->ofctl_ok(std::string("-O OpenFlow13 --no-stats dump-flows ") + bridge));
    ASSERT_TRUE(no_stats);
    ASSERT_EQ(no_stats->size(), ours->flows.size());
    for (size_t i = 0; i < ours->flows.size(); ++i) {
      Flow bare = ours->flows[i];
      bare.duration_sec.reset();
      bare.duration_nsec.reset();
      bare.n_packets.reset();
      bare.n_bytes.reset();
      bare.idle_age.reset();
      bare.hard_age.reset();
      EXPECT_EQ(format_flow(bare), (*no_stats)[i].text);
    }
  }
}

// A dump started before other work (as host snapshots start every bridge's before reading
// OVSDB) gives the flows a dump from start to end gives; dumps dropped unread close their
// connections, and the switch keeps answering.
TEST_F(OvsLayout, StartedDumpsFinishLaterAndAbandonedOnesCloseCleanly) {
  std::map<std::string, StartedFlowDump> started;
  for (const char* bridge : {"br-tun", "br-int", "br-ex"}) {
    FlowDumpOptions o;
    o.bridge = bridge;
    o.rundir = ovs_->rundir();
    auto d = start_flow_dump(o);
    ASSERT_TRUE(d) << d.error().message();
    started.emplace(bridge, std::move(*d));
  }
  // Meanwhile: OVSDB, on the same thread.
  const auto snapshot = read(*ovs_);
  ASSERT_TRUE(snapshot) << snapshot.error().message();
  auto tun = std::move(started.at("br-tun")).finish(std::chrono::seconds(10));
  ASSERT_TRUE(tun) << tun.error().message();
  EXPECT_EQ(tun->bridge, "br-tun");
  EXPECT_EQ(tun->socket, "unix:" + ovs_->rundir() + "/br-tun.mgmt");
  EXPECT_EQ(tun->openflow_version, "OpenFlow13");
  expect_same_flows(*tun, ovs_->ofctl_ok("-O OpenFlow13 dump-flows br-tun"));
  // Finished once; a second finish is an error, not a crash.
  auto again = std::move(started.at("br-tun")).finish(std::chrono::seconds(1));
  ASSERT_FALSE(again);
  EXPECT_NE(again.error().message().find("already finished"), std::string::npos) << again.error().message();
  // br-int and br-ex are dropped unread (their replies were on the way); the switch still answers.
  started.clear();
  for (int i = 0; i < 3; ++i) {
    const auto direct = dump(*ovs_, "br-int");
    ASSERT_TRUE(direct) << direct.error().message();
    expect_same_flows(*direct, ovs_->ofctl_ok("-O OpenFlow13 dump-flows br-int"));
  }
  // A bridge without a switch socket fails at the start, with dump_flows' error.
  FlowDumpOptions missing;
  missing.bridge = "br-nope";
  missing.rundir = ovs_->rundir();
  const auto nope = start_flow_dump(missing);
  ASSERT_FALSE(nope);
  EXPECT_EQ(nope.error().kind(), ErrorKind::not_found) << nope.error().message();
}

TEST_F(OvsLayout, NeutronQuestionsHaveAnswers) {
  const auto tun = dump(*ovs_, "br-tun");
  ASSERT_TRUE(tun) << tun.error().message();
  ASSERT_EQ(tun->flows.size(), 13u);
  auto q = parse_flow_query("table=3,tun_id=0x3e9");
  ASSERT_TRUE(q);
  q->sets_vlan = 1;
  EXPECT_EQ(find_flows(tun->flows, *q).size(), 1u);
  q->sets_vlan = 2;
  EXPECT_TRUE(find_flows(tun->flows, *q).empty());
  FlowQuery learn;
  learn.table = 10;
  learn.learns = true;
  learn.outputs_to = "1";
  ASSERT_EQ(find_flows(tun->flows, learn).size(), 1u);
  EXPECT_NE(learn_action(*find_flows(tun->flows, learn)[0])->argument.find("NXM_NX_TUN_ID[]->NXM_NX_TUN_ID[]"),
            std::string::npos);
  FlowQuery flood;
  flood.table = 22;
  flood.match = {{"dl_vlan", "1", ""}};
  flood.sets_tunnel = 1001;
  flood.strips_vlan = true;
  EXPECT_EQ(find_flows(tun->flows, flood).size(), 1u);

  // The same flows read at OpenFlow 1.0 (Havana's spelling) mean the same.
  const auto of10 = parse_flows(ovs_->ofctl_ok("-O OpenFlow10 dump-flows br-tun"));
  ASSERT_TRUE(of10) << of10.error().message();
  ASSERT_EQ(of10->size(), tun->flows.size());
  for (size_t i = 0; i < of10->size(); ++i) {
    const Flow& a = tun->flows[i];
    const Flow& b = (*of10)[i];
    EXPECT_EQ(a.table, b.table);
    EXPECT_EQ(a.priority, b.priority);
    EXPECT_EQ(vlan_set(a), vlan_set(b)) << a.text << "\n" << b.text;
    EXPECT_EQ(tunnel_set(a), tunnel_set(b)) << a.text << "\n" << b.text;
    EXPECT_EQ(vlan_stripped(a), vlan_stripped(b)) << a.text << "\n" << b.text;
    EXPECT_EQ(output_ports(a), output_ports(b)) << a.text << "\n" << b.text;
    EXPECT_EQ(matched_vlan(a), matched_vlan(b)) << a.text << "\n" << b.text;
    EXPECT_EQ(learn_action(a) != nullptr, learn_action(b) != nullptr);
  }
}

TEST_F(OvsLayout, OneTableAndJsonRoundTrip) {
  const auto t3 = dump(*ovs_, "br-tun", 3);
  ASSERT_TRUE(t3) << t3.error().message();
  ASSERT_EQ(t3->flows.size(), 2u);
  for (const auto& f : t3->flows) EXPECT_EQ(f.table, 3);
  expect_same_flows(*t3, ovs_->ofctl_ok("-O OpenFlow13 dump-flows br-tun table=3"));

  const auto all = dump(*ovs_, "br-tun");
  ASSERT_TRUE(all);
  const auto back = flow_dump_from_json(nlohmann::json::parse(flow_dump_to_json(*all).dump()));
  ASSERT_TRUE(back) << back.error().message();
  EXPECT_EQ(*back, *all);

  const auto snapshot = read(*ovs_);
  ASSERT_TRUE(snapshot);
  const auto snap_back = snapshot_from_json(nlohmann::json::parse(snapshot_to_json(*snapshot).dump()));
  ASSERT_TRUE(snap_back);
  EXPECT_EQ(*snap_back, *snapshot);
}

TEST_F(OvsLayout, CliShowAndFlows) {
  const std::string bin = STACKWIRE_BINARY;
  const auto show = sw::test::sh(bin + " ovs show --db " + shq(ovs_->db_remote()));
  EXPECT_EQ(show.status, 0) << show.err;
  const auto snapshot = read(*ovs_);
  ASSERT_TRUE(snapshot);
  EXPECT_EQ(show.out, format_show(*snapshot));
  EXPECT_EQ(show.err, "");

  // OVS_RUNDIR alone finds the instance.
  const auto json = sw::test::sh(ovs_->env() + " " + bin + " ovs show --json");
  ASSERT_EQ(json.status, 0) << json.err;
  const auto parsed = snapshot_from_json(nlohmann::json::parse(json.out));
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->uuid, snapshot->uuid);
  EXPECT_EQ(parsed->bridges.size(), 3u);
  EXPECT_EQ(parsed->bridge("br-tun")->interface("gre-0a130008")->option("remote_ip"), "10.19.0.8");

  const auto flows = sw::test::sh(bin + " ovs flows br-tun --rundir " + shq(ovs_->rundir()));
  ASSERT_EQ(flows.status, 0) << flows.err;
  std::string ours, theirs;
  for (auto l : split(flows.out, '\n'))
    if (!l.empty()) ours += test::without_ages(std::string(l)) + "\n";
  const std::string ofctl_text = ovs_->ofctl_ok("-O OpenFlow13 dump-flows br-tun");
  for (auto l : split(ofctl_text, '\n'))
    if (!l.empty() && !l.starts_with("OFPST")) theirs += test::without_ages(std::string(l)) + "\n";
  EXPECT_EQ(ours, theirs);

  const auto t22 = sw::test::sh(ovs_->env() + " " + bin + " ovs flows br-tun --table 22 --json");
  ASSERT_EQ(t22.status, 0) << t22.err;
  const auto j = nlohmann::json::parse(t22.out);
  EXPECT_EQ(j["bridge"], "br-tun");
  EXPECT_EQ(j["table"], 22);
  ASSERT_EQ(j["flows"].size(), 2u);
  EXPECT_EQ(j["flows"][0]["actions"][0]["name"], "pop_vlan");
  EXPECT_EQ(j["flows"][0]["actions"][1]["argument"], "0x3e9->tun_id");

  const auto unknown = sw::test::sh(bin + " ovs flows br-nope --rundir " + shq(ovs_->rundir()));
  EXPECT_EQ(unknown.status, 2);
  EXPECT_NE(unknown.err.find("br-nope"), std::string::npos) << unknown.err;
  EXPECT_NE(unknown.err.find("(it has br-ex, br-int, br-tun)"), std::string::npos) << unknown.err;
  EXPECT_EQ(std::count(unknown.err.begin(), unknown.err.end(), '\n'), 1) << unknown.err;
  EXPECT_EQ(unknown.out, "");

  EXPECT_EQ(sw::test::sh(bin + " ovs flows br-tun --table 300 --rundir " + shq(ovs_->rundir())).status, 2);
  const auto bad_db = sw::test::sh(bin + " ovs show --db /var/run/openvswitch/db.sock");
  EXPECT_EQ(bad_db.status, 2);
  EXPECT_NE(bad_db.err.find("--db '/var/run/openvswitch/db.sock'"), std::string::npos) << bad_db.err;
}

TEST(OvsDaemons, VswitchdNotRunning) {
  SW_REQUIRE_ROOT();
  OvsFixture ovs({.init_db = true, .start_vswitchd = false});
  ASSERT_TRUE(ovs.ok());
  ovs.vsctl_ok("--no-wait add-br br-int -- set Bridge br-int datapath_type=netdev -- add-br br-tun");
  // OVSDB is still readable.
  const auto snapshot = read(ovs);
  ASSERT_TRUE(snapshot) << snapshot.error().message();
  EXPECT_EQ(snapshot->bridges.size(), 2u);
  EXPECT_EQ(format_show(*snapshot), ovs.vsctl_ok("show"));
  // Flows: one clear error naming the socket and the daemon.
  const auto flows = dump(ovs, "br-int");
  ASSERT_FALSE(flows);
  EXPECT_EQ(flows.error().kind(), ErrorKind::system);
  EXPECT_NE(flows.error().message().find(ovs.rundir() + "/br-int.mgmt"), std::string::npos) << flows.error().message();
  EXPECT_NE(flows.error().message().find("ovs-vswitchd is not running"), std::string::npos);
  const auto unknown = dump(ovs, "br-nope");
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().kind(), ErrorKind::not_found);

  const std::string bin = STACKWIRE_BINARY;
  const auto cli = sw::test::sh(bin + " ovs flows br-int --rundir " + shq(ovs.rundir()));
  EXPECT_EQ(cli.status, 1);
  EXPECT_EQ(cli.out, "");
  EXPECT_EQ(std::count(cli.err.begin(), cli.err.end(), '\n'), 1) << cli.err;
  EXPECT_NE(cli.err.find("br-int.mgmt: ovs-vswitchd is not running"), std::string::npos) << cli.err;

  // Started later, the same bridge answers.
  ASSERT_TRUE(ovs.start_vswitchd());
  const auto after = dump(ovs, "br-int");
  ASSERT_TRUE(after) << after.error().message();
  EXPECT_EQ(after->flows.size(), 1u);  // the NORMAL flow of a bridge without fail_mode

  // A bridge that does not allow OpenFlow 1.3: the negotiation failure says so.
  ovs.vsctl_ok("set Bridge br-int protocols=OpenFlow10");
  const auto of10_only = dump(ovs, "br-int");
  ASSERT_FALSE(of10_only);
  EXPECT_EQ(of10_only.error().kind(), ErrorKind::system);
  EXPECT_NE(of10_only.error().message().find("br-int.mgmt"), std::string::npos) << of10_only.error().message();
  EXPECT_NE(of10_only.error().message().find("OpenFlow13"), std::string::npos) << of10_only.error().message();
}

TEST(OvsDaemons, DeadOrMissingOvsdbServer) {
  SW_REQUIRE_ROOT();
  OvsFixture ovs({.init_db = true, .start_vswitchd = false});
  ASSERT_TRUE(ovs.ok());
  ovs.kill_ovsdb_server();  // its socket file stays: connection refused
  const auto t0 = std::chrono::steady_clock::now();
  const auto dead = read(ovs);
  ASSERT_FALSE(dead);
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(3));
  EXPECT_EQ(dead.error().kind(), ErrorKind::system);
  EXPECT_NE(dead.error().message().find(ovs.db_remote() + ": ovsdb-server is not running"), std::string::npos)
      << dead.error().message();

  const std::string bin = STACKWIRE_BINARY;
  for (const std::string& db : {ovs.db_remote(), "unix:" + ovs.dir() + "/nonexistent/db.sock"}) {
    const auto cli = sw::test::sh(bin + " ovs show --db " + shq(db));
    EXPECT_EQ(cli.status, 1);
    EXPECT_EQ(cli.out, "");
    EXPECT_EQ(std::count(cli.err.begin(), cli.err.end(), '\n'), 1) << cli.err;
    EXPECT_NE(cli.err.find(db + ": ovsdb-server is not running"), std::string::npos) << cli.err;
  }
  // Neither daemon: flows name the bridge socket.
  const auto flows = sw::test::sh(bin + " ovs flows br-int --rundir " + shq(ovs.rundir()));
  EXPECT_EQ(flows.status, 1);
  EXPECT_NE(flows.err.find("br-int.mgmt: ovs-vswitchd is not running"), std::string::npos) << flows.err;
}

TEST(OvsDaemons, SilentServerTimesOut) {
  SW_REQUIRE_ROOT();
  // A socket that accepts connections (the backlog does) but never answers.
  const std::string dir = "/tmp/" + sw::test::unique_name("ovs");
  sw::test::sh_ok("mkdir -p " + shq(dir));
  struct Cleanup {
    std::string d;
    ~Cleanup() { sw::test::sh("rm -rf " + shq(d)); }
  } cleanup{dir};
  sw::UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  ASSERT_TRUE(fd);
  const std::string path = dir + "/db.sock";
  sockaddr_un sa{};
  sa.sun_family = AF_UNIX;
  std::snprintf(sa.sun_path, sizeof sa.sun_path, "%s", path.c_str());
  ASSERT_EQ(::bind(fd.get(), reinterpret_cast<sockaddr*>(&sa), sizeof sa), 0);
  ASSERT_EQ(::listen(fd.get(), 16), 0);
  ASSERT_EQ(::symlink("db.sock", (dir + "/br-x.mgmt").c_str()), 0);

  SnapshotOptions so;
  so.db = "unix:" + path;
  so.timeout = std::chrono::milliseconds(300);
  auto t0 = std::chrono::steady_clock::now();
  const auto snap = read_snapshot(so);
  ASSERT_FALSE(snap);
  EXPECT_EQ(snap.error().kind(), ErrorKind::timeout) << snap.error().message();
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(2));

  FlowDumpOptions fo;
  fo.bridge = "br-x";
  fo.rundir = dir;
  fo.timeout = std::chrono::milliseconds(300);
  t0 = std::chrono::steady_clock::now();
  const auto flows = dump_flows(fo);
  ASSERT_FALSE(flows);
  EXPECT_EQ(flows.error().kind(), ErrorKind::timeout) << flows.error().message();
  EXPECT_NE(flows.error().message().find("br-x.mgmt"), std::string::npos);
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(2));
}

TEST(OvsDaemons, EmptyDatabase) {
  SW_REQUIRE_ROOT();
  OvsFixture ovs({.init_db = false, .start_vswitchd = false});
  ASSERT_TRUE(ovs.ok());
  const auto snapshot = read(ovs);
  ASSERT_TRUE(snapshot) << snapshot.error().message();
  EXPECT_TRUE(snapshot->uuid.empty());
  EXPECT_TRUE(snapshot->bridges.empty());
  EXPECT_EQ(format_show(*snapshot), "");
  // Ground truth without ovs-vsctl, which would create the root row.
  const auto dumped = sw::test::sh_ok("ovsdb-client --timeout=10 --format=json dump " + shq(ovs.db_remote()) +
                                      " Open_vSwitch Open_vSwitch");
  EXPECT_EQ(dumped.find("\"data\":[["), std::string::npos) << dumped;
  const std::string bin = STACKWIRE_BINARY;
  const auto cli = sw::test::sh(bin + " ovs show --json --db " + shq(ovs.db_remote()));
  ASSERT_EQ(cli.status, 0) << cli.err;
  const auto j = nlohmann::json::parse(cli.out);
  EXPECT_EQ(j["uuid"], "");
  EXPECT_TRUE(j["bridges"].empty());
}

TEST(OvsScale, ThousandPortsAndTenThousandFlows) {
  SW_REQUIRE_ROOT();
  OvsFixture ovs;
  ASSERT_TRUE(ovs.ok());
  ovs.vsctl_ok("add-br br-int -- set Bridge br-int datapath_type=netdev protocols=OpenFlow13");
  ASSERT_TRUE(ovs.add_ports("br-int", 1000));
  ASSERT_TRUE(ovs.add_flows("br-int", 10000));

  const auto snapshot = read(ovs);
  ASSERT_TRUE(snapshot) << snapshot.error().message();
  const Bridge* b = snapshot->bridge("br-int");
  ASSERT_NE(b, nullptr);
  EXPECT_EQ(b->ports.size(), 1001u);  // and the bridge's own internal port
  const auto rows = vsctl_rows(ovs, "Port");
  ASSERT_EQ(rows.size(), 1001u);
  const auto ports = ports_by_uuid(*snapshot);
  for (const auto& row : rows) {
    ASSERT_TRUE(ports.contains(row.uuid));
    EXPECT_EQ(ports.at(row.uuid)->tag, row.integer("tag"));
    EXPECT_EQ(ports.at(row.uuid)->name, row.string("name"));
  }
  EXPECT_EQ(b->interface("p0999")->external_id("attached-mac"), "fa:16:3e:00:03:e7");

  const auto flows = dump(ovs, "br-int");
  ASSERT_TRUE(flows) << flows.error().message();
  EXPECT_EQ(flows->flows.size(), 10001u);  // and the NORMAL flow
  expect_same_flows(*flows, ovs.ofctl_ok("-O OpenFlow13 dump-flows br-int"));
  FlowQuery q;
  q.table = 20;
  q.match = {{"dl_vlan", "1000", ""}, {"dl_dst", "fa:16:3e:00:03:e7", ""}};
  q.sets_tunnel = 1000 + 999;
  q.outputs_to = "3";
  EXPECT_EQ(find_flows(flows->flows, q).size(), 1u);
}

TEST(OvsThreads, OneThreadOnly) {
  // The first call (any, even a failing one) fixes the OVS thread; another thread is refused.
  SnapshotOptions o;
  o.db = "unix:/nonexistent-stackwire-test/db.sock";
  const auto first = read_snapshot(o);
  ASSERT_FALSE(first);
  EXPECT_NE(first.error().message().find("ovsdb-server is not running"), std::string::npos) << first.error().message();
  std::optional<Error> other;
  std::thread([&] {
    const auto r = read_snapshot(o);
    if (!r) other = r.error();
  }).join();
  ASSERT_TRUE(other);
  EXPECT_NE(other->message().find("another thread"), std::string::npos) << other->message();
}

TEST(OvsSignals, OvsDoesNotTakeOverFatalSignals) {
  // lib/fatal-signal.c would install a handler that only notes SIGTERM until the next poll; ours
  // (installed first) ends the process as the default action does, wherever it is.
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    SnapshotOptions o;
    o.db = "unix:/nonexistent-stackwire-test/db.sock";
    (void)read_snapshot(o);
    ::raise(SIGTERM);
    ::sleep(2);  // with OVS's handler the signal would be swallowed and we would get here
    ::_exit(0);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFSIGNALED(status)) << "child exited normally: SIGTERM was swallowed";
  EXPECT_EQ(WTERMSIG(status), SIGTERM);
}

}  // namespace
}  // namespace sw::ovs
