// NetnsRef: the three ways the CLI names a namespace, and what is refused.
#include <gtest/gtest.h>

#include "netprobe/netns.h"

namespace sw::netprobe {
namespace {

TEST(NetnsRef, NameWithoutSlashIsARunNetnsName) {
  auto r = NetnsRef::parse("qrouter-1a2b");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->kind(), NetnsRef::Kind::name);
  EXPECT_EQ(r->fs_path(), "/run/netns/qrouter-1a2b");
  EXPECT_EQ(r->describe(), "netns 'qrouter-1a2b'");
}

TEST(NetnsRef, AnythingWithASlashIsAPath) {
  for (const char* p : {"/proc/1/ns/net", "./ns", "/var/run/netns/x"}) {
    auto r = NetnsRef::parse(p);
    ASSERT_TRUE(r) << p;
    EXPECT_EQ(r->kind(), NetnsRef::Kind::path);
    EXPECT_EQ(r->fs_path(), p);
    EXPECT_EQ(r->describe(), std::string("netns at ") + p);
  }
}

TEST(NetnsRef, Pid) {
  auto r = NetnsRef::from_cli(std::nullopt, "4242");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->kind(), NetnsRef::Kind::pid);
  EXPECT_EQ(r->fs_path(), "/proc/4242/ns/net");
  EXPECT_EQ(r->describe(), "netns of pid 4242");
  EXPECT_EQ(NetnsRef::pid(pid_t{7}).fs_path(), "/proc/7/ns/net");
}

TEST(NetnsRef, BadInputIsAnInputErrorNamingTheThing) {
  for (const char* bad : {"", ".", ".."}) {
    auto r = NetnsRef::parse(bad);
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.error().kind(), ErrorKind::input);
    EXPECT_EQ(r.error().exit_code(), 2);
  }
  EXPECT_FALSE(NetnsRef::parse(std::string(256, 'a')));
  for (const char* bad : {"0", "-1", "12x", "", "99999999999"}) {
    auto r = NetnsRef::from_cli(std::nullopt, std::string_view(bad));
    ASSERT_FALSE(r) << bad;
    EXPECT_NE(r.error().message().find("--pid"), std::string::npos);
  }
  auto both = NetnsRef::from_cli("a", "1");
  ASSERT_FALSE(both);
  EXPECT_EQ(both.error().kind(), ErrorKind::input);
  auto neither = NetnsRef::from_cli(std::nullopt, std::nullopt);
  ASSERT_FALSE(neither);
  EXPECT_NE(neither.error().message().find("no namespace"), std::string::npos);
}

TEST(NetnsRef, OpeningANameThatDoesNotExistIsNotFound) {
  auto ref = NetnsRef::parse("stackwire-no-such-namespace-xyz");
  ASSERT_TRUE(ref);
  auto fd = open_netns(*ref);
  ASSERT_FALSE(fd);
  EXPECT_EQ(fd.error().kind(), ErrorKind::not_found);
  EXPECT_EQ(fd.error().message(), "netns 'stackwire-no-such-namespace-xyz': no such namespace in /run/netns");
}

TEST(NetnsRef, OpeningSomethingThatIsNotANamespaceIsAnInputError) {
  auto fd = open_netns(*NetnsRef::parse("/etc/hostname"));
  ASSERT_FALSE(fd);
  EXPECT_EQ(fd.error().kind(), ErrorKind::input);
  EXPECT_NE(fd.error().message().find("is not a network namespace"), std::string::npos);
  // A namespace, but not a network one.
  auto uts = open_netns(*NetnsRef::parse("/proc/self/ns/uts"));
  ASSERT_FALSE(uts);
  EXPECT_NE(uts.error().message().find("not a network namespace"), std::string::npos);
}

TEST(NetnsGuard, NegativeFdStaysPut) {
  auto before = open_current_netns();
  ASSERT_TRUE(before);
  {
    auto g = NetnsGuard::enter(-1);
    ASSERT_TRUE(g);
  }
  auto after = open_current_netns();
  ASSERT_TRUE(after);
  EXPECT_EQ(netns_id(before->get())->inode, netns_id(after->get())->inode);
}

}  // namespace
}  // namespace sw::netprobe
