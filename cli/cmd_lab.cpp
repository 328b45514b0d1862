// stackwire lab up [--computes K] | down | status [--json] | exec HOST -- CMD...
//
// The one-machine multinode lab (lab/): four hosts (controller, network, compute1, compute2) built from
// namespaces, each with its own /etc, /var, /run, sshd and Open vSwitch. Exit codes: 0 success; 1 a
// step failed, or (status) the lab is not up or a host is unhealthy; 2 usage or input error (an
// unknown host, a lab already up with another size, not root). `lab exec` returns the command's own
// exit status (127 if it cannot be found).
// STACKWIRE_LAB_PREFIX (default swlab) and STACKWIRE_LAB_DIR (default /srv/stackwire/<prefix>) select
// the lab, so tests can run one that never touches a user's.
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "cli/command.h"
#include "cli/commands.h"
#include "common/log.h"
#include "lab/host_ns.h"
#include "lab/lab.h"

namespace sw::cli {
namespace {

struct UpArgs {
  int computes = 2;
};
struct StatusArgs {
  bool json = false;
};
struct ExecArgs {
  std::string host;
  std::vector<std::string> command;
};

void out(const std::string& s) { std::fwrite(s.data(), 1, s.size(), stdout); }

std::string fmt_seconds(double s) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f s", s);
  return buf;
}

std::string paths_text(const lab::LabLayout& l) {
  return "  answer file: " + l.answer_file().string() + "\n" + "  topology:    " + l.topology_file().string() + "\n" +
         "  ssh config:  " + l.ssh_config().string() + "\n";
}

Result<int> run_up(const UpArgs& a) {
  auto want = SW_TRY(lab::layout_from_environment(a.computes));
  lab::UpOptions options;
  options.progress = [](std::string_view s) { log::info("lab up: " + std::string(s)); };
  // Each host's pid 1 re-executes this binary as `lab __init`, so `ps` names it for what it is.
  options.init_exec = {"/proc/self/exe", "stackwire-init", "lab", "__init"};
  const auto rep = SW_TRY(lab::lab_up(want, options));
  const auto& l = rep.layout;
  if (rep.already_up) {
    out("lab '" + l.prefix + "' is already up (" + std::to_string(l.hosts.size()) + " hosts); nothing to build\n");
    for (const auto& r : rep.restarted) out("  restarted " + r + " (it was not running)\n");
    return 0;
  }
  if (rep.cleaned_remains) out("lab '" + l.prefix + "': removed the remains of an earlier lab first\n");
  std::string hosts;
  for (const auto& h : l.hosts) hosts += (hosts.empty() ? "" : ", ") + h.name + " " + h.mgmt_ip;
  out("lab '" + l.prefix + "' is up in " + fmt_seconds(rep.seconds) + ": " + hosts + "; outside " +
      std::string(lab::kOutsideIp) + "\n" + paths_text(l) + "  try:         stackwire lab exec controller -- ssh -F " +
      l.ssh_config().string() + " root@10.15.0.7 ovs-vsctl show\n");
  return 0;
}

Result<int> run_down() {
  auto layout = SW_TRY(lab::layout_from_environment(2));
  const auto rep = SW_TRY(lab::lab_down(layout));
  if (!rep.found) {
    out("lab '" + layout.prefix + "' is not up; nothing to remove\n");
    return 0;
  }
  out("lab '" + layout.prefix + "' is down in " + fmt_seconds(rep.seconds) + ": " +
      std::to_string(rep.terminated + rep.killed) + " processes stopped (" + std::to_string(rep.killed) +
      " needed SIGKILL), " + std::to_string(rep.namespaces) + " namespaces and " + std::to_string(rep.mounts) +
      " namespace mounts removed" + (rep.files_removed ? ", " + layout.state_dir.string() + " deleted" : "") + "\n");
  return 0;
}

Result<int> run_status(const StatusArgs& a) {
  auto layout = SW_TRY(lab::layout_from_environment(2));
  const auto s = SW_TRY(lab::lab_status(layout));
  if (a.json) print_json(lab::status_json(s));
  else out(lab::status_text(s));
  return s.healthy() ? 0 : 1;
}

Result<int> run_exec(const ExecArgs& a) {
  auto layout = SW_TRY(lab::current_layout());
  auto r = lab::lab_exec(layout, a.host, a.command);
  if (!r && r.error().kind() == ErrorKind::not_found && r.error().message().find("command not found") != std::string::npos) {
    log::error(r.error().message());
    return 127;  // as a shell says it
  }
  return r;
}

}  // namespace

void add_lab_command(CLI::App& app) {
  auto* lab = app.add_subcommand("lab", "The one-machine multinode lab: four hosts in namespaces, with sshd and OVS");
  lab->require_subcommand(1);

  auto up_args = std::make_shared<UpArgs>();
  auto* up = lab->add_subcommand("up", "Build the lab (idempotent: a running lab is left as it is)");
  up->add_option("--computes", up_args->computes, "Number of compute hosts (10.15.0.2, .8, then .20, .21, …)")
      ->check(CLI::Range(1, lab::kMaxComputes));
  up->callback([up_args] { finish(run_up(*up_args)); });

  auto* down = lab->add_subcommand("down", "Remove everything the lab created, and nothing else");
  down->callback([] { finish(run_down()); });

  auto status_args = std::make_shared<StatusArgs>();
  auto* status = lab->add_subcommand("status", "Hosts, namespaces, daemons, ssh; exit 1 if a host is unhealthy");
  status->add_flag("--json", status_args->json, "As JSON (hosts, outside, answer_file, topology, ssh_config, …)");
  status->callback([status_args] { finish(run_status(*status_args)); });

  auto exec_args = std::make_shared<ExecArgs>();
  auto* exec = lab->add_subcommand(
      "exec", "Run a command inside a lab host's network, mount, UTS and PID namespaces: lab exec HOST -- CMD...");
  exec->add_option("HOST", exec_args->host, "controller | network | computeN | outside | switch")->required();
  exec->add_option("CMD", exec_args->command, "The command and its arguments (after --)")->required();
  exec->callback([exec_args] { finish(run_exec(*exec_args)); });

  // Internal: what a lab host's pid 1 runs (reaps orphans until `lab down` kills it). Hidden.
  auto init_title = std::make_shared<std::string>();
  auto* init = lab->add_subcommand("__init", "")->group("");
  init->add_option("TITLE", *init_title, "");
  init->callback([] {
    auto r = lab::run_host_init();
    finish(r ? Result<int>(0) : Result<int>(fail(std::move(r).error())));
  });
}

}  // namespace sw::cli
