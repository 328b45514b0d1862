// stackwire trace floating-ip IP | instance NAME  --answer-file FILE [--topology FILE]
//                 [--keystonerc FILE] [--json] [--timeout S] [--no-probe]
//                 [--known-hosts FILE] [--identity KEY] [--accept-new-host-keys]
//
// Walks the path of a floating IP (or of an instance) hop by hop over the observations verify
// takes, probes it, and prints each hop ok / BROKEN / unknown. Exit 0 when every hop is ok, 1 when
// one is broken or could not be looked at, 2 for bad input (an unknown floating IP or instance:
// the message lists those that exist).
#include <CLI/CLI.hpp>

#include <cstdio>
#include <memory>

#include <nlohmann/json.hpp>

#include "checks/trace.h"
#include "checks/verify.h"
#include "cli/command.h"
#include "cli/commands.h"
#include "cli/os_options.h"

namespace sw::cli {
namespace {

struct TraceArgs {
  checks::VerifyOptions o;
  checks::TraceTarget target;
  bool json = false;
  bool probe = true;
  double timeout = 1.0;
};

Result<int> run_trace(TraceArgs& a) {
  a.o.probe_timeout = std::chrono::milliseconds(static_cast<long>(a.timeout * 1000));
  a.o.reachability = a.probe;
  checks::CloudObservation cloud = SW_TRY(checks::CloudObservation::take(a.o));
  // An unknown target is bad input: say so before probing anything.
  SW_TRY(checks::resolve_trace_target(cloud.expected(), a.target));
  std::vector<checks::ProbeResult> results;
  if (a.probe) results = cloud.probe(checks::plan_trace_probes(cloud.expected(), cloud.hosts(), a.target), a.o.probe_timeout);
  const auto trace = SW_TRY(checks::trace_path(cloud.expected(), cloud.hosts(), a.target, a.probe ? &results : nullptr));
  if (a.json) {
    print_json(trace);
  } else {
    const std::string text = checks::report_trace_text(trace, use_colour());
    std::fwrite(text.data(), 1, text.size(), stdout);
  }
  return trace.ok() ? 0 : 1;
}

}  // namespace

void add_trace_command(CLI::App& app) {
  auto a = std::make_shared<TraceArgs>();
  auto* cmd = app.add_subcommand("trace", "Walk a floating IP's or an instance's path hop by hop and show where it stops");
  cmd->require_subcommand(1);
  cmd->add_option("--answer-file", a->o.answer_file, "The packstack answer file of the cloud")->required();
  cmd->add_option("--topology", a->o.topology_file,
                  "Expected topology as JSON (default: read from Neutron's API with OS_* or --keystonerc)");
  add_os_options(*cmd, a->o.os_vars);
  cmd->add_option("--keystonerc", a->o.keystonerc,
                  "keystonerc with Neutron's credentials (default: OS_* environment, else /root/keystonerc_admin)");
  cmd->add_flag("--json", a->json, "Print the hops as JSON");
  cmd->add_flag("--no-probe", [a](std::int64_t) { a->probe = false; }, "Do not send the ICMP probes at the end");
  cmd->add_option("--timeout", a->timeout, "Seconds each probe waits for an answer")->check(CLI::Range(0.05, 60.0))->default_val(1.0);
  cmd->add_option("--known-hosts", a->o.known_hosts, "known_hosts file (default ~/.ssh/known_hosts)");
  cmd->add_option("--identity", a->o.identity, "Private key for ssh (default: CONFIG_SSH_KEY without .pub, else ~/.ssh/id_ed25519)");
  cmd->add_flag("--accept-new-host-keys", a->o.accept_new_host_keys, "Record unknown host keys instead of refusing them");

  auto* fip = cmd->add_subcommand("floating-ip", "Trace a floating IP from br-ex to its instance");
  fip->add_option("IP", a->target.value, "The floating IP")->required();
  fip->fallthrough();
  fip->callback([a] {
    a->target.kind = checks::TraceTarget::floating_ip;
    finish(run_trace(*a));
  });
  auto* inst = cmd->add_subcommand("instance", "Trace an instance from its network's qdhcp-/qrouter- namespaces");
  inst->add_option("NAME", a->target.value, "The instance's name")->required();
  inst->fallthrough();
  inst->callback([a] {
    a->target.kind = checks::TraceTarget::instance;
    finish(run_trace(*a));
  });
}

}  // namespace sw::cli
