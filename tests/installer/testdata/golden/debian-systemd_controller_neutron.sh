# 10.15.0.4_neutron.sh (prelude left out)
# --- step 1: Neutron packages are installed
check_1() {
  sw_pkgs_installed deb neutron-server python3-pymysql curl
}
apply_1() {
  sw_pkgs_install deb neutron-server python3-pymysql curl
}
sw_step 1 'Neutron packages are installed' check_1 apply_1 || exit $?

# --- step 2: neutron.conf is as rendered
check_2() {
  sw_require CONFIG_AMQP_AUTH_PASSWORD CONFIG_NEUTRON_DB_PW CONFIG_NEUTRON_KS_PW || exit 1
  case $CONFIG_AMQP_AUTH_PASSWORD in */*)
    echo 'CONFIG_AMQP_AUTH_PASSWORD holds /, which oslo.messaging cannot pass to RabbitMQ: choose another' >&2
    exit 1 ;;
  esac
  sw_amqp_pw=$(sw_urlencode "$CONFIG_AMQP_AUTH_PASSWORD")
  sw_db_pw=$(sw_dburl_escape "$CONFIG_NEUTRON_DB_PW")
  sw_ks_pw=$(sw_oslo_escape "$CONFIG_NEUTRON_KS_PW")
  sw_conf \
    '# stackwire: neutron.conf for host controller' \
    '[DEFAULT]' \
    'host = controller' \
    'core_plugin = ml2' \
    'service_plugins = router' \
    'auth_strategy = keystone' \
    'state_path = /var/lib/neutron' \
    "transport_url = rabbit://openstack:${sw_amqp_pw}@10.15.0.4:5672/" \
    'bind_host = 10.15.0.4' \
    'bind_port = 9696' \
    'api_workers = 1' \
    'rpc_workers = 1' \
    'rpc_state_report_workers = 1' \
    'allow_overlapping_ips = True' \
    'global_physnet_mtu = 1500' \
    'dhcp_agents_per_network = 1' \
    'notify_nova_on_port_status_changes = False' \
    'notify_nova_on_port_data_changes = False' \
    '[agent]' \
    'root_helper = sudo neutron-rootwrap /etc/neutron/rootwrap.conf' \
    '[database]' \
    "connection = mysql+pymysql://neutron:${sw_db_pw}@localhost/neutron?unix_socket=/run/mysqld/mysqld.sock&charset=utf8" \
    '[keystone_authtoken]' \
    'www_authenticate_uri = http://10.15.0.4:5000/' \
    'auth_url = http://10.15.0.4:5000/' \
    'auth_type = password' \
    'project_domain_name = Default' \
    'user_domain_name = Default' \
    'project_name = service' \
    'username = neutron' \
    "password = ${sw_ks_pw}" \
    'region_name = RegionOne' \
    '[oslo_concurrency]' \
    'lock_path = /var/lib/neutron/lock' \
    | sw_file_matches /etc/neutron/neutron.conf 0640 root neutron
}
apply_2() {
  sw_require CONFIG_AMQP_AUTH_PASSWORD CONFIG_NEUTRON_DB_PW CONFIG_NEUTRON_KS_PW || exit 1
  case $CONFIG_AMQP_AUTH_PASSWORD in */*)
    echo 'CONFIG_AMQP_AUTH_PASSWORD holds /, which oslo.messaging cannot pass to RabbitMQ: choose another' >&2
    exit 1 ;;
  esac
  sw_amqp_pw=$(sw_urlencode "$CONFIG_AMQP_AUTH_PASSWORD")
  sw_db_pw=$(sw_dburl_escape "$CONFIG_NEUTRON_DB_PW")
  sw_ks_pw=$(sw_oslo_escape "$CONFIG_NEUTRON_KS_PW")
  sw_conf \
    '# stackwire: neutron.conf for host controller' \
    '[DEFAULT]' \
    'host = controller' \
    'core_plugin = ml2' \
    'service_plugins = router' \
    'auth_strategy = keystone' \
    'state_path = /var/lib/neutron' \
    "transport_url = rabbit://openstack:${sw_amqp_pw}@10.15.0.4:5672/" \
    'bind_host = 10.15.0.4' \
    'bind_port = 9696' \
    'api_workers = 1' \
    'rpc_workers = 1' \
    'rpc_state_report_workers = 1' \
    'allow_overlapping_ips = True' \
    'global_physnet_mtu = 1500' \
    'dhcp_agents_per_network = 1' \
    'notify_nova_on_port_status_changes = False' \
    'notify_nova_on_port_data_changes = False' \
    '[agent]' \
    'root_helper = sudo neutron-rootwrap /etc/neutron/rootwrap.conf' \
    '[database]' \
    "connection = mysql+pymysql://neutron:${sw_db_pw}@localhost/neutron?unix_socket=/run/mysqld/mysqld.sock&charset=utf8" \
    '[keystone_authtoken]' \
    'www_authenticate_uri = http://10.15.0.4:5000/' \
    'auth_url = http://10.15.0.4:5000/' \
    'auth_type = password' \
    'project_domain_name = Default' \
    'user_domain_name = Default' \
    'project_name = service' \
    'username = neutron' \
    "password = ${sw_ks_pw}" \
    'region_name = RegionOne' \
    '[oslo_concurrency]' \
    'lock_path = /var/lib/neutron/lock' \
    | sw_file_install /etc/neutron/neutron.conf 0640 root neutron \
    && sw_mark_restart neutron-api neutron-rpc-server
}
sw_step 2 'neutron.conf is as rendered' check_2 apply_2 || exit $?

# --- step 3: ml2_conf.ini is as rendered
check_3() {
  sw_conf \
    '# stackwire: ML2 with the openvswitch mechanism driver' \
    '[ml2]' \
    'type_drivers = flat,gre' \
    'tenant_network_types = gre' \
    'mechanism_drivers = openvswitch' \
    'extension_drivers = port_security' \
    '[ml2_type_flat]' \
    'flat_networks = external' \
    '[ml2_type_gre]' \
    'tunnel_id_ranges = 1000:3000' \
    '[securitygroup]' \
    'enable_security_group = True' \
    | sw_file_matches /etc/neutron/plugins/ml2/ml2_conf.ini 0640 root neutron
}
apply_3() {
  sw_conf \
    '# stackwire: ML2 with the openvswitch mechanism driver' \
    '[ml2]' \
    'type_drivers = flat,gre' \
    'tenant_network_types = gre' \
    'mechanism_drivers = openvswitch' \
    'extension_drivers = port_security' \
    '[ml2_type_flat]' \
    'flat_networks = external' \
    '[ml2_type_gre]' \
    'tunnel_id_ranges = 1000:3000' \
    '[securitygroup]' \
    'enable_security_group = True' \
    | sw_file_install /etc/neutron/plugins/ml2/ml2_conf.ini 0640 root neutron \
    && sw_mark_restart neutron-api neutron-rpc-server
}
sw_step 3 'ml2_conf.ini is as rendered' check_3 apply_3 || exit $?

# --- step 4: the neutron database schema is at the alembic heads of the installed package
check_4() {
  sw_db_at_heads neutron "$(sw_pydir neutron)/db/migration/alembic_migrations/versions"
}
apply_4() {
  runuser -u neutron -- neutron-db-manage --config-file /etc/neutron/neutron.conf --config-file /etc/neutron/plugins/ml2/ml2_conf.ini upgrade heads
}
sw_step 4 'the neutron database schema is at the alembic heads of the installed package' check_4 apply_4 || exit $?

# --- step 5: neutron-api is running with its current config
check_5() {
  sw_service_current neutron-api
}
apply_5() {
  install -d -o neutron -g neutron -m 0750 /var/log/neutron /var/lib/neutron /var/lib/neutron/lock
  sw_service_ensure neutron-api || exit 1
}
sw_step 5 'neutron-api is running with its current config' check_5 apply_5 || exit $?

# --- step 6: neutron-rpc-server is running with its current config
check_6() {
  sw_service_current neutron-rpc-server
}
apply_6() {
  install -d -o neutron -g neutron -m 0750 /var/log/neutron /var/lib/neutron /var/lib/neutron/lock
  sw_service_ensure neutron-rpc-server || exit 1
  sw_wait_http http://10.15.0.4:9696/ 120
}
sw_step 6 'neutron-rpc-server is running with its current config' check_6 apply_6 || exit $?
exit 0
