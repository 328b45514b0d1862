// amqp plugin: RabbitMQ on the controller, on its management address, as node rabbit@localhost
// (each host's loopback is its own, so the node name does not depend on the host name).
#include "installer/service_shell.h"
#include "installer/services.h"

namespace sw::installer {

std::vector<Step> plan_amqp(const AmqpParams& p) {
  if (!p.host.roles.controller) return {};
  const bool rh = p.host.os == OsFamily::redhat;
  const std::string ip = p.host.mgmt_ip;
  const std::string port = std::to_string(p.port);
  std::vector<Step> steps;

  steps.push_back(packages_step("RabbitMQ", {"rabbitmq-server"}, rh));

  ConfigText env;
  env.line("# stackwire: the broker listens on the management address only")
      .line("NODENAME=rabbit@localhost")
      .line("NODE_IP_ADDRESS=" + ip)
      .line("NODE_PORT=" + port);
  steps.push_back(config_file_step("rabbitmq-env.conf is as rendered",
                                   {"/etc/rabbitmq/rabbitmq-env.conf", "0644", "root", "rabbitmq"}, env,
                                   {}, {"rabbitmq-server"}));

  Daemon d{"rabbitmq-server", "rabbitmq", "/var/log/rabbitmq/rabbitmq-server.log", {}};
  if (p.host.service_manager == ServiceManager::none) d.argv = {"/usr/lib/rabbitmq/bin/rabbitmq-server"};
  steps.push_back(daemon_step(d, "install -d -o rabbitmq -g rabbitmq -m 0755 /var/log/rabbitmq\n",
                              "sw_wait_tcp " + ip + " " + port + " 90\n"));

  Step user;
  user.title = "RabbitMQ user " + p.user + " logs in to vhost / with the answer file password";
  user.check = "sw_require CONFIG_AMQP_AUTH_PASSWORD || exit 1\n"
               "sw_amqp_login " + ip + " " + port + " " + sh_word(p.user) +
               " \"$CONFIG_AMQP_AUTH_PASSWORD\" /\n";
  user.apply = "sw_require CONFIG_AMQP_AUTH_PASSWORD || exit 1\n"
               "sw_rabbit_set_user " + sh_word(p.user) + " \"$CONFIG_AMQP_AUTH_PASSWORD\" /\n";
  user.slow = true;
  steps.push_back(user);
  return steps;
}

}  // namespace sw::installer
