# 10.15.0.4_keystone.sh (prelude left out)
# --- step 1: Keystone packages are installed
check_1() {
  sw_pkgs_installed deb keystone python3-openstackclient python3-pymysql uwsgi-plugin-python3 curl
}
apply_1() {
  sw_pkgs_install deb keystone python3-openstackclient python3-pymysql uwsgi-plugin-python3 curl
}
sw_step 1 'Keystone packages are installed' check_1 apply_1 || exit $?

# --- step 2: keystone.conf is as rendered
check_2() {
  sw_require CONFIG_KEYSTONE_DB_PW || exit 1
  case $CONFIG_KEYSTONE_DB_PW in *[%@]*)
    echo 'CONFIG_KEYSTONE_DB_PW holds % or @, which keystone-manage db_sync cannot take in its database URL (its alembic config interpolates %): choose another' >&2
    exit 1 ;;
  esac
  sw_db_pw=$(sw_dburl_escape "$CONFIG_KEYSTONE_DB_PW")
  sw_conf \
    '# stackwire: keystone.conf (fernet tokens, MariaDB over its unix socket)' \
    '[DEFAULT]' \
    'log_dir = /var/log/keystone' \
    'log_file = keystone.log' \
    '[database]' \
    "connection = mysql+pymysql://keystone:${sw_db_pw}@localhost/keystone?unix_socket=/run/mysqld/mysqld.sock&charset=utf8" \
    '[token]' \
    'provider = fernet' \
    '[fernet_tokens]' \
    'key_repository = /etc/keystone/fernet-keys/' \
    '[credential]' \
    'key_repository = /etc/keystone/credential-keys/' \
    | sw_file_matches /etc/keystone/keystone.conf 0640 root keystone
}
apply_2() {
  sw_require CONFIG_KEYSTONE_DB_PW || exit 1
  case $CONFIG_KEYSTONE_DB_PW in *[%@]*)
    echo 'CONFIG_KEYSTONE_DB_PW holds % or @, which keystone-manage db_sync cannot take in its database URL (its alembic config interpolates %): choose another' >&2
    exit 1 ;;
  esac
  sw_db_pw=$(sw_dburl_escape "$CONFIG_KEYSTONE_DB_PW")
  sw_conf \
    '# stackwire: keystone.conf (fernet tokens, MariaDB over its unix socket)' \
    '[DEFAULT]' \
    'log_dir = /var/log/keystone' \
    'log_file = keystone.log' \
    '[database]' \
    "connection = mysql+pymysql://keystone:${sw_db_pw}@localhost/keystone?unix_socket=/run/mysqld/mysqld.sock&charset=utf8" \
    '[token]' \
    'provider = fernet' \
    '[fernet_tokens]' \
    'key_repository = /etc/keystone/fernet-keys/' \
    '[credential]' \
    'key_repository = /etc/keystone/credential-keys/' \
    | sw_file_install /etc/keystone/keystone.conf 0640 root keystone \
    && sw_mark_restart keystone
}
sw_step 2 'keystone.conf is as rendered' check_2 apply_2 || exit $?

# --- step 3: the keystone database schema is at the alembic heads of the installed package
check_3() {
  sw_db_at_heads keystone "$(sw_pydir keystone)/common/sql/migrations/versions"
}
apply_3() {
  install -d -o keystone -g keystone -m 0750 /var/log/keystone
  touch /var/log/keystone/keystone.log
  chown keystone:keystone /var/log/keystone/keystone.log
  runuser -u keystone -- keystone-manage db_sync
}
sw_step 3 'the keystone database schema is at the alembic heads of the installed package' check_3 apply_3 || exit $?

# --- step 4: fernet and credential keys exist
check_4() {
  test -s /etc/keystone/fernet-keys/0 && test -s /etc/keystone/credential-keys/0
}
apply_4() {
  install -d -o keystone -g keystone -m 0750 /var/log/keystone
  touch /var/log/keystone/keystone.log
  chown keystone:keystone /var/log/keystone/keystone.log
  if ! test -s /etc/keystone/fernet-keys/0; then
    keystone-manage fernet_setup --keystone-user keystone --keystone-group keystone || exit 1
  fi
  if ! test -s /etc/keystone/credential-keys/0; then
    keystone-manage credential_setup --keystone-user keystone --keystone-group keystone || exit 1
  fi
}
sw_step 4 'fernet and credential keys exist' check_4 apply_4 || exit $?

# --- step 5: keystone is running with its current config
check_5() {
  sw_service_current keystone
}
apply_5() {
  install -d -o keystone -g keystone -m 0750 /var/log/keystone
  touch /var/log/keystone/keystone.log
  chown keystone:keystone /var/log/keystone/keystone.log
  sw_service_ensure keystone || exit 1
  sw_wait_http http://10.15.0.4:5000/v3/ 120 keystone ''
}
sw_step 5 'keystone is running with its current config' check_5 apply_5 || exit $?

# --- step 6: Keystone is bootstrapped: admin, region RegionOne, identity endpoints http://10.15.0.4:5000/v3/
check_6() {
  sw_require CONFIG_KEYSTONE_ADMIN_PW || exit 1
  sw_r=$(sw_tmp) || exit 1
  sw_ks_auth http://10.15.0.4:5000/v3 admin "$CONFIG_KEYSTONE_ADMIN_PW" admin "$sw_r" >/dev/null &&
    sw_ks_token_ok "$sw_r" admin identity RegionOne http://10.15.0.4:5000/v3/
}
apply_6() {
  sw_require CONFIG_KEYSTONE_ADMIN_PW || exit 1
  install -d -o keystone -g keystone -m 0750 /var/log/keystone
  touch /var/log/keystone/keystone.log
  chown keystone:keystone /var/log/keystone/keystone.log
  OS_BOOTSTRAP_PASSWORD=$CONFIG_KEYSTONE_ADMIN_PW runuser -u keystone -- keystone-manage bootstrap \
    --bootstrap-username admin --bootstrap-project-name admin --bootstrap-role-name admin \
    --bootstrap-service-name keystone --bootstrap-region-id RegionOne \
    --bootstrap-admin-url http://10.15.0.4:5000/v3/ --bootstrap-internal-url http://10.15.0.4:5000/v3/ \
    --bootstrap-public-url http://10.15.0.4:5000/v3/
}
sw_step 6 'Keystone is bootstrapped: admin, region RegionOne, identity endpoints http://10.15.0.4:5000/v3/' check_6 apply_6 || exit $?

# --- step 7: /root/keystonerc_admin is as rendered
check_7() {
  sw_require CONFIG_KEYSTONE_ADMIN_PW || exit 1
  sw_pw=$(sw_sh_squote "$CONFIG_KEYSTONE_ADMIN_PW")
  sw_conf \
    'unset OS_SERVICE_TOKEN' \
    'export OS_USERNAME=admin' \
    "export OS_PASSWORD=${sw_pw}" \
    'export OS_REGION_NAME=RegionOne' \
    'export OS_AUTH_URL=http://10.15.0.4:5000/v3' \
    'export PS1='\''[\u@\h \W(keystone_admin)]\$ '\''' \
    'export OS_PROJECT_NAME=admin' \
    'export OS_USER_DOMAIN_NAME=Default' \
    'export OS_PROJECT_DOMAIN_NAME=Default' \
    'export OS_IDENTITY_API_VERSION=3' \
    | sw_file_matches /root/keystonerc_admin 0600 root root
}
apply_7() {
  sw_require CONFIG_KEYSTONE_ADMIN_PW || exit 1
  sw_pw=$(sw_sh_squote "$CONFIG_KEYSTONE_ADMIN_PW")
  sw_conf \
    'unset OS_SERVICE_TOKEN' \
    'export OS_USERNAME=admin' \
    "export OS_PASSWORD=${sw_pw}" \
    'export OS_REGION_NAME=RegionOne' \
    'export OS_AUTH_URL=http://10.15.0.4:5000/v3' \
    'export PS1='\''[\u@\h \W(keystone_admin)]\$ '\''' \
    'export OS_PROJECT_NAME=admin' \
    'export OS_USER_DOMAIN_NAME=Default' \
    'export OS_PROJECT_DOMAIN_NAME=Default' \
    'export OS_IDENTITY_API_VERSION=3' \
    | sw_file_install /root/keystonerc_admin 0600 root root
}
sw_step 7 '/root/keystonerc_admin is as rendered' check_7 apply_7 || exit $?

# --- step 8: Keystone: user neutron is admin in project service; service neutron (network) has endpoints http://10.15.0.4:9696
check_8() {
  sw_require CONFIG_NEUTRON_KS_PW || exit 1
  sw_r=$(sw_tmp) || exit 1
  sw_ks_auth http://10.15.0.4:5000/v3 neutron "$CONFIG_NEUTRON_KS_PW" service "$sw_r" >/dev/null &&
    sw_ks_token_ok "$sw_r" admin network RegionOne http://10.15.0.4:9696
}
apply_8() {
  sw_require CONFIG_KEYSTONE_ADMIN_PW CONFIG_NEUTRON_KS_PW || exit 1
  sw_ks_session http://10.15.0.4:5000/v3 admin "$CONFIG_KEYSTONE_ADMIN_PW" admin || exit 1
  sw_project=$(sw_ks_ensure_project service 'Service Project') || exit 1
  sw_user=$(sw_ks_ensure_user neutron "$CONFIG_NEUTRON_KS_PW") || exit 1
  sw_ks_grant "$sw_project" "$sw_user" admin || exit 1
  sw_service=$(sw_ks_ensure_service network neutron 'OpenStack Networking') || exit 1
  for sw_if in public internal admin; do
    sw_ks_ensure_endpoint "$sw_service" "$sw_if" RegionOne http://10.15.0.4:9696 || exit 1
  done
}
sw_step 8 'Keystone: user neutron is admin in project service; service neutron (network) has endpoints http://10.15.0.4:9696' check_8 apply_8 || exit $?
exit 0
