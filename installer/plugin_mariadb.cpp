// mariadb plugin: the controller's MariaDB, reached by the services over its unix socket.
#include "installer/service_shell.h"
#include "installer/services.h"

namespace sw::installer {

std::vector<ServiceDatabase> default_service_databases() {
  return {{"keystone", "keystone", "CONFIG_KEYSTONE_DB_PW"},
          {"neutron", "neutron", "CONFIG_NEUTRON_DB_PW"}};
}

namespace {

std::string sql_name(const std::string& s) { return "`" + s + "`"; }

Step database_step(const ServiceDatabase& db) {
  Step s;
  s.title = "database " + db.name + " and its user " + db.user + "@localhost exist";
  const std::string need = "sw_require " + db.password_var + " || exit 1\n";
  s.check = need + "sw_mysql_login " + sh_word(db.user) + " \"$" + db.password_var + "\" " +
            sh_word(db.name) + "\n";
  // The SQL goes to mysql on stdin: the password is never on a command line.
  const std::string user = "'" + db.user + "'@'localhost'";
  s.apply = need + "sw_pw=$(sw_sql_escape \"$" + db.password_var + "\")\n" +
            "printf '%s\\n' \\\n"
            "  " + sh_word("CREATE DATABASE IF NOT EXISTS " + sql_name(db.name) + " CHARACTER SET utf8mb4;") +
            " \\\n"
            "  \"CREATE USER IF NOT EXISTS " + user + " IDENTIFIED BY '${sw_pw}';\" \\\n"
            "  \"ALTER USER " + user + " IDENTIFIED BY '${sw_pw}';\" \\\n"
            "  " + sh_word("GRANT ALL PRIVILEGES ON " + sql_name(db.name) + ".* TO " + user + ";") +
            " \\\n"
            "  | mysql\n";
  return s;
}

}  // namespace

std::vector<Step> plan_mariadb(const MariadbParams& p) {
  if (!p.host.roles.controller) return {};
  const bool rh = p.host.os == OsFamily::redhat;
  const bool pidfile = p.host.service_manager == ServiceManager::none;
  std::vector<Step> steps;

  steps.push_back(packages_step("MariaDB", rh ? std::vector<std::string>{"mariadb-server"}
                                              : std::vector<std::string>{"mariadb-server", "mariadb-client"},
                                rh));

  steps.push_back({"the MariaDB data directory is initialised", "test -d /var/lib/mysql/mysql\n",
                   "mariadb-install-db --user=mysql --datadir=/var/lib/mysql --skip-test-db "
                   "--auth-root-authentication-method=socket\n",
                   true});

  ConfigText cnf;
  cnf.line("# stackwire: MariaDB for the OpenStack services (over the unix socket)")
      .section("mysqld")
      .set("bind-address", "127.0.0.1")
      .set("max_connections", "1024")
      .set("default-storage-engine", "InnoDB")
      .set("innodb_file_per_table", "ON");
  steps.push_back(config_file_step(
      "MariaDB server settings are as rendered",
      {rh ? "/etc/my.cnf.d/90-stackwire.cnf" : "/etc/mysql/mariadb.conf.d/90-stackwire.cnf"}, cnf, {},
      {"mariadb"}));

  Daemon d{"mariadb", "mysql", rh ? "/var/log/mariadb/mariadbd.log" : "/var/log/mysql/mariadbd.log", {}};
  if (pidfile) d.argv = {rh ? "/usr/libexec/mariadbd" : "/usr/sbin/mariadbd"};
  const std::string run_dir = rh ? "/run/mariadb" : "/run/mysqld";
  steps.push_back(daemon_step(d, "install -d -o mysql -g mysql -m 0755 " + run_dir + "\n",
                              "sw_wait_cmd 60 'MariaDB answers on its socket' mysql -N -B -e 'SELECT 1'\n"));

  Step root;
  root.title = "MariaDB root@localhost has the answer file password";
  root.check = "sw_require CONFIG_MARIADB_PW || exit 1\n"
               "sw_mysql_login root \"$CONFIG_MARIADB_PW\" mysql 127.0.0.1\n";
  // root keeps unix_socket, so the installer (root on the host) needs no password file.
  root.apply = "sw_require CONFIG_MARIADB_PW || exit 1\n"
               "sw_pw=$(sw_sql_escape \"$CONFIG_MARIADB_PW\")\n"
               "printf '%s\\n' \"ALTER USER 'root'@'localhost' IDENTIFIED VIA unix_socket OR "
               "mysql_native_password USING PASSWORD('${sw_pw}');\" | mysql\n";
  steps.push_back(root);

  for (const auto& db : p.databases) steps.push_back(database_step(db));
  return steps;
}

}  // namespace sw::installer
