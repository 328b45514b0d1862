#!/bin/sh
# A throwaway three-host rig for the service plugins' integration test, used until (and besides)
# `stackwire lab up`: each host is a network namespace plus its own mount, pid and uts namespaces
# in which /etc, /var and /root are overlayfs views of the machine's (upper dirs under the rig's
# state dir), and /run (with its own /run/netns) and /tmp are fresh tmpfs. A reaping init is pid 1
# of each host, so killing it ends every process the host ever started (agents, dnsmasq, privsep).
#
#   services_rig.sh up   DIR PREFIX       controller 10.15.0.4; network 10.15.0.7 + 10.19.0.7;
#                                         compute1 10.15.0.2 + 10.19.0.2 (tunnel IPs on br-phy)
#   services_rig.sh exec DIR HOST CMD...  runs CMD inside HOST (all its namespaces)
#   services_rig.sh down DIR              kills every host's init, deletes the netns, the dir
#
# DIR must be outside /etc, /var, /root, /run and /tmp; PREFIX (at most 12 chars) names the netns
# (PREFIX-HOST) and the switch-side veth ends (PREFIX m|t <host tag>).
set -eu

cmd=$1; dir=$2; shift 2

host_pid() { cat "$dir/$1.init"; }

hexec() {
  h=$1; shift
  nsenter -t "$(host_pid "$h")" -m -n -p -u -- "$@"
}

up_host() {  # NAME TAG MGMT_IP [TUNNEL_IP]
  h=$1; tag=$2; ip=$3; tip=${4:-}
  ns=$prefix-$h
  ip netns add "$ns"
  echo "$ns" >> "$dir/netns"
  ip -n "$prefix-sw" link add "${prefix}m$tag" type veth peer name eth0 netns "$ns"
  ip -n "$prefix-sw" link set "${prefix}m$tag" master brm up
  ip -n "$ns" link set lo up
  ip -n "$ns" addr add "$ip/24" dev eth0
  ip -n "$ns" link set eth0 up
  if [ -n "$tip" ]; then
    ip -n "$prefix-sw" link add "${prefix}t$tag" type veth peer name eth2 netns "$ns"
    ip -n "$prefix-sw" link set "${prefix}t$tag" master brt up
    ip -n "$ns" link set eth2 up
  fi
  for d in etc var root; do mkdir -p "$dir/hosts/$h/$d/upper" "$dir/hosts/$h/$d/work"; done
  # The host's init: new mount/pid/uts namespaces inside its netns; mounts, then a reaper as pid 1.
  nsenter --net="/run/netns/$ns" -- unshare --mount --uts --pid --fork --propagation private -- /bin/sh -c '
    set -e
    for d in etc var root; do
      mount -t overlay overlay -o "lowerdir=/$d,upperdir=$1/hosts/$2/$d/upper,workdir=$1/hosts/$2/$d/work" "/$d"
    done
    mount -t tmpfs -o mode=0755 tmpfs /run
    mkdir -p /run/netns /run/lock /run/user
    mount -t tmpfs -o mode=1777 tmpfs /tmp
    mount -t proc proc /proc
    mount -t sysfs sysfs /sys
    hostname "$2"
    echo "127.0.1.1 $2" >> /etc/hosts
    exec /usr/bin/python3 -c "
import os, signal, time
signal.signal(signal.SIGTERM, signal.SIG_DFL)
while True:
    try:
        os.wait()
    except ChildProcessError:
        time.sleep(0.5)
"' rig-init "$dir" "$h" </dev/null >"$dir/$h.init.log" 2>&1 &
  upid=$!
  i=0
  while :; do
    child=$(pgrep -P "$upid" 2>/dev/null | head -n1 || true)
    if [ -n "$child" ] && [ "$(readlink "/proc/$child/exe" 2>/dev/null)" = /usr/bin/python3.11 ]; then break; fi
    i=$((i + 1)); [ $i -lt 100 ] || { echo "rig: host $h did not start: $(cat "$dir/$h.init.log")" >&2; exit 1; }
    sleep 0.1
  done
  echo "$child" > "$dir/$h.init"
  if [ -n "$tip" ]; then
    hexec "$h" sh -ec '
      mkdir -p /run/openvswitch /var/log/openvswitch /etc/openvswitch
      rm -f /etc/openvswitch/conf.db /etc/openvswitch/.conf.db.~lock~
      ovsdb-tool create /etc/openvswitch/conf.db /usr/share/openvswitch/vswitch.ovsschema
      ovsdb-server /etc/openvswitch/conf.db --remote=punix:/run/openvswitch/db.sock \
        --remote=db:Open_vSwitch,Open_vSwitch,manager_options \
        --pidfile=/run/openvswitch/ovsdb-server.pid --detach --log-file=/var/log/openvswitch/ovsdb-server.log 2>/dev/null
      ovs-vsctl --no-wait init
      ovs-vswitchd --pidfile=/run/openvswitch/ovs-vswitchd.pid --detach --log-file=/var/log/openvswitch/ovs-vswitchd.log \
        2>/dev/null
      ovs-vsctl --timeout=10 add-br br-phy -- set bridge br-phy datapath_type=netdev -- add-port br-phy eth2
      ip addr add "$1/24" dev br-phy
      ip link set br-phy up
      if [ "$2" = network ]; then
        ovs-vsctl --timeout=10 add-br br-ex -- set bridge br-ex datapath_type=netdev
        ip link set br-ex up
      fi
    ' fabric "$tip" "$h"
  fi
}

case $cmd in
  up)
    prefix=$1
    mkdir -p "$dir/hosts"
    : > "$dir/netns"
    ip netns add "$prefix-sw"
    echo "$prefix-sw" >> "$dir/netns"
    ip -n "$prefix-sw" link add brm type bridge
    ip -n "$prefix-sw" link add brt type bridge
    ip -n "$prefix-sw" link set brm up
    ip -n "$prefix-sw" link set brt up
    up_host controller c 10.15.0.4
    up_host network n 10.15.0.7 10.19.0.7
    up_host compute1 k1 10.15.0.2 10.19.0.2
    ;;
  exec)
    h=$1; shift
    hexec "$h" "$@"
    ;;
  down)
    for f in "$dir"/*.init; do
      [ -e "$f" ] || continue
      p=$(cat "$f")
      kill -KILL "$p" 2>/dev/null || true
    done
    for f in "$dir"/*.init; do
      [ -e "$f" ] || continue
      p=$(cat "$f"); i=0
      while [ -d "/proc/$p" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
    done
    if [ -f "$dir/netns" ]; then
      while read -r ns; do ip netns del "$ns" 2>/dev/null || true; done < "$dir/netns"
    fi
    case $dir in /srv/*|/work/*) rm -rf "$dir" ;; *) echo "rig: not removing $dir" >&2 ;; esac
    ;;
  *) echo "usage: services_rig.sh up DIR PREFIX | exec DIR HOST CMD... | down DIR" >&2; exit 2 ;;
esac
