#!/bin/bash
# bench/baseline.sh — a network host's state collected the way DON, tempest's failure dumps and
# operators by hand do it: one `ip netns exec` per command per namespace, then the OVS tools.
# This is what stackwire snapshot is measured against (bench/run); see bench/README.md for what each
# side collects.
#
#   bench/baseline.sh [OUTFILE]        (as root; OVS_RUNDIR and SWBENCH_DB name the OVS to read)
#
# For the host's own namespace and for every namespace `ip netns list` shows (the same set
# stackwire snapshot reads from /run/netns):
#   ip -o addr; ip route; iptables-save -t nat; sysctl net.ipv4.ip_forward net.ipv4.conf.all.rp_filter
# then once: ps (pid, netns, comm, args), `ovs-vsctl show`, and
# `ovs-ofctl -O OpenFlow13 dump-flows BRIDGE` for every bridge (`ovs-vsctl list-br`).
# Everything goes to OUTFILE (default /dev/null). Read-only.
set -uo pipefail

OUT=${1:-/dev/null}
DB=${SWBENCH_DB:+--db=$SWBENCH_DB}

ns_facts() {
  "$@" ip -o addr
  "$@" ip route
  "$@" iptables-save -t nat
  "$@" sysctl net.ipv4.ip_forward net.ipv4.conf.all.rp_filter
}

{
  echo "== host"
  ns_facts
  ip netns list | while read -r ns _; do
    echo "== netns $ns"
    ns_facts ip netns exec "$ns"
  done
  echo "== processes"
  ps -e -o pid=,netns=,comm=,args=
  echo "== ovs-vsctl show"
  # shellcheck disable=SC2086
  ovs-vsctl $DB show
  # shellcheck disable=SC2086
  for br in $(ovs-vsctl $DB list-br); do
    echo "== ovs-ofctl dump-flows $br"
    ovs-ofctl -O OpenFlow13 dump-flows "$br"
  done
} >"$OUT" 2>&1
