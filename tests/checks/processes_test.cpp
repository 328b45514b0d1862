// The /proc parsers behind the processes of each namespace, on the bytes the kernel gives.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "checks/processes.h"

namespace sw::checks {
namespace {

using namespace std::string_literals;
using Argv = std::vector<std::string>;

TEST(ProcPid, OnlyPositiveDecimalNames) {
  EXPECT_EQ(parse_proc_pid("1"), 1);
  EXPECT_EQ(parse_proc_pid("4194304"), 4194304);
  for (const char* name : {"", "0", "01", "self", "thread-self", "net", "12a", "-1", "+1", " 1", "1 ",
                           "99999999999999999999", "."})
    EXPECT_EQ(parse_proc_pid(name), std::nullopt) << name;
}

TEST(ProcComm, DropsTheNewline) {
  EXPECT_EQ(parse_comm("dnsmasq\n"), "dnsmasq");
  EXPECT_EQ(parse_comm("neutron-openvsw\n"), "neutron-openvsw");
  EXPECT_EQ(parse_comm("kworker/0:1\n"), "kworker/0:1");
  EXPECT_EQ(parse_comm("with space\n"), "with space");
  EXPECT_EQ(parse_comm("no-newline"), "no-newline");
  EXPECT_EQ(parse_comm(""), "");
}

TEST(ProcCmdline, SplitsOnNul) {
  EXPECT_EQ(parse_cmdline("dnsmasq\0--no-hosts\0--pid-file=/var/lib/neutron/dhcp/x/pid\0"s),
            (Argv{"dnsmasq", "--no-hosts", "--pid-file=/var/lib/neutron/dhcp/x/pid"}));
  EXPECT_EQ(parse_cmdline("sleep\0" "300\0"s), (Argv{"sleep", "300"}));
  EXPECT_EQ(parse_cmdline("init\0"s), (Argv{"init"}));
}

TEST(ProcCmdline, EmptyArgumentsAreKept) {
  EXPECT_EQ(parse_cmdline("sh\0-c\0\0"s), (Argv{"sh", "-c", ""}));
  EXPECT_EQ(parse_cmdline("\0"s), (Argv{""}));
}

TEST(ProcCmdline, KernelThreadsAndZombiesAreEmpty) { EXPECT_TRUE(parse_cmdline("").empty()); }

TEST(ProcCmdline, RewrittenArgv) {
  // setproctitle-style: one string, spaces, and no terminating NUL.
  EXPECT_EQ(parse_cmdline("sshd: root@pts/0"), (Argv{"sshd: root@pts/0"}));
  EXPECT_EQ(parse_cmdline("nginx: worker process\0\0\0\0"s), (Argv{"nginx: worker process", "", "", ""}));
  EXPECT_EQ(parse_cmdline("a\0b"s), (Argv{"a", "b"}));
}


// What Neutron's DHCP agent writes (neutron/agent/linux/dhcp.py, _output_hosts_file): "MAC,NAME,IP",
// with set:TAG for ports with extra options and [IPv6] in brackets.
TEST(DhcpHostsFile, NeutronLines) {
  const auto e = parse_dhcp_hostsfile(
      "fa:16:3e:d1:0f:75,host-10-0-0-163.openstacklocal,10.0.0.163\n"
      "FA:16:3E:25:2E:CE,host-10-0-0-1.openstacklocal,10.0.0.1\n"
      "\n"
      "# a comment\n"
      "fa:16:3e:aa:bb:cc,set:port-5a1b,host-2001-db8--5.openstacklocal,[2001:DB8::5]\n"
      "fa:16:3e:00:00:01,host-10-0-0-9,10.0.0.9,86400s\n"
      "fa:16:3e:00:00:02,10.0.0.10,12h\n"
      "fa:16:3e:00:00:03,ignore\n");
  ASSERT_EQ(e.size(), 6u);
  EXPECT_EQ(e[0], (DhcpHostEntry{{"fa:16:3e:d1:0f:75"}, "host-10-0-0-163.openstacklocal", {"10.0.0.163"}, 1}));
  EXPECT_EQ(e[1].macs, (Argv{"fa:16:3e:25:2e:ce"}));  // lower case
  EXPECT_EQ(e[1].line, 2);
  EXPECT_EQ(e[2], (DhcpHostEntry{{"fa:16:3e:aa:bb:cc"}, "host-2001-db8--5.openstacklocal", {"2001:db8::5"}, 5}));
  EXPECT_EQ(e[3].addresses, (Argv{"10.0.0.9"}));
  EXPECT_EQ(e[3].name, "host-10-0-0-9");
  EXPECT_EQ(e[4], (DhcpHostEntry{{"fa:16:3e:00:00:02"}, "", {"10.0.0.10"}, 7}));
  EXPECT_TRUE(e[5].addresses.empty());
}

TEST(DhcpHostsFile, WildcardsSeveralMacsAndOddLines) {
  const auto e = parse_dhcp_hostsfile("fa:16:3e:*:*:*,11:22:33:44:55:66,wild,10.0.0.5\r\n1-00:11:22:33:44:55,10.0.0.6");
  ASSERT_EQ(e.size(), 2u);
  EXPECT_EQ(e[0].macs, (Argv{"fa:16:3e:*:*:*", "11:22:33:44:55:66"}));
  EXPECT_EQ(e[0].name, "wild");
  EXPECT_EQ(e[1].macs, (Argv{"1-00:11:22:33:44:55"}));
  EXPECT_EQ(e[1].addresses, (Argv{"10.0.0.6"}));
  // Not addresses: 256.1.1.1, 1.2.3, a MAC with 5 groups — read as the name (first) or dropped.
  const auto odd = parse_dhcp_hostsfile("256.1.1.1,1.2.3,aa:bb:cc:dd:ee\n,,,\n");
  ASSERT_EQ(odd.size(), 2u);
  EXPECT_EQ(odd[0].name, "256.1.1.1");
  EXPECT_TRUE(odd[0].addresses.empty());
  EXPECT_TRUE(odd[0].macs.empty());
  EXPECT_EQ(odd[1], (DhcpHostEntry{{}, "", {}, 2}));
}

TEST(ProcStatus, FsCredentials) {
  const auto c = parse_status_credentials(
      "Name:\tdnsmasq\nUid:\t65534\t65534\t65534\t65534\nGid:\t65534\t65534\t65534\t65533\nGroups:\t65534 4 \nVmRSS:\t1 kB\n");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->uid, 65534u);
  EXPECT_EQ(c->gid, 65533u);  // the filesystem gid, the last of the four
  EXPECT_EQ(c->groups, (std::vector<unsigned>{65534, 4}));
  EXPECT_FALSE(parse_status_credentials("Name:\tx\nUid:\t1\t1\n"));
  EXPECT_FALSE(parse_status_credentials(""));
}

// The mode-bit walk on a real tree: what dnsmasq (uid 65534) meets under a 0750 /var/lib/neutron.
TEST(ReadDenied, WalksEveryDirectoryThenTheFile) {
  namespace fs = std::filesystem;
  char tmpl[] = "/tmp/sw-readdenied-XXXXXX";
  ASSERT_NE(::mkdtemp(tmpl), nullptr);
  const fs::path root = tmpl;
  fs::create_directories(root / "var/lib/neutron/dhcp/net");
  std::ofstream(root / "var/lib/neutron/dhcp/net/host") << "fa:16:3e:d1:0f:75,h,10.0.0.5\n";
  ::chmod(root.c_str(), 0755);
  ::chmod((root / "var/lib/neutron").c_str(), 0750);
  ::chmod((root / "var/lib/neutron/dhcp/net/host").c_str(), 0644);
  const std::string path = "/var/lib/neutron/dhcp/net/host";
  const FsCredentials nobody{65534, 65534, {65534}};
  const std::string d = read_denied(root.string(), path, nobody);
  EXPECT_EQ(d.rfind("/var/lib/neutron: mode 0750 ", 0), 0u) << d;
  EXPECT_NE(d.find("no search permission for uid 65534"), std::string::npos) << d;
  // In the directory's group: allowed.
  struct stat st {};
  ASSERT_EQ(::stat((root / "var/lib/neutron").c_str(), &st), 0);
  EXPECT_EQ(read_denied(root.string(), path, FsCredentials{65534, 65534, {st.st_gid}}), "");
  EXPECT_EQ(read_denied(root.string(), path, FsCredentials{st.st_uid, 1, {}}), "");
  EXPECT_EQ(read_denied(root.string(), path, FsCredentials{0, 0, {}}), "");  // root
  ::chmod((root / "var/lib/neutron").c_str(), 0755);
  EXPECT_EQ(read_denied(root.string(), path, nobody), "");
  ::chmod((root / "var/lib/neutron/dhcp/net/host").c_str(), 0640);
  EXPECT_NE(read_denied(root.string(), path, nobody).find("/var/lib/neutron/dhcp/net/host: mode 0640"), std::string::npos);
  // A file that is not there is not a permission question; a relative path is not judged.
  EXPECT_EQ(read_denied(root.string(), "/var/lib/neutron/dhcp/other/host", nobody), "");
  EXPECT_EQ(read_denied(root.string(), "relative/host", nobody), "");
  fs::remove_all(root);
}

}  // namespace
}  // namespace sw::checks
