// Every answer-file key as a command-line option of a subcommand, packstack's way:
// --os-neutron-ovs-tunnel-if=eth2 (master), --neutron-ovs-tunnel-if=eth2 (Havana), and packstack's
// own irregular names. gen-answer-file, validate-answer-file and deploy register them alike:
//
//   auto overrides = AnswerOverrideOptions::add_to(*cmd);
//   cmd->callback([overrides] { auto o = overrides->take(); ... installer::apply_overrides(file, *o); });
//
// Why not one CLI11 option per key: there are ~330 keys with two or three spellings each, and
// CLI11 checks every new option against all earlier ones — registering them cost most of a second
// per subcommand, on every run of every command. Instead the subcommand keeps the arguments it does
// not know (CLI11's "extras") and take() reads them as --KEY=VALUE against the key catalogue, which
// also lets a misspelt option be answered with the nearest key. The value must follow '=' (an
// extra's separate value could not be told from the subcommand's positional arguments).
#pragma once

#include <CLI/CLI.hpp>
#include <memory>
#include <string>

#include "common/error.h"
#include "installer/answer_file_overrides.h"
#include "installer/answer_keys.h"
#include "installer/validators.h"

namespace sw::cli {

class AnswerOverrideOptions {
 public:
  /// Lets app keep the arguments it does not know for take(), and says so in its --help footer.
  /// The result lives as long as the callbacks that hold it.
  static std::shared_ptr<AnswerOverrideOptions> add_to(CLI::App& app) {
    app.allow_extras();
    if (app.get_footer().empty())
      app.footer(
          "Every answer-file key is also an option: --os-KEY=VALUE, e.g. "
          "--os-neutron-ovs-tunnel-if=eth2 sets CONFIG_NEUTRON_OVS_TUNNEL_IF (packstack's Havana "
          "spelling --neutron-ovs-tunnel-if=eth2 works too); --os-KEY= sets an empty value.");
    return std::shared_ptr<AnswerOverrideOptions>(new AnswerOverrideOptions(app));
  }

  /// The overrides given, in command-line order. A usage error (Error::input) for an unknown
  /// option (naming the nearest key), an option without "=VALUE", or a stray argument; a key
  /// given twice is refused by installer::apply_overrides().
  Result<installer::Overrides> take() const {
    installer::Overrides out;
    for (const auto& arg : app_->remaining()) {
      if (!arg.starts_with("--")) return fail(Error::input("unexpected argument " + installer::quoted_value(arg)));
      const auto eq = arg.find('=');
      const std::string name = arg.substr(0, eq);
      auto o = SW_TRY(installer::make_override(name, eq == std::string::npos ? "" : arg.substr(eq + 1)));
      if (eq == std::string::npos)
        return fail(Error::input(name + ": give the value after '=' (" + name + "=VALUE; " + name +
                                 "= for an empty value)"));
      out.push_back(std::move(o));
    }
    return out;
  }

 private:
  explicit AnswerOverrideOptions(CLI::App& app) : app_(&app) {}

  CLI::App* app_;
};

}  // namespace sw::cli
