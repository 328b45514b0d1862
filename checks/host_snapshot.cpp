#include "checks/host_snapshot.h"

#include <sys/utsname.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cerrno>
#include <condition_variable>
#include <filesystem>
#include <future>
#include <limits>
#include <map>
#include <mutex>
#include <stdexcept>
#include <thread>

#include <nlohmann/json.hpp>

#include "checks/processes.h"
#include "netprobe/json_text.h"
#include "netprobe/nat.h"
#include "netprobe/netns.h"
#include "ovs/rundir.h"

namespace sw::checks {
namespace {

using nlohmann::json;

std::string hostname() {
  struct utsname u {};
  if (::uname(&u) != 0) return {};
  return u.nodename;
}

std::int64_t now_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

bool vanished(const Error& e) { return e.kind() == ErrorKind::not_found || e.sys_errno() == ENOENT; }

// read_nat() reads the calling thread's namespace: enter ns_fd on this thread for the call only.
// Leaving is the guard's destructor, which aborts rather than carry on in the wrong namespace.
Result<netprobe::NatView> read_nat_in(int ns_fd) {
  auto guard = SW_TRY(netprobe::NetnsGuard::enter(ns_fd));
  return netprobe::read_nat();
}

NamespaceView read_root() {
  NamespaceView v;
  auto net = netprobe::inspect(-1, "");
  if (!net) {
    v.error = net.error().message();
    if (auto fd = netprobe::open_current_netns())
      if (auto id = netprobe::netns_id(fd->get())) v.net.inode = id->inode;
    return v;
  }
  v.net = std::move(*net);
  auto nat = netprobe::read_nat();
  if (nat) v.nat = std::move(*nat);
  else v.error = "NAT: " + nat.error().message();
  return v;
}

NamespaceView read_named(const netprobe::NetnsEntry& entry) {
  NamespaceView v;
  v.net.name = entry.name;
  v.net.inode = entry.inode;
  auto ref = netprobe::NetnsRef::name(entry.name);
  if (!ref) {
    v.error = ref.error().message();
    return v;
  }
  auto fd = netprobe::open_netns(*ref);
  if (!fd) {
    // Gone (ENOENT), or caught between `ip netns del`'s umount and unlink: a plain file where a
    // namespace was mounted when /run/netns was listed.
    const bool gone = vanished(fd.error()) || (entry.inode != 0 && fd.error().kind() == ErrorKind::input);
    v.error = gone ? "namespace " + entry.name + " vanished while being read" : fd.error().message();
    return v;
  }
  // From here the open fd keeps the namespace alive, even if its name is deleted meanwhile.
  auto net = netprobe::inspect(fd->get(), entry.name);
  if (!net) {
    v.error = net.error().message();
    if (auto id = netprobe::netns_id(fd->get())) v.net.inode = id->inode;
    return v;
  }
  v.net = std::move(*net);
  auto nat = read_nat_in(fd->get());
  if (nat) v.nat = std::move(*nat);
  else v.error = "NAT: " + nat.error().message();
  return v;
}

// The bridges whose ovs-vswitchd management socket is in `rundir` (<bridge>.mgmt), sorted.
std::vector<std::string> bridges_with_mgmt_socket(const std::string& rundir) {
  std::vector<std::string> out;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(rundir, ec)) {
    const std::string name = e.path().filename().string();
    constexpr std::string_view kSuffix = ".mgmt";
    if (name.size() <= kSuffix.size() || !name.ends_with(kSuffix) || !e.is_socket(ec)) continue;
    out.push_back(name.substr(0, name.size() - kSuffix.size()));
  }
  std::sort(out.begin(), out.end());
  return out;
}

// OVSDB and each bridge's flows, all from this thread: libopenvswitch's state is global and the
// shim binds it to the first thread that calls it (ovs/shim/ovs_shim.h). But the two servers
// work at once: every bridge with a management socket is asked for its flows first, so
// ovs-vswitchd builds the replies while ovsdb-server sends the database and this thread decodes
// it (on a node of 3,000 ports and 5,000 flows, either server needs a third of a second). The
// flows are then received for each bridge OVSDB has, in OVSDB's order; a bridge that was not
// asked early is dumped then, and a socket whose bridge OVSDB does not have is closed unread.
//
// Asking early is bounded apart, by one short deadline for all bridges: ovs-vswitchd serves no
// OpenFlow at all while it has lost its database (vswitchd/bridge.c: bridge_run() returns before
// running the bridges when it does not hold the OVSDB lock), and a dead ovsdb-server must cost
// what it cost before, OVSDB's own quick error, not a handshake timeout per bridge first. Once one
// switch does not answer in time, no other bridge is asked early.
constexpr std::chrono::milliseconds kEarlyFlowRequestBudget{1000};

void read_ovs(const HostSnapshotOptions& options, HostSnapshot& s) {
  ovs::FlowDumpOptions fo;
  fo.rundir = options.ovs_rundir;
  fo.openflow_version = ovs::kOpenFlow13;
  std::map<std::string, ovs::StartedFlowDump, std::less<>> started;
  if (options.flows) {
    using Clock = std::chrono::steady_clock;
    const auto deadline = Clock::now() + std::min(options.timeout, kEarlyFlowRequestBudget);
    for (auto& bridge : bridges_with_mgmt_socket(options.ovs_rundir.empty() ? ovs::default_rundir() : options.ovs_rundir)) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
      if (left <= std::chrono::milliseconds(0)) break;
      fo.bridge = bridge;
      fo.timeout = left;
      auto d = ovs::start_flow_dump(fo);
      if (d) started.emplace(std::move(bridge), std::move(*d));
      else if (d.error().kind() == ErrorKind::timeout) break;
      // Any other error (no such socket any more, refused) is met again below, with its message.
    }
  }
  fo.timeout = options.timeout;
  ovs::SnapshotOptions so;
  so.db = options.ovs_db;
  so.timeout = options.timeout;
  auto snap = ovs::read_snapshot(so);
  if (!snap) {
    s.ovs_error = snap.error().message();
    return;
  }
  s.ovs = std::move(*snap);
  if (!options.flows) return;
  for (const auto& bridge : s.ovs->bridges) {
    BridgeFlows f;
    f.bridge = bridge.name;
    Result<ovs::FlowDump> dump = fail(Error::failed("not read"));
    if (const auto it = started.find(bridge.name); it != started.end()) {
      dump = std::move(it->second).finish(options.timeout);
      started.erase(it);
    } else {
      fo.bridge = bridge.name;
      dump = ovs::dump_flows(fo);
    }
    if (dump) f.dump = std::move(*dump);
    else f.error = dump.error().message();
    s.flows.push_back(std::move(f));
  }
}

using Processes = Result<ProcessesByNetns>;

void attach_processes(const Processes& processes, NamespaceView& v) {
  if (!processes) {
    v.error += (v.error.empty() ? "" : "; ") + ("processes: " + processes.error().message());
    return;
  }
  const auto it = processes->find(v.net.inode);
  if (v.net.inode != 0 && it != processes->end()) v.processes = it->second;
}

// At most this many threads read named namespaces; more than the cores only adds switching.
constexpr unsigned kMaxReaders = 4;

// Reads every named namespace on its own threads, while the caller's thread does the rest: each
// thread enters a namespace with setns, which moves that thread only, and the kernel answers the
// dumps of two namespaces at once. OVS stays on the caller's thread (libopenvswitch is bound to the
// first thread that calls it). `done(i, view)` runs on the reading thread, once per entry, with
// the processes attached; `processes` is waited for first (the caller scans /proc meanwhile).
class NamespaceReaders {
 public:
  using Done = std::function<void(std::size_t, NamespaceView)>;

  NamespaceReaders(const std::vector<netprobe::NetnsEntry>& entries, std::shared_future<Processes> processes, Done done)
      : entries_(entries), processes_(std::move(processes)), done_(std::move(done)) {
    const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
    const auto n = std::min<std::size_t>({entries.size(), cores, kMaxReaders});
    for (std::size_t t = 0; t < n; ++t) threads_.emplace_back([this] { run(); });
  }
  NamespaceReaders(const NamespaceReaders&) = delete;
  NamespaceReaders& operator=(const NamespaceReaders&) = delete;
  ~NamespaceReaders() { join(); }

  void join() {
    for (auto& t : threads_)
      if (t.joinable()) t.join();
  }

 private:
  void run() {
    for (std::size_t i; (i = next_.fetch_add(1)) < entries_.size();) {
      NamespaceView v = read_named(entries_[i]);
      attach_processes(processes_.get(), v);
      done_(i, std::move(v));
    }
  }

  const std::vector<netprobe::NetnsEntry>& entries_;
  std::shared_future<Processes> processes_;
  Done done_;
  std::atomic<std::size_t> next_{0};
  std::vector<std::thread> threads_;
};

std::vector<netprobe::NetnsEntry> sorted(std::vector<netprobe::NetnsEntry> entries) {
  std::sort(entries.begin(), entries.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
  return entries;
}

// ---- JSON ---------------------------------------------------------------------------------------

// A malformed document; caught at parse_host_snapshot and turned into an input Error.
class Malformed : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// nlohmann's messages start with "[json.exception.type_error.302] ": keep what follows.
std::string plain(std::string_view what) {
  std::string out;
  for (;;) {
    const auto at = what.find("[json.exception.");
    if (at == std::string_view::npos) break;
    const auto close = what.find("] ", at);
    if (close == std::string_view::npos) break;
    out += what.substr(0, at);
    what.remove_prefix(close + 2);
  }
  out += what;
  return out;
}

std::string path(const std::string& where, std::string_view key) {
  return where.empty() ? std::string(key) : where + "." + std::string(key);
}

std::string path(const std::string& where, std::size_t index) { return where + "[" + std::to_string(index) + "]"; }

void need_object(const json& j, const std::string& where) {
  if (!j.is_object()) throw Malformed((where.empty() ? "" : where + ": ") + "expected an object, got " + j.type_name());
}

void need_array(const json& j, const std::string& where) {
  if (!j.is_array()) throw Malformed(where + ": expected an array, got " + j.type_name());
}

const json& member(const json& obj, const char* key, const std::string& where) {
  need_object(obj, where.empty() ? "snapshot" : where);
  const auto it = obj.find(key);
  if (it == obj.end()) throw Malformed((where.empty() ? std::string("missing ") : where + ": missing ") + "\"" + key + "\"");
  return *it;
}

std::string get_string(const json& obj, const char* key, const std::string& where) {
  const json& v = member(obj, key, where);
  if (!v.is_string()) throw Malformed(path(where, key) + ": expected a string, got " + v.type_name());
  return v.get<std::string>();
}

std::int64_t get_int(const json& obj, const char* key, const std::string& where, std::int64_t min, std::int64_t max) {
  const json& v = member(obj, key, where);
  if (!v.is_number_integer()) throw Malformed(path(where, key) + ": expected an integer, got " + v.type_name());
  if (v.is_number_unsigned() && v.get<std::uint64_t>() > static_cast<std::uint64_t>(max))
    throw Malformed(path(where, key) + ": " + v.dump() + " is out of range");
  const auto n = v.get<std::int64_t>();
  if (n < min || n > max) throw Malformed(path(where, key) + ": " + v.dump() + " is out of range");
  return n;
}

// Runs a nested decoder that throws nlohmann's exceptions, naming where it failed.
template <class T>
T decode(const json& j, const std::string& where) {
  need_object(j, where);
  try {
    return j.get<T>();
  } catch (const json::exception& e) {
    throw Malformed(where + ": " + plain(e.what()));
  }
}

template <class T>
T unwrap(Result<T> r, const std::string& where) {
  if (!r) throw Malformed(where + ": " + plain(r.error().message()));
  return std::move(*r);
}

json process_json(const ProcessInfo& p) {
  json j{{"pid", p.pid}, {"comm", p.comm}, {"cmdline", p.cmdline}};
  if (p.dhcp_hosts) {
    json hosts = json::array();
    for (const auto& e : p.dhcp_hosts->hosts)
      hosts.push_back(json{{"macs", e.macs}, {"name", e.name}, {"addresses", e.addresses}, {"line", e.line}});
    j["dhcp_hostsfile"] = json{{"path", p.dhcp_hosts->path},
                               {"hosts", std::move(hosts)},
                               {"error", p.dhcp_hosts->error},
                               {"denied", p.dhcp_hosts->denied}};
  }
  return j;
}

std::vector<std::string> get_strings(const json& j, const char* key, const std::string& where) {
  const json& a = member(j, key, where);
  const std::string a_where = path(where, key);
  need_array(a, a_where);
  std::vector<std::string> out;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (!a[i].is_string()) throw Malformed(path(a_where, i) + ": expected a string, got " + a[i].type_name());
    out.push_back(a[i].get<std::string>());
  }
  return out;
}

DhcpHostsFile hostsfile_from(const json& j, const std::string& where) {
  need_object(j, where);
  DhcpHostsFile f;
  f.path = get_string(j, "path", where);
  f.error = get_string(j, "error", where);
  f.denied = get_string(j, "denied", where);
  const json& hosts = member(j, "hosts", where);
  const std::string hosts_where = path(where, "hosts");
  need_array(hosts, hosts_where);
  for (std::size_t i = 0; i < hosts.size(); ++i) {
    const std::string w = path(hosts_where, i);
    need_object(hosts[i], w);
    DhcpHostEntry e;
    e.macs = get_strings(hosts[i], "macs", w);
    e.name = get_string(hosts[i], "name", w);
    e.addresses = get_strings(hosts[i], "addresses", w);
    e.line = static_cast<int>(get_int(hosts[i], "line", w, 0, std::numeric_limits<int>::max()));
    f.hosts.push_back(std::move(e));
  }
  return f;
}

ProcessInfo process_from(const json& j, const std::string& where) {
  ProcessInfo p;
  p.pid = static_cast<int>(get_int(j, "pid", where, 1, std::numeric_limits<int>::max()));
  p.comm = get_string(j, "comm", where);
  p.cmdline = get_strings(j, "cmdline", where);
  // Snapshots of stackwire before the hosts file was read have no such key.
  if (const auto it = j.find("dhcp_hostsfile"); it != j.end())
    p.dhcp_hosts = hostsfile_from(*it, path(where, "dhcp_hostsfile"));
  return p;
}

json view_json(const NamespaceView& v) {
  json procs = json::array();
  for (const auto& p : v.processes) procs.push_back(process_json(p));
  return json{{"net", v.net}, {"nat", v.nat}, {"processes", std::move(procs)}, {"error", v.error}};
}

NamespaceView view_from(const json& j, const std::string& where) {
  NamespaceView v;
  v.net = decode<netprobe::NetnsSnapshot>(member(j, "net", where), path(where, "net"));
  const json& nat = member(j, "nat", where);
  need_object(nat, path(where, "nat"));
  v.nat = unwrap(netprobe::nat_view_from_json(nat), path(where, "nat"));
  const json& procs = member(j, "processes", where);
  const std::string procs_where = path(where, "processes");
  need_array(procs, procs_where);
  for (std::size_t i = 0; i < procs.size(); ++i) v.processes.push_back(process_from(procs[i], path(procs_where, i)));
  v.error = get_string(j, "error", where);
  return v;
}

json flows_json(const BridgeFlows& f) {
  return json{{"bridge", f.bridge}, {"dump", ovs::flow_dump_to_json(f.dump)}, {"error", f.error}};
}

BridgeFlows flows_from(const json& j, const std::string& where) {
  BridgeFlows f;
  f.bridge = get_string(j, "bridge", where);
  const json& dump = member(j, "dump", where);
  need_object(dump, path(where, "dump"));
  f.dump = unwrap(ovs::flow_dump_from_json(dump), path(where, "dump"));
  f.error = get_string(j, "error", where);
  return f;
}

// Invalid UTF-8 (interface aliases, process names) is replaced rather than thrown on, as the CLI
// always did.
std::string dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

// view_json(v) as text, without its tree: netprobe writes the namespace and its NAT directly.
void append_view(std::string& out, const NamespaceView& v) {
  out += "{\"error\":";
  netprobe::append_json_string(out, v.error);
  out += ",\"nat\":";
  netprobe::append_json(out, v.nat);
  out += ",\"net\":";
  netprobe::append_json(out, v.net);
  json procs = json::array();
  for (const auto& p : v.processes) procs.push_back(process_json(p));
  out += ",\"processes\":" + dump(procs) + '}';
}

std::string view_text(const NamespaceView& v) {
  std::string out;
  append_view(out, v);
  return out;
}

// The document up to the first named namespace: {"version":1,...,"root":{...},"namespaces":[
std::string head_text(const HostSnapshot& s) {
  return "{\"version\":" + std::to_string(s.version) + ",\"hostname\":" + dump(s.hostname) +
         ",\"taken_at_ms\":" + std::to_string(s.taken_at_ms) + ",\"root\":" + view_text(s.root) +
         ",\"namespaces\":[";
}

// The rest after the last named namespace, `out` holding what is not yet written: ],"ovs":...}
void write_tail(const HostSnapshot& s, std::string& out, const std::function<void(std::string_view)>& sink) {
  out += "],\"ovs\":";
  out += s.ovs ? dump(ovs::snapshot_to_json(*s.ovs)) : "null";
  out += ",\"ovs_error\":" + dump(s.ovs_error) + ",\"flows\":[";
  for (std::size_t i = 0; i < s.flows.size(); ++i) {
    if (i) out += ',';
    out += "{\"bridge\":" + dump(s.flows[i].bridge) + ",\"dump\":" + ovs::flow_dump_json_text(s.flows[i].dump) +
           ",\"error\":" + dump(s.flows[i].error) + '}';
    sink(out);
    out.clear();
  }
  out += "]}\n";
  sink(out);
  out.clear();
}

HostSnapshot snapshot_from(const json& j) {
  HostSnapshot s;
  need_object(j, "");  // the document itself: the caller's prefix already says "snapshot: "
  const auto version = j.find("version");
  if (version == j.end()) throw Malformed("no \"version\": not a stackwire host snapshot");
  if (!version->is_number_integer() || version->get<std::int64_t>() != 1)
    throw Malformed("version " + version->dump() + " is not supported (this stackwire reads version 1)");
  s.version = 1;
  s.hostname = get_string(j, "hostname", "");
  s.taken_at_ms = get_int(j, "taken_at_ms", "", std::numeric_limits<std::int64_t>::min(),
                          std::numeric_limits<std::int64_t>::max());
  s.root = view_from(member(j, "root", ""), "root");
  const json& namespaces = member(j, "namespaces", "");
  need_array(namespaces, "namespaces");
  for (std::size_t i = 0; i < namespaces.size(); ++i)
    s.namespaces.push_back(view_from(namespaces[i], path("namespaces", i)));
  const json& ovs = member(j, "ovs", "");
  if (!ovs.is_null()) {
    need_object(ovs, "ovs");
    s.ovs = unwrap(ovs::snapshot_from_json(ovs), "ovs");
  }
  s.ovs_error = get_string(j, "ovs_error", "");
  const json& flows = member(j, "flows", "");
  need_array(flows, "flows");
  for (std::size_t i = 0; i < flows.size(); ++i) s.flows.push_back(flows_from(flows[i], path("flows", i)));
  return s;
}

}  // namespace

const NamespaceView* HostSnapshot::find_namespace(std::string_view name) const {
  for (const auto& n : namespaces)
    if (n.net.name == name) return &n;
  return nullptr;
}

const ovs::FlowDump* HostSnapshot::bridge_flows(std::string_view bridge) const {
  for (const auto& f : flows)
    if (f.bridge == bridge) return f.error.empty() ? &f.dump : nullptr;
  return nullptr;
}

Result<HostSnapshot> take_host_snapshot(const HostSnapshotOptions& options) {
  HostSnapshot s;
  s.hostname = hostname();
  s.taken_at_ms = now_ms();
  const auto entries = sorted(SW_TRY(netprobe::list_netns()));

  s.namespaces.resize(entries.size());
  std::promise<Processes> scan;  // /proc is scanned once, here, while the readers start
  const std::shared_future<Processes> processes = scan.get_future().share();
  NamespaceReaders readers(entries, processes, [&s](std::size_t i, NamespaceView v) { s.namespaces[i] = std::move(v); });
  scan.set_value(read_processes_by_netns());
  s.root = read_root();
  attach_processes(processes.get(), s.root);
  read_ovs(options, s);
  readers.join();
  return s;
}

Result<bool> stream_host_snapshot_json(const HostSnapshotOptions& options,
                                       const std::function<void(std::string_view)>& sink) {
  const std::string host = hostname();
  const std::int64_t taken_at = now_ms();
  const auto entries = sorted(SW_TRY(netprobe::list_netns()));

  // Each namespace's text, made on the thread that read it, waits here until its turn to be written.
  std::vector<std::optional<std::string>> texts(entries.size());
  std::mutex mutex;
  std::condition_variable ready;
  std::atomic<bool> any_links{false};
  std::promise<Processes> scan;
  const std::shared_future<Processes> processes = scan.get_future().share();
  NamespaceReaders readers(entries, processes, [&](std::size_t i, NamespaceView v) {
    if (!v.net.links.empty()) any_links = true;
    std::string text = view_text(v);
    const std::lock_guard lock(mutex);
    texts[i] = std::move(text);
    ready.notify_one();
  });
  scan.set_value(read_processes_by_netns());
  HostSnapshot s;  // root and OVS only; the named namespaces are written as they come
  s.hostname = host;
  s.taken_at_ms = taken_at;
  s.root = read_root();
  attach_processes(processes.get(), s.root);
  read_ovs(options, s);

  std::string out = head_text(s);
  for (std::size_t i = 0; i < texts.size(); ++i) {
    if (i) out += ',';
    {
      std::unique_lock lock(mutex);
      ready.wait(lock, [&] { return texts[i].has_value(); });
      out += *texts[i];
      texts[i].reset();
    }
    sink(out);
    out.clear();
  }
  readers.join();
  write_tail(s, out, sink);
  return s.ovs.has_value() || !s.root.net.links.empty() || any_links;
}

void to_json(nlohmann::json& j, const HostSnapshot& s) {
  json namespaces = json::array();
  for (const auto& v : s.namespaces) namespaces.push_back(view_json(v));
  json flows = json::array();
  for (const auto& f : s.flows) flows.push_back(flows_json(f));
  j = json{{"version", s.version},
           {"hostname", s.hostname},
           {"taken_at_ms", s.taken_at_ms},
           {"root", view_json(s.root)},
           {"namespaces", std::move(namespaces)},
           {"ovs", s.ovs ? ovs::snapshot_to_json(*s.ovs) : json(nullptr)},
           {"ovs_error", s.ovs_error},
           {"flows", std::move(flows)}};
}

void write_host_snapshot_json(const HostSnapshot& s, const std::function<void(std::string_view)>& sink) {
  std::string out = head_text(s);
  for (std::size_t i = 0; i < s.namespaces.size(); ++i) {
    if (i) out += ',';
    append_view(out, s.namespaces[i]);
    sink(out);
    out.clear();
  }
  write_tail(s, out, sink);
}

std::string host_snapshot_json_text(const HostSnapshot& s) {
  std::string text;
  write_host_snapshot_json(s, [&text](std::string_view piece) { text += piece; });
  return text;
}

// Every number of a snapshot is an integer (counters, ids, lengths, times in ms). nlohmann's get_to
// casts a floating-point number to the integer field it lands in, which is undefined behaviour when
// it does not fit (found by fuzz_snapshot: 8.9e95 into an address's unsigned ifindex). So no
// floating-point number gets that far: the first one met is an error, named by its place. Iterative,
// so that a document nested 100,000 deep costs no stack.
static void reject_floats(const json& root) {
  struct Frame {
    const json* node;
    json::const_iterator it;
    std::size_t index = 0;
  };
  auto where = [](const std::vector<Frame>& stack) {
    std::string w;
    for (const auto& f : stack) {
      if (f.it == f.node->cend()) break;
      w = f.node->is_object() ? path(w, f.it.key()) : path(w, f.index);
    }
    return w;
  };
  if (root.is_number_float()) throw Malformed("expected an object, got number");
  if (!root.is_structured()) return;
  std::vector<Frame> stack{{&root, root.cbegin(), 0}};
  while (!stack.empty()) {
    Frame& f = stack.back();
    if (f.it == f.node->cend()) {
      stack.pop_back();
      if (!stack.empty()) {
        ++stack.back().it;
        ++stack.back().index;
      }
      continue;
    }
    const json& v = *f.it;
    if (v.is_number_float()) throw Malformed(where(stack) + ": expected an integer, got a number with a fraction or exponent");
    if (v.is_structured()) {
      stack.push_back({&v, v.cbegin(), 0});
      continue;
    }
    ++f.it;
    ++f.index;
  }
}

Result<HostSnapshot> parse_host_snapshot(std::string_view name, std::string_view text) {
  const std::string prefix = name.empty() ? "snapshot: " : std::string(name) + ": snapshot: ";
  try {
    const json j = json::parse(text.begin(), text.end());
    reject_floats(j);
    return snapshot_from(j);
  } catch (const Malformed& e) {
    return fail(Error::input(prefix + e.what()));
  } catch (const json::exception& e) {
    return fail(Error::input(prefix + plain(e.what())));
  } catch (const std::exception& e) {
    return fail(Error::input(prefix + e.what()));
  }
}

}  // namespace sw::checks
