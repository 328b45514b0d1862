#include "ovs/flow_dump.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdio>
#include <utility>

#include "ovs/json_fields.h"
#include "ovs/rundir.h"
#include "ovs/shim_call.h"
#include "ovs/snapshot.h"
#include "common/strings.h"
#include "ovs_shim.h"

namespace sw::ovs {
namespace {

struct Collector {
  std::vector<Flow> flows;
  std::optional<Error> error;
};

// Builds the Flow from what ofputil decoded: numbers from the decoded stats, the match from OVS's
// match text and each action from OVS's own formatting of that one action.
void collect_flow(void* ctx, const sw_ovs_flow* in) {
  auto* c = static_cast<Collector*>(ctx);
  if (c->error) return;
  Flow f;
  f.table = in->table_id;
  f.priority = in->priority;
  f.cookie = in->cookie;
  f.duration_sec = in->duration_sec;
  f.duration_nsec = in->duration_nsec;
  if (in->n_packets != UINT64_MAX) f.n_packets = in->n_packets;
  if (in->n_bytes != UINT64_MAX) f.n_bytes = in->n_bytes;
  f.idle_timeout = in->idle_timeout;
  f.hard_timeout = in->hard_timeout;
  f.importance = in->importance;
  if (in->idle_age >= 0) f.idle_age = in->idle_age;
  // ofputil_flow_stats_format() prints hard_age only when it differs from the duration.
  if (in->hard_age >= 0 && static_cast<std::uint32_t>(in->hard_age) != in->duration_sec) f.hard_age = in->hard_age;
  for (auto flag : split(trim(in->flags ? in->flags : ""), ' '))
    if (!flag.empty()) f.flags.emplace_back(flag);
  f.text = in->text;
  int priority = f.priority;
  auto match = parse_match(in->match ? in->match : "", &priority);
  if (!match) {
    c->error = std::move(match.error()).context("flow '" + f.text + "'");
    return;
  }
  f.match = std::move(*match);
  if (in->n_actions == 0) f.actions.push_back(parse_action("drop"));
  for (size_t i = 0; i < in->n_actions; ++i) f.actions.push_back(parse_action(in->actions[i]));
  c->flows.push_back(std::move(f));
}

// No one listens on <bridge>.mgmt: either ovs-vswitchd is down or there is no such bridge. The
// OVSDB server next to it, when it answers, tells which.
Error explain_missing_socket(const std::string& socket, const std::string& rundir, const std::string& bridge,
                             int err) {
  SnapshotOptions so;
  so.db = db_remote_for(rundir);
  so.timeout = std::chrono::milliseconds(2000);
  const auto snapshot = read_snapshot(so);
  if (snapshot && !snapshot->bridge(bridge)) {
    std::vector<std::string> names;
    for (const auto& b : snapshot->bridges) names.push_back(b.name);
    std::sort(names.begin(), names.end());
    std::string known;
    for (const auto& n : names) known += (known.empty() ? "" : ", ") + n;
    return Error::not_found("bridge '" + bridge + "': no such bridge in " + so.db +
                            (known.empty() ? " (it has none)" : " (it has " + known + ")"));
  }
  if (snapshot)
    return Error::os(socket + ": ovs-vswitchd is not running (" + errno_string(err) + ")", err);
  return Error::os(socket + ": ovs-vswitchd is not running or has no bridge '" + bridge + "' (" +
                           errno_string(err) + ")",
                       err);
}

// Runs of plain characters go in with one append: per-character appends dominated a 10,000-flow
// dump (a flow's text, match and actions are ~300 characters, nearly all plain).
void put_string(std::string& out, std::string_view s) {
  out += '"';
  std::size_t run = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\') continue;
    out.append(s.data() + run, i - run);
    run = i + 1;
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else {
      // OVS prints ASCII; anything else is written as its code point, so the JSON stays valid.
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", c);
      out += buf;
    }
  }
  out.append(s.data() + run, s.size() - run);
  out += '"';
}

template <class T>
void put_optional(std::string& out, const std::optional<T>& v) {
  if (v) out += std::to_string(*v);
  else out += "null";
}

void put_flow(std::string& out, const Flow& f) {
  char cookie[24];
  std::snprintf(cookie, sizeof cookie, "0x%llx", static_cast<unsigned long long>(f.cookie));
  out += "{\"table\":" + std::to_string(f.table) + ",\"priority\":" + std::to_string(f.priority) + ",\"cookie\":\"" +
         cookie + "\",\"duration_sec\":";
  put_optional(out, f.duration_sec);
  out += ",\"duration_nsec\":";
  put_optional(out, f.duration_nsec);
  out += ",\"n_packets\":";
  put_optional(out, f.n_packets);
  out += ",\"n_bytes\":";
  put_optional(out, f.n_bytes);
  out += ",\"idle_timeout\":" + std::to_string(f.idle_timeout) + ",\"hard_timeout\":" + std::to_string(f.hard_timeout) +
         ",\"importance\":" + std::to_string(f.importance) + ",\"idle_age\":";
  put_optional(out, f.idle_age);
  out += ",\"hard_age\":";
  put_optional(out, f.hard_age);
  out += ",\"flags\":[";
  for (size_t i = 0; i < f.flags.size(); ++i) {
    if (i) out += ',';
    put_string(out, f.flags[i]);
  }
  out += "],\"match\":[";
  for (size_t i = 0; i < f.match.size(); ++i) {
    if (i) out += ',';
    out += "{\"field\":";
    put_string(out, f.match[i].field);
    out += ",\"value\":";
    put_string(out, f.match[i].value);
    if (!f.match[i].mask.empty()) {
      out += ",\"mask\":";
      put_string(out, f.match[i].mask);
    }
    out += '}';
  }
  out += "],\"actions\":[";
  for (size_t i = 0; i < f.actions.size(); ++i) {
    if (i) out += ',';
    out += "{\"name\":";
    put_string(out, f.actions[i].name);
    out += ",\"argument\":";
    put_string(out, f.actions[i].argument);
    out += ",\"text\":";
    put_string(out, f.actions[i].text);
    out += '}';
  }
  out += "],\"text\":";
  put_string(out, f.text);
  out += '}';
}

}  // namespace

std::string flow_dump_json_text(const FlowDump& d) {
  std::string out = "{\n  \"bridge\": ";
  put_string(out, d.bridge);
  out += ",\n  \"socket\": ";
  put_string(out, d.socket);
  out += ",\n  \"openflow_version\": ";
  put_string(out, d.openflow_version);
  out += ",\n  \"table\": ";
  put_optional(out, d.table);
  out += ",\n  \"flows\": [";
  out.reserve(out.size() + d.flows.size() * 400);
  for (size_t i = 0; i < d.flows.size(); ++i) {
    out += i ? ",\n    " : "\n    ";
    put_flow(out, d.flows[i]);
  }
  out += d.flows.empty() ? "]\n}\n" : "\n  ]\n}\n";
  return out;
}

std::string openflow_version_name(int v) {
  switch (v) {
    case 0x01: return "OpenFlow10";
    case 0x02: return "OpenFlow11";
    case 0x03: return "OpenFlow12";
    case 0x04: return "OpenFlow13";
    case 0x05: return "OpenFlow14";
    case 0x06: return "OpenFlow15";
  }
  return "OpenFlow(0x" + std::to_string(v) + ")";
}

std::string FlowDump::text() const {
  std::string s;
  for (const auto& f : flows) {
    s += ' ';
    s += f.text;
    s += '\n';
  }
  return s;
}

namespace {

Error flow_dump_error(int rc, const sw_ovs_error& err, const FlowDump& header, const std::string& rundir, int ms) {
  if (rc == ENOENT || rc == ECONNREFUSED) return explain_missing_socket(header.socket, rundir, header.bridge, rc);
  if (rc == ETIMEDOUT) return Error::timeout(header.socket + ": ovs-vswitchd did not answer within " + std::to_string(ms) + " ms");
  return Error::os(err.message, rc);
}

}  // namespace

Result<StartedFlowDump> start_flow_dump(const FlowDumpOptions& o) {
  SW_TRY_VOID(check_bridge_name(o.bridge));
  if (o.table && (*o.table < 0 || *o.table > 254))
    return fail(Error::input("table " + std::to_string(*o.table) + ": OpenFlow tables are numbered 0 to 254"));
  if (o.openflow_version < kOpenFlow13 || o.openflow_version > kOpenFlow15)
    return fail(Error::input("OpenFlow version 0x" + std::to_string(o.openflow_version) +
                             ": flows are dumped at OpenFlow 1.3 to 1.5"));
  StartedFlowDump d;
  d.header_.bridge = o.bridge;
  d.rundir_ = o.rundir.empty() ? default_rundir() : o.rundir;
  d.header_.socket = mgmt_remote_for(d.rundir_, o.bridge);
  d.header_.openflow_version = openflow_version_name(o.openflow_version);
  d.header_.table = o.table;

  sw_ovs_error err{};
  detail::sync_ovs_log_level();
  const int ms = static_cast<int>(o.timeout.count());
  const int rc = sw_ovs_flow_dump_start(d.header_.socket.c_str(), o.openflow_version, o.table.value_or(-1), ms,
                                        &d.handle_, &err);
  if (rc != 0) return fail(flow_dump_error(rc, err, d.header_, d.rundir_, ms));
  return d;
}

StartedFlowDump::StartedFlowDump(StartedFlowDump&& other) noexcept
    : handle_(std::exchange(other.handle_, nullptr)),
      header_(std::move(other.header_)),
      rundir_(std::move(other.rundir_)) {}

StartedFlowDump& StartedFlowDump::operator=(StartedFlowDump&& other) noexcept {
  if (this != &other) {
    sw_ovs_flow_dump_abandon(std::exchange(handle_, std::exchange(other.handle_, nullptr)));
    header_ = std::move(other.header_);
    rundir_ = std::move(other.rundir_);
  }
  return *this;
}

StartedFlowDump::~StartedFlowDump() { sw_ovs_flow_dump_abandon(handle_); }

Result<FlowDump> StartedFlowDump::finish(std::chrono::milliseconds timeout) && {
  if (!handle_) return fail(Error::input(header_.socket + ": this flow dump was already finished"));
  Collector collector;
  const sw_ovs_flow_visitor visitor{&collector, collect_flow};
  sw_ovs_error err{};
  const int ms = static_cast<int>(timeout.count());
  const int rc = sw_ovs_flow_dump_finish(std::exchange(handle_, nullptr), ms, &visitor, &err);
  if (rc != 0) return fail(flow_dump_error(rc, err, header_, rundir_, ms));
  if (collector.error) return fail(std::move(*collector.error));
  FlowDump dump = std::move(header_);
  dump.flows = std::move(collector.flows);
  return dump;
}

Result<FlowDump> dump_flows(const FlowDumpOptions& o) {
  // One deadline over connecting, sending and every reply, as before the dump was split in two.
  const auto deadline = std::chrono::steady_clock::now() + o.timeout;
  auto started = SW_TRY(start_flow_dump(o));
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
  auto dump = std::move(started).finish(std::max(left, std::chrono::milliseconds(0)));
  if (!dump && dump.error().kind() == ErrorKind::timeout)
    return fail(Error::timeout(mgmt_remote_for(o.rundir.empty() ? default_rundir() : o.rundir, o.bridge) +
                               ": ovs-vswitchd did not answer within " + std::to_string(o.timeout.count()) + " ms"));
  return dump;
}

void to_json(nlohmann::json& j, const FlowDump& d) {
  j = nlohmann::json::object();
  j["bridge"] = d.bridge;
  j["socket"] = d.socket;
  j["openflow_version"] = d.openflow_version;
  detail::put(j, "table", d.table);
  j["flows"] = d.flows;
}

void from_json(const nlohmann::json& j, FlowDump& d) {
  using detail::get;
  d = FlowDump{};
  if (!j.is_object()) throw nlohmann::json::type_error::create(302, "a flow dump is a JSON object", &j);
  j.at("bridge").get_to(d.bridge);
  get(j, "socket", d.socket);
  get(j, "openflow_version", d.openflow_version);
  get(j, "table", d.table);
  get(j, "flows", d.flows);
}

nlohmann::json flow_dump_to_json(const FlowDump& d) { return d; }

Result<FlowDump> flow_dump_from_json(const nlohmann::json& j) {
  try {
    return j.get<FlowDump>();
  } catch (const nlohmann::json::exception& e) {
    return fail(Error::input(std::string("flow dump JSON: ") + e.what()));
  }
}

}  // namespace sw::ovs
