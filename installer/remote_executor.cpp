#include "installer/remote_executor.h"

#include <algorithm>

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
  auto res = r.run("sh " + path + " 2>&1", opts);
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

}  // namespace sw::installer
