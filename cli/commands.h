// The subcommands, one file each (cli/cmd_<name>.cpp). main.cpp lists them in this order.
#pragma once

namespace CLI {
class App;
}

namespace sw::cli {

// (one declaration per subcommand, in DESIGN.md order)
void add_gen_answer_file_command(CLI::App& app);
void add_validate_answer_file_command(CLI::App& app);
void add_deploy_command(CLI::App& app);
void add_snapshot_command(CLI::App& app);
void add_verify_command(CLI::App& app);
void add_trace_command(CLI::App& app);
void add_netns_command(CLI::App& app);
void add_ovs_command(CLI::App& app);
void add_lab_command(CLI::App& app);
void add_demo_command(CLI::App& app);

}  // namespace sw::cli
