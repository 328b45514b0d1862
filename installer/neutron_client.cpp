#include "installer/neutron_client.h"

#include <algorithm>
#include <thread>

#include "common/log.h"
#include "installer/keystone_client.h"

namespace sw::installer {

using json = nlohmann::json;

namespace {

std::string project_of(const json& j) {
  std::string p = json_str(j, "project_id");
  return p.empty() ? json_str(j, "tenant_id") : p;
}

std::vector<std::string> str_list(const json& j, std::string_view key) {
  std::vector<std::string> out;
  if (auto it = j.find(key); it != j.end() && it->is_array())
    for (const auto& v : *it)
      if (v.is_string()) out.push_back(v.get<std::string>());
  return out;
}

std::vector<FixedIp> fixed_ips(const json& j, std::string_view key) {
  std::vector<FixedIp> out;
  if (auto it = j.find(key); it != j.end() && it->is_array())
    for (const auto& f : *it) out.push_back({json_str(f, "subnet_id"), json_str(f, "ip_address")});
  return out;
}

std::optional<int> opt_int(const json& j, std::string_view key) {
  if (auto v = json_int(j, key)) return static_cast<int>(*v);
  // Some releases return port ranges as strings.
  if (auto s = json_str(j, key); !s.empty() && std::all_of(s.begin(), s.end(), ::isdigit)) return std::stoi(s);
  return std::nullopt;
}

std::string ids_of(const auto& items) {
  std::string out;
  for (const auto& i : items) out += (out.empty() ? "" : ", ") + i.id;
  return out;
}

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string normal_protocol(const std::string& p) {
  std::string l = lower(p);
  if (l == "any") return "";
  if (l == "1") return "icmp";
  if (l == "6") return "tcp";
  if (l == "17") return "udp";
  if (l == "58" || l == "icmpv6" || l == "ipv6-icmp") return "ipv6-icmp";
  return l;
}

std::string normal_prefix(const std::string& p) { return p == "0.0.0.0/0" || p == "::/0" ? "" : p; }

std::string ms_text(std::chrono::milliseconds ms) {
  if (ms.count() % 1000 == 0) return std::to_string(ms.count() / 1000) + " s";
  return std::to_string(ms.count()) + " ms";
}

// Polls `probe` until it returns a value or the wait runs out; `probe` returns nullopt to go on.
template <class T>
Result<T> poll(const WaitOptions& wait, auto probe, auto on_timeout) {
  const auto deadline = std::chrono::steady_clock::now() + wait.timeout;
  for (;;) {
    std::optional<T> got = SW_TRY(probe());
    if (got) return std::move(*got);
    const auto now = std::chrono::steady_clock::now();
    if (now >= deadline) return fail(on_timeout());
    std::this_thread::sleep_for(std::min<std::chrono::steady_clock::duration>(wait.interval, deadline - now));
  }
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Decoders

Network decode_network(const json& j) {
  Network n;
  n.id = json_str(j, "id");
  n.name = json_str(j, "name");
  n.project_id = project_of(j);
  n.status = json_str(j, "status");
  n.admin_state_up = json_bool(j, "admin_state_up", true);
  n.shared = json_bool(j, "shared");
  n.external = json_bool(j, "router:external");
  n.network_type = json_str(j, "provider:network_type");
  n.physical_network = json_str(j, "provider:physical_network");
  n.segmentation_id = json_int(j, "provider:segmentation_id");
  // Multi-segment networks carry their segments instead of the provider attributes.
  if (n.network_type.empty())
    if (auto segs = j.find("segments"); segs != j.end() && segs->is_array() && !segs->empty()) {
      const json& s = segs->front();
      n.network_type = json_str(s, "provider:network_type");
      n.physical_network = json_str(s, "provider:physical_network");
      n.segmentation_id = json_int(s, "provider:segmentation_id");
    }
  if (auto m = json_int(j, "mtu")) n.mtu = static_cast<int>(*m);
  n.subnet_ids = str_list(j, "subnets");
  return n;
}

Subnet decode_subnet(const json& j) {
  Subnet s;
  s.id = json_str(j, "id");
  s.name = json_str(j, "name");
  s.network_id = json_str(j, "network_id");
  s.project_id = project_of(j);
  s.cidr = json_str(j, "cidr");
  s.ip_version = static_cast<int>(json_int(j, "ip_version").value_or(4));
  s.gateway_ip = json_str(j, "gateway_ip");
  s.enable_dhcp = json_bool(j, "enable_dhcp", true);
  if (auto it = j.find("allocation_pools"); it != j.end() && it->is_array())
    for (const auto& p : *it) s.allocation_pools.push_back({json_str(p, "start"), json_str(p, "end")});
  s.dns_nameservers = str_list(j, "dns_nameservers");
  return s;
}

Router decode_router(const json& j) {
  Router r;
  r.id = json_str(j, "id");
  r.name = json_str(j, "name");
  r.project_id = project_of(j);
  r.status = json_str(j, "status");
  r.admin_state_up = json_bool(j, "admin_state_up", true);
  r.distributed = json_bool(j, "distributed");
  r.ha = json_bool(j, "ha");
  if (auto g = j.find("external_gateway_info"); g != j.end() && g->is_object() && !json_str(*g, "network_id").empty())
    r.gateway = ExternalGateway{json_str(*g, "network_id"), json_bool(*g, "enable_snat", true),
                                fixed_ips(*g, "external_fixed_ips")};
  return r;
}

Port decode_port(const json& j) {
  Port p;
  p.id = json_str(j, "id");
  p.name = json_str(j, "name");
  p.network_id = json_str(j, "network_id");
  p.project_id = project_of(j);
  p.device_owner = json_str(j, "device_owner");
  p.device_id = json_str(j, "device_id");
  p.host_id = json_str(j, "binding:host_id");
  p.vif_type = json_str(j, "binding:vif_type");
  p.mac_address = json_str(j, "mac_address");
  p.status = json_str(j, "status");
  p.admin_state_up = json_bool(j, "admin_state_up", true);
  p.fixed_ips = fixed_ips(j, "fixed_ips");
  p.security_groups = str_list(j, "security_groups");
  return p;
}

FloatingIp decode_floating_ip(const json& j) {
  return {json_str(j, "id"),        json_str(j, "floating_network_id"), json_str(j, "floating_ip_address"),
          json_str(j, "fixed_ip_address"), json_str(j, "port_id"),      json_str(j, "router_id"),
          json_str(j, "status"),    project_of(j)};
}

SecurityGroupRule decode_security_group_rule(const json& j) {
  SecurityGroupRule r;
  r.id = json_str(j, "id");
  r.security_group_id = json_str(j, "security_group_id");
  r.direction = json_str(j, "direction");
  r.ethertype = json_str(j, "ethertype");
  r.protocol = json_str(j, "protocol");
  if (r.protocol.empty())
    if (auto n = json_int(j, "protocol")) r.protocol = std::to_string(*n);
  r.port_range_min = opt_int(j, "port_range_min");
  r.port_range_max = opt_int(j, "port_range_max");
  r.remote_ip_prefix = json_str(j, "remote_ip_prefix");
  r.remote_group_id = json_str(j, "remote_group_id");
  return r;
}

SecurityGroup decode_security_group(const json& j) {
  SecurityGroup g;
  g.id = json_str(j, "id");
  g.name = json_str(j, "name");
  g.project_id = project_of(j);
  if (auto it = j.find("security_group_rules"); it != j.end() && it->is_array())
    for (const auto& r : *it) g.rules.push_back(decode_security_group_rule(r));
  return g;
}

Agent decode_agent(const json& j) {
  Agent a;
  a.id = json_str(j, "id");
  a.agent_type = json_str(j, "agent_type");
  a.binary = json_str(j, "binary");
  a.host = json_str(j, "host");
  a.alive = json_bool(j, "alive");
  a.admin_state_up = json_bool(j, "admin_state_up", true);
  a.heartbeat_timestamp = json_str(j, "heartbeat_timestamp");
  return a;
}

bool rule_matches(const SecurityGroupRule& r, const SecurityGroupRuleSpec& s) {
  if (!r.remote_group_id.empty()) return false;
  if (lower(r.direction) != lower(s.direction) || lower(r.ethertype) != lower(s.ethertype)) return false;
  if (normal_protocol(r.protocol) != normal_protocol(s.protocol)) return false;
  if (normal_prefix(r.remote_ip_prefix) != normal_prefix(s.remote_ip_prefix)) return false;
  std::optional<int> smax = s.port_range_max ? s.port_range_max : s.port_range_min;
  return r.port_range_min == s.port_range_min && r.port_range_max == smax;
}

std::string encode_query(const NeutronClient::Query& q) {
  std::string out;
  for (const auto& [k, v] : q) out += (out.empty() ? "?" : "&") + url_encode(k) + "=" + url_encode(v);
  return out;
}

// ---------------------------------------------------------------------------------------------
// NeutronClient

NeutronClient::NeutronClient(HttpClient& http, std::string endpoint_url, std::string token)
    : session_(http, [&] {
        while (!endpoint_url.empty() && endpoint_url.back() == '/') endpoint_url.pop_back();
        if (!endpoint_url.ends_with("/v2.0")) endpoint_url += "/v2.0";
        return endpoint_url;
      }(), std::move(token)) {}

Result<NeutronClient> NeutronClient::from_keystone(const KeystoneClient& ks) {
  std::string url = SW_TRY(ks.endpoint("network"));
  return NeutronClient(ks.session().http(), url, ks.token().id);
}

template <class T>
Result<std::vector<T>> NeutronClient::list(std::string_view collection, const Query& query,
                                           T (*decode)(const json&)) const {
  json j = SW_TRY(session_.call("GET", "/" + std::string(collection) + encode_query(query)));
  std::string key(collection);
  std::replace(key.begin(), key.end(), '-', '_');
  std::vector<T> out;
  if (auto it = j.find(key); it != j.end() && it->is_array())
    for (const auto& item : *it) out.push_back(decode(item));
  return out;
}

Result<std::vector<Network>> NeutronClient::list_networks(const Query& q) const { return list("networks", q, decode_network); }
Result<std::vector<Subnet>> NeutronClient::list_subnets(const Query& q) const { return list("subnets", q, decode_subnet); }
Result<std::vector<Router>> NeutronClient::list_routers(const Query& q) const { return list("routers", q, decode_router); }
Result<std::vector<Port>> NeutronClient::list_ports(const Query& q) const { return list("ports", q, decode_port); }
Result<std::vector<FloatingIp>> NeutronClient::list_floating_ips(const Query& q) const {
  return list("floatingips", q, decode_floating_ip);
}
Result<std::vector<SecurityGroup>> NeutronClient::list_security_groups(const Query& q) const {
  return list("security-groups", q, decode_security_group);
}
Result<std::vector<SecurityGroupRule>> NeutronClient::list_security_group_rules(const Query& q) const {
  return list("security-group-rules", q, decode_security_group_rule);
}
Result<std::vector<Agent>> NeutronClient::list_agents(const Query& q) const { return list("agents", q, decode_agent); }

Result<std::vector<Agent>> NeutronClient::router_l3_agents(std::string_view router_id) const {
  json j = SW_TRY(session_.call("GET", "/routers/" + url_encode(router_id) + "/l3-agents"));
  std::vector<Agent> out;
  for (const auto& a : j.value("agents", json::array())) out.push_back(decode_agent(a));
  return out;
}

Result<std::vector<Agent>> NeutronClient::network_dhcp_agents(std::string_view network_id) const {
  json j = SW_TRY(session_.call("GET", "/networks/" + url_encode(network_id) + "/dhcp-agents"));
  std::vector<Agent> out;
  for (const auto& a : j.value("agents", json::array())) out.push_back(decode_agent(a));
  return out;
}

Result<Port> NeutronClient::get_port(std::string_view port_id) const {
  json j = SW_TRY(session_.call("GET", "/ports/" + url_encode(port_id)));
  return decode_port(j.value("port", json::object()));
}

Result<Network> NeutronClient::create_network(const NetworkSpec& s) const {
  json n = {{"name", s.name}, {"admin_state_up", true}};
  if (!s.project_id.empty()) n["project_id"] = s.project_id;
  if (s.external) n["router:external"] = true;
  if (s.shared) n["shared"] = true;
  if (!s.network_type.empty()) n["provider:network_type"] = s.network_type;
  if (!s.physical_network.empty()) n["provider:physical_network"] = s.physical_network;
  if (s.segmentation_id) n["provider:segmentation_id"] = *s.segmentation_id;
  json j = SW_TRY(session_.call("POST", "/networks", json{{"network", n}}));
  return decode_network(j.value("network", json::object()));
}

namespace {

json subnet_body(const SubnetSpec& s) {
  json b = {{"name", s.name}, {"network_id", s.network_id}, {"cidr", s.cidr}, {"ip_version", s.ip_version},
            {"enable_dhcp", s.enable_dhcp}};
  if (!s.project_id.empty()) b["project_id"] = s.project_id;
  if (s.gateway_ip) b["gateway_ip"] = s.gateway_ip->empty() ? json(nullptr) : json(*s.gateway_ip);
  if (!s.allocation_pools.empty()) {
    b["allocation_pools"] = json::array();
    for (const auto& p : s.allocation_pools) b["allocation_pools"].push_back({{"start", p.start}, {"end", p.end}});
  }
  if (!s.dns_nameservers.empty()) b["dns_nameservers"] = s.dns_nameservers;
  return b;
}

}  // namespace

Result<Subnet> NeutronClient::create_subnet(const SubnetSpec& s) const {
  json j = SW_TRY(session_.call("POST", "/subnets", json{{"subnet", subnet_body(s)}}));
  return decode_subnet(j.value("subnet", json::object()));
}

Result<Router> NeutronClient::create_router(const RouterSpec& s) const {
  json r = {{"name", s.name}, {"admin_state_up", true}};
  if (!s.project_id.empty()) r["project_id"] = s.project_id;
  if (!s.gateway_network_id.empty()) r["external_gateway_info"] = {{"network_id", s.gateway_network_id}};
  json j = SW_TRY(session_.call("POST", "/routers", json{{"router", r}}));
  return decode_router(j.value("router", json::object()));
}

Result<Router> NeutronClient::set_router_gateway(std::string_view router_id, std::string_view network_id) const {
  json body = {{"router", {{"external_gateway_info", {{"network_id", network_id}}}}}};
  json j = SW_TRY(session_.call("PUT", "/routers/" + url_encode(router_id), body));
  return decode_router(j.value("router", json::object()));
}

Result<std::string> NeutronClient::add_router_interface(std::string_view router_id, std::string_view subnet_id) const {
  json j = SW_TRY(session_.call("PUT", "/routers/" + url_encode(router_id) + "/add_router_interface",
                                json{{"subnet_id", subnet_id}}));
  return json_str(j, "port_id");
}

Result<Port> NeutronClient::create_port(const PortSpec& s) const {
  json p = {{"name", s.name}, {"network_id", s.network_id}, {"admin_state_up", true}};
  if (!s.project_id.empty()) p["project_id"] = s.project_id;
  if (!s.device_owner.empty()) p["device_owner"] = s.device_owner;
  if (!s.device_id.empty()) p["device_id"] = s.device_id;
  if (!s.host_id.empty()) p["binding:host_id"] = s.host_id;
  if (!s.ip_address.empty()) p["fixed_ips"] = json::array({{{"ip_address", s.ip_address}}});
  json j = SW_TRY(session_.call("POST", "/ports", json{{"port", p}}));
  return decode_port(j.value("port", json::object()));
}

Result<Port> NeutronClient::set_port_host(std::string_view port_id, std::string_view host) const {
  json j = SW_TRY(session_.call("PUT", "/ports/" + url_encode(port_id), json{{"port", {{"binding:host_id", host}}}}));
  return decode_port(j.value("port", json::object()));
}

Result<FloatingIp> NeutronClient::create_floating_ip(const FloatingIpSpec& s) const {
  json f = {{"floating_network_id", s.floating_network_id}};
  if (!s.floating_ip_address.empty()) f["floating_ip_address"] = s.floating_ip_address;
  if (!s.port_id.empty()) f["port_id"] = s.port_id;
  if (!s.project_id.empty()) f["project_id"] = s.project_id;
  json j = SW_TRY(session_.call("POST", "/floatingips", json{{"floatingip", f}}));
  return decode_floating_ip(j.value("floatingip", json::object()));
}

Result<FloatingIp> NeutronClient::associate_floating_ip(std::string_view id, std::string_view port_id) const {
  json j = SW_TRY(session_.call("PUT", "/floatingips/" + url_encode(id), json{{"floatingip", {{"port_id", port_id}}}}));
  return decode_floating_ip(j.value("floatingip", json::object()));
}

Result<Ensured<SecurityGroupRule>> NeutronClient::create_security_group_rule(std::string_view group_id,
                                                                             const SecurityGroupRuleSpec& s) const {
  json r = {{"security_group_id", group_id}, {"direction", s.direction}, {"ethertype", s.ethertype}};
  if (!s.protocol.empty()) r["protocol"] = s.protocol;
  if (s.port_range_min) r["port_range_min"] = *s.port_range_min;
  if (s.port_range_max || s.port_range_min) r["port_range_max"] = s.port_range_max ? *s.port_range_max : *s.port_range_min;
  if (!s.remote_ip_prefix.empty()) r["remote_ip_prefix"] = s.remote_ip_prefix;
  const HttpRequest req = session_.request("POST", "/security-group-rules", json{{"security_group_rule", r}});
  HttpResponse resp = SW_TRY(session_.http().send(req));
  SecurityGroupRule rule;
  rule.security_group_id = std::string(group_id);
  rule.direction = s.direction;
  rule.ethertype = s.ethertype;
  rule.protocol = s.protocol;
  rule.port_range_min = s.port_range_min;
  rule.port_range_max = s.port_range_max ? s.port_range_max : s.port_range_min;
  rule.remote_ip_prefix = s.remote_ip_prefix;
  if (resp.status == 409) {
    // "Security group rule already exists. Rule id is <uuid>."
    if (api_error_type(resp.body) != "SecurityGroupRuleExists" &&
        api_error_message(resp.body).find("already exists") == std::string::npos)
      return fail(api_error(req, resp));
    const std::string msg = api_error_message(resp.body);
    if (auto at = msg.find("Rule id is "); at != std::string::npos) {
      rule.id = msg.substr(at + 11);
      while (!rule.id.empty() && (rule.id.back() == '.' || rule.id.back() == ' ')) rule.id.pop_back();
    }
    return Ensured<SecurityGroupRule>{rule, Action::reused};
  }
  if (resp.status < 200 || resp.status > 299) return fail(api_error(req, resp));
  json j = json::parse(resp.body, nullptr, false);
  if (j.is_discarded() || !j.contains("security_group_rule"))
    return fail(Error::os(req.describe() + ": response has no security_group_rule"));
  return Ensured<SecurityGroupRule>{decode_security_group_rule(j["security_group_rule"]), Action::created};
}

// ---------------------------------------------------------------------------------------------
// ensure_*

Result<Ensured<Network>> NeutronClient::ensure_network(const NetworkSpec& s) const {
  Query q = {{"name", s.name}};
  if (!s.project_id.empty()) q.emplace_back("project_id", s.project_id);
  std::vector<Network> found = SW_TRY(list_networks(q));
  std::erase_if(found, [&](const Network& n) { return n.name != s.name; });
  const std::string what = "network '" + s.name + "'";
  if (found.size() > 1)
    return fail(Error::failed(what + ": " + std::to_string(found.size()) + " networks have this name in the project (" +
                              ids_of(found) + "); delete the extra ones"));
  if (found.empty()) return Ensured<Network>{SW_TRY(create_network(s)), Action::created};
  Network n = found.front();
  const std::string here = what + " (" + n.id + ") exists but ";
  if (n.external != s.external)
    return fail(Error::failed(here + "router:external is " + (n.external ? "true" : "false") + ", wanted " +
                              (s.external ? "true" : "false")));
  if (!s.network_type.empty() && !n.network_type.empty() && n.network_type != s.network_type)
    return fail(Error::failed(here + "its provider:network_type is '" + n.network_type + "', wanted '" +
                              s.network_type + "' (Neutron cannot change it: delete the network)"));
  if (!s.physical_network.empty() && !n.physical_network.empty() && n.physical_network != s.physical_network)
    return fail(Error::failed(here + "its provider:physical_network is '" + n.physical_network + "', wanted '" +
                              s.physical_network + "' (Neutron cannot change it: delete the network)"));
  if (n.shared != s.shared) {
    json j = SW_TRY(session_.call("PUT", "/networks/" + url_encode(n.id), json{{"network", {{"shared", s.shared}}}}));
    return Ensured<Network>{decode_network(j.value("network", json::object())), Action::updated};
  }
  return Ensured<Network>{n, Action::reused};
}

Result<Ensured<Subnet>> NeutronClient::ensure_subnet(const SubnetSpec& s) const {
  std::vector<Subnet> found = SW_TRY(list_subnets({{"name", s.name}, {"network_id", s.network_id}}));
  std::erase_if(found, [&](const Subnet& x) { return x.name != s.name; });
  const std::string what = "subnet '" + s.name + "'";
  if (found.size() > 1)
    return fail(Error::failed(what + ": " + std::to_string(found.size()) + " subnets have this name on network " +
                              s.network_id + " (" + ids_of(found) + "); delete the extra ones"));
  if (found.empty()) return Ensured<Subnet>{SW_TRY(create_subnet(s)), Action::created};
  const Subnet& x = found.front();
  if (x.cidr != s.cidr)
    return fail(Error::failed(what + " (" + x.id + ") exists with cidr " + x.cidr + ", wanted " + s.cidr +
                              " (Neutron cannot change it: delete the subnet)"));
  json change = json::object();
  if (x.enable_dhcp != s.enable_dhcp) change["enable_dhcp"] = s.enable_dhcp;
  if (s.gateway_ip && *s.gateway_ip != x.gateway_ip)
    change["gateway_ip"] = s.gateway_ip->empty() ? json(nullptr) : json(*s.gateway_ip);
  if (x.dns_nameservers != s.dns_nameservers) change["dns_nameservers"] = s.dns_nameservers;
  if (!s.allocation_pools.empty() && x.allocation_pools != s.allocation_pools) {
    change["allocation_pools"] = json::array();
    for (const auto& p : s.allocation_pools) change["allocation_pools"].push_back({{"start", p.start}, {"end", p.end}});
  }
  if (change.empty()) return Ensured<Subnet>{x, Action::reused};
  json j = SW_TRY(session_.call("PUT", "/subnets/" + url_encode(x.id), json{{"subnet", change}}));
  return Ensured<Subnet>{decode_subnet(j.value("subnet", json::object())), Action::updated};
}

Result<Ensured<Router>> NeutronClient::ensure_router(const RouterSpec& s) const {
  Query q = {{"name", s.name}};
  if (!s.project_id.empty()) q.emplace_back("project_id", s.project_id);
  std::vector<Router> found = SW_TRY(list_routers(q));
  std::erase_if(found, [&](const Router& r) { return r.name != s.name; });
  if (found.size() > 1)
    return fail(Error::failed("router '" + s.name + "': " + std::to_string(found.size()) +
                              " routers have this name in the project (" + ids_of(found) + "); delete the extra ones"));
  if (found.empty()) return Ensured<Router>{SW_TRY(create_router(s)), Action::created};
  const Router& r = found.front();
  if (!s.gateway_network_id.empty() && (!r.gateway || r.gateway->network_id != s.gateway_network_id))
    return Ensured<Router>{SW_TRY(set_router_gateway(r.id, s.gateway_network_id)), Action::updated};
  return Ensured<Router>{r, Action::reused};
}

Result<Ensured<std::string>> NeutronClient::ensure_router_interface(std::string_view router_id,
                                                                    std::string_view subnet_id) const {
  std::vector<Port> ports = SW_TRY(list_ports({{"device_id", std::string(router_id)}}));
  for (const auto& p : ports) {
    if (p.device_owner == "network:router_gateway") continue;
    for (const auto& f : p.fixed_ips)
      if (f.subnet_id == subnet_id) return Ensured<std::string>{p.id, Action::reused};
  }
  return Ensured<std::string>{SW_TRY(add_router_interface(router_id, subnet_id)), Action::created};
}

Result<Ensured<Port>> NeutronClient::ensure_port(const PortSpec& s) const {
  Query q = {{"name", s.name}, {"network_id", s.network_id}};
  if (!s.project_id.empty()) q.emplace_back("project_id", s.project_id);
  std::vector<Port> found = SW_TRY(list_ports(q));
  std::erase_if(found, [&](const Port& p) { return p.name != s.name; });
  const std::string what = "port '" + s.name + "'";
  if (found.size() > 1)
    return fail(Error::failed(what + ": " + std::to_string(found.size()) + " ports have this name on network " +
                              s.network_id + " (" + ids_of(found) + "); delete the extra ones"));
  if (found.empty()) return Ensured<Port>{SW_TRY(create_port(s)), Action::created};
  const Port& p = found.front();
  if (!s.ip_address.empty() &&
      std::none_of(p.fixed_ips.begin(), p.fixed_ips.end(), [&](const FixedIp& f) { return f.ip_address == s.ip_address; })) {
    std::string has;
    for (const auto& f : p.fixed_ips) has += (has.empty() ? "" : ", ") + f.ip_address;
    return fail(Error::failed(what + " (" + p.id + ") exists with address " + (has.empty() ? "none" : has) +
                              ", wanted " + s.ip_address + " (delete the port to re-create it)"));
  }
  if (!s.host_id.empty() && p.host_id != s.host_id)
    return Ensured<Port>{SW_TRY(set_port_host(p.id, s.host_id)), Action::updated};
  return Ensured<Port>{p, Action::reused};
}

Result<Ensured<FloatingIp>> NeutronClient::ensure_floating_ip(const FloatingIpSpec& s) const {
  std::vector<FloatingIp> found;
  if (!s.floating_ip_address.empty()) {
    found = SW_TRY(list_floating_ips({{"floating_ip_address", s.floating_ip_address}}));
    std::erase_if(found, [&](const FloatingIp& f) { return f.floating_ip_address != s.floating_ip_address; });
  } else if (!s.port_id.empty()) {
    found = SW_TRY(list_floating_ips({{"port_id", s.port_id}}));
    std::erase_if(found, [&](const FloatingIp& f) { return f.port_id != s.port_id; });
  }
  if (found.empty()) return Ensured<FloatingIp>{SW_TRY(create_floating_ip(s)), Action::created};
  const FloatingIp& f = found.front();
  const std::string what = "floating IP " + f.floating_ip_address + " (" + f.id + ")";
  if (f.floating_network_id != s.floating_network_id)
    return fail(Error::failed(what + " is on network " + f.floating_network_id + ", wanted " + s.floating_network_id));
  if (f.port_id == s.port_id) return Ensured<FloatingIp>{f, Action::reused};
  if (f.port_id.empty()) return Ensured<FloatingIp>{SW_TRY(associate_floating_ip(f.id, s.port_id)), Action::updated};
  return fail(Error::failed(what + " is associated with port " + f.port_id + " (fixed " + f.fixed_ip_address +
                            "), not port " + (s.port_id.empty() ? std::string("none") : s.port_id) +
                            "; disassociate it first"));
}

Result<SecurityGroup> NeutronClient::find_security_group(std::string_view name, std::string_view project_id) const {
  Query q = {{"name", std::string(name)}};
  if (!project_id.empty()) q.emplace_back("project_id", std::string(project_id));
  std::vector<SecurityGroup> found = SW_TRY(list_security_groups(q));
  for (const auto& g : found)
    if (g.name == name && (project_id.empty() || g.project_id == project_id)) return g;
  return fail(Error::not_found("security group '" + std::string(name) + "'" +
                               (project_id.empty() ? "" : " of project " + std::string(project_id)) +
                               " does not exist"));
}

Result<Ensured<SecurityGroupRule>> NeutronClient::ensure_security_group_rule(std::string_view group_id,
                                                                             const SecurityGroupRuleSpec& s) const {
  std::vector<SecurityGroupRule> rules = SW_TRY(list_security_group_rules({{"security_group_id", std::string(group_id)}}));
  for (const auto& r : rules)
    if (r.security_group_id == group_id && rule_matches(r, s)) return Ensured<SecurityGroupRule>{r, Action::reused};
  return create_security_group_rule(group_id, s);
}

// ---------------------------------------------------------------------------------------------
// Waits

Result<Port> NeutronClient::wait_port_status(std::string_view port_id, std::string_view status,
                                             const WaitOptions& wait) const {
  Port last;
  return poll<Port>(
      wait,
      [&]() -> Result<std::optional<Port>> {
        last = SW_TRY(get_port(port_id));
        if (last.status == status) return std::optional<Port>(last);
        if (last.vif_type == "binding_failed")
          return fail(Error::failed("port " + std::string(port_id) + " ('" + last.name + "'): binding failed on host '" +
                                    last.host_id + "' (is neutron-openvswitch-agent alive there, with host = " +
                                    last.host_id + " in its neutron.conf?)"));
        return std::optional<Port>();
      },
      [&] {
        return Error::timeout("port " + std::string(port_id) + " ('" + last.name + "') on host '" + last.host_id +
                              "' is still " + (last.status.empty() ? "?" : last.status) + ", not " +
                              std::string(status) + ", after " + ms_text(wait.timeout) + " (binding:vif_type " +
                              (last.vif_type.empty() ? "?" : last.vif_type) + ")");
      });
}

Result<std::vector<Agent>> NeutronClient::wait_agents_alive(const std::vector<AgentKey>& expected,
                                                            const WaitOptions& wait) const {
  std::vector<std::string> missing;
  return poll<std::vector<Agent>>(
      wait,
      [&]() -> Result<std::optional<std::vector<Agent>>> {
        std::vector<Agent> agents = SW_TRY(list_agents());
        missing.clear();
        for (const auto& k : expected) {
          auto it = std::find_if(agents.begin(), agents.end(),
                                 [&](const Agent& a) { return a.binary == k.binary && a.host == k.host; });
          if (it == agents.end())
            missing.push_back(k.binary + " on " + k.host + ": not registered");
          else if (!it->alive)
            missing.push_back(k.binary + " on " + k.host + ": not alive (last heartbeat " +
                              (it->heartbeat_timestamp.empty() ? "never" : it->heartbeat_timestamp) + ")");
        }
        if (missing.empty()) return std::optional<std::vector<Agent>>(std::move(agents));
        return std::optional<std::vector<Agent>>();
      },
      [&] {
        std::string list;
        for (const auto& m : missing) list += (list.empty() ? "" : "; ") + m;
        return Error::timeout("Neutron agents not alive after " + ms_text(wait.timeout) + ": " + list);
      });
}

}  // namespace sw::installer
