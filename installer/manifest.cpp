#include "installer/manifest.h"

#include <algorithm>
#include <sstream>

#include "common/strings.h"
#include "installer/service_shell.h"

namespace sw::installer {
namespace {

// Helper functions inlined at the top of every manifest. sw_step runs one step; its output goes to
// the manifest's stdout/stderr, which the runner logs (masked) in setup.log.
constexpr const char* kPrelude = R"SH(set -u
umask 022
PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export PATH LC_ALL=C
if [ -r /var/lib/stackwire/answers.env ]; then . /var/lib/stackwire/answers.env; fi

# sw_step N TITLE CHECK_FN APPLY_FN: run APPLY_FN unless CHECK_FN says the step is done already,
# then CHECK_FN again to prove it took. Each runs in a subshell, so `exit` ends only that step.
# A step whose CHECK_FN is sw_always_apply has no check and always applies. Prints "SW-STEP N unchanged|changed|failed RC".
sw_step() {
  sw_n=$1; sw_title=$2
  if [ "$3" != sw_always_apply ] && ( "$3" ) >/dev/null 2>&1; then echo "SW-STEP $sw_n unchanged"; return 0; fi
  echo "--- step $sw_n: $sw_title"
  ( "$4" ); sw_rc=$?
  if [ "$sw_rc" -eq 0 ] && [ "$3" != sw_always_apply ] && ! ( "$3" ) >/dev/null 2>&1; then
    echo "step $sw_n: applied, but its check still fails"; sw_rc=125
  fi
  if [ "$sw_rc" -ne 0 ]; then echo "SW-STEP $sw_n failed $sw_rc"; return "$sw_rc"; fi
  echo "SW-STEP $sw_n changed"
}
sw_always_apply() { return 1; }
)SH";

void indent_into(std::ostringstream& out, const std::string& body) {
  const std::string_view b = trim(body);
  if (b.empty()) {
    out << "  :\n";
    return;
  }
  for (auto line : split(b, '\n')) out << (line.empty() ? "" : "  ") << line << '\n';
}

}  // namespace

std::string Manifest::file_name() const { return host + "_" + plugin + ".sh"; }

std::string Manifest::render() const {
  std::ostringstream out;
  out << "#!/bin/sh\n"
      << "# stackwire manifest: plugin " << plugin << " on host " << host << "\n"
      << "# Each step: check (exit 0 = already done) || apply, then check again.\n"
      << "# Replay by hand on the host: sh " << file_name() << "\n";
  out << kPrelude;
  // The service helpers (~600 lines) go only into manifests whose steps call one of them, so a
  // fabric manifest stays short enough to read and replay by hand.
  const bool uses_helpers = std::ranges::any_of(steps, [](const Step& s) {
    return s.check.find("sw_") != std::string::npos || s.apply.find("sw_") != std::string::npos;
  });
  if (uses_helpers) out << service_shell_functions();
  for (size_t i = 0; i < steps.size(); ++i) {
    const Step& s = steps[i];
    const size_t n = i + 1;
    out << "\n# --- step " << n << ": " << s.title << "\n";
    const std::string check_fn = s.check.empty() ? "sw_always_apply" : "check_" + std::to_string(n);
    if (!s.check.empty()) {
      out << check_fn << "() {\n";
      indent_into(out, s.check);
      out << "}\n";
    }
    out << "apply_" << n << "() {\n";
    indent_into(out, s.apply);
    out << "}\n";
    // Titles go through single quotes; a title never holds a quote (plan code writes them).
    std::string title = s.title;
    for (auto& c : title)
      if (c == '\'') c = '"';
    out << "sw_step " << n << " '" << title << "' " << check_fn << " apply_" << n << " || exit $?\n";
  }
  out << "exit 0\n";
  return out.str();
}

int ManifestOutcome::changed() const {
  int n = 0;
  for (const auto& s : steps) n += s.state == StepOutcome::State::changed;
  return n;
}

int ManifestOutcome::failed_index() const {
  for (const auto& s : steps)
    if (s.state == StepOutcome::State::failed) return s.index;
  return 0;
}

ManifestOutcome parse_manifest_output(const std::string& output, size_t n_steps) {
  ManifestOutcome o;
  o.steps.resize(n_steps);
  for (size_t i = 0; i < n_steps; ++i) o.steps[i].index = static_cast<int>(i + 1);
  for (auto line : split(output, '\n')) {
    line = trim(line);
    if (!line.starts_with("SW-STEP ")) continue;
    auto f = split(line.substr(8), ' ');
    if (f.size() < 2) continue;
    auto n = parse_uint(f[0], 1, n_steps);
    if (!n) continue;
    auto& s = o.steps[*n - 1];
    if (f[1] == "unchanged") s.state = StepOutcome::State::unchanged;
    else if (f[1] == "changed") s.state = StepOutcome::State::changed;
    else if (f[1] == "failed") {
      s.state = StepOutcome::State::failed;
      if (f.size() >= 3) s.exit_status = static_cast<int>(parse_uint(f[2], 0, 255).value_or(1));
    }
  }
  return o;
}

}  // namespace sw::installer
