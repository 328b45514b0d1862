// stackwire verify [--answer-file FILE] [--topology FILE] [--format text|json|junit] [-o FILE]
//                  [--only IDS] [--skip IDS] [--no-reachability] [--port N] [--timeout S]
//                  [--keystonerc FILE] [--known-hosts FILE] [--identity KEY] [--junit-file FILE]
// stackwire __probe --timeout-ms N   (hidden: what verify runs on a remote host, JSON on stdin)
//
// Exit 0 when every check passed (warnings and skips allowed), 1 when one failed or could not be
// run, 2 for bad input (answer file, topology file, credentials, options).
#include <CLI/CLI.hpp>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>
#include <thread>

#include "checks/report.h"
#include "checks/verify.h"
#include "cli/command.h"
#include "cli/commands.h"
#include "cli/os_options.h"
#include "common/strings.h"
#include "installer/setup_log.h"

namespace sw::cli {
namespace {

struct VerifyArgs {
  checks::VerifyOptions o;
  std::string format = "text";
  std::string output;
  std::string junit_file;
  std::string only, skip;
  bool only_given = false;
  double timeout = 1.0;
  double wait = 0;
};

std::vector<std::string> id_list(const std::string& s) {
  std::vector<std::string> out;
  for (auto part : split(s, ','))
    if (auto t = trim(part); !t.empty()) out.emplace_back(t);
  return out;
}

Result<void> write_out(const std::string& path, const std::string& text) {
  return installer::write_file_atomic(path, text, 0644);
}

Result<int> run_verify(VerifyArgs& a) {
  a.o.only = id_list(a.only);
  // `--only ""` or `--only ,` must not quietly mean "everything".
  if (a.only_given && a.o.only.empty())
    return fail(Error::input("verify: --only needs check ids, id prefixes or hosts, comma-separated"));
  a.o.skip = id_list(a.skip);
  a.o.probe_timeout = std::chrono::milliseconds(static_cast<long>(a.timeout * 1000));
  // --wait S: right after a deploy the agents are still converging (the L3 agent wires floating IPs
  // some seconds after the API accepted them): verify again until everything passes or S seconds
  // have gone, and report the last run.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(static_cast<long>(a.wait * 1000));
  auto rep = SW_TRY(checks::verify(a.o));
  while (checks::exit_code_for(rep.summary) != 0 && std::chrono::steady_clock::now() < deadline) {
    std::fprintf(stderr, "stackwire: verify: %d failed, %d errors; again in 3 s (--wait)\n", rep.summary.fail,
                 rep.summary.error);
    std::this_thread::sleep_for(std::chrono::seconds(3));
    rep = SW_TRY(checks::verify(a.o));
  }
  std::string text;
  if (a.format == "json") text = checks::report_json(rep);
  else if (a.format == "junit") text = checks::report_junit(rep);
  else text = checks::report_text(rep, a.output.empty() && use_colour());
  if (a.output.empty()) std::fwrite(text.data(), 1, text.size(), stdout);
  else SW_TRY_VOID(write_out(a.output, text));
  if (!a.junit_file.empty()) {
    SW_TRY_VOID(write_out(a.junit_file, checks::report_junit(rep)));
    if (a.format == "text" && a.output.empty()) std::printf("JUnit report: %s\n", a.junit_file.c_str());
  }
  return checks::exit_code_for(rep.summary);
}

}  // namespace

void add_verify_command(CLI::App& app) {
  auto a = std::make_shared<VerifyArgs>();
  auto* cmd = app.add_subcommand("verify", "Prove the network plane works: native checks on every host, reachability, fixes");
  cmd->add_option("--answer-file", a->o.answer_file, "The packstack answer file of the cloud")->required();
  cmd->add_option("--topology", a->o.topology_file,
                  "Expected topology as JSON (default: read from Neutron's API with OS_* or --keystonerc)");
  cmd->add_option("--keystonerc", a->o.keystonerc, "keystonerc with Neutron's credentials (default: OS_* environment, else /root/keystonerc_admin)");
  add_os_options(*cmd, a->o.os_vars);
  cmd->add_option("--format", a->format, "Report format")->check(CLI::IsMember({"text", "json", "junit"}))->default_val("text");
  cmd->add_option("-o,--output", a->output, "Write the report to FILE instead of stdout");
  cmd->add_option("--junit-file", a->junit_file, "Also write a JUnit report to FILE");
  cmd->add_option("--save-topology", a->o.save_topology,
                  "Write the topology checked against to FILE (mode 0600), for a later --topology FILE");
  auto* only = cmd->add_option("--only", a->only, "Only these check ids, id prefixes (nat) or hosts, comma-separated");
  cmd->add_option("--skip", a->skip, "Leave out these check ids, id prefixes or hosts, comma-separated");
  cmd->add_flag("--no-reachability", [a](std::int64_t) { a->o.reachability = false; }, "Do not probe instances and floating IPs");
  cmd->add_option("--port", a->o.tcp_port, "TCP port probed on floating IPs")->check(CLI::Range(1, 65535))->default_val(22);
  cmd->add_option("--timeout", a->timeout, "Seconds each probe waits for an answer")->check(CLI::Number)->check(CLI::Range(0.05, 60.0))->default_val(1.0);
  cmd->add_option("--wait", a->wait, "Verify again until everything passes or S seconds have gone (after a deploy)")
      ->check(CLI::Range(0.0, 3600.0));
  cmd->add_option("--known-hosts", a->o.known_hosts, "known_hosts file (default ~/.ssh/known_hosts)");
  cmd->add_option("--identity", a->o.identity, "Private key for ssh (default: CONFIG_SSH_KEY without .pub, else ~/.ssh/id_ed25519)");
  cmd->add_flag("--accept-new-host-keys", a->o.accept_new_host_keys, "Record unknown host keys instead of refusing them");
  cmd->callback([a, only] {
    a->only_given = only->count() > 0;
    finish(run_verify(*a));
  });

  auto timeout_ms = std::make_shared<int>(1000);
  auto* probe = app.add_subcommand("__probe", "")->group("");
  probe->add_option("--timeout-ms", *timeout_ms)->check(CLI::Range(10, 60000));
  probe->callback([timeout_ms] {
    finish([&]() -> Result<int> {
      std::string in((std::istreambuf_iterator<char>(std::cin)), std::istreambuf_iterator<char>());
      const std::string out = SW_TRY(checks::run_probe_request(in, std::chrono::milliseconds(*timeout_ms)));
      std::printf("%s\n", out.c_str());
      return 0;
    }());
  });
}

}  // namespace sw::cli
