// Pure decoders of the lab: mountinfo, /proc/<pid>/stat and status, namespace links, lab.json.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "lab/mounts.h"
#include "lab/proc.h"
#include "lab/ssh_probe.h"
#include "lab/state.h"

namespace sw::lab {
namespace {

TEST(Mountinfo, ParsesOverlayAndNsfsLines) {
  const std::string text =
      "22 1 254:0 / / rw,relatime shared:1 - ext4 /dev/vda rw\n"
      "610 22 0:4 net:[4026532301] /run/netns/swlab-network rw shared:250 - nsfs nsfs rw\n"
      "700 699 0:88 / /etc rw,relatime - overlay overlay rw,lowerdir=/etc,upperdir=/srv/stackwire/swlab/hosts/network/etc/upper,workdir=/srv/stackwire/swlab/hosts/network/etc/work\n"
      "701 22 0:5 / /mnt/with\\040space rw master:3 propagate_from:2 - tmpfs tmp\\011fs rw\n"
      "garbage line\n"
      "\n";
  const auto m = parse_mountinfo(text);
  ASSERT_EQ(m.size(), 4u);
  EXPECT_EQ(m[0].mount_point, "/");
  EXPECT_EQ(m[0].optional, std::vector<std::string>{"shared:1"});
  EXPECT_EQ(m[1].fstype, "nsfs");
  EXPECT_EQ(m[1].root, "net:[4026532301]");
  EXPECT_EQ(m[1].mount_point, "/run/netns/swlab-network");
  EXPECT_EQ(m[2].id, 700);
  EXPECT_EQ(m[2].parent, 699);
  EXPECT_EQ(m[2].fstype, "overlay");
  EXPECT_NE(m[2].super_options.find("upperdir=/srv/stackwire/swlab/hosts/network/etc/upper"), std::string::npos);
  EXPECT_EQ(m[3].mount_point, "/mnt/with space");
  EXPECT_EQ(m[3].source, "tmp\tfs");
  EXPECT_EQ(m[3].optional.size(), 2u);
}

TEST(Mountinfo, PathWithinIsLexicalAndExact) {
  EXPECT_TRUE(path_within("/srv/stackwire/swlab", "/srv/stackwire/swlab"));
  EXPECT_TRUE(path_within("/srv/stackwire/swlab/ns/a.mnt", "/srv/stackwire/swlab"));
  EXPECT_FALSE(path_within("/srv/stackwire/swlab2/ns", "/srv/stackwire/swlab"));
  EXPECT_FALSE(path_within("/srv/stackwire", "/srv/stackwire/swlab"));
}

TEST(ProcStat, ParsesCommWithSpacesAndParens) {
  const std::string text =
      "4242 (my (odd) proc) S 1 4242 4242 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 987654 1000 100 "
      "18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 0 0 0 0 0 0\n";
  const auto s = parse_proc_stat(text);
  ASSERT_TRUE(s);
  EXPECT_EQ(s->pid, 4242);
  EXPECT_EQ(s->comm, "my (odd) proc");
  EXPECT_EQ(s->state, 'S');
  EXPECT_EQ(s->ppid, 1);
  EXPECT_EQ(s->start_time, 987654u);
  EXPECT_FALSE(parse_proc_stat("12 (x) S 1"));
  EXPECT_FALSE(parse_proc_stat("nonsense"));
}

TEST(ProcStatus, NspidListsOuterToInner) {
  EXPECT_EQ(parse_nspid("Name:\tsshd\nPid:\t5012\nNSpid:\t5012\t7\nPPid:\t1\n"), (std::vector<pid_t>{5012, 7}));
  EXPECT_EQ(parse_nspid("Name:\tbash\nNSpid:\t88\n"), (std::vector<pid_t>{88}));
  EXPECT_TRUE(parse_nspid("Name:\tbash\n").empty());
}

TEST(NsLink, InodeFromLinkTarget) {
  EXPECT_EQ(parse_ns_link("net:[4026531840]"), 4026531840u);
  EXPECT_EQ(parse_ns_link("pid_for_children:[4026532001]"), 4026532001u);
  EXPECT_EQ(parse_ns_link("net:4026531840"), 0u);
  EXPECT_EQ(parse_ns_link("net:[]"), 0u);
}

TEST(SshBanner, RecognisesServerIdentification) {
  EXPECT_TRUE(is_ssh_banner("SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3\r\n"));
  EXPECT_TRUE(is_ssh_banner("SSH-1.99-Old\r\n"));
  EXPECT_FALSE(is_ssh_banner("HTTP/1.1 400 Bad Request\r\n"));
  EXPECT_FALSE(is_ssh_banner(""));
}

TEST(LabState, RoundTrips) {
  LabState s;
  s.prefix = "swt1";
  s.state_dir = "/srv/stackwire/swt1";
  s.computes = 8;
  s.complete = true;
  s.created = 1700000000;
  s.inits = {{"controller", 100, 5555}, {"network", 101, 5556}};
  const auto back = state_from_json(state_to_json(s).dump(), "lab.json");
  ASSERT_TRUE(back) << back.error().message();
  EXPECT_EQ(back->prefix, "swt1");
  EXPECT_EQ(back->computes, 8);
  EXPECT_TRUE(back->complete);
  ASSERT_EQ(back->inits.size(), 2u);
  EXPECT_EQ(back->inits[1].host, "network");
  EXPECT_EQ(back->inits[1].pid, 101);
  EXPECT_EQ(back->inits[1].start_time, 5556u);
}

TEST(LabState, MalformedIsAnInputErrorNamingTheFile) {
  for (const char* t : {"", "{}", "{\"version\":2,\"prefix\":\"a\",\"state_dir\":\"/s\",\"computes\":2,\"complete\":true,\"inits\":[]}",
                        "{\"version\":1,\"prefix\":3}"}) {
    const auto r = state_from_json(t, "/srv/x/lab.json");
    ASSERT_FALSE(r) << t;
    EXPECT_EQ(r.error().kind(), ErrorKind::input);
    EXPECT_NE(r.error().message().find("/srv/x/lab.json"), std::string::npos);
  }
}

}  // namespace
}  // namespace sw::lab
