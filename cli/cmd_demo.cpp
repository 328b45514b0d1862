// stackwire demo
//
// The main job on the built-in lab, in one command: `lab up` (four hosts in namespaces), then, on
// the lab's controller, `stackwire deploy` of the hangout's cloud from the lab's answer file and
// topology (real MariaDB, RabbitMQ, Keystone, Neutron server and agents), then `stackwire verify`,
// whose report is printed and whose JUnit file is written to the lab's state directory.
// Exit 0 when every check passed, 1 when a step or a check failed, 2 for usage errors.
#include <CLI/CLI.hpp>
#include <unistd.h>

#include <climits>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "cli/command.h"
#include "cli/commands.h"
#include "common/log.h"
#include "lab/lab.h"

namespace sw::cli {
namespace {

namespace fs = std::filesystem;

void say(const std::string& s) {
  std::printf("\n==> %s\n", s.c_str());
  std::fflush(stdout);
}

/// A path to this binary that lab hosts can run: their /tmp, /run and /var are their own, so a
/// binary living there is copied into the lab's state directory (which every host sees).
Result<std::string> binary_for_hosts(const lab::LabLayout& l) {
  char buf[PATH_MAX];
  const ssize_t n = ::readlink("/proc/self/exe", buf, sizeof buf - 1);
  if (n <= 0) return fail_errno(errno, "readlink /proc/self/exe");
  const std::string self(buf, static_cast<size_t>(n));
  for (const char* priv : {"/tmp/", "/run/", "/var/", "/etc/"})
    if (self.rfind(priv, 0) == 0) {
      const fs::path dst = l.state_dir / "bin" / "stackwire";
      std::error_code ec;
      fs::create_directories(dst.parent_path(), ec);
      fs::copy_file(self, dst, fs::copy_options::overwrite_existing, ec);
      if (ec) return fail(Error::os("copy " + self + " to " + dst.string() + ": " + ec.message()));
      return dst.string();
    }
  return self;
}

Result<int> run_demo(int computes) {
  auto want = SW_TRY(lab::layout_from_environment(computes));
  say("lab up: " + std::to_string(want.hosts.size()) + " hosts in namespaces (" + want.state_dir.string() + ")");
  lab::UpOptions options;
  options.progress = [](std::string_view s) { log::info("lab up: " + std::string(s)); };
  options.init_exec = {"/proc/self/exe", "stackwire-init", "lab", "__init"};
  const auto up = SW_TRY(lab::lab_up(want, options));
  const lab::LabLayout& l = up.layout;
  std::printf("lab '%s' is %s: controller 10.15.0.4, network 10.15.0.7, computes from 10.15.0.2\n", l.prefix.c_str(),
              up.already_up ? "already up" : "up");
  const std::string bin = SW_TRY(binary_for_hosts(l));

  say("deploy, from the controller: stackwire deploy --answer-file " + l.answer_file().string() + " --topology " +
      l.topology_file().string());
  const int deployed = SW_TRY(lab::lab_exec(l, "controller",
                                            {bin, "deploy", "--answer-file", l.answer_file().string(), "--topology",
                                             l.topology_file().string()}));
  if (deployed != 0) {
    std::printf("\ndemo: deploy failed (exit %d); the lab is left up for a look: stackwire lab status\n", deployed);
    return deployed == 2 ? 2 : 1;
  }

  const std::string junit = (l.state_dir / "verify-junit.xml").string();
  say("verify, from the controller: stackwire verify --answer-file " + l.answer_file().string() + " --wait 180");
  const int verified = SW_TRY(lab::lab_exec(
      l, "controller", {bin, "verify", "--answer-file", l.answer_file().string(), "--junit-file", junit, "--wait", "180"}));
  std::printf("\nThe lab stays up: stackwire lab status | stackwire lab down\n");
  return verified == 0 ? 0 : verified == 2 ? 2 : 1;
}

}  // namespace

void add_demo_command(CLI::App& app) {
  auto computes = std::make_shared<int>(2);
  auto* cmd = app.add_subcommand("demo", "The main job on the built-in lab: lab up, deploy the hangout's cloud, verify it");
  cmd->add_option("--computes", *computes, "Compute hosts in the lab")->check(CLI::Range(1, 64))->default_val(2);
  cmd->callback([computes] { finish(run_demo(*computes)); });
}

}  // namespace sw::cli
