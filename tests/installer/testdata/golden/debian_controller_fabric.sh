#!/bin/sh
# stackwire manifest: plugin prescript on host 10.15.0.4
# Each step: check (exit 0 = already done) || apply, then check again.
# Replay by hand on the host: sh 10.15.0.4_prescript.sh
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
  dpkg-query -W -f='${db:Status-Status}' iptables 2>/dev/null | grep -qx installed
}
apply_1() {
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q iptables
}
sw_step 1 'package iptables installed' check_1 apply_1 || exit $?

# --- step 2: package iproute2 installed
check_2() {
  dpkg-query -W -f='${db:Status-Status}' iproute2 2>/dev/null | grep -qx installed
}
apply_2() {
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q iproute2
}
sw_step 2 'package iproute2 installed' check_2 apply_2 || exit $?
exit 0
#!/bin/sh
# stackwire manifest: plugin fabric on host 10.15.0.4
# Each step: check (exit 0 = already done) || apply, then check again.
# Replay by hand on the host: sh 10.15.0.4_fabric.sh
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

# --- step 1: MariaDB port 3306 open to 10.15.0.0/24
check_1() {
  iptables -w 10 -C INPUT -s 10.15.0.0/24 -p tcp --dport 3306 -j ACCEPT
}
apply_1() {
  iptables -w 10 -I INPUT 1 -s 10.15.0.0/24 -p tcp --dport 3306 -j ACCEPT
}
sw_step 1 'MariaDB port 3306 open to 10.15.0.0/24' check_1 apply_1 || exit $?

# --- step 2: RabbitMQ port 5672 open to 10.15.0.0/24
check_2() {
  iptables -w 10 -C INPUT -s 10.15.0.0/24 -p tcp --dport 5672 -j ACCEPT
}
apply_2() {
  iptables -w 10 -I INPUT 1 -s 10.15.0.0/24 -p tcp --dport 5672 -j ACCEPT
}
sw_step 2 'RabbitMQ port 5672 open to 10.15.0.0/24' check_2 apply_2 || exit $?

# --- step 3: Keystone port 5000 open to 10.15.0.0/24
check_3() {
  iptables -w 10 -C INPUT -s 10.15.0.0/24 -p tcp --dport 5000 -j ACCEPT
}
apply_3() {
  iptables -w 10 -I INPUT 1 -s 10.15.0.0/24 -p tcp --dport 5000 -j ACCEPT
}
sw_step 3 'Keystone port 5000 open to 10.15.0.0/24' check_3 apply_3 || exit $?

# --- step 4: Neutron API port 9696 open to 10.15.0.0/24
check_4() {
  iptables -w 10 -C INPUT -s 10.15.0.0/24 -p tcp --dport 9696 -j ACCEPT
}
apply_4() {
  iptables -w 10 -I INPUT 1 -s 10.15.0.0/24 -p tcp --dport 9696 -j ACCEPT
}
sw_step 4 'Neutron API port 9696 open to 10.15.0.0/24' check_4 apply_4 || exit $?
exit 0
