// The /proc parsers behind the processes of each namespace, on the bytes the kernel gives.
#include <gtest/gtest.h>

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

}  // namespace
}  // namespace sw::checks
