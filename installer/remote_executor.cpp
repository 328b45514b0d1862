#include "installer/remote_executor.h"

#include <algorithm>

#include "common/log.h"

namespace sw::installer {

Result<ExecResult> RemoteExecutor::execute(const Manifest& m) {
  auto it = runners_.find(m.host);
  if (it == runners_.end()) return fail(Error::os("host " + m.host + ": no connection was set up for it"));
  HostRunner& r = *it->second;
  const std::string path = std::string(kRemoteManifestDir) + "/" + m.file_name();
  SW_TRY_VOID(r.upload(path, m.render(), {.mode = 0700}));
  const bool slow = std::any_of(m.steps.begin(), m.steps.end(), [](const Step& s) { return s.slow; });
  RunOptions opts;
  opts.timeout = slow ? timeout_ * 4 : timeout_;
  opts.display = "sh " + path;
  const std::string env = run_id_.empty() ? std::string() : "SW_ABORT_FILE=" + abort_file() + " ";
  auto res = r.run(env + "sh " + path + " 2>&1", opts);
  ExecResult out;
  if (!res) {
    if (res.error().kind() != ErrorKind::timeout) return fail(std::move(res.error()));
    out.timed_out = true;
    out.exit_status = 124;
    out.output = res.error().message() + "\n";
    return out;
  }
  out.exit_status = res->signal.empty() ? res->exit_status : 128;
  out.output = res->out + res->err;
  if (!res->signal.empty()) out.output += "manifest killed by signal " + res->signal + "\n";
  return out;
}

void RemoteExecutor::interrupt_waits(const std::string& host, const std::string& reason) {
  if (run_id_.empty() || !open_side_) return;
  auto side = open_side_(host);
  if (!side) return;
  RunOptions o;
  o.timeout = std::chrono::seconds(15);
  o.input = reason + "\n";
  const std::string cmd = std::string("mkdir -p -m 0700 ") + kAbortDir + " && cat > " + abort_file() + ".tmp && mv -f " +
                          abort_file() + ".tmp " + abort_file();
  auto r = side->run(cmd, o);
  if (!r) log::debug("host " + host + ": could not ask its manifest to stop waiting: " + r.error().message());
  else if (!r->ok()) log::debug("host " + host + ": could not ask its manifest to stop waiting: " + r->status_text());
}

std::string RemoteExecutor::abort_file() const { return std::string(kAbortDir) + "/abort-" + run_id_; }

}  // namespace sw::installer
