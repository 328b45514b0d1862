# 10.15.0.4_amqp.sh (prelude left out)
# --- step 1: RabbitMQ packages are installed
check_1() {
  sw_pkgs_installed deb rabbitmq-server
}
apply_1() {
  sw_pkgs_install deb rabbitmq-server
}
sw_step 1 'RabbitMQ packages are installed' check_1 apply_1 || exit $?

# --- step 2: rabbitmq-env.conf is as rendered
check_2() {
  sw_conf \
    '# stackwire: the broker listens on the management address only' \
    NODENAME=rabbit@localhost \
    NODE_IP_ADDRESS=10.15.0.4 \
    NODE_PORT=5672 \
    | sw_file_matches /etc/rabbitmq/rabbitmq-env.conf 0644 root rabbitmq
}
apply_2() {
  sw_conf \
    '# stackwire: the broker listens on the management address only' \
    NODENAME=rabbit@localhost \
    NODE_IP_ADDRESS=10.15.0.4 \
    NODE_PORT=5672 \
    | sw_file_install /etc/rabbitmq/rabbitmq-env.conf 0644 root rabbitmq \
    && sw_mark_restart rabbitmq-server
}
sw_step 2 'rabbitmq-env.conf is as rendered' check_2 apply_2 || exit $?

# --- step 3: rabbitmq-server is running with its current config
check_3() {
  sw_service_current rabbitmq-server
}
apply_3() {
  install -d -o rabbitmq -g rabbitmq -m 0755 /var/log/rabbitmq
  sw_service_ensure rabbitmq-server || exit 1
  sw_wait_tcp 10.15.0.4 5672 90
}
sw_step 3 'rabbitmq-server is running with its current config' check_3 apply_3 || exit $?

# --- step 4: RabbitMQ user openstack logs in to vhost / with the answer file password
check_4() {
  sw_require CONFIG_AMQP_AUTH_PASSWORD || exit 1
  sw_amqp_login 10.15.0.4 5672 openstack "$CONFIG_AMQP_AUTH_PASSWORD" /
}
apply_4() {
  sw_require CONFIG_AMQP_AUTH_PASSWORD || exit 1
  sw_rabbit_set_user openstack "$CONFIG_AMQP_AUTH_PASSWORD" /
}
sw_step 4 'RabbitMQ user openstack logs in to vhost / with the answer file password' check_4 apply_4 || exit $?
exit 0
