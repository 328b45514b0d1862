#!/bin/sh
# stackwire manifest: plugin prescript on host 10.15.0.7
# Each step: check (exit 0 = already done) || apply, then check again.
# Replay by hand on the host: sh 10.15.0.7_prescript.sh
set -u
umask 022
PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export PATH LC_ALL=C
if [ -r /var/lib/stackwire/answers.env ]; then . /var/lib/stackwire/answers.env; fi

# sw_step N TITLE CHECK_FN APPLY_FN: run APPLY_FN unless CHECK_FN says the step is done already,
# then CHECK_FN again to prove it took. Each runs in a subshell, so `exit` ends only that step.
# A step whose CHECK_FN is sw_always_apply has no check and always applies. Prints "SW-STEP N unchanged|changed|failed RC".
sw_step() {
  sw_n=$1; sw_title=$2
  if [ "$3" != sw_always_apply ] && ( "$3" ) >/dev/null 2>&1; then echo "SW-STEP $sw_n unchanged"; return 0; fi
  echo "--- step $sw_n: $sw_title"
  ( "$4" ); sw_rc=$?
  if [ "$sw_rc" -eq 0 ] && [ "$3" != sw_always_apply ] && ! ( "$3" ) >/dev/null 2>&1; then
    echo "step $sw_n: applied, but its check still fails"; sw_rc=125
  fi
  if [ "$sw_rc" -ne 0 ]; then echo "SW-STEP $sw_n failed $sw_rc"; return "$sw_rc"; fi
  echo "SW-STEP $sw_n changed"
}
sw_always_apply() { return 1; }

# --- step 1: package iptables installed
check_1() {
  rpm -q iptables >/dev/null
}
apply_1() {
  dnf install -y iptables
}
sw_step 1 'package iptables installed' check_1 apply_1 || exit $?

# --- step 2: package iproute installed
check_2() {
  rpm -q iproute >/dev/null
}
apply_2() {
  dnf install -y iproute
}
sw_step 2 'package iproute installed' check_2 apply_2 || exit $?

# --- step 3: package openvswitch installed
check_3() {
  rpm -q openvswitch >/dev/null
}
apply_3() {
  dnf install -y openvswitch
}
sw_step 3 'package openvswitch installed' check_3 apply_3 || exit $?

# --- step 4: package ethtool installed
check_4() {
  rpm -q ethtool >/dev/null
}
apply_4() {
  dnf install -y ethtool
}
sw_step 4 'package ethtool installed' check_4 apply_4 || exit $?

# --- step 5: Open vSwitch is running
check_5() {
  ovs-vsctl --timeout=5 show >/dev/null
}
apply_5() {
  systemctl enable --now openvswitch
}
sw_step 5 'Open vSwitch is running' check_5 apply_5 || exit $?
exit 0
#!/bin/sh
# stackwire manifest: plugin fabric on host 10.15.0.7
# Each step: check (exit 0 = already done) || apply, then check again.
# Replay by hand on the host: sh 10.15.0.7_fabric.sh
set -u
umask 022
PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export PATH LC_ALL=C
if [ -r /var/lib/stackwire/answers.env ]; then . /var/lib/stackwire/answers.env; fi

# sw_step N TITLE CHECK_FN APPLY_FN: run APPLY_FN unless CHECK_FN says the step is done already,
# then CHECK_FN again to prove it took. Each runs in a subshell, so `exit` ends only that step.
# A step whose CHECK_FN is sw_always_apply has no check and always applies. Prints "SW-STEP N unchanged|changed|failed RC".
sw_step() {
  sw_n=$1; sw_title=$2
  if [ "$3" != sw_always_apply ] && ( "$3" ) >/dev/null 2>&1; then echo "SW-STEP $sw_n unchanged"; return 0; fi
  echo "--- step $sw_n: $sw_title"
  ( "$4" ); sw_rc=$?
  if [ "$sw_rc" -eq 0 ] && [ "$3" != sw_always_apply ] && ! ( "$3" ) >/dev/null 2>&1; then
    echo "step $sw_n: applied, but its check still fails"; sw_rc=125
  fi
  if [ "$sw_rc" -ne 0 ]; then echo "SW-STEP $sw_n failed $sw_rc"; return "$sw_rc"; fi
  echo "SW-STEP $sw_n changed"
}
sw_always_apply() { return 1; }

# --- step 1: net.ipv4.ip_forward=1 (now and at boot)
check_1() {
  [ "$(cat /proc/sys/net/ipv4/ip_forward)" = 1 ] &&
  grep -qx 'net.ipv4.ip_forward = 1' /etc/sysctl.d/90-stackwire.conf
}
apply_1() {
  mkdir -p /etc/sysctl.d
  echo 'net.ipv4.ip_forward = 1' > /etc/sysctl.d/90-stackwire.conf
  sysctl -q -w net.ipv4.ip_forward=1
}
sw_step 1 'net.ipv4.ip_forward=1 (now and at boot)' check_1 apply_1 || exit $?

# --- step 2: Open vSwitch bridge br-ex (datapath system)
check_2() {
  ovs-vsctl --timeout=10 br-exists br-ex &&
  [ "$(ovs-vsctl --timeout=10 get Bridge br-ex datapath_type)" = system ]
}
apply_2() {
  ovs-vsctl --timeout=10 --may-exist add-br br-ex -- set Bridge br-ex datapath_type=system
}
sw_step 2 'Open vSwitch bridge br-ex (datapath system)' check_2 apply_2 || exit $?

# --- step 3: eth3 is a port of br-ex
check_3() {
  [ "$(ovs-vsctl --timeout=10 port-to-br eth3 2>/dev/null)" = br-ex ]
}
apply_3() {
  ip link show dev eth3 >/dev/null || { echo "no interface eth3 on this host" >&2; exit 1; }
  ovs-vsctl --timeout=10 --may-exist add-port br-ex eth3
  ip link set dev eth3 up
}
sw_step 3 'eth3 is a port of br-ex' check_3 apply_3 || exit $?

# --- step 4: br-ex is up
check_4() {
  ip -o link show dev br-ex | grep -q '[<,]UP[,>]'
}
apply_4() {
  ip link set dev br-ex up
}
sw_step 4 'br-ex is up' check_4 apply_4 || exit $?

# --- step 5: br-ex holds 172.16.13.1/24
check_5() {
  ip -o -4 addr show dev br-ex | grep -q " inet 172.16.13.1/24 "
}
apply_5() {
  ip addr replace 172.16.13.1/24 dev br-ex
}
sw_step 5 'br-ex holds 172.16.13.1/24' check_5 apply_5 || exit $?

# --- step 6: MASQUERADE for 172.16.13.0/24
check_6() {
  iptables -w 10 -t nat -C POSTROUTING -s 172.16.13.0/24 -j MASQUERADE
}
apply_6() {
  iptables -w 10 -t nat -I POSTROUTING 1 -s 172.16.13.0/24 -j MASQUERADE
}
sw_step 6 'MASQUERADE for 172.16.13.0/24' check_6 apply_6 || exit $?

# --- step 7: eth2 holds the tunnel endpoint 10.19.0.7/24
check_7() {
  ip -o -4 addr show dev eth2 | grep -q " inet 10.19.0.7/24 "
}
apply_7() {
  echo "tunnel interface eth2 does not hold 10.19.0.7/24 (CONFIG_NEUTRON_OVS_TUNNEL_IF): configure it on the host first" >&2
  exit 1
}
sw_step 7 'eth2 holds the tunnel endpoint 10.19.0.7/24' check_7 apply_7 || exit $?

# --- step 8: GRE from tunnel peer 10.19.0.2 accepted
check_8() {
  iptables -w 10 -C INPUT -s 10.19.0.2/32 -p gre -j ACCEPT
}
apply_8() {
  iptables -w 10 -I INPUT 1 -s 10.19.0.2/32 -p gre -j ACCEPT
}
sw_step 8 'GRE from tunnel peer 10.19.0.2 accepted' check_8 apply_8 || exit $?

# --- step 9: GRE from tunnel peer 10.19.0.8 accepted
check_9() {
  iptables -w 10 -C INPUT -s 10.19.0.8/32 -p gre -j ACCEPT
}
apply_9() {
  iptables -w 10 -I INPUT 1 -s 10.19.0.8/32 -p gre -j ACCEPT
}
sw_step 9 'GRE from tunnel peer 10.19.0.8 accepted' check_9 apply_9 || exit $?
exit 0
