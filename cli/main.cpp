// stackwire's entry point: wires the subcommands and maps the outcome to the exit code
// (0 success, 1 a check/probe/step failed, 2 usage or input error).
#include <CLI/CLI.hpp>

#include "cli/commands.h"
#include "cli/packstack_argv.h"
#include "common/log.h"

#ifndef STACKWIRE_VERSION
#error "STACKWIRE_VERSION must be defined by the build"
#endif

int main(int argc, char** argv) {
  CLI::App app{"stackwire — deploy an OpenStack network plane and prove, natively, that it works",
               "stackwire"};
  app.set_version_flag("--version", "stackwire " STACKWIRE_VERSION);
  app.require_subcommand(1);
  int verbosity = 0;
  app.add_flag("-v,--verbose", verbosity, "More diagnostics on stderr (-vv for debug)");
  app.parse_complete_callback([&verbosity] {
    if (verbosity >= 2) sw::log::set_level(sw::log::Level::debug);
    else if (verbosity == 1) sw::log::set_level(sw::log::Level::info);
  });

  // One line per subcommand, in DESIGN.md order.
  sw::cli::add_gen_answer_file_command(app);
  sw::cli::add_validate_answer_file_command(app);
  sw::cli::add_deploy_command(app);
  sw::cli::add_snapshot_command(app);
  sw::cli::add_verify_command(app);
  sw::cli::add_trace_command(app);
  sw::cli::add_netns_command(app);
  sw::cli::add_ovs_command(app);
  sw::cli::add_lab_command(app);
  sw::cli::add_demo_command(app);

  try {
    sw::cli::PackstackArgv args(argc, argv);  // packstack habits: --gen-answer-file=F, --answer-file=F
    app.parse(args.argc(), args.argv());
  } catch (const CLI::RuntimeError& e) {
    return e.get_exit_code();  // a command finished with a non-zero code; its message is out
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);  // prints help, version, or the usage error
    return code == 0 ? 0 : 2;
  }
  return 0;
}
