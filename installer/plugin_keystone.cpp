// keystone plugin: Keystone on the controller (fernet tokens, MariaDB over the socket), served by
// uwsgi (Debian) or httpd + mod_wsgi (RDO) on <controller>:5000; bootstrap; the service project,
// the service users and their catalog entries; /root/keystonerc_admin as packstack writes it.
#include "installer/service_shell.h"
#include "installer/services.h"

namespace sw::installer {

KeystoneServiceUser neutron_service_user(const std::string& controller_ip) {
  return {"neutron", "CONFIG_NEUTRON_KS_PW", "neutron", "network", "OpenStack Networking",
          "http://" + controller_ip + ":9696"};
}

namespace {

// keystone-manage logs to keystone.log: make it the keystone user's before anything runs as root.
constexpr const char* kLogDir =
    "install -d -o keystone -g keystone -m 0750 /var/log/keystone\n"
    "touch /var/log/keystone/keystone.log\n"
    "chown keystone:keystone /var/log/keystone/keystone.log\n";

}  // namespace

std::vector<Step> plan_keystone(const KeystoneParams& p) {
  if (!p.host.roles.controller) return {};
  const bool rh = p.host.os == OsFamily::redhat;
  const bool pidfile = p.host.service_manager == ServiceManager::none;
  const std::string ip = p.host.mgmt_ip;
  const std::string api = "http://" + p.host.controller_ip + ":5000/v3";
  const std::string endpoint = api + "/";
  const std::string service = rh ? "httpd" : "keystone";
  const std::string socket = rh ? "/var/lib/mysql/mysql.sock" : "/run/mysqld/mysqld.sock";
  std::vector<Step> steps;

  steps.push_back(packages_step(
      "Keystone",
      rh ? std::vector<std::string>{"openstack-keystone", "httpd", "python3-mod_wsgi",
                                    "python3-openstackclient", "python3-PyMySQL", "curl"}
         : std::vector<std::string>{"keystone", "python3-openstackclient", "python3-pymysql",
                                    "uwsgi-plugin-python3", "curl"},
      rh));

  ConfigText conf;
  conf.line("# stackwire: keystone.conf (fernet tokens, MariaDB over its unix socket)")
      .section("DEFAULT")
      .set("log_dir", "/var/log/keystone")
      .set("log_file", "keystone.log")
      .section("database")
      .set_expanded("connection", "mysql+pymysql://keystone:${sw_db_pw}@localhost/keystone?unix_socket=" +
                                      socket + "&charset=utf8")
      .section("token")
      .set("provider", "fernet")
      .section("fernet_tokens")
      .set("key_repository", "/etc/keystone/fernet-keys/")
      .section("credential")
      .set("key_repository", "/etc/keystone/credential-keys/");
  steps.push_back(config_file_step("keystone.conf is as rendered",
                                   {"/etc/keystone/keystone.conf", "0640", "root", "keystone"}, conf,
                                   "sw_require CONFIG_KEYSTONE_DB_PW || exit 1\n"
                                   "case $CONFIG_KEYSTONE_DB_PW in *[%@]*)\n"
                                   "  echo 'CONFIG_KEYSTONE_DB_PW holds % or @, which keystone-manage db_sync "
                                   "cannot take in its database URL (its alembic config interpolates %): "
                                   "choose another' >&2\n"
                                   "  exit 1 ;;\n"
                                   "esac\n"
                                   "sw_db_pw=$(sw_dburl_escape \"$CONFIG_KEYSTONE_DB_PW\")\n",
                                   {service}));

  steps.push_back({"the keystone database schema is at the alembic heads of the installed package",
                   "sw_db_at_heads keystone \"$(sw_pydir keystone)/common/sql/migrations/versions\"\n",
                   std::string(kLogDir) + "runuser -u keystone -- keystone-manage db_sync\n", true});

  steps.push_back(
      {"fernet and credential keys exist",
       "test -s /etc/keystone/fernet-keys/0 && test -s /etc/keystone/credential-keys/0\n",
       std::string(kLogDir) +
           "if ! test -s /etc/keystone/fernet-keys/0; then\n"
           "  keystone-manage fernet_setup --keystone-user keystone --keystone-group keystone || exit 1\n"
           "fi\n"
           "if ! test -s /etc/keystone/credential-keys/0; then\n"
           "  keystone-manage credential_setup --keystone-user keystone --keystone-group keystone || exit 1\n"
           "fi\n"});

  if (rh) {
    steps.push_back({"httpd serves keystone (wsgi-keystone.conf)",
                     "test \"$(readlink /etc/httpd/conf.d/wsgi-keystone.conf)\" = "
                     "/usr/share/keystone/wsgi-keystone.conf\n",
                     "ln -sfn /usr/share/keystone/wsgi-keystone.conf /etc/httpd/conf.d/wsgi-keystone.conf "
                     "&& sw_mark_restart httpd\n"});
  }

  Daemon d{service, "keystone", "/var/log/keystone/keystone-uwsgi.log", {}};
  if (pidfile && rh) {
    d.user = "root";
    d.log = "/var/log/httpd/stackwire-httpd.log";
    d.argv = {"/usr/sbin/httpd", "-DFOREGROUND"};
  } else if (pidfile) {
    // Debian's keystone-uwsgi.ini asks for an AppArmor profile that hosts without AppArmor (the
    // lab) cannot enter, and 8 processes: the same app, on the management address, lighter.
    d.argv = {"/usr/bin/uwsgi_python3", "--http-socket", ip + ":5000", "--wsgi-file",
              "/usr/bin/keystone-wsgi-public", "--master", "--processes", "1", "--threads", "8",
              "--enable-threads", "--lazy-apps", "--die-on-term", "--buffer-size", "65535"};
  }
  steps.push_back(daemon_step(d, kLogDir, wait_http_ready(d, endpoint, 120)));

  Step boot;
  boot.title = "Keystone is bootstrapped: admin, region " + p.region + ", identity endpoints " + endpoint;
  boot.check = "sw_require CONFIG_KEYSTONE_ADMIN_PW || exit 1\n"
               "sw_r=$(sw_tmp) || exit 1\n"
               "sw_ks_auth " + api + " admin \"$CONFIG_KEYSTONE_ADMIN_PW\" admin \"$sw_r\" >/dev/null &&\n"
               "  sw_ks_token_ok \"$sw_r\" admin identity " + sh_word(p.region) + " " + endpoint + "\n";
  // The password reaches keystone-manage in its environment (OS_BOOTSTRAP_PASSWORD), not argv.
  boot.apply = "sw_require CONFIG_KEYSTONE_ADMIN_PW || exit 1\n" + std::string(kLogDir) +
               "OS_BOOTSTRAP_PASSWORD=$CONFIG_KEYSTONE_ADMIN_PW runuser -u keystone -- keystone-manage bootstrap \\\n"
               "  --bootstrap-username admin --bootstrap-project-name admin --bootstrap-role-name admin \\\n"
               "  --bootstrap-service-name keystone --bootstrap-region-id " + sh_word(p.region) + " \\\n"
               "  --bootstrap-admin-url " + endpoint + " --bootstrap-internal-url " + endpoint + " \\\n"
               "  --bootstrap-public-url " + endpoint + "\n";
  boot.slow = true;
  steps.push_back(boot);

  ConfigText rc;
  rc.line("unset OS_SERVICE_TOKEN")
      .line("export OS_USERNAME=admin")
      .line_expanded("export OS_PASSWORD=${sw_pw}")
      .line("export OS_REGION_NAME=" + p.region)
      .line("export OS_AUTH_URL=" + api)
      .line("export PS1='[\\u@\\h \\W(keystone_admin)]\\$ '")
      .line("export OS_PROJECT_NAME=admin")
      .line("export OS_USER_DOMAIN_NAME=Default")
      .line("export OS_PROJECT_DOMAIN_NAME=Default")
      .line("export OS_IDENTITY_API_VERSION=3");
  steps.push_back(config_file_step(p.keystonerc_path + " is as rendered", {p.keystonerc_path, "0600"}, rc,
                                   "sw_require CONFIG_KEYSTONE_ADMIN_PW || exit 1\n"
                                   "sw_pw=$(sw_sh_squote \"$CONFIG_KEYSTONE_ADMIN_PW\")\n"));

  for (const auto& s : p.services) {
    const std::string pw = "\"$" + s.password_var + "\"";
    Step st;
    st.title = "Keystone: user " + s.user + " is admin in project service; service " + s.service_name +
               " (" + s.type + ") has endpoints " + s.url;
    // One token of the service user proves its password, its role, and (the catalog is global)
    // the service's endpoints.
    st.check = "sw_require " + s.password_var + " || exit 1\n"
               "sw_r=$(sw_tmp) || exit 1\n"
               "sw_ks_auth " + api + " " + sh_word(s.user) + " " + pw + " service \"$sw_r\" >/dev/null &&\n"
               "  sw_ks_token_ok \"$sw_r\" admin " + sh_word(s.type) + " " + sh_word(p.region) + " " +
               sh_word(s.url) + "\n";
    st.apply = "sw_require CONFIG_KEYSTONE_ADMIN_PW " + s.password_var + " || exit 1\n"
               "sw_ks_session " + api + " admin \"$CONFIG_KEYSTONE_ADMIN_PW\" admin || exit 1\n"
               "sw_project=$(sw_ks_ensure_project service 'Service Project') || exit 1\n"
               "sw_user=$(sw_ks_ensure_user " + sh_word(s.user) + " " + pw + ") || exit 1\n"
               "sw_ks_grant \"$sw_project\" \"$sw_user\" admin || exit 1\n"
               "sw_service=$(sw_ks_ensure_service " + sh_word(s.type) + " " + sh_word(s.service_name) + " " +
               sh_word(s.description) + ") || exit 1\n"
               "for sw_if in public internal admin; do\n"
               "  sw_ks_ensure_endpoint \"$sw_service\" \"$sw_if\" " + sh_word(p.region) + " " +
               sh_word(s.url) + " || exit 1\n"
               "done\n";
    steps.push_back(st);
  }
  return steps;
}

}  // namespace sw::installer
