#include "lab/ovs_setup.h"

#include <sys/random.h>
#include <unistd.h>

#include <cstdio>
#include <nlohmann/json.hpp>

#include "common/strings.h"
#include "lab/spawn.h"

namespace sw::lab {

std::vector<std::string> ovsdb_server_argv() {
  return {"ovsdb-server", "/etc/openvswitch/conf.db",
          "-vconsole:emer", "-vsyslog:off", "-vfile:info",
          std::string("--remote=punix:") + kOvsdbSocket,
          "--remote=db:Open_vSwitch,Open_vSwitch,manager_options",
          "--private-key=db:Open_vSwitch,SSL,private_key",
          "--certificate=db:Open_vSwitch,SSL,certificate",
          "--bootstrap-ca-cert=db:Open_vSwitch,SSL,ca_cert",
          "--no-chdir", "--log-file=/var/log/openvswitch/ovsdb-server.log",
          std::string("--pidfile=") + kOvsdbPidFile};
}

std::vector<std::string> ovs_vswitchd_argv() {
  return {"ovs-vswitchd", std::string("unix:") + kOvsdbSocket,
          "-vconsole:emer", "-vsyslog:off", "-vfile:info",
          "--no-chdir", "--log-file=/var/log/openvswitch/ovs-vswitchd.log",
          std::string("--pidfile=") + kVswitchdPidFile};
}

std::string ovs_root_row_transaction(const std::string& hostname, const std::string& system_id) {
  using nlohmann::json;
  const json pairs = json::array({json::array({"hostname", hostname}), json::array({"system-id", system_id})});
  json row = json::object();
  row["external_ids"] = json::array({"map", pairs});
  json op = json::object();
  op["op"] = "insert";
  op["table"] = "Open_vSwitch";
  op["row"] = row;
  const json txn = json::array({"Open_vSwitch", op});
  return txn.dump();
}

Result<void> create_conf_db(const std::filesystem::path& db_path, const std::string& hostname,
                            const std::string& system_id) {
  ::unlink(db_path.c_str());
  const auto check = [&](const RunResult& r, const char* what) -> Result<void> {
    // ovsdb-tool exits 0 even when the transaction fails; a good insert answers with its row's uuid.
    if (r.status == 0 && (std::string_view(what) != "transact" || r.out.find("\"uuid\"") != std::string::npos))
      return {};
    return fail(Error::failed("ovsdb-tool " + std::string(what) + " " + db_path.string() + ": exit " +
                              std::to_string(r.status) + ": " + std::string(trim(r.err + r.out))));
  };
  SW_TRY_VOID(check(SW_TRY(run_local({"ovsdb-tool", "create", db_path.string(), kOvsSchema})), "create"));
  SW_TRY_VOID(check(SW_TRY(run_local({"ovsdb-tool", "transact", db_path.string(),
                                      ovs_root_row_transaction(hostname, system_id)})),
                    "transact"));
  return {};
}

std::string random_uuid() {
  unsigned char b[16] = {};
  size_t got = 0;
  while (got < sizeof b) {
    const ssize_t n = ::getrandom(b + got, sizeof b - got, 0);
    if (n > 0) got += static_cast<size_t>(n);
  }
  b[6] = static_cast<unsigned char>((b[6] & 0x0f) | 0x40);
  b[8] = static_cast<unsigned char>((b[8] & 0x3f) | 0x80);
  char s[37];
  std::snprintf(s, sizeof s, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0], b[1], b[2],
                b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]);
  return s;
}

}  // namespace sw::lab
