#include "lab/layout.h"

#include <gtest/gtest.h>

namespace sw::lab {
namespace {

TEST(LabLayout, DefaultHostsAreTheHangouts) {
  const auto l = make_layout("swlab", "/srv/stackwire/swlab", 2);
  ASSERT_TRUE(l) << l.error().message();
  ASSERT_EQ(l->hosts.size(), 4u);
  EXPECT_EQ(l->hosts[0].name, "controller");
  EXPECT_EQ(l->hosts[0].mgmt_ip, "10.15.0.4");
  EXPECT_EQ(l->hosts[0].tunnel_ip, "");
  EXPECT_EQ(l->hosts[1].name, "network");
  EXPECT_EQ(l->hosts[1].mgmt_ip, "10.15.0.7");
  EXPECT_EQ(l->hosts[1].tunnel_ip, "10.19.0.7");
  EXPECT_TRUE(l->hosts[1].external_nic);
  EXPECT_EQ(l->hosts[2].name, "compute1");
  EXPECT_EQ(l->hosts[2].mgmt_ip, "10.15.0.2");
  EXPECT_EQ(l->hosts[2].tunnel_ip, "10.19.0.2");
  EXPECT_EQ(l->hosts[3].name, "compute2");
  EXPECT_EQ(l->hosts[3].mgmt_ip, "10.15.0.8");
  EXPECT_EQ(l->hosts[3].tunnel_ip, "10.19.0.8");
  EXPECT_EQ(l->hosts[3].roles, std::vector<std::string>{"compute"});
  EXPECT_FALSE(l->hosts[3].external_nic);
}

TEST(LabLayout, MoreComputesContinueAtTwenty) {
  const auto l = make_layout("swlab", "/srv/stackwire/swlab", 8);
  ASSERT_TRUE(l);
  ASSERT_EQ(l->hosts.size(), 10u);
  EXPECT_EQ(l->hosts[4].name, "compute3");
  EXPECT_EQ(l->hosts[4].mgmt_ip, "10.15.0.20");
  EXPECT_EQ(l->hosts[4].tunnel_ip, "10.19.0.20");
  EXPECT_EQ(l->hosts[9].name, "compute8");
  EXPECT_EQ(l->hosts[9].mgmt_ip, "10.15.0.25");
  EXPECT_EQ(compute_mgmt_ip(kMaxComputes), "10.15.0." + std::to_string(17 + kMaxComputes));
}

TEST(LabLayout, NamesAndPathsFollowThePrefixAndStateDir) {
  const auto l = make_layout("t1", "/srv/x/t1/", 2);
  ASSERT_TRUE(l);
  EXPECT_EQ(l->netns_name("network"), "t1-network");
  EXPECT_EQ(l->switch_netns(), "t1-switch");
  EXPECT_EQ(l->outside_netns(), "t1-outside");
  EXPECT_EQ(l->all_netns().size(), 6u);
  EXPECT_EQ(l->ssh_config().string(), "/srv/x/t1/ssh/ssh_config");
  EXPECT_EQ(l->answer_file().string(), "/srv/x/t1/answers.txt");
  EXPECT_EQ(l->topology_file().string(), "/srv/x/t1/topology.json");
  EXPECT_EQ(l->ns_file("compute1", "mnt").string(), "/srv/x/t1/ns/compute1.mnt");
  EXPECT_EQ(l->find("compute2")->mgmt_ip, "10.15.0.8");
  EXPECT_EQ(l->find("compute3"), nullptr);
}

TEST(LabLayout, RejectsBadPrefixes) {
  for (const char* p : {"", "Swlab", "1lab", "sw_lab", "sw lab", "a/b", "abcdefghijklmnopqrstu"}) {
    const auto r = validate_prefix(p);
    ASSERT_FALSE(r) << p;
    EXPECT_EQ(r.error().kind(), ErrorKind::input);
    EXPECT_NE(r.error().message().find("lab prefix"), std::string::npos);
  }
  EXPECT_TRUE(validate_prefix("swt123-a"));
}

TEST(LabLayout, RejectsStateDirsThatOverlapOverlaysOrTmpfs) {
  for (const char* d : {"relative/dir", "/", "/etc/lab", "/var/lib/stackwire", "/run/lab", "/tmp/lab", "/root/lab",
                        "/usr/x", "/srv/../etc/x", "/srv/a,b", "/srv/a:b", "/srv/a b"}) {
    const auto r = validate_state_dir(d);
    EXPECT_FALSE(r) << d;
  }
  EXPECT_TRUE(validate_state_dir("/srv/stackwire/swlab"));
  EXPECT_TRUE(validate_state_dir("/opt/lab.1/x_y"));
  EXPECT_TRUE(validate_state_dir("/variable/x"));  // not /var
}

TEST(LabLayout, RejectsComputeCountsOutOfRange) {
  EXPECT_FALSE(make_layout("swlab", "/srv/stackwire/swlab", 0));
  EXPECT_FALSE(make_layout("swlab", "/srv/stackwire/swlab", kMaxComputes + 1));
  EXPECT_TRUE(make_layout("swlab", "/srv/stackwire/swlab", kMaxComputes));
}

}  // namespace
}  // namespace sw::lab
