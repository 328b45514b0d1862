# 10.15.0.2_neutron.sh (prelude left out)
# --- step 1: Neutron packages are installed
check_1() {
  sw_pkgs_installed rpm openstack-neutron openstack-neutron-openvswitch curl
}
apply_1() {
  sw_pkgs_install rpm openstack-neutron openstack-neutron-openvswitch curl
}
sw_step 1 'Neutron packages are installed' check_1 apply_1 || exit $?

# --- step 2: Open vSwitch answers
check_2() {
  ovs-vsctl --timeout=5 show >/dev/null
}
apply_2() {
  if sw_systemd; then
    systemctl enable --now openvswitch || exit 1
    sw_wait_cmd 30 'ovsdb-server answers' ovs-vsctl --timeout=2 show
  else
    echo 'Open vSwitch does not run on this host and there is no systemd to start it' >&2
    exit 1
  fi
}
sw_step 2 'Open vSwitch answers' check_2 apply_2 || exit $?

# --- step 3: OVSDB listens on tcp:127.0.0.1:6640 for the agents (manager ptcp:6640:127.0.0.1)
check_3() {
  ovs-vsctl --timeout=5 get-manager | grep -qxF ptcp:6640:127.0.0.1 && timeout 3 bash -c 'exec 3<>/dev/tcp/127.0.0.1/6640'
}
apply_3() {
  if ! ovs-vsctl --timeout=5 get-manager | grep -qxF ptcp:6640:127.0.0.1; then
    ovs-vsctl --timeout=10 -- --id=@m create Manager 'target="ptcp:6640:127.0.0.1"' -- add Open_vSwitch . manager_options @m >/dev/null || exit 1
  fi
  ovs-appctl -t ovsdb-server ovsdb-server/add-remote db:Open_vSwitch,Open_vSwitch,manager_options
  sw_wait_tcp 127.0.0.1 6640 10
}
sw_step 3 'OVSDB listens on tcp:127.0.0.1:6640 for the agents (manager ptcp:6640:127.0.0.1)' check_3 apply_3 || exit $?

# --- step 4: neutron.conf is as rendered
check_4() {
  sw_require CONFIG_AMQP_AUTH_PASSWORD || exit 1
  case $CONFIG_AMQP_AUTH_PASSWORD in */*)
    echo 'CONFIG_AMQP_AUTH_PASSWORD holds /, which oslo.messaging cannot pass to RabbitMQ: choose another' >&2
    exit 1 ;;
  esac
  sw_amqp_pw=$(sw_urlencode "$CONFIG_AMQP_AUTH_PASSWORD")
  sw_conf \
    '# stackwire: neutron.conf for host compute1' \
    '[DEFAULT]' \
    'host = compute1' \
    'core_plugin = ml2' \
    'service_plugins = router' \
    'auth_strategy = keystone' \
    'state_path = /var/lib/neutron' \
    "transport_url = rabbit://openstack:${sw_amqp_pw}@10.15.0.4:5672/" \
    '[agent]' \
    'root_helper = sudo neutron-rootwrap /etc/neutron/rootwrap.conf' \
    '[oslo_concurrency]' \
    'lock_path = /var/lib/neutron/lock' \
    | sw_file_matches /etc/neutron/neutron.conf 0640 root neutron
}
apply_4() {
  sw_require CONFIG_AMQP_AUTH_PASSWORD || exit 1
  case $CONFIG_AMQP_AUTH_PASSWORD in */*)
    echo 'CONFIG_AMQP_AUTH_PASSWORD holds /, which oslo.messaging cannot pass to RabbitMQ: choose another' >&2
    exit 1 ;;
  esac
  sw_amqp_pw=$(sw_urlencode "$CONFIG_AMQP_AUTH_PASSWORD")
  sw_conf \
    '# stackwire: neutron.conf for host compute1' \
    '[DEFAULT]' \
    'host = compute1' \
    'core_plugin = ml2' \
    'service_plugins = router' \
    'auth_strategy = keystone' \
    'state_path = /var/lib/neutron' \
    "transport_url = rabbit://openstack:${sw_amqp_pw}@10.15.0.4:5672/" \
    '[agent]' \
    'root_helper = sudo neutron-rootwrap /etc/neutron/rootwrap.conf' \
    '[oslo_concurrency]' \
    'lock_path = /var/lib/neutron/lock' \
    | sw_file_install /etc/neutron/neutron.conf 0640 root neutron \
    && sw_mark_restart neutron-openvswitch-agent
}
sw_step 4 'neutron.conf is as rendered' check_4 apply_4 || exit $?

# --- step 5: openvswitch_agent.ini is as rendered
check_5() {
  sw_conf \
    '# stackwire: Open vSwitch agent for host compute1' \
    '[ovs]' \
    'integration_bridge = br-int' \
    'tunnel_bridge = br-tun' \
    'local_ip = 10.19.0.2' \
    'datapath_type = system' \
    'ovsdb_connection = tcp:127.0.0.1:6640' \
    'of_listen_address = 127.0.0.1' \
    '[agent]' \
    'tunnel_types = gre' \
    'l2_population = False' \
    '[securitygroup]' \
    'firewall_driver = openvswitch' \
    'enable_security_group = True' \
    | sw_file_matches /etc/neutron/plugins/ml2/openvswitch_agent.ini 0640 root neutron
}
apply_5() {
  sw_conf \
    '# stackwire: Open vSwitch agent for host compute1' \
    '[ovs]' \
    'integration_bridge = br-int' \
    'tunnel_bridge = br-tun' \
    'local_ip = 10.19.0.2' \
    'datapath_type = system' \
    'ovsdb_connection = tcp:127.0.0.1:6640' \
    'of_listen_address = 127.0.0.1' \
    '[agent]' \
    'tunnel_types = gre' \
    'l2_population = False' \
    '[securitygroup]' \
    'firewall_driver = openvswitch' \
    'enable_security_group = True' \
    | sw_file_install /etc/neutron/plugins/ml2/openvswitch_agent.ini 0640 root neutron \
    && sw_mark_restart neutron-openvswitch-agent
}
sw_step 5 'openvswitch_agent.ini is as rendered' check_5 apply_5 || exit $?

# --- step 6: neutron-server answers at http://10.15.0.4:9696/
check_6() {
  sw_wait_http http://10.15.0.4:9696/ 0
}
apply_6() {
  sw_wait_http http://10.15.0.4:9696/ 300
}
sw_step 6 'neutron-server answers at http://10.15.0.4:9696/' check_6 apply_6 || exit $?

# --- step 7: neutron-openvswitch-agent is running with its current config
check_7() {
  sw_service_current neutron-openvswitch-agent
}
apply_7() {
  install -d -o neutron -g neutron -m 0750 /var/log/neutron /var/lib/neutron /var/lib/neutron/lock
  sw_service_ensure neutron-openvswitch-agent || exit 1
}
sw_step 7 'neutron-openvswitch-agent is running with its current config' check_7 apply_7 || exit $?

# --- step 8: neutron-server reports the agents of compute1 alive: neutron-openvswitch-agent
check_8() {
  sw_require CONFIG_NEUTRON_KS_PW || exit 1
  sw_r=$(sw_tmp) || exit 1
  sw_t=$(sw_ks_auth http://10.15.0.4:5000/v3 neutron "$CONFIG_NEUTRON_KS_PW" service "$sw_r") || exit 1
  test -z "$(sw_neutron_agents_down http://10.15.0.4:9696 "$sw_t" compute1 neutron-openvswitch-agent)"
}
apply_8() {
  sw_require CONFIG_NEUTRON_KS_PW || exit 1
  sw_r=$(sw_tmp) || exit 1
  sw_end=$(( $(date +%s) + 150 ))
  while :; do
    sw_t=$(sw_ks_auth http://10.15.0.4:5000/v3 neutron "$CONFIG_NEUTRON_KS_PW" service "$sw_r" 2>/dev/null) &&
      sw_down=$(sw_neutron_agents_down http://10.15.0.4:9696 "$sw_t" compute1 neutron-openvswitch-agent) &&
      [ -z "$sw_down" ] && exit 0
    if [ "$(date +%s)" -ge "$sw_end" ]; then
      for sw_a in ${sw_down:-neutron-openvswitch-agent}; do
        echo "$sw_a on compute1 is not alive at http://10.15.0.4:9696 after 150 s; its log: /var/log/neutron/$sw_a.log" >&2
      done
      exit 1
    fi
    sleep 2
  done
}
sw_step 8 'neutron-server reports the agents of compute1 alive: neutron-openvswitch-agent' check_8 apply_8 || exit $?
exit 0
