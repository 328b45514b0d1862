// The service plugins' two halves of one vocabulary:
//
//  - service_shell_functions(): POSIX shell functions appended to every manifest's prelude
//    (sw_service_start/stop/restart/running, sw_wait_tcp/http, config files compared and installed
//    from stdin, restart marks, the Keystone/RabbitMQ/MariaDB probes). They choose systemd when
//    /run/systemd/system exists, else supervise daemons by pidfile under /run/stackwire/.
//  - the C++ builders below, which the plugin_*.cpp plans use to write Steps that call them.
//
// Secrets never pass through C++: a step refers to them as "$CONFIG_..." variables from the
// answers.env every manifest sources, and config files are rendered on the host at apply time.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "installer/manifest.h"

namespace sw::installer {

/// The shell function library (text), inlined in every manifest after the prelude.
const std::string& service_shell_functions();

/// Where every deployed host gets `sw-service start|stop|restart|status NAME`: the operator's (and
/// verify's fixes') way to restart a service whether the host has systemd or runs daemons by pidfile.
inline constexpr const char* kServiceToolDir = "/var/lib/stackwire/bin";
inline constexpr const char* kServiceTool = "/var/lib/stackwire/bin/sw-service";
/// The tool's text (with a version stamp line), and the step that installs it.
std::string service_tool_text();
Step service_tool_step();

/// One shell word for s: bare when safe, else single-quoted (s is plan data: never a secret).
std::string sh_word(std::string_view s);

/// Builds a config file's lines for `sw_conf`: literal lines are single-quoted, lines holding shell
/// expansions ("${sw_db_url}") double-quoted so they expand at apply time on the host.
class ConfigText {
 public:
  /// "[name]"
  ConfigText& section(std::string_view name);
  /// "key = value" with value literal text.
  ConfigText& set(std::string_view key, std::string_view value);
  /// "key = <expr>" where expr is expanded by the shell ("${sw_pw}"); expr must not hold '"'.
  ConfigText& set_expanded(std::string_view key, std::string_view expr);
  /// A literal line as is (comments, KEY=value files).
  ConfigText& line(std::string_view text);
  /// A line expanded by the shell.
  ConfigText& line_expanded(std::string_view expr);
  bool empty() const { return words_.empty(); }

  /// "sw_conf \\\n  'line' \\\n  \"line\"": prints the file's content on stdout.
  std::string command() const;

 private:
  std::vector<std::string> words_;
};

/// A file a step makes exact: content, mode and ownership.
struct FileSpec {
  std::string path;
  std::string mode = "0644";
  std::string owner = "root";
  std::string group = "root";
};

/// "path is as rendered": check compares the rendered content (and mode/owner) with the file;
/// apply writes it atomically and marks `restarts` (service names) for restart. `prepare` is shell
/// run first in both (sw_require, computing escaped secrets into sw_* variables).
Step config_file_step(const std::string& title, const FileSpec& file, const ConfigText& content,
                      const std::string& prepare = {},
                      const std::vector<std::string>& restarts = {});

/// How a daemon is run: by systemd unit (name = unit) or, without an init, by pidfile.
struct Daemon {
  std::string name;               ///< unit name, and /run/stackwire/<name>.pid without systemd
  std::string user = "root";      ///< pidfile mode: run as
  std::string log;                ///< pidfile mode: stdout/stderr appended here
  std::vector<std::string> argv;  ///< pidfile mode: argv[0] is an absolute path
};

/// "name is running with its current config": check = running and no restart pending; apply =
/// restart when pending, start when stopped, then clear the mark. `before` runs first in apply
/// (runtime directories), `ready` after (bounded readiness wait: sw_wait_tcp, sw_wait_http, ...).
Step daemon_step(const Daemon& d, const std::string& before = {}, const std::string& ready = {});

/// A `ready` for daemon_step: `sw_wait_http URL TIMEOUT NAME LOG` — URL answers within timeout_s, or
/// the step fails as soon as the daemon is no longer running (a port taken, a config it cannot
/// read), with its log's last lines (the journal's under systemd).
std::string wait_http_ready(const Daemon& d, const std::string& url, int timeout_s);

/// "packages a b c are installed": dpkg-query / rpm -q; apply apt-get / dnf install -y.
Step packages_step(const std::string& what, const std::vector<std::string>& packages, bool redhat);

}  // namespace sw::installer
