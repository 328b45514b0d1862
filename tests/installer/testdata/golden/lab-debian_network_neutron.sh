# 10.15.0.7_neutron.sh (prelude left out)
# --- step 1: Neutron packages are installed
check_1() {
  sw_pkgs_installed deb neutron-openvswitch-agent neutron-l3-agent neutron-dhcp-agent neutron-metadata-agent curl
}
apply_1() {
  sw_pkgs_install deb neutron-openvswitch-agent neutron-l3-agent neutron-dhcp-agent neutron-metadata-agent curl
}
sw_step 1 'Neutron packages are installed' check_1 apply_1 || exit $?

# --- step 2: Open vSwitch answers
check_2() {
  ovs-vsctl --timeout=5 show >/dev/null
}
apply_2() {
  if sw_systemd; then
    systemctl enable --now openvswitch-switch || exit 1
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
    '# stackwire: neutron.conf for host network' \
    '[DEFAULT]' \
    'host = network' \
    'core_plugin = ml2' \
    'service_plugins = router' \
    'auth_strategy = keystone' \
    'state_path = /var/lib/neutron' \
    "transport_url = rabbit://openstack:${sw_amqp_pw}@10.15.0.4:5672/" \
    '[agent]' \
    'root_helper = neutron-rootwrap /etc/neutron/rootwrap.conf' \
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
    '# stackwire: neutron.conf for host network' \
    '[DEFAULT]' \
    'host = network' \
    'core_plugin = ml2' \
    'service_plugins = router' \
    'auth_strategy = keystone' \
    'state_path = /var/lib/neutron' \
    "transport_url = rabbit://openstack:${sw_amqp_pw}@10.15.0.4:5672/" \
    '[agent]' \
    'root_helper = neutron-rootwrap /etc/neutron/rootwrap.conf' \
    '[oslo_concurrency]' \
    'lock_path = /var/lib/neutron/lock' \
    | sw_file_install /etc/neutron/neutron.conf 0640 root neutron \
    && sw_mark_restart neutron-openvswitch-agent neutron-l3-agent neutron-dhcp-agent neutron-metadata-agent
}
sw_step 4 'neutron.conf is as rendered' check_4 apply_4 || exit $?

# --- step 5: openvswitch_agent.ini is as rendered
check_5() {
  sw_conf \
    '# stackwire: Open vSwitch agent for host network' \
    '[ovs]' \
    'integration_bridge = br-int' \
    'tunnel_bridge = br-tun' \
    'local_ip = 10.19.0.7' \
    'datapath_type = netdev' \
    'ovsdb_connection = tcp:127.0.0.1:6640' \
    'of_listen_address = 127.0.0.1' \
    'bridge_mappings = external:br-ex' \
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
    '# stackwire: Open vSwitch agent for host network' \
    '[ovs]' \
    'integration_bridge = br-int' \
    'tunnel_bridge = br-tun' \
    'local_ip = 10.19.0.7' \
    'datapath_type = netdev' \
    'ovsdb_connection = tcp:127.0.0.1:6640' \
    'of_listen_address = 127.0.0.1' \
    'bridge_mappings = external:br-ex' \
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

# --- step 6: l3_agent.ini is as rendered
check_6() {
  sw_conf \
    '# stackwire: L3 agent (legacy routers in qrouter- namespaces)' \
    '[DEFAULT]' \
    'interface_driver = openvswitch' \
    'agent_mode = legacy' \
    '[ovs]' \
    'integration_bridge = br-int' \
    'ovsdb_connection = tcp:127.0.0.1:6640' \
    | sw_file_matches /etc/neutron/l3_agent.ini 0640 root neutron
}
apply_6() {
  sw_conf \
    '# stackwire: L3 agent (legacy routers in qrouter- namespaces)' \
    '[DEFAULT]' \
    'interface_driver = openvswitch' \
    'agent_mode = legacy' \
    '[ovs]' \
    'integration_bridge = br-int' \
    'ovsdb_connection = tcp:127.0.0.1:6640' \
    | sw_file_install /etc/neutron/l3_agent.ini 0640 root neutron \
    && sw_mark_restart neutron-l3-agent
}
sw_step 6 'l3_agent.ini is as rendered' check_6 apply_6 || exit $?

# --- step 7: dhcp_agent.ini is as rendered
check_7() {
  sw_conf \
    '# stackwire: DHCP agent (dnsmasq in qdhcp- namespaces; Neutron sets the MTU, option 26)' \
    '[DEFAULT]' \
    'interface_driver = openvswitch' \
    'dhcp_driver = neutron.agent.linux.dhcp.Dnsmasq' \
    'enable_isolated_metadata = False' \
    '[ovs]' \
    'integration_bridge = br-int' \
    'ovsdb_connection = tcp:127.0.0.1:6640' \
    | sw_file_matches /etc/neutron/dhcp_agent.ini 0640 root neutron
}
apply_7() {
  sw_conf \
    '# stackwire: DHCP agent (dnsmasq in qdhcp- namespaces; Neutron sets the MTU, option 26)' \
    '[DEFAULT]' \
    'interface_driver = openvswitch' \
    'dhcp_driver = neutron.agent.linux.dhcp.Dnsmasq' \
    'enable_isolated_metadata = False' \
    '[ovs]' \
    'integration_bridge = br-int' \
    'ovsdb_connection = tcp:127.0.0.1:6640' \
    | sw_file_install /etc/neutron/dhcp_agent.ini 0640 root neutron \
    && sw_mark_restart neutron-dhcp-agent
}
sw_step 7 'dhcp_agent.ini is as rendered' check_7 apply_7 || exit $?

# --- step 8: metadata_agent.ini is as rendered
check_8() {
  sw_require CONFIG_NEUTRON_METADATA_PW || exit 1
  sw_secret=$(sw_oslo_escape "$CONFIG_NEUTRON_METADATA_PW")
  sw_conf \
    '# stackwire: metadata agent (proxies to nova'\''s metadata API on the controller)' \
    '[DEFAULT]' \
    'nova_metadata_host = 10.15.0.4' \
    'nova_metadata_port = 8775' \
    "metadata_proxy_shared_secret = ${sw_secret}" \
    'metadata_workers = 1' \
    | sw_file_matches /etc/neutron/metadata_agent.ini 0640 root neutron
}
apply_8() {
  sw_require CONFIG_NEUTRON_METADATA_PW || exit 1
  sw_secret=$(sw_oslo_escape "$CONFIG_NEUTRON_METADATA_PW")
  sw_conf \
    '# stackwire: metadata agent (proxies to nova'\''s metadata API on the controller)' \
    '[DEFAULT]' \
    'nova_metadata_host = 10.15.0.4' \
    'nova_metadata_port = 8775' \
    "metadata_proxy_shared_secret = ${sw_secret}" \
    'metadata_workers = 1' \
    | sw_file_install /etc/neutron/metadata_agent.ini 0640 root neutron \
    && sw_mark_restart neutron-metadata-agent
}
sw_step 8 'metadata_agent.ini is as rendered' check_8 apply_8 || exit $?

# --- step 9: neutron-server answers at http://10.15.0.4:9696/
check_9() {
  sw_wait_http http://10.15.0.4:9696/ 0
}
apply_9() {
  sw_wait_http http://10.15.0.4:9696/ 300
}
sw_step 9 'neutron-server answers at http://10.15.0.4:9696/' check_9 apply_9 || exit $?

# --- step 10: neutron-openvswitch-agent is running with its current config
check_10() {
  sw_service_current neutron-openvswitch-agent
}
apply_10() {
  install -d -o neutron -g neutron -m 0750 /var/log/neutron /var/lib/neutron /var/lib/neutron/lock
  sw_service_ensure neutron-openvswitch-agent root /var/log/neutron/neutron-openvswitch-agent.log -- \
    /usr/bin/neutron-openvswitch-agent \
    --config-file=/etc/neutron/neutron.conf \
    --config-file=/etc/neutron/plugins/ml2/openvswitch_agent.ini \
    --log-file=/var/log/neutron/neutron-openvswitch-agent.log || exit 1
}
sw_step 10 'neutron-openvswitch-agent is running with its current config' check_10 apply_10 || exit $?

# --- step 11: neutron-l3-agent is running with its current config
check_11() {
  sw_service_current neutron-l3-agent
}
apply_11() {
  install -d -o neutron -g neutron -m 0750 /var/log/neutron /var/lib/neutron /var/lib/neutron/lock
  sw_service_ensure neutron-l3-agent root /var/log/neutron/neutron-l3-agent.log -- \
    /usr/bin/neutron-l3-agent \
    --config-file=/etc/neutron/neutron.conf \
    --config-file=/etc/neutron/l3_agent.ini \
    --log-file=/var/log/neutron/neutron-l3-agent.log || exit 1
}
sw_step 11 'neutron-l3-agent is running with its current config' check_11 apply_11 || exit $?

# --- step 12: neutron-dhcp-agent is running with its current config
check_12() {
  sw_service_current neutron-dhcp-agent
}
apply_12() {
  install -d -o neutron -g neutron -m 0750 /var/log/neutron /var/lib/neutron /var/lib/neutron/lock
  sw_service_ensure neutron-dhcp-agent root /var/log/neutron/neutron-dhcp-agent.log -- \
    /usr/bin/neutron-dhcp-agent \
    --config-file=/etc/neutron/neutron.conf \
    --config-file=/etc/neutron/dhcp_agent.ini \
    --log-file=/var/log/neutron/neutron-dhcp-agent.log || exit 1
}
sw_step 12 'neutron-dhcp-agent is running with its current config' check_12 apply_12 || exit $?

# --- step 13: neutron-metadata-agent is running with its current config
check_13() {
  sw_service_current neutron-metadata-agent
}
apply_13() {
  install -d -o neutron -g neutron -m 0750 /var/log/neutron /var/lib/neutron /var/lib/neutron/lock
  sw_service_ensure neutron-metadata-agent root /var/log/neutron/neutron-metadata-agent.log -- \
    /usr/bin/neutron-metadata-agent \
    --config-file=/etc/neutron/neutron.conf \
    --config-file=/etc/neutron/metadata_agent.ini \
    --log-file=/var/log/neutron/neutron-metadata-agent.log || exit 1
}
sw_step 13 'neutron-metadata-agent is running with its current config' check_13 apply_13 || exit $?

# --- step 14: neutron-server reports the agents of network alive: neutron-openvswitch-agent, neutron-l3-agent, neutron-dhcp-agent, neutron-metadata-agent
check_14() {
  sw_require CONFIG_NEUTRON_KS_PW || exit 1
  sw_r=$(sw_tmp) || exit 1
  sw_t=$(sw_ks_auth http://10.15.0.4:5000/v3 neutron "$CONFIG_NEUTRON_KS_PW" service "$sw_r") || exit 1
  test -z "$(sw_neutron_agents_down http://10.15.0.4:9696 "$sw_t" network neutron-openvswitch-agent neutron-l3-agent neutron-dhcp-agent neutron-metadata-agent)"
}
apply_14() {
  sw_require CONFIG_NEUTRON_KS_PW || exit 1
  sw_r=$(sw_tmp) || exit 1
  sw_end=$(( $(date +%s) + 150 ))
  while :; do
    sw_t=$(sw_ks_auth http://10.15.0.4:5000/v3 neutron "$CONFIG_NEUTRON_KS_PW" service "$sw_r" 2>/dev/null) &&
      sw_down=$(sw_neutron_agents_down http://10.15.0.4:9696 "$sw_t" network neutron-openvswitch-agent neutron-l3-agent neutron-dhcp-agent neutron-metadata-agent) &&
      [ -z "$sw_down" ] && exit 0
    if [ "$(date +%s)" -ge "$sw_end" ]; then
      for sw_a in ${sw_down:-neutron-openvswitch-agent neutron-l3-agent neutron-dhcp-agent neutron-metadata-agent}; do
        echo "$sw_a on network is not alive at http://10.15.0.4:9696 after 150 s; its log: /var/log/neutron/$sw_a.log" >&2
      done
      exit 1
    fi
    sleep 2
  done
}
sw_step 14 'neutron-server reports the agents of network alive: neutron-openvswitch-agent, neutron-l3-agent, neutron-dhcp-agent, neutron-metadata-agent' check_14 apply_14 || exit $?
exit 0
