// The subcommands, one file each (cli/cmd_<name>.cpp). main.cpp lists them in this order.
#pragma once

namespace CLI {
class App;
}

namespace sw::cli {

void add_netns_command(CLI::App& app);

}  // namespace sw::cli
