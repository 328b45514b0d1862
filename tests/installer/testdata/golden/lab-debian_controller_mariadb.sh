# 10.15.0.4_mariadb.sh (prelude left out)
# --- step 1: MariaDB packages are installed
check_1() {
  sw_pkgs_installed deb mariadb-server mariadb-client
}
apply_1() {
  sw_pkgs_install deb mariadb-server mariadb-client
}
sw_step 1 'MariaDB packages are installed' check_1 apply_1 || exit $?

# --- step 2: the MariaDB data directory is initialised
check_2() {
  test -d /var/lib/mysql/mysql
}
apply_2() {
  mariadb-install-db --user=mysql --datadir=/var/lib/mysql --skip-test-db --auth-root-authentication-method=socket
}
sw_step 2 'the MariaDB data directory is initialised' check_2 apply_2 || exit $?

# --- step 3: MariaDB server settings are as rendered
check_3() {
  sw_conf \
    '# stackwire: MariaDB for the OpenStack services (over the unix socket)' \
    '[mysqld]' \
    'bind-address = 127.0.0.1' \
    'max_connections = 1024' \
    'default-storage-engine = InnoDB' \
    'innodb_file_per_table = ON' \
    | sw_file_matches /etc/mysql/mariadb.conf.d/90-stackwire.cnf 0644 root root
}
apply_3() {
  sw_conf \
    '# stackwire: MariaDB for the OpenStack services (over the unix socket)' \
    '[mysqld]' \
    'bind-address = 127.0.0.1' \
    'max_connections = 1024' \
    'default-storage-engine = InnoDB' \
    'innodb_file_per_table = ON' \
    | sw_file_install /etc/mysql/mariadb.conf.d/90-stackwire.cnf 0644 root root \
    && sw_mark_restart mariadb
}
sw_step 3 'MariaDB server settings are as rendered' check_3 apply_3 || exit $?

# --- step 4: mariadb is running with its current config
check_4() {
  sw_service_current mariadb
}
apply_4() {
  install -d -o mysql -g mysql -m 0755 /run/mysqld
  sw_service_ensure mariadb mysql /var/log/mysql/mariadbd.log -- \
    /usr/sbin/mariadbd || exit 1
  sw_wait_cmd 60 'MariaDB answers on its socket' mysql -N -B -e 'SELECT 1'
}
sw_step 4 'mariadb is running with its current config' check_4 apply_4 || exit $?

# --- step 5: MariaDB root@localhost has the answer file password
check_5() {
  sw_require CONFIG_MARIADB_PW || exit 1
  sw_mysql_login root "$CONFIG_MARIADB_PW" mysql 127.0.0.1
}
apply_5() {
  sw_require CONFIG_MARIADB_PW || exit 1
  sw_pw=$(sw_sql_escape "$CONFIG_MARIADB_PW")
  printf '%s\n' "ALTER USER 'root'@'localhost' IDENTIFIED VIA unix_socket OR mysql_native_password USING PASSWORD('${sw_pw}');" | mysql
}
sw_step 5 'MariaDB root@localhost has the answer file password' check_5 apply_5 || exit $?

# --- step 6: database keystone and its user keystone@localhost exist
check_6() {
  sw_require CONFIG_KEYSTONE_DB_PW || exit 1
  sw_mysql_login keystone "$CONFIG_KEYSTONE_DB_PW" keystone
}
apply_6() {
  sw_require CONFIG_KEYSTONE_DB_PW || exit 1
  sw_pw=$(sw_sql_escape "$CONFIG_KEYSTONE_DB_PW")
  printf '%s\n' \
    'CREATE DATABASE IF NOT EXISTS `keystone` CHARACTER SET utf8mb4;' \
    "CREATE USER IF NOT EXISTS 'keystone'@'localhost' IDENTIFIED BY '${sw_pw}';" \
    "ALTER USER 'keystone'@'localhost' IDENTIFIED BY '${sw_pw}';" \
    'GRANT ALL PRIVILEGES ON `keystone`.* TO '\''keystone'\''@'\''localhost'\'';' \
    | mysql
}
sw_step 6 'database keystone and its user keystone@localhost exist' check_6 apply_6 || exit $?

# --- step 7: database neutron and its user neutron@localhost exist
check_7() {
  sw_require CONFIG_NEUTRON_DB_PW || exit 1
  sw_mysql_login neutron "$CONFIG_NEUTRON_DB_PW" neutron
}
apply_7() {
  sw_require CONFIG_NEUTRON_DB_PW || exit 1
  sw_pw=$(sw_sql_escape "$CONFIG_NEUTRON_DB_PW")
  printf '%s\n' \
    'CREATE DATABASE IF NOT EXISTS `neutron` CHARACTER SET utf8mb4;' \
    "CREATE USER IF NOT EXISTS 'neutron'@'localhost' IDENTIFIED BY '${sw_pw}';" \
    "ALTER USER 'neutron'@'localhost' IDENTIFIED BY '${sw_pw}';" \
    'GRANT ALL PRIVILEGES ON `neutron`.* TO '\''neutron'\''@'\''localhost'\'';' \
    | mysql
}
sw_step 7 'database neutron and its user neutron@localhost exist' check_7 apply_7 || exit $?
exit 0
