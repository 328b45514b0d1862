/* bench/netlink_floor.c — the kernel's own cost of what `stackwire snapshot` asks it for, with no
 * decoding and no JSON: for every namespace in /run/netns (and the caller's own), open it, setns,
 * open a NETLINK_ROUTE socket and dump links, IPv4+IPv6 addresses, routes, neighbours and netconf,
 * open a NETLINK_NETFILTER socket and dump nftables tables, chains and rules; every reply is received
 * and thrown away. Its CPU time is a floor under any native snapshot of the same namespaces.
 *
 *   cc -O2 -Wall -o /tmp/netlink_floor bench/netlink_floor.c && /usr/bin/time -v /tmp/netlink_floor
 *
 * Prints namespaces read, netlink messages received and bytes. (Plain C on purpose: nothing of
 * stackwire's in it.) */
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <linux/netconf.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static unsigned long messages, bytes;
static char buf[1 << 16];

static int dump(int fd, int type, int family, int nfnl) {
  struct {
    struct nlmsghdr h;
    union {
      struct rtgenmsg g;
      struct nfgenmsg nf;
    } u;
  } req;
  memset(&req, 0, sizeof req);
  req.h.nlmsg_len = NLMSG_LENGTH(nfnl ? sizeof(struct nfgenmsg) : sizeof(struct rtgenmsg));
  req.h.nlmsg_type = (unsigned short)type;
  req.h.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
  req.h.nlmsg_seq = 1;
  if (nfnl) {
    req.u.nf.nfgen_family = (unsigned char)family;
    req.u.nf.version = NFNETLINK_V0;
  } else {
    req.u.g.rtgen_family = (unsigned char)family;
  }
  if (send(fd, &req, req.h.nlmsg_len, 0) < 0) return -1;
  for (;;) {
    ssize_t n = recv(fd, buf, sizeof buf, 0);
    if (n < 0) return -1;
    bytes += (unsigned long)n;
    for (struct nlmsghdr* h = (struct nlmsghdr*)buf; NLMSG_OK(h, n); h = NLMSG_NEXT(h, n)) {
      ++messages;
      if (h->nlmsg_type == NLMSG_DONE || h->nlmsg_type == NLMSG_ERROR) return 0;
    }
  }
}

static int read_here(void) {
  int rt = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
  int nf = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_NETFILTER);
  if (rt < 0 || nf < 0) return -1;
  dump(rt, RTM_GETLINK, AF_UNSPEC, 0);
  dump(rt, RTM_GETADDR, AF_UNSPEC, 0);
  dump(rt, RTM_GETROUTE, AF_UNSPEC, 0);
  dump(rt, RTM_GETNEIGH, AF_UNSPEC, 0);
  dump(rt, RTM_GETNETCONF, AF_UNSPEC, 0);
  dump(nf, (NFNL_SUBSYS_NFTABLES << 8) | NFT_MSG_GETTABLE, AF_UNSPEC, 1);
  dump(nf, (NFNL_SUBSYS_NFTABLES << 8) | NFT_MSG_GETCHAIN, AF_UNSPEC, 1);
  dump(nf, (NFNL_SUBSYS_NFTABLES << 8) | NFT_MSG_GETRULE, AF_UNSPEC, 1);
  close(rt);
  close(nf);
  return 0;
}

int main(void) {
  int home = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
  int dir = open("/run/netns", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  DIR* d = dir >= 0 ? fdopendir(dir) : NULL;
  unsigned long n = 0;
  if (home < 0 || read_here() != 0) return 1;
  ++n;
  for (struct dirent* e; d && (e = readdir(d));) {
    if (e->d_name[0] == '.') continue;
    int fd = openat(dir, e->d_name, O_RDONLY | O_CLOEXEC);
    if (fd < 0) continue;
    if (setns(fd, CLONE_NEWNET) == 0 && read_here() == 0) ++n;
    close(fd);
    if (setns(home, CLONE_NEWNET) != 0) return 1;
  }
  printf("namespaces %lu, netlink messages %lu, bytes %lu\n", n, messages, bytes);
  return 0;
}
