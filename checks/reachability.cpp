#include "checks/reachability.h"

#include <future>
#include <map>
#include <tuple>

#include <nlohmann/json.hpp>

#include "netprobe/icmp_probe.h"
#include "netprobe/netns.h"
#include "netprobe/tcp_probe.h"

namespace sw::checks {
namespace {

std::string ms_text(double ms) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f ms", ms);
  return buf;
}

Result<UniqueFd> open_ns(const std::string& name) {
  if (name.empty()) return netprobe::open_current_netns();
  auto ref = SW_TRY(netprobe::NetnsRef::name(name));
  return netprobe::open_netns(ref);
}

/// One ping run for every ICMP probe sharing a namespace, size and don't-fragment setting.
std::vector<ProbeResult> run_icmp_group(const std::vector<const ProbeRequest*>& group, std::chrono::milliseconds timeout) {
  std::vector<ProbeResult> out;
  for (const auto* p : group) out.push_back({*p, false, "", ""});
  const auto fail_all = [&](const std::string& why) {
    for (auto& r : out) r.error = why;
    return out;
  };
  auto fd = open_ns(group.front()->netns);
  if (!fd) return fail_all(fd.error().message());
  std::vector<netprobe::IpAddress> targets;
  for (const auto* p : group) {
    auto ip = netprobe::IpAddress::parse(p->target);
    if (!ip) return fail_all(ip.error().message());
    targets.push_back(*ip);
  }
  netprobe::PingOptions o;
  o.count = 3;
  o.interval = std::chrono::milliseconds(100);
  o.timeout = timeout;
  o.size = static_cast<std::size_t>(group.front()->size);
  o.dont_fragment = group.front()->dont_fragment;
  auto rep = netprobe::ping(fd->get(), targets, o);
  if (!rep) return fail_all(rep.error().message());
  for (std::size_t i = 0; i < out.size() && i < rep->targets.size(); ++i) {
    const auto& t = rep->targets[i];
    out[i].ok = t.status == netprobe::PingStatus::answered;
    if (out[i].ok)
      out[i].seen = std::to_string(t.received) + "/" + std::to_string(t.scheduled) + " answered, rtt " +
                    ms_text(t.rtt_avg_ms.value_or(0));
    else
      out[i].seen = std::string(netprobe::to_string(t.status)) + (t.detail.empty() ? "" : " (" + t.detail + ")") +
                    " after " + std::to_string(timeout.count()) + " ms";
  }
  return out;
}

ProbeResult run_tcp(const ProbeRequest& p, std::chrono::milliseconds timeout) {
  ProbeResult r{p, false, "", ""};
  auto fd = open_ns(p.netns);
  if (!fd) {
    r.error = fd.error().message();
    return r;
  }
  auto ip = netprobe::IpAddress::parse(p.target);
  if (!ip) {
    r.error = ip.error().message();
    return r;
  }
  netprobe::Endpoint ep;
  ep.host = *ip;
  ep.port = static_cast<std::uint16_t>(p.port);
  auto res = netprobe::tcp_probe(fd->get(), ep, timeout);
  if (!res) {
    r.error = res.error().message();
    return r;
  }
  // Only a completed handshake proves the service is reachable: a refusal may come from the router
  // itself (a floating IP without its DNAT is a local address of the qrouter namespace).
  r.ok = res->status == netprobe::TcpStatus::open;
  r.seen = std::string(netprobe::to_string(res->status)) + " in " + ms_text(res->elapsed_ms) +
           (res->status == netprobe::TcpStatus::refused
                ? " (an RST came back: nothing listens on the port, or the router answered in the instance's place)"
                : "");
  return r;
}

}  // namespace

std::vector<ProbeResult> run_probes(const std::vector<ProbeRequest>& probes, std::chrono::milliseconds timeout) {
  std::map<std::tuple<std::string, int, bool>, std::vector<const ProbeRequest*>> icmp;
  std::vector<std::future<std::vector<ProbeResult>>> jobs;
  std::vector<ProbeResult> out;
  for (const auto& p : probes) {
    if (p.kind == "icmp")
      icmp[{p.netns, p.size, p.dont_fragment}].push_back(&p);
    else if (p.kind == "tcp")
      jobs.push_back(std::async(std::launch::async, [&p, timeout] { return std::vector{run_tcp(p, timeout)}; }));
    else
      out.push_back({p, false, "", "unknown probe kind '" + p.kind + "'"});
  }
  for (const auto& [key, group] : icmp)
    jobs.push_back(std::async(std::launch::async, [g = group, timeout] { return run_icmp_group(g, timeout); }));
  for (auto& j : jobs)
    for (auto& r : j.get()) out.push_back(std::move(r));
  // In the order asked.
  std::vector<ProbeResult> ordered;
  for (const auto& p : probes)
    for (auto& r : out)
      if (r.request == p) {
        ordered.push_back(std::move(r));
        r.request.id.clear();
        break;
      }
  return ordered;
}

void to_json(nlohmann::json& j, const ProbeRequest& p) {
  j = nlohmann::json{{"id", p.id},         {"object", p.object}, {"host", p.host},
                     {"netns", p.netns},   {"kind", p.kind},     {"target", p.target},
                     {"port", p.port},     {"size", p.size},     {"dont_fragment", p.dont_fragment}};
}
void from_json(const nlohmann::json& j, ProbeRequest& p) {
  p.id = j.at("id").get<std::string>();
  p.object = j.value("object", "");
  p.host = j.value("host", "");
  p.netns = j.value("netns", "");
  p.kind = j.at("kind").get<std::string>();
  p.target = j.at("target").get<std::string>();
  p.port = j.value("port", 0);
  p.size = j.value("size", 56);
  p.dont_fragment = j.value("dont_fragment", false);
}
void to_json(nlohmann::json& j, const ProbeResult& p) {
  j = nlohmann::json{{"request", p.request}, {"ok", p.ok}, {"seen", p.seen}, {"error", p.error}};
}
void from_json(const nlohmann::json& j, ProbeResult& p) {
  p.request = j.at("request").get<ProbeRequest>();
  p.ok = j.at("ok").get<bool>();
  p.seen = j.value("seen", "");
  p.error = j.value("error", "");
}

}  // namespace sw::checks
