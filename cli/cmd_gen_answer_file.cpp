// stackwire gen-answer-file FILE [--allinone | --install-hosts=H1,H2,...] [--force] [--os-KEY=VALUE ...]
#include <CLI/CLI.hpp>
#include <cstdio>
#include <memory>

#include "cli/answer_options.h"
#include "cli/command.h"
#include "cli/commands.h"
#include "common/log.h"
#include "installer/answer_file_gen.h"
#include "installer/answer_file_io.h"
#include "installer/validators.h"

namespace sw::cli {
namespace {

struct GenArgs {
  std::string file;
  bool allinone = false;
  std::string install_hosts;
  bool force = false;
};

Result<int> run_gen(const GenArgs& a, const AnswerOverrideOptions& options) {
  const auto overrides = SW_TRY(options.take());
  installer::GenerateOptions o;
  o.name = a.file;
  o.allinone = a.allinone;
  if (!a.install_hosts.empty()) {
    auto hosts = installer::parse_host_list(a.install_hosts, false);
    if (!hosts) return fail(std::move(hosts.error()).context("--install-hosts"));
    o.install_hosts = std::move(*hosts);
  }
  o.local_address = installer::local_address();
  o.ssh_key = installer::default_ssh_public_key();
  const auto file = SW_TRY(installer::generate_answer_file(o, overrides));
  for (const auto& s : file.secrets()) log::add_secret(s);
  SW_TRY_VOID(installer::write_answer_file(a.file, file.render(), a.force));
  for (const auto& d : file.diagnostics()) log::warn(d.str());
  std::printf("A new answer file was created in: %s\n", a.file.c_str());
  return 0;
}

}  // namespace

void add_gen_answer_file_command(CLI::App& app) {
  auto* cmd = app.add_subcommand(
      "gen-answer-file",
      "Write a complete packstack answer file: every key with its usage comment, random "
      "passwords, mode 0600");
  auto args = std::make_shared<GenArgs>();
  cmd->add_option("file", args->file, "The answer file to write (refused if it exists, see --force)")
      ->required();
  auto* allinone = cmd->add_flag("--allinone", args->allinone,
                                 "Every host key is this machine's address; provision the demo");
  auto* hosts = cmd->add_option("--install-hosts", args->install_hosts,
                                "H1,H2,...: H1 is the controller and network host, the others are "
                                "compute hosts");
  allinone->excludes(hosts);
  cmd->add_flag("--force", args->force, "Overwrite FILE if it exists");
  auto overrides = AnswerOverrideOptions::add_to(*cmd);
  cmd->callback([args, overrides] { finish(run_gen(*args, *overrides)); });
}

}  // namespace sw::cli
