// NAT rules of one network namespace, from every backend the kernel has: the iptables-legacy nat
// table (libiptc) and the nftables NAT tables (libmnl + libnftnl), iptables-nft's included.
//
// read_nat() reads the namespace of the calling thread: to read another namespace, enter it first
// (setns on this thread, e.g. with a NetnsGuard) and call read_nat() inside. It is read-only and never
// creates anything: a legacy nat table that does not exist is not instantiated (see nat_iptables.h).
// The model, rendering, reachability and JSON live in nat_rule.h.
#pragma once

#include "common/error.h"
#include "netprobe/nat_rule.h"

namespace sw::netprobe {

/// Every NAT table of the calling thread's network namespace: the legacy "nat" table first when the
/// namespace has one, then nftables' NAT tables. An empty view when there are none.
Result<NatView> read_nat();

}  // namespace sw::netprobe
