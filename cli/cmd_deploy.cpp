// stackwire deploy --answer-file FILE [--topology FILE] [--dry-run] [--jobs N] [--timeout S]
//                  [--accept-new-host-keys] [--known-hosts FILE] [--identity KEY] [--os-KEY=VALUE ...]
#include <CLI/CLI.hpp>
#include <cstdio>

#include "cli/answer_options.h"
#include "cli/command.h"
#include "cli/commands.h"
#include "installer/deploy.h"
#include "installer/progress.h"

namespace sw::cli {

void add_deploy_command(CLI::App& app) {
  auto* cmd = app.add_subcommand("deploy", "Deploy the cloud an answer file describes, over ssh, packstack's way");
  auto opts = std::make_shared<installer::DeployOptions>();
  cmd->add_option("--answer-file", opts->answer_file, "The packstack answer file")->required();
  cmd->add_option("--topology", opts->topology,
                  "A topology JSON to provision after the services (networks, routers, instances, floating IPs)");
  cmd->add_flag("-y,--dry-run", opts->dry_run, "Only write the manifests, apply nothing");
  cmd->add_option("--jobs", opts->jobs, "Hosts applied at once (default 64)")->check(CLI::Range(1, 256))->default_val(64);
  auto timeout = std::make_shared<int>(300);
  cmd->add_option("-t,--timeout", *timeout, "Seconds one manifest may take (connects are bounded by the smaller of this and 30 s)")
      ->check(CLI::Range(1, 86400))
      ->default_val(300);
  cmd->add_flag("--accept-new-host-keys", opts->accept_new_host_keys,
                "Record the keys of hosts not in known_hosts instead of refusing them (a changed key is always refused)");
  cmd->add_option("--known-hosts", opts->known_hosts, "known_hosts file (default ~/.ssh/known_hosts)");
  cmd->add_option("--identity", opts->identity,
                  "Private key to log in with (default: CONFIG_SSH_KEY without .pub, else ~/.ssh/id_ed25519)");
  cmd->add_option("--log-dir", opts->log_base, "Where run directories are created")->default_val("/var/tmp/stackwire");
  auto overrides = AnswerOverrideOptions::add_to(*cmd);
  cmd->callback([opts, overrides, timeout] {
    finish([&]() -> Result<int> {
      opts->overrides = SW_TRY(overrides->take());
      opts->timeout = std::chrono::seconds(*timeout);
      installer::TerminalProgress progress(stdout, use_colour());
      return installer::deploy(*opts, progress);
    }());
  });
}

}  // namespace sw::cli
