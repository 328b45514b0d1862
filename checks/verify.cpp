#include "checks/verify.h"

#include <elf.h>
#include <link.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <mutex>
#include <fstream>
#include <future>
#include <map>
#include <optional>
#include <utility>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

#include "common/log.h"
#include "installer/answer_file_io.h"
#include "installer/deploy.h"
#include "installer/http.h"
#include "installer/keystone_client.h"
#include "installer/neutron_client.h"
#include "installer/setup_log.h"
#include "installer/ssh_session.h"
#include "netprobe/snapshot.h"

namespace sw::checks {
namespace {

using Clock = std::chrono::steady_clock;
constexpr const char* kRemoteDir = "/var/lib/stackwire/bin";
constexpr int kNeedBinary = 97;

Result<std::string> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return fail_errno(errno, "read " + path);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

/// This binary's GNU build id (hex), from its own program headers: names the copy put on remote
/// hosts, so "is it there already" is one stat instead of hashing 60 MB. Empty when the linker
/// wrote none (then the size and mtime of /proc/self/exe stand in).
std::string build_id() {
  std::string id;
  dl_iterate_phdr(
      [](dl_phdr_info* info, std::size_t, void* out) -> int {
        if (info->dlpi_name && info->dlpi_name[0]) return 0;  // the main program only
        for (int i = 0; i < info->dlpi_phnum; ++i) {
          const auto& ph = info->dlpi_phdr[i];
          if (ph.p_type != PT_NOTE) continue;
          const auto* p = reinterpret_cast<const unsigned char*>(info->dlpi_addr + ph.p_vaddr);
          const auto* end = p + ph.p_memsz;
          while (p + sizeof(ElfW(Nhdr)) <= end) {
            const auto* n = reinterpret_cast<const ElfW(Nhdr)*>(p);
            const auto* name = p + sizeof(ElfW(Nhdr));
            const auto* desc = name + ((n->n_namesz + 3) & ~3u);
            if (n->n_type == NT_GNU_BUILD_ID && n->n_namesz == 4 && std::memcmp(name, "GNU", 4) == 0) {
              static const char* hex = "0123456789abcdef";
              auto* s = static_cast<std::string*>(out);
              for (unsigned k = 0; k < n->n_descsz; ++k) {
                *s += hex[desc[k] >> 4];
                *s += hex[desc[k] & 15];
              }
              return 1;
            }
            p = desc + ((n->n_descsz + 3) & ~3u);
          }
        }
        return 0;
      },
      &id);
  if (id.empty()) {
    struct stat st {};
    if (::stat("/proc/self/exe", &st) == 0) id = std::to_string(st.st_size) + "-" + std::to_string(st.st_mtime);
  }
  return id;
}

/// This binary, read only when a host needs it.
Result<const std::string*> self_bytes() {
  static std::string bytes;
  static std::string error;
  static std::once_flag once;
  std::call_once(once, [] {
    auto b = read_file("/proc/self/exe");
    if (b) bytes = std::move(*b);
    else error = b.error().message();
  });
  if (!error.empty()) return fail(Error::os("stackwire's own binary: " + error));
  return &bytes;
}

std::set<std::string> local_addresses() {
  std::set<std::string> out;
  if (auto s = netprobe::inspect(-1))
    for (const auto& a : s->addresses) out.insert(a.local.to_string());
  return out;
}

/// A remote host: one ssh session for its snapshot and then its probes.
class RemoteHost {
 public:
  RemoteHost(const std::string& address, const installer::SshTarget& target, const installer::SshOptions& o)
      : runner_(target, o), address_(address) {}

  /// Runs `stackwire ARGS` there, placing this very binary first (as
  /// /var/lib/stackwire/bin/stackwire-<build id>) when it is not there yet.
  Result<installer::CommandResult> stackwire(const std::string& args, std::chrono::milliseconds timeout,
                                             const std::string& input = {}) {
    static const std::string id = build_id();
    const std::string path = std::string(kRemoteDir) + "/stackwire-" + id;
    const std::string script = "f=" + path + "\nif [ -x \"$f\" ]; then [ -d /run/systemd/system ] && echo SW-SYSTEMD >&2; exec \"$f\" " +
                               args + "; fi\nexit " + std::to_string(kNeedBinary) + "\n";
    installer::RunOptions ro;
    ro.timeout = timeout;
    ro.input = input;
    ro.display = "stackwire " + args;
    for (int attempt = 0; attempt < 2; ++attempt) {
      auto r = SW_TRY(runner_.run(script, ro));
      if (r.exit_status != kNeedBinary) {
        systemd_ = r.err.find("SW-SYSTEMD") != std::string::npos;
        return r;
      }
      const std::string* bytes = SW_TRY(self_bytes());
      installer::RunOptions mk;
      mk.timeout = timeout;
      // Older copies go: one stackwire per host.
      auto made = SW_TRY(runner_.run(std::string("mkdir -p ") + kRemoteDir + " && rm -f " + kRemoteDir + "/stackwire-*", mk));
      if (!made.ok())
        return fail(Error::failed("host " + address_ + ": mkdir " + kRemoteDir + ": " + made.status_text()));
      installer::UploadOptions uo;
      uo.mode = 0755;
      uo.timeout = timeout;
      SW_TRY_VOID(runner_.upload(path, *bytes, uo));
    }
    return fail(Error::failed("host " + address_ + ": " + path + " cannot be run after upload"));
  }
  bool systemd() const { return systemd_; }

 private:
  installer::SshHostRunner runner_;
  std::string address_;
  bool systemd_ = false;
};

std::string first_line(std::string_view s) {
  const auto nl = s.find('\n');
  return std::string(s.substr(0, nl));
}

}  // namespace

Result<std::string> run_probe_request(std::string_view json_text, std::chrono::milliseconds timeout) {
  std::vector<ProbeRequest> reqs;
  try {
    reqs = nlohmann::json::parse(json_text).get<std::vector<ProbeRequest>>();
  } catch (const std::exception& e) {
    return fail(Error::input(std::string("probe request: ") + e.what()));
  }
  return nlohmann::json(run_probes(reqs, timeout)).dump();
}

struct CloudObservation::Impl {
  Expected expected;
  std::vector<HostObservation> hosts;
  std::vector<std::unique_ptr<RemoteHost>> remotes;
  std::string topology_source;
  std::chrono::milliseconds host_timeout{20000};
};

CloudObservation::CloudObservation(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
CloudObservation::CloudObservation(CloudObservation&&) noexcept = default;
CloudObservation& CloudObservation::operator=(CloudObservation&&) noexcept = default;
CloudObservation::~CloudObservation() = default;
const Expected& CloudObservation::expected() const { return impl_->expected; }
const std::vector<HostObservation>& CloudObservation::hosts() const { return impl_->hosts; }
const std::string& CloudObservation::topology_source() const { return impl_->topology_source; }

Result<CloudObservation> CloudObservation::take(const VerifyOptions& o) {
  auto impl = std::make_unique<Impl>();
  impl->host_timeout = o.host_timeout;

  // ---- expected state
  installer::AnswerFile answers = SW_TRY(installer::load_answer_file(o.answer_file));
  for (const auto& d : answers.diagnostics())
    if (d.severity == installer::Severity::error) return fail(Error::input(answers.error_text()));
  for (const auto& s : answers.secrets()) log::add_secret(s);
  const installer::Inventory inv = SW_TRY(installer::make_inventory(answers));

  // The topology comes from Neutron's API (a second or two: Keystone's password check, then a
  // dozen listings) while the hosts are being snapshotted.
  // Credentials are resolved first (no network): their errors, like a topology file's, come before
  // any host is contacted.
  const auto credentials = [&o]() -> Result<installer::Credentials> {
    if (!o.os_vars.empty()) {
      // --os-* options over the OS_* environment, as the openstack CLI does.
      std::map<std::string, std::string> vars;
      for (const char* k : {"OS_AUTH_URL", "OS_USERNAME", "OS_PASSWORD", "OS_PROJECT_NAME", "OS_TENANT_NAME",
                            "OS_USER_DOMAIN_NAME", "OS_PROJECT_DOMAIN_NAME", "OS_USER_DOMAIN_ID",
                            "OS_PROJECT_DOMAIN_ID", "OS_REGION_NAME", "OS_INTERFACE", "OS_CACERT",
                            "OS_IDENTITY_API_VERSION"})
        if (const char* v = std::getenv(k)) vars[k] = v;
      for (const auto& [k, v] : o.os_vars) vars[k] = v;
      return installer::credentials_from_vars(vars, "--os-* options");
    }
    if (!o.keystonerc.empty()) return installer::read_keystonerc(o.keystonerc);
    if (std::getenv("OS_AUTH_URL")) return installer::credentials_from_environment();
    if (::access("/root/keystonerc_admin", R_OK) == 0) return installer::read_keystonerc("/root/keystonerc_admin");
    return fail(Error::input("verify: no topology: give --topology FILE, or Neutron's credentials as OS_* variables "
                             "(source keystonerc_admin), --os-* options or --keystonerc FILE"));
  };
  using TopologyRead = Result<std::pair<installer::Topology, std::string>>;
  std::optional<TopologyRead> topo_now;
  std::future<TopologyRead> topo_later;
  if (!o.topology_file.empty()) {
    auto t = installer::read_topology_file(o.topology_file);
    if (!t) return fail(std::move(t.error()));
    topo_now = std::pair{std::move(*t), o.topology_file};
  } else {
    const installer::Credentials creds = SW_TRY(credentials());
    topo_later = std::async(std::launch::async, [creds]() -> TopologyRead {
      auto http = SW_TRY(installer::CurlHttpClient::create());
      auto ks = SW_TRY(installer::KeystoneClient::login(*http, creds));
      auto nc = SW_TRY(installer::NeutronClient::from_keystone(ks));
      return std::pair{SW_TRY(installer::read_topology_from_api(nc)), "Neutron API (" + creds.auth_url + ")"};
    });
  }
  Expected expected = SW_TRY(make_expected(answers, nullptr));

  // ---- observed state: every host at once
  installer::SshOptions ssh_opts;
  ssh_opts.known_hosts = o.known_hosts;
  ssh_opts.accept_new_host_keys = o.accept_new_host_keys;
  ssh_opts.connect_timeout = std::min<std::chrono::milliseconds>(o.host_timeout, std::chrono::seconds(10));
  std::string identity = o.identity;
  if (identity.empty() && !inv.ssh_key.empty())
    identity = inv.ssh_key.ends_with(".pub") ? inv.ssh_key.substr(0, inv.ssh_key.size() - 4) : inv.ssh_key;
  if (identity.empty() || ::access(identity.c_str(), R_OK) != 0) identity = installer::default_ssh_identity();

  const auto mine = local_addresses();
  std::vector<HostObservation>& obs = impl->hosts;
  obs.resize(expected.hosts.size());
  auto& remotes = impl->remotes;
  remotes.resize(expected.hosts.size());
  {
    std::vector<std::future<void>> jobs;
    for (std::size_t i = 0; i < expected.hosts.size(); ++i) {
      obs[i].address = expected.hosts[i].address;
      obs[i].local = mine.count(obs[i].address) > 0;
      jobs.push_back(std::async(std::launch::async, [&, i] {
        HostObservation& h = obs[i];
        if (h.local) {
          h.systemd = ::access("/run/systemd/system", F_OK) == 0;
          auto s = take_host_snapshot();
          if (s) h.snapshot = std::move(*s);
          else h.error = s.error().message();
          return;
        }
        installer::SshTarget t;
        t.host = h.address;
        t.identity = identity;
        remotes[i] = std::make_unique<RemoteHost>(h.address, t, ssh_opts);
        auto r = remotes[i]->stackwire("snapshot --json", o.host_timeout);
        if (!r) {
          h.error = r.error().message();
          return;
        }
        h.systemd = remotes[i]->systemd();
        if (!r->ok()) {
          h.error = "host " + h.address + ": stackwire snapshot: " + r->status_text() + ": " + first_line(r->err);
          return;
        }
        auto s = parse_host_snapshot("host " + h.address, r->out);
        if (s) h.snapshot = std::move(*s);
        else h.error = s.error().message();
      }));
    }
    for (auto& j : jobs) j.get();
  }
  {
    auto t = topo_now ? std::move(*topo_now) : topo_later.get();
    if (!t) return fail(std::move(t.error()));
    impl->topology_source = t->second;
    expected = SW_TRY(make_expected(answers, &t->first));
  }
  for (std::size_t i = 0; i < obs.size(); ++i)
    if (obs[i].snapshot) expected.hosts[i].name = obs[i].snapshot->hostname;
  impl->expected = std::move(expected);
  return CloudObservation(std::move(impl));
}

std::vector<ProbeResult> CloudObservation::probe(const std::vector<ProbeRequest>& plan,
                                                 std::chrono::milliseconds timeout) {
  const auto& obs = impl_->hosts;
  auto& remotes = impl_->remotes;
  const auto host_timeout = impl_->host_timeout;
  std::vector<ProbeResult> probe_results;
  {
    std::map<std::string, std::vector<ProbeRequest>> by_host;
    for (const auto& p : plan) by_host[p.host].push_back(p);
    std::vector<std::future<std::vector<ProbeResult>>> jobs;
    for (auto& [host, reqs] : by_host) {
      std::size_t idx = 0;
      for (; idx < obs.size(); ++idx)
        if (obs[idx].address == host) break;
      jobs.push_back(std::async(std::launch::async, [&, idx, reqs = reqs]() -> std::vector<ProbeResult> {
        const auto fail_all = [&](const std::string& why) {
          std::vector<ProbeResult> out;
          for (const auto& r : reqs) out.push_back({r, false, "", why});
          return out;
        };
        if (idx == obs.size()) return fail_all("host " + host + " is not part of this cloud");
        if (obs[idx].local) return run_probes(reqs, timeout);
        if (!remotes[idx]) return fail_all("no ssh session to " + host);
        const auto ms = std::to_string(timeout.count());
        auto r = remotes[idx]->stackwire("__probe --timeout-ms " + ms, host_timeout, nlohmann::json(reqs).dump());
        if (!r) return fail_all(r.error().message());
        if (!r->ok()) return fail_all("stackwire __probe: " + r->status_text() + ": " + first_line(r->err));
        try {
          return nlohmann::json::parse(r->out).get<std::vector<ProbeResult>>();
        } catch (const std::exception& e) {
          return fail_all(std::string("stackwire __probe answered unreadable JSON: ") + e.what());
        }
      }));
    }
    for (auto& j : jobs)
      for (auto& r : j.get()) probe_results.push_back(std::move(r));
  }
  return probe_results;
}

Result<VerifyReport> verify(const VerifyOptions& o) {
  const auto t0 = Clock::now();
  VerifyReport rep;
  CloudObservation cloud = SW_TRY(CloudObservation::take(o));
  rep.topology_source = cloud.topology_source();
  if (!o.save_topology.empty())
    SW_TRY_VOID(installer::write_file_atomic(o.save_topology, installer::write_topology(cloud.expected().topology), 0600));
  for (const auto& h : cloud.expected().hosts) rep.hosts.push_back(h.label());
  std::vector<ProbeResult> probe_results;
  if (o.reachability) probe_results = cloud.probe(plan_probes(cloud.expected(), cloud.hosts(), o.tcp_port), o.probe_timeout);
  rep.results = filter_results(run_checks(cloud.expected(), cloud.hosts(), o.reachability ? &probe_results : nullptr),
                               o.only, o.skip);
  rep.summary = summarize(rep.results);
  rep.seconds = std::chrono::duration<double>(Clock::now() - t0).count();
  return rep;
}

}  // namespace sw::checks
