// The openstack CLI's credential options (--os-auth-url, --os-username, …) for verify and trace:
// each one overrides the OS_* variable of the same name; together they stand in for sourcing a
// keystonerc. Values go into VerifyOptions::os_vars as OS_* names.
#pragma once

#include <CLI/CLI.hpp>

#include <map>
#include <string>

namespace sw::cli {

inline void add_os_options(CLI::App& cmd, std::map<std::string, std::string>& vars) {
  static const char* const kOptions[][2] = {
      {"--os-auth-url", "OS_AUTH_URL"},
      {"--os-username", "OS_USERNAME"},
      {"--os-password", "OS_PASSWORD"},
      {"--os-project-name", "OS_PROJECT_NAME"},
      {"--os-user-domain-name", "OS_USER_DOMAIN_NAME"},
      {"--os-project-domain-name", "OS_PROJECT_DOMAIN_NAME"},
      {"--os-region-name", "OS_REGION_NAME"},
      {"--os-interface", "OS_INTERFACE"},
      {"--os-cacert", "OS_CACERT"},
  };
  for (const auto& [opt, var] : kOptions) {
    const std::string name = var;
    cmd.add_option_function<std::string>(
           opt, [&vars, name](const std::string& v) { vars[name] = v; },
           "Overrides " + name + " (with the others: instead of sourcing keystonerc)")
        ->group("Credentials");
  }
}

}  // namespace sw::cli
