#include "lab/lab.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <ctime>
#include <dirent.h>
#include <map>
#include <optional>
#include <regex>
#include <set>
#include <thread>

#include "common/log.h"
#include "common/strings.h"
#include "common/unique_fd.h"
#include "lab/host_files.h"
#include "lab/host_ns.h"
#include "lab/lab_files.h"
#include "lab/mounts.h"
#include "lab/netns.h"
#include "lab/ovs_setup.h"
#include "lab/proc.h"
#include "lab/rtnl.h"
#include "lab/spawn.h"
#include "lab/ssh_probe.h"
#include "lab/ssh_setup.h"
#include "lab/state.h"

namespace sw::lab {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

constexpr auto kHostNsTimeout = 5s;
constexpr auto kReadyTimeout = 8s;
constexpr auto kTermGrace = 1500ms;
constexpr auto kKillWait = 2000ms;

/// A daemon every lab host runs; found again through the pidfile it writes inside the host.
struct DaemonDef {
  const char* name;  ///< also its /proc/<pid>/comm
  std::vector<std::string> (*argv)();
  const char* pidfile;
};
const DaemonDef kDaemons[] = {
    {"sshd", sshd_argv, kSshdPidFile},
    {"ovsdb-server", ovsdb_server_argv, kOvsdbPidFile},
    {"ovs-vswitchd", ovs_vswitchd_argv, kVswitchdPidFile},
};
// Start order: the database before the switch; sshd last, so "ssh answers" means the host is ready.
const int kStartOrder[] = {1, 2, 0};

double seconds_since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

Result<void> require_root(std::string_view verb) {
  if (::geteuid() != 0)
    return fail(Error(ErrorKind::permission, "lab " + std::string(verb) + ": needs root (namespaces, mounts, sshd)"));
  return {};
}

bool in_path(const std::string& tool) {
  if (tool.front() == '/') return ::access(tool.c_str(), X_OK) == 0;
  for (const char* dir : {"/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"})
    if (::access((std::string(dir) + "/" + tool).c_str(), X_OK) == 0) return true;
  return false;
}

Result<void> require_tools() {
  for (const char* t : {"/usr/sbin/sshd", "ssh-keygen", "ssh", "ovsdb-server", "ovs-vswitchd", "ovsdb-tool"})
    if (!in_path(t))
      return fail(Error::not_found(std::string("lab up: '") + t + "' is not installed (run tools/deps)"));
  if (::access(kOvsSchema, R_OK) != 0)
    return fail(Error::not_found(std::string("lab up: ") + kOvsSchema + " is missing (openvswitch-switch)"));
  return {};
}

// Serialises lab verbs that change the system (flock on the state dir's parent directory).
Result<UniqueFd> lock_labs(const LabLayout& layout, bool create_parent) {
  const auto parent = layout.state_dir.parent_path();
  if (create_parent) {
    std::error_code ec;
    std::filesystem::create_directories(parent, ec);
    if (ec) return fail(Error::os("mkdir -p " + parent.string() + ": " + ec.message(), ec.value()));
  }
  UniqueFd fd(::open(parent.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!fd) {
    if (errno == ENOENT && !create_parent) return UniqueFd{};
    return fail_errno(errno, "open " + parent.string());
  }
  if (::flock(fd.get(), LOCK_EX) != 0) return fail_errno(errno, "flock " + parent.string());
  return fd;
}

bool path_exists(const std::filesystem::path& p) {
  struct stat st {};
  return ::lstat(p.c_str(), &st) == 0;
}

// /run/netns entries that are this lab's by name: <prefix>-(controller|network|switch|outside|computeN).
std::vector<std::string> lab_netns_present(const std::string& prefix) {
  std::vector<std::string> out;
  DIR* d = ::opendir(std::string(kNetnsRunDir).c_str());
  if (!d) return out;
  const std::regex re("(controller|network|switch|outside|compute[1-9][0-9]*)");
  while (dirent* e = ::readdir(d)) {
    const std::string_view n = e->d_name;
    if (!n.starts_with(prefix + "-")) continue;
    if (std::regex_match(std::string(n.substr(prefix.size() + 1)), re)) out.emplace_back(n);
  }
  ::closedir(d);
  std::sort(out.begin(), out.end());
  return out;
}

// The number of compute hosts whose namespaces are present (for cleaning up without a state file).
int computes_present(const std::string& prefix) {
  int k = 0;
  for (const auto& n : lab_netns_present(prefix)) {
    const std::string_view rest = std::string_view(n).substr(prefix.size() + 1);
    if (rest.starts_with("compute"))
      if (auto v = parse_uint(rest.substr(7), 1, kMaxComputes)) k = std::max(k, static_cast<int>(*v));
  }
  return k;
}

ino_t ns_ino(const std::filesystem::path& p) {
  auto id = ns_id(p.string());
  return id ? id->ino : 0;
}

// ---------------------------------------------------------------------------------------------
// Processes of the lab

struct LabNamespaces {
  std::set<ino_t> net, mnt, pid;
};

// The namespaces of a lab: its named netns, its hosts' mnt/pid namespaces, and every network
// namespace created on a host (found in the host's own /run/netns through its init's root).
LabNamespaces lab_namespaces(const LabLayout& layout, const std::vector<ProcEntry>& procs) {
  LabNamespaces ns;
  for (const auto& name : lab_netns_present(layout.prefix))
    if (ino_t i = ns_ino(std::filesystem::path(kNetnsRunDir) / name)) ns.net.insert(i);
  std::vector<std::string> hosts;
  for (const auto& h : layout.hosts) hosts.push_back(h.name);
  for (int i = layout.computes + 1; i <= computes_present(layout.prefix); ++i) hosts.push_back("compute" + std::to_string(i));
  for (const auto& h : hosts) {
    if (ino_t i = ns_ino(layout.ns_file(h, "mnt"))) ns.mnt.insert(i);
    if (ino_t i = ns_ino(layout.ns_file(h, "pid"))) ns.pid.insert(i);
  }
  // A host whose namespace files are gone (crash mid-up) is still found through its init, which
  // carries the lab's overlays in its mount table.
  for (const auto& p : procs) {
    if (p.nspid.size() < 2 || p.nspid.back() != 1 || p.stat.comm != kHostInitComm) continue;
    const auto mounts = read_mountinfo(p.stat.pid);
    if (!mounts) continue;
    const std::string upper = "upperdir=" + layout.hosts_dir().string() + "/";
    if (std::any_of(mounts->begin(), mounts->end(), [&](const MountEntry& m) {
          return m.fstype == "overlay" && m.super_options.find(upper) != std::string::npos;
        })) {
      ns.pid.insert(p.pid_ns);
      ns.mnt.insert(p.mnt_ns);
    }
  }
  for (const auto& p : procs) {
    if (!ns.pid.contains(p.pid_ns) || p.nspid.empty() || p.nspid.back() != 1) continue;
    const std::string dir = "/proc/" + std::to_string(p.stat.pid) + "/root/run/netns";
    if (DIR* d = ::opendir(dir.c_str())) {
      while (dirent* e = ::readdir(d)) {
        if (e->d_name[0] == '.') continue;
        if (ino_t i = ns_ino(dir + "/" + e->d_name)) ns.net.insert(i);
      }
      ::closedir(d);
    }
  }
  return ns;
}

std::set<pid_t> my_ancestors() {
  std::set<pid_t> out;
  pid_t p = ::getppid();
  for (int depth = 0; p > 1 && depth < 64; ++depth) {
    out.insert(p);
    auto st = read_proc_stat(p);
    if (!st) break;
    p = st->ppid;
  }
  return out;
}

// Every process that belongs to the lab: in one of its namespaces, or in a mount namespace copied
// from a host's (it carries the lab's overlays).
std::vector<ProcEntry> lab_processes(const LabLayout& layout, const LabNamespaces& ns, const std::vector<ProcEntry>& procs) {
  const std::set<pid_t> skip = my_ancestors();
  const ino_t my_mnt = ns_ino("/proc/self/ns/mnt");
  const std::string upper = "upperdir=" + layout.hosts_dir().string() + "/";
  std::map<ino_t, bool> mnt_is_lab;
  std::vector<ProcEntry> out;
  for (const auto& p : procs) {
    if (p.stat.pid <= 1 || skip.contains(p.stat.pid) || p.net_ns == 0) continue;
    bool lab = ns.net.contains(p.net_ns) || ns.mnt.contains(p.mnt_ns) || ns.pid.contains(p.pid_ns);
    if (!lab && p.mnt_ns != my_mnt) {
      auto it = mnt_is_lab.find(p.mnt_ns);
      if (it == mnt_is_lab.end()) {
        bool found = false;
        if (auto mounts = read_mountinfo(p.stat.pid))
          found = std::any_of(mounts->begin(), mounts->end(), [&](const MountEntry& m) {
            return m.fstype == "overlay" && m.super_options.find(upper) != std::string::npos;
          });
        it = mnt_is_lab.emplace(p.mnt_ns, found).first;
      }
      lab = it->second;
    }
    if (lab) out.push_back(p);
  }
  return out;
}

// Stops every lab process. Hosts' inits get no SIGTERM (they ignore it) but SIGKILL at the end,
// which also kills whatever is left in their PID namespaces.
Result<std::pair<int, int>> stop_lab_processes(const LabLayout& layout) {
  int terminated = 0, killed = 0;
  for (int round = 0; round < 4; ++round) {
    const auto procs = scan_processes(true);
    const auto ns = lab_namespaces(layout, procs);
    const auto victims = lab_processes(layout, ns, procs);
    if (victims.empty()) return std::pair{terminated, killed};
    std::vector<ProcStat> term, inits;
    for (const auto& v : victims) {
      const bool is_init = ns.pid.contains(v.pid_ns) && !v.nspid.empty() && v.nspid.back() == 1;
      (is_init ? inits : term).push_back(v.stat);
    }
    const auto grace = round == 0 ? std::chrono::milliseconds(kTermGrace) : 200ms;
    const auto t0 = Clock::now();
    const auto r = stop_processes(term, inits, grace, kKillWait);
    terminated += r.terminated;
    killed += r.killed;
    log::debug("lab down: round " + std::to_string(round) + ": " + std::to_string(term.size()) + " + " +
               std::to_string(inits.size()) + " inits, " + std::to_string(r.terminated) + " exited on SIGTERM, " +
               std::to_string(r.killed) + " SIGKILLed, " + std::to_string(r.remaining.size()) + " remain, " +
               std::to_string(seconds_since(t0)) + " s");
  }
  const auto procs = scan_processes(true);
  const auto left = lab_processes(layout, lab_namespaces(layout, procs), procs);
  if (left.empty()) return std::pair{terminated, killed};
  std::string pids;
  for (const auto& p : left) pids += " " + std::to_string(p.stat.pid) + "(" + p.stat.comm + ")";
  return fail(Error::os("lab down: processes survive SIGKILL:" + pids));
}

// ---------------------------------------------------------------------------------------------
// Daemons

std::filesystem::path in_host(pid_t init, const std::string& path) {
  return "/proc/" + std::to_string(init) + "/root" + path;
}

// The daemon's pid as seen from here, if its pidfile names a live process of the right name in the host.
DaemonStatus daemon_status(const DaemonDef& d, pid_t init, ino_t host_pid_ns, const std::vector<ProcEntry>& procs) {
  DaemonStatus s{d.name, 0, false};
  if (init <= 0) return s;
  auto text = read_file(in_host(init, d.pidfile));
  if (!text) return s;
  const auto inner = parse_uint(trim(*text), 1, 1u << 30);
  if (!inner) return s;
  for (const auto& p : procs) {
    if (p.pid_ns != host_pid_ns || p.nspid.empty() || p.nspid.back() != static_cast<pid_t>(*inner)) continue;
    s.pid = p.stat.pid;
    s.alive = p.stat.comm == d.name && p.stat.state != 'Z';
  }
  return s;
}

struct HostRuntime {
  pid_t init = 0;
  ino_t pid_ns = 0;
  bool namespaces = false;
};

HostRuntime host_runtime(const LabLayout& layout, const std::optional<LabState>& state, const std::string& host) {
  HostRuntime r;
  r.pid_ns = ns_ino(layout.ns_file(host, "pid"));
  const bool files = named_netns_exists(layout.netns_name(host)) && r.pid_ns && ns_ino(layout.ns_file(host, "mnt")) &&
                     ns_ino(layout.ns_file(host, "uts"));
  if (state) {
    for (const auto& i : state->inits) {
      if (i.host != host || !process_alive(i.pid, i.start_time)) continue;
      const std::string link = "/proc/" + std::to_string(i.pid) + "/ns/pid";
      if (ns_ino(link) == r.pid_ns) r.init = i.pid;
    }
  }
  r.namespaces = files && r.init > 0;
  return r;
}

Result<pid_t> start_daemon(const MemberNamespaces& ns, const DaemonDef& d) {
  SpawnSpec spec;
  spec.argv = d.argv();
  spec.env = default_host_env();
  return spawn_daemon(ns, spec);
}

bool unix_socket_answers(const std::filesystem::path& path) {
  sockaddr_un sa{};
  sa.sun_family = AF_UNIX;
  if (path.string().size() >= sizeof sa.sun_path) return false;
  std::snprintf(sa.sun_path, sizeof sa.sun_path, "%s", path.c_str());
  UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  return fd && ::connect(fd.get(), reinterpret_cast<sockaddr*>(&sa), sizeof sa) == 0;
}

// Waits until every host's OVS database answers, its vswitchd runs, and every sshd greets.
Result<void> wait_ready(const LabLayout& layout, const LabState& state) {
  const auto deadline = Clock::now() + kReadyTimeout;
  auto controller = SW_TRY(open_named_netns(layout.netns_name("controller")));
  std::vector<std::string> ips;
  for (const auto& h : layout.hosts) ips.push_back(h.mgmt_ip);
  std::vector<bool> ssh_ok(ips.size(), false);
  std::vector<bool> ovs_ok(layout.hosts.size(), false);
  for (;;) {
    std::vector<std::string> pending_ips;
    std::vector<size_t> pending_idx;
    for (size_t i = 0; i < ips.size(); ++i)
      if (!ssh_ok[i]) {
        pending_ips.push_back(ips[i]);
        pending_idx.push_back(i);
      }
    if (!pending_ips.empty()) {
      const auto r = probe_ssh(controller.get(), pending_ips, 300ms);
      for (size_t k = 0; k < r.size(); ++k) ssh_ok[pending_idx[k]] = r[k];
    }
    const auto procs = scan_processes(true);
    for (size_t i = 0; i < layout.hosts.size(); ++i) {
      if (ovs_ok[i]) continue;
      const auto& h = layout.hosts[i];
      const auto it = std::find_if(state.inits.begin(), state.inits.end(), [&](const auto& x) { return x.host == h.name; });
      if (it == state.inits.end()) continue;
      const ino_t pidns = ns_ino(layout.ns_file(h.name, "pid"));
      const auto vs = daemon_status(kDaemons[2], it->pid, pidns, procs);
      ovs_ok[i] = unix_socket_answers(in_host(it->pid, kOvsdbSocket)) && vs.alive;
    }
    const bool all = std::all_of(ssh_ok.begin(), ssh_ok.end(), [](bool b) { return b; }) &&
                     std::all_of(ovs_ok.begin(), ovs_ok.end(), [](bool b) { return b; });
    if (all) return {};
    if (Clock::now() > deadline) {
      std::string missing;
      for (size_t i = 0; i < layout.hosts.size(); ++i) {
        if (!ssh_ok[i]) missing += " " + layout.hosts[i].name + "/sshd";
        if (!ovs_ok[i]) missing += " " + layout.hosts[i].name + "/ovs";
      }
      return fail(Error::timeout("daemons not ready after " + std::to_string(kReadyTimeout.count()) + " s:" + missing +
                                 " (see /var/log/sshd.log and /var/log/openvswitch/ on the host)"));
    }
    std::this_thread::sleep_for(20ms);
  }
}

// ---------------------------------------------------------------------------------------------
// Building

Result<void> write_proc_sys(const char* path, const char* value) {
  UniqueFd fd(::open(path, O_WRONLY | O_CLOEXEC));
  if (!fd) return fail_errno(errno, std::string("open ") + path);
  const size_t n = std::strlen(value);
  if (::write(fd.get(), value, n) != static_cast<ssize_t>(n)) return fail_errno(errno, std::string("write ") + path);
  return {};
}

// Files of every host, the lab's keys, known_hosts, ssh_config, answer file and topology.
Result<void> write_files(const LabLayout& layout, const std::function<void(std::string_view)>& progress) {
  const auto ssh_dir = layout.ssh_dir();
  if (::mkdir(ssh_dir.c_str(), 0700) != 0 && errno != EEXIST) return fail_errno(errno, "mkdir " + ssh_dir.string());
  SW_TRY_VOID(generate_key(layout.ssh_key(), "stackwire-lab@" + layout.prefix));
  const std::string user_pub = SW_TRY(read_file(layout.ssh_key().string() + ".pub"));
  const std::string user_key = SW_TRY(read_file(layout.ssh_key()));
  if (progress) progress("keys, host files and OVS databases");

  std::vector<KnownHost> known;
  for (const auto& h : layout.hosts) {
    const auto views = host_overlays(layout, h.name);
    SW_TRY_VOID(make_overlay_dirs(views));
    const auto etc_ssh = SW_TRY(upper_dir(views, "/etc/ssh"));
    SW_TRY_VOID(generate_key(etc_ssh / "ssh_host_ed25519_key", "root@" + h.name));
    SW_TRY_VOID(write_file(etc_ssh / "sshd_config", sshd_config_text(h), 0644));
    known.push_back({h.name, h.mgmt_ip, SW_TRY(read_file(etc_ssh / "ssh_host_ed25519_key.pub"))});
    const auto etc = SW_TRY(upper_dir(views, "/etc"));
    SW_TRY_VOID(write_file(etc / "hostname", h.name + "\n", 0644));
    SW_TRY_VOID(write_file(etc / "hosts", etc_hosts_text(layout), 0644));
    const auto ovs = SW_TRY(upper_dir(views, "/etc/openvswitch"));
    const std::string system_id = random_uuid();
    SW_TRY_VOID(create_conf_db(ovs / "conf.db", h.name, system_id));
    SW_TRY_VOID(write_file(ovs / "system-id.conf", system_id + "\n", 0644));
    SW_TRY_VOID(upper_dir(views, "/var/log/openvswitch"));
    const auto root_ssh = SW_TRY(upper_dir(views, "/root/.ssh", 0700));
    SW_TRY_VOID(write_file(root_ssh / "authorized_keys", user_pub, 0600));
    if (h.name == "controller") {
      // `ssh root@10.15.0.7` from the controller works as it would on the hangout's controller.
      SW_TRY_VOID(write_file(root_ssh / "id_ed25519", user_key, 0600));
      SW_TRY_VOID(write_file(root_ssh / "id_ed25519.pub", user_pub, 0644));
    }
  }
  const std::string kh = known_hosts_text(known);
  SW_TRY_VOID(write_file(layout.known_hosts(), kh, 0644));
  for (const auto& h : layout.hosts) {
    const auto root_ssh = SW_TRY(upper_dir(host_overlays(layout, h.name), "/root/.ssh", 0700));
    SW_TRY_VOID(write_file(root_ssh / "known_hosts", kh, 0644));
  }
  SW_TRY_VOID(write_file(layout.ssh_config(), ssh_config_text(layout), 0644));
  SW_TRY_VOID(write_file(layout.answer_file(), render_answer_file(shipped_answer_file(), layout), 0600));
  SW_TRY_VOID(write_file(layout.topology_file(), std::string(shipped_topology()), 0644));
  return {};
}

// Namespaces, the switch's bridges, every veth pair and address.
Result<void> build_network(const LabLayout& layout) {
  for (const auto& name : layout.all_netns()) SW_TRY_VOID(create_named_netns(name));
  std::map<std::string, UniqueFd> fds;
  std::map<std::string, RtnlSocket> socks;
  for (const auto& name : layout.all_netns()) {
    auto fd = SW_TRY(open_named_netns(name));
    auto sock = SW_TRY(RtnlSocket::open_in(fd.get()));
    SW_TRY_VOID(sock.set_up("lo"));
    socks.emplace(name, std::move(sock));
    fds.emplace(name, std::move(fd));
  }
  {
    // The switch is a pure L2 box: no IPv6 chatter of its own on the lab's segments.
    auto guard = SW_TRY(NetnsGuard::enter(fds.at(layout.switch_netns()).get()));
    for (const char* p : {"/proc/sys/net/ipv6/conf/all/disable_ipv6", "/proc/sys/net/ipv6/conf/default/disable_ipv6"})
      if (::access(p, W_OK) == 0) SW_TRY_VOID(write_proc_sys(p, "1\n"));
  }
  RtnlSocket& sw = socks.at(layout.switch_netns());
  for (const char* br : {"mgmt", "tunnel", "external"}) SW_TRY_VOID(sw.add_bridge(br));
  const int mgmt = SW_TRY(sw.ifindex("mgmt"));
  const int tunnel = SW_TRY(sw.ifindex("tunnel"));
  const int external = SW_TRY(sw.ifindex("external"));
  for (const auto& h : layout.hosts) {
    const std::string ns = layout.netns_name(h.name);
    RtnlSocket& hs = socks.at(ns);
    const int hfd = fds.at(ns).get();
    SW_TRY_VOID(sw.add_veth(h.name + "-m", mgmt, "eth0", hfd));
    SW_TRY_VOID(hs.set_up("eth0"));
    SW_TRY_VOID(hs.add_address("eth0", h.mgmt_ip, kMgmtPrefixLen));
    if (!h.tunnel_ip.empty()) {
      SW_TRY_VOID(sw.add_veth(h.name + "-t", tunnel, "eth2", hfd));
      SW_TRY_VOID(hs.set_up("eth2"));
      SW_TRY_VOID(hs.add_address("eth2", h.tunnel_ip, kTunnelPrefixLen));
    }
    if (h.external_nic) {
      SW_TRY_VOID(sw.add_veth(h.name + "-x", external, "eth3", hfd));
      SW_TRY_VOID(hs.set_up("eth3"));
    }
  }
  SW_TRY_VOID(sw.add_veth("outside-x", external, "eth0", fds.at(layout.outside_netns()).get()));
  SW_TRY_VOID(socks.at(layout.outside_netns()).set_up("eth0"));
  SW_TRY_VOID(socks.at(layout.outside_netns()).add_address("eth0", std::string(kOutsideIp), kOutsidePrefixLen));
  // The outside talks TCP to floating IPs through the network host's eth3, which OVS's userspace
  // datapath reads: its checksums must be complete on the wire.
  SW_TRY_VOID(disable_tx_checksum(fds.at(layout.outside_netns()).get(), "eth0"));
  return {};
}

// Every host's mount/UTS/PID namespaces and init; their namespace files bound under <state>/ns.
Result<void> build_hosts(const LabLayout& layout, LabState& state, const std::vector<std::string>& init_exec) {
  const auto nsdir = layout.ns_dir();
  if (::mkdir(nsdir.c_str(), 0700) != 0 && errno != EEXIST) return fail_errno(errno, "mkdir " + nsdir.string());
  SW_TRY_VOID(make_private_mount_point(nsdir));
  for (const auto& h : layout.hosts) {
    auto netfd = SW_TRY(open_named_netns(layout.netns_name(h.name)));
    HostFsPlan plan{h.name, host_overlays(layout, h.name), layout.hosts_dir().string(), nsdir.string(),
                    layout.prefix + "/" + h.name, init_exec};
    const ProcStat init = SW_TRY(create_host_namespaces(netfd.get(), plan, kHostNsTimeout));
    state.inits.push_back({h.name, init.pid, init.start_time});
    SW_TRY_VOID(write_state(layout, state));
    for (const char* kind : {"mnt", "uts", "pid"})
      SW_TRY_VOID(bind_ns_file("/proc/" + std::to_string(init.pid) + "/ns/" + kind, layout.ns_file(h.name, kind)));
  }
  return {};
}

Result<void> start_daemons(const LabLayout& layout) {
  for (const auto& h : layout.hosts) {
    auto ns = SW_TRY(open_member(layout, h.name));
    for (int i : kStartOrder) SW_TRY(start_daemon(ns, kDaemons[i]));
  }
  return {};
}

Result<void> build(const LabLayout& layout, const UpOptions& options) {
  const auto& progress = options.progress;
  const auto say = [&](std::string_view s) {
    if (progress) progress(s);
  };
  // The state dir is the lab's alone: refuse to take over a directory someone else made.
  if (path_exists(layout.state_dir)) {
    std::error_code ec;
    if (!path_exists(layout.marker_file()) && !std::filesystem::is_empty(layout.state_dir, ec))
      return fail(Error::input(layout.state_dir.string() + ": exists and is not a stackwire lab state directory"));
  }
  if (::mkdir(layout.state_dir.c_str(), 0700) != 0 && errno != EEXIST)
    return fail_errno(errno, "mkdir " + layout.state_dir.string());
  SW_TRY_VOID(write_file(layout.marker_file(), "stackwire lab '" + layout.prefix + "'\n", 0644));
  LabState state;
  state.prefix = layout.prefix;
  state.state_dir = layout.state_dir.string();
  state.computes = layout.computes;
  state.created = static_cast<long long>(std::time(nullptr));
  SW_TRY_VOID(write_state(layout, state));
  say("state directory " + layout.state_dir.string());
  SW_TRY_VOID(write_files(layout, progress));
  say("namespaces, switch and links");
  SW_TRY_VOID(build_network(layout));
  say("host mount, UTS and PID namespaces");
  SW_TRY_VOID(build_hosts(layout, state, options.init_exec));
  say("sshd and Open vSwitch on every host");
  SW_TRY_VOID(start_daemons(layout));
  SW_TRY_VOID(wait_ready(layout, state));
  state.complete = true;
  SW_TRY_VOID(write_state(layout, state));
  return {};
}

bool structure_intact(const LabLayout& layout, const LabState& state) {
  for (const auto& n : layout.all_netns())
    if (!named_netns_exists(n)) return false;
  for (const auto& h : layout.hosts)
    if (!host_runtime(layout, state, h.name).namespaces) return false;
  return true;
}

Result<std::vector<std::string>> restart_dead_daemons(const LabLayout& layout, const LabState& state) {
  std::vector<std::string> restarted;
  const auto procs = scan_processes(true);
  for (const auto& h : layout.hosts) {
    const auto rt = host_runtime(layout, state, h.name);
    std::optional<MemberNamespaces> ns;
    for (int i : kStartOrder) {
      if (daemon_status(kDaemons[i], rt.init, rt.pid_ns, procs).alive) continue;
      if (!ns) ns = SW_TRY(open_member(layout, h.name));
      SW_TRY(start_daemon(*ns, kDaemons[i]));
      restarted.push_back(h.name + "/" + kDaemons[i].name);
    }
  }
  if (!restarted.empty()) SW_TRY_VOID(wait_ready(layout, state));
  return restarted;
}

// keep_root: `lab up` cleaning remains keeps the state root it holds its lock on.
Result<DownReport> down_locked(const LabLayout& want, bool keep_root = false) {
  const auto t0 = Clock::now();
  DownReport rep;
  LabLayout layout = want;
  auto state = read_state(want);
  if (state && *state) layout = SW_TRY(make_layout(want.prefix, want.state_dir, (*state)->computes));
  else if (int k = computes_present(want.prefix); k > 0)
    layout = SW_TRY(make_layout(want.prefix, want.state_dir, k));

  const auto netns = lab_netns_present(layout.prefix);
  const auto mounts_before = SW_TRY(read_mountinfo());
  const bool has_mounts = std::any_of(mounts_before.begin(), mounts_before.end(),
                                      [&](const MountEntry& m) { return path_within(m.mount_point, layout.state_dir); });
  const auto procs = scan_processes(true);
  const bool has_procs = !lab_processes(layout, lab_namespaces(layout, procs), procs).empty();
  rep.found = !netns.empty() || has_mounts || has_procs || path_exists(layout.state_dir);
  if (!rep.found) return rep;

  std::optional<Error> first_error;
  const auto note = [&](Result<void> r) {
    if (!r && !first_error) first_error = std::move(r).error();
  };
  if (auto r = stop_lab_processes(layout)) {
    rep.terminated = r->first;
    rep.killed = r->second;
  } else {
    note(fail(std::move(r).error()));
  }
  log::debug("lab down: processes stopped after " + std::to_string(seconds_since(t0)) + " s");
  if (auto n = unmount_below(layout.state_dir)) rep.mounts = *n;
  else note(fail(std::move(n).error()));
  for (const auto& n : netns) {
    if (auto r = delete_named_netns(n)) ++rep.namespaces;
    else note(std::move(r));
  }
  log::debug("lab down: namespaces removed after " + std::to_string(seconds_since(t0)) + " s");
  // Files: only a directory carrying the lab's marker (or one `lab up` left empty) is removed, and
  // only when nothing is mounted below it any more.
  const auto mounts_after = SW_TRY(read_mountinfo());
  const bool still_mounted = std::any_of(mounts_after.begin(), mounts_after.end(),
                                         [&](const MountEntry& m) { return path_within(m.mount_point, layout.state_dir); });
  if (path_exists(layout.state_dir)) {
    std::error_code ec;
    if (still_mounted) {
      note(fail(Error::os("lab down: mounts remain under " + layout.state_dir.string() + "; files kept")));
    } else if (!path_exists(layout.marker_file()) && !std::filesystem::is_empty(layout.state_dir, ec)) {
      note(fail(Error::input("lab down: " + layout.state_dir.string() +
                             " is not a stackwire lab state directory (no .stackwire-lab); not removing it")));
    } else {
      std::filesystem::remove_all(layout.state_dir, ec);
      if (ec) note(fail(Error::os("remove " + layout.state_dir.string() + ": " + ec.message(), ec.value())));
      else rep.files_removed = true;
    }
  }
  if (!keep_root && layout.state_dir.parent_path() == std::filesystem::path(kStateRoot)) ::rmdir(std::string(kStateRoot).c_str());
  rep.seconds = seconds_since(t0);
  if (first_error) return fail(std::move(*first_error));
  return rep;
}

}  // namespace

Result<UpReport> lab_up(const LabLayout& want, const UpOptions& options) {
  const auto& progress = options.progress;
  const auto t0 = Clock::now();
  SW_TRY_VOID(require_root("up"));
  SW_TRY_VOID(require_tools());
  auto lock = SW_TRY(lock_labs(want, true));
  UpReport rep;
  rep.layout = want;
  auto state = read_state(want);
  if (state && *state && (*state)->complete) {
    const LabState& st = **state;
    auto running = SW_TRY(make_layout(want.prefix, want.state_dir, st.computes));
    if (structure_intact(running, st)) {
      if (st.computes != want.computes)
        return fail(Error::input("lab '" + want.prefix + "' is already up with " + std::to_string(st.computes) +
                                 " compute hosts; run `stackwire lab down` before `lab up --computes " +
                                 std::to_string(want.computes) + "`"));
      rep.already_up = true;
      rep.layout = running;
      rep.restarted = SW_TRY(restart_dead_daemons(running, st));
      rep.seconds = seconds_since(t0);
      return rep;
    }
  }
  if (!state) log::warn("lab up: " + state.error().message() + "; cleaning up");
  const bool remains = !lab_netns_present(want.prefix).empty() || path_exists(want.state_dir);
  if (remains) {
    if (progress) progress("removing the remains of an earlier lab");
    if (auto d = down_locked(want, true); !d) return fail(std::move(d).error().context("lab up: cleaning remains"));
    rep.cleaned_remains = true;
  }
  if (auto built = build(want, options); !built) {
    if (auto d = down_locked(want, true); !d) log::warn("lab up: cleaning up after failure: " + d.error().message());
    return fail(std::move(built).error().context("lab up"));
  }
  rep.seconds = seconds_since(t0);
  return rep;
}

Result<DownReport> lab_down(const LabLayout& layout) {
  SW_TRY_VOID(require_root("down"));
  auto lock = SW_TRY(lock_labs(layout, false));
  return down_locked(layout);
}

Result<LabStatus> lab_status(const LabLayout& want) {
  SW_TRY_VOID(require_root("status"));
  LabStatus s;
  s.layout = want;
  const auto state = SW_TRY(read_state(want));
  if (!state || !state->complete) return s;
  s.layout = SW_TRY(make_layout(want.prefix, want.state_dir, state->computes));
  const auto& layout = s.layout;
  s.up = true;
  s.outside_ok = named_netns_exists(layout.outside_netns());
  s.switch_ok = named_netns_exists(layout.switch_netns());
  const auto procs = scan_processes(true);
  for (const auto& h : layout.hosts) {
    HostStatus hs;
    hs.spec = h;
    hs.netns = layout.netns_name(h.name);
    const auto rt = host_runtime(layout, state, h.name);
    hs.namespaces = rt.namespaces;
    hs.init_pid = rt.init;
    for (const auto& d : kDaemons) hs.daemons.push_back(daemon_status(d, rt.init, rt.pid_ns, procs));
    s.hosts.push_back(std::move(hs));
  }
  if (auto controller = open_named_netns(layout.netns_name("controller"))) {
    std::vector<std::string> ips;
    for (const auto& h : layout.hosts) ips.push_back(h.mgmt_ip);
    const auto ok = probe_ssh(controller->get(), ips, 1500ms);
    for (size_t i = 0; i < ok.size(); ++i) s.hosts[i].ssh = ok[i];
  }
  return s;
}

Result<LabLayout> current_layout() {
  auto layout = SW_TRY(layout_from_environment(2));
  auto state = read_state(layout);
  if (state && *state && (*state)->computes != layout.computes)
    return make_layout(layout.prefix, layout.state_dir, (*state)->computes);
  return layout;
}

Result<int> lab_exec(const LabLayout& layout, std::string_view member, const std::vector<std::string>& argv) {
  SW_TRY_VOID(require_root("exec"));
  if (argv.empty()) return fail(Error::input("lab exec: no command given (lab exec HOST -- CMD...)"));
  auto ns = SW_TRY(open_member(layout, member));
  SpawnSpec spec;
  spec.argv = argv;
  spec.stdin_fd = 0;
  spec.stdout_fd = 1;
  spec.stderr_fd = 2;
  std::error_code ec;
  spec.cwd = std::filesystem::current_path(ec).string();
  return run_attached(ns, spec);
}

}  // namespace sw::lab
