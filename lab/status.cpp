#include "lab/status.h"

#include <cstdio>
#include <nlohmann/json.hpp>

namespace sw::lab {

bool HostStatus::healthy() const {
  if (!namespaces || !ssh) return false;
  for (const auto& d : daemons)
    if (!d.alive) return false;
  return !daemons.empty();
}

bool LabStatus::healthy() const {
  if (!up || !outside_ok || !switch_ok || hosts.empty()) return false;
  for (const auto& h : hosts)
    if (!h.healthy()) return false;
  return true;
}

nlohmann::json status_json(const LabStatus& s) {
  const auto& l = s.layout;
  nlohmann::json hosts = nlohmann::json::array();
  for (const auto& h : s.hosts) {
    nlohmann::json daemons = nlohmann::json::array();
    for (const auto& d : h.daemons)
      daemons.push_back({{"name", d.name}, {"pid", d.pid ? nlohmann::json(d.pid) : nlohmann::json()}, {"alive", d.alive}});
    hosts.push_back({
        {"name", h.spec.name},
        {"roles", h.spec.roles},
        {"netns", h.netns},
        {"mgmt_ip", h.spec.mgmt_ip},
        {"tunnel_ip", h.spec.tunnel_ip.empty() ? nlohmann::json() : nlohmann::json(h.spec.tunnel_ip)},
        {"external_if", h.spec.external_nic ? nlohmann::json("eth3") : nlohmann::json()},
        {"init_pid", h.init_pid ? nlohmann::json(h.init_pid) : nlohmann::json()},
        {"ssh", h.ssh},
        {"daemons", daemons},
        {"healthy", h.healthy()},
    });
  }
  return {
      {"prefix", l.prefix},
      {"state_dir", l.state_dir.string()},
      {"up", s.up},
      {"healthy", s.healthy()},
      {"computes", l.computes},
      {"hosts", hosts},
      {"outside", {{"netns", l.outside_netns()}, {"ip", std::string(kOutsideIp)}, {"ok", s.outside_ok}}},
      {"switch", {{"netns", l.switch_netns()}, {"ok", s.switch_ok}}},
      {"answer_file", l.answer_file().string()},
      {"topology", l.topology_file().string()},
      {"ssh_config", l.ssh_config().string()},
      {"ssh_key", l.ssh_key().string()},
      {"known_hosts", l.known_hosts().string()},
  };
}

std::string status_text(const LabStatus& s) {
  const auto& l = s.layout;
  std::string out;
  char line[512];
  if (!s.up) {
    return "lab '" + l.prefix + "' is not up (state " + l.state_dir.string() + "); start it with `stackwire lab up`\n";
  }
  out += "lab '" + l.prefix + "': " + (s.healthy() ? "up, healthy" : "up, UNHEALTHY") + " (" +
         std::to_string(s.hosts.size()) + " hosts, state " + l.state_dir.string() + ")\n";
  std::snprintf(line, sizeof line, "%-11s %-20s %-10s %-10s %-4s %-8s %-13s %-13s %s\n", "HOST", "NETNS", "MGMT",
                "TUNNEL", "SSH", "SSHD", "OVSDB-SERVER", "OVS-VSWITCHD", "ROLES");
  out += line;
  for (const auto& h : s.hosts) {
    std::string d[3] = {"-", "-", "-"};
    for (size_t i = 0; i < h.daemons.size() && i < 3; ++i)
      d[i] = h.daemons[i].alive ? std::to_string(h.daemons[i].pid) : "DEAD";
    std::string roles;
    for (const auto& r : h.spec.roles) roles += (roles.empty() ? "" : ",") + r;
    if (!h.namespaces) roles += " (namespaces missing)";
    std::snprintf(line, sizeof line, "%-11s %-20s %-10s %-10s %-4s %-8s %-13s %-13s %s\n", h.spec.name.c_str(),
                  h.netns.c_str(), h.spec.mgmt_ip.c_str(), h.spec.tunnel_ip.empty() ? "-" : h.spec.tunnel_ip.c_str(),
                  h.ssh ? "ok" : "DOWN", d[0].c_str(), d[1].c_str(), d[2].c_str(), roles.c_str());
    out += line;
  }
  std::snprintf(line, sizeof line, "%-11s %-20s %-10s %-10s %s\n", "outside", l.outside_netns().c_str(),
                std::string(kOutsideIp).c_str(), "-", s.outside_ok ? "" : "(namespace missing)");
  out += line;
  std::snprintf(line, sizeof line, "%-11s %-20s %-10s %-10s %s\n", "switch", l.switch_netns().c_str(), "-", "-",
                s.switch_ok ? "" : "(namespace missing)");
  out += line;
  out += "answer file: " + l.answer_file().string() + "\n";
  out += "topology:    " + l.topology_file().string() + "\n";
  out += "ssh config:  " + l.ssh_config().string() + "\n";
  out += "  e.g. stackwire lab exec controller -- ssh -F " + l.ssh_config().string() + " root@10.15.0.7 hostname\n";
  return out;
}

}  // namespace sw::lab
