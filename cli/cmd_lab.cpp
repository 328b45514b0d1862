// stackwire lab up [--computes K] | down | status [--json] | exec HOST -- CMD...
//            | fault NAME [--json] | fault --list [--json] | heal [NAME] [--json]
//
// The one-machine multinode lab (lab/): four hosts (controller, network, compute1, compute2) built from
// namespaces, each with its own /etc, /var, /run, sshd and Open vSwitch. Exit codes: 0 success; 1 a
// step failed, or (status) the lab is not up or a host is unhealthy; 2 usage or input error (an
// unknown host, a lab already up with another size, not root). `lab exec` returns the command's own
// exit status (127 if it cannot be found). `lab fault NAME` breaks one thing on a deployed lab and
// `lab heal` puts back every active fault, newest first (lab/faults/): 0 done (or already so); 1 the
// lab is not up, has no cloud to break, or a step failed; 2 an unknown fault name.
// STACKWIRE_LAB_PREFIX (default swlab) and STACKWIRE_LAB_DIR (default /srv/stackwire/<prefix>) select
// the lab, so tests can run one that never touches a user's.
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <cstdio>
#include <fstream>
#include <ctime>
#include <memory>
#include <string>
#include <vector>

#include "cli/command.h"
#include "cli/commands.h"
#include "common/log.h"
#include "lab/faults/faults.h"
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
struct FaultArgs {
  std::string name;
  bool list = false;
  bool json = false;
};
struct HealArgs {
  std::string name;
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

/// The command after `lab exec HOST --`, exactly as given: CLI11 reads an argument in brackets
/// ("[ -e /x ]") as a list and splits it, so the words are taken from /proc/self/cmdline instead.
std::vector<std::string> exec_tail(const std::vector<std::string>& parsed) {
  std::ifstream in("/proc/self/cmdline", std::ios::binary);
  std::vector<std::string> argv;
  for (std::string w; std::getline(in, w, '\0');) argv.push_back(w);
  for (std::size_t i = 0; i + 1 < argv.size(); ++i)
    if (argv[i] == "exec") {
      for (std::size_t j = i + 1; j < argv.size(); ++j)
        if (argv[j] == "--") return std::vector<std::string>(argv.begin() + static_cast<long>(j) + 1, argv.end());
      break;
    }
  return parsed;
}

Result<int> run_exec(const ExecArgs& a) {
  auto layout = SW_TRY(lab::current_layout());
  auto r = lab::lab_exec(layout, a.host, exec_tail(a.command));
  if (!r && r.error().kind() == ErrorKind::not_found && r.error().message().find("command not found") != std::string::npos) {
    log::error(r.error().message());
    return 127;  // as a shell says it
  }
  return r;
}

std::string utc_time(long long t) {
  const std::time_t tt = static_cast<std::time_t>(t);
  std::tm tm{};
  ::gmtime_r(&tt, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S UTC", &tm);
  return buf;
}

Result<int> run_fault(const FaultArgs& a) {
  auto layout = SW_TRY(lab::current_layout());
  if (a.list) {
    if (!a.name.empty()) return fail(Error::input("lab fault: give a fault NAME or --list, not both"));
    const auto facts = SW_TRY(lab::faults::load_lab_facts(layout));
    auto state = lab::faults::lab_fault_state(layout);
    if (!state)  // not root: the catalogue alone
      log::write(state.error().kind() == ErrorKind::permission ? log::Level::debug : log::Level::warn,
                 "cannot read the lab's active faults: " + state.error().message());
    const auto active = state ? *state : lab::faults::FaultState{};
    const auto list = lab::faults::list_faults(facts, active);
    if (a.json) print_json(lab::faults::fault_list_json(list, active));
    else out(lab::faults::fault_list_text(list, layout.prefix));
    return 0;
  }
  if (a.name.empty())
    return fail(Error::input("lab fault: name a fault (or --list); faults: " + lab::faults::fault_names()));
  const auto rep = SW_TRY(lab::faults::apply_lab_fault(layout, a.name));
  if (a.json) {
    print_json({{"name", rep.name},
                {"host", rep.host},
                {"already_active", rep.already_active},
                {"applied", rep.applied},
                {"stopped_agent", rep.stopped_agent.empty() ? nlohmann::json(nullptr) : nlohmann::json(rep.stopped_agent)},
                {"message", rep.message}});
    return 0;
  }
  if (rep.already_active) {
    out("fault " + rep.name + " is already active on " + rep.host + " (since " + utc_time(rep.applied) +
        "); nothing to do\n");
    return 0;
  }
  out("fault " + rep.name + " applied on " + rep.host + ": " + rep.message + "\n");
  if (!rep.stopped_agent.empty())
    out("  " + rep.stopped_agent + " on " + rep.host + " is stopped while the fault is active (it would repair it)\n");
  out("  undo with: stackwire lab heal\n");
  return 0;
}

Result<int> run_heal(const HealArgs& a) {
  auto layout = SW_TRY(lab::current_layout());
  const auto rep = SW_TRY(lab::faults::heal_lab_faults(layout, a.name));
  if (a.json) {
    nlohmann::json faults = nlohmann::json::array();
    for (const auto& f : rep.faults)
      faults.push_back({{"name", f.name},
                        {"host", f.host},
                        {"ok", f.ok},
                        {"message", f.message},
                        {"restarted_agent", f.restarted_agent.empty() ? nlohmann::json(nullptr)
                                                                      : nlohmann::json(f.restarted_agent)}});
    print_json({{"healed", faults}, {"ok", rep.all_ok()}});
    return rep.all_ok() ? 0 : 1;
  }
  if (rep.faults.empty()) {
    out(a.name.empty() ? "lab '" + layout.prefix + "' has no active faults; nothing to heal\n"
                       : "fault " + a.name + " is not active on lab '" + layout.prefix + "'; nothing to heal\n");
    return 0;
  }
  for (const auto& f : rep.faults) {
    if (f.ok) out("healed " + f.name + " on " + f.host + ": " + f.message + "\n");
    else log::error("could not heal " + f.name + " on " + f.host + " (it stays active): " + f.message);
    if (!f.restarted_agent.empty()) out("  started " + f.restarted_agent + " on " + f.host + " again\n");
  }
  return rep.all_ok() ? 0 : 1;
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

  auto fault_args = std::make_shared<FaultArgs>();
  auto* fault = lab->add_subcommand(
      "fault", "Break one thing on the deployed lab (lab fault NAME), or list the faults (lab fault --list)");
  fault->add_option("NAME", fault_args->name, "A fault from `lab fault --list`");
  fault->add_flag("--list", fault_args->list, "List the faults: name, host, what each breaks, agents stopped");
  fault->add_flag("--json", fault_args->json, "As JSON");
  fault->callback([fault_args] { finish(run_fault(*fault_args)); });

  auto heal_args = std::make_shared<HealArgs>();
  auto* heal = lab->add_subcommand("heal", "Undo the active faults, newest first (or just NAME); restart stopped agents");
  heal->add_option("NAME", heal_args->name, "Heal only this fault");
  heal->add_flag("--json", heal_args->json, "As JSON");
  heal->callback([heal_args] { finish(run_heal(*heal_args)); });

  // Internal: what a lab host's pid 1 runs (reaps orphans until `lab down` kills it). Hidden.
  auto init_title = std::make_shared<std::string>();
  auto* init = lab->add_subcommand("__init", "")->group("");
  init->add_option("TITLE", *init_title, "");
  // The callback holds the title's storage: CLI11 writes into it while parsing, after this function
  // has returned (without the capture, the sanitizer run caught a heap use-after-free in every host's
  // pid 1, which then died and took its host's daemons with it).
  init->callback([init_title] {
    auto r = lab::run_host_init();
    finish(r ? Result<int>(0) : Result<int>(fail(std::move(r).error())));
  });
}

}  // namespace sw::cli
