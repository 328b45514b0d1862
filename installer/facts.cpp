#include "installer/facts.h"

#include "common/strings.h"

namespace sw::installer {

const std::string& discovery_script() {
  // `ip -o` prints one line per address: "2: eth0    inet 10.15.0.7/24 brd ... scope global eth0".
  static const std::string script = R"SH(set -u
export LC_ALL=C
if [ -r /etc/os-release ]; then . /etc/os-release; fi
echo "os_id ${ID:-unknown}"
echo "os_version ${VERSION_ID:-unknown}"
echo "os_like ${ID_LIKE:-}"
if command -v apt-get >/dev/null 2>&1; then echo "pkg apt"
elif command -v dnf >/dev/null 2>&1; then echo "pkg dnf"
elif command -v yum >/dev/null 2>&1; then echo "pkg yum"
else echo "pkg unknown"; fi
if [ -d /run/systemd/system ]; then echo "svc systemd"; else echo "svc none"; fi
echo "hostname $(hostname -s 2>/dev/null || hostname)"
ip -o link show 2>/dev/null | while read -r _ name rest; do
  name=${name%:}; name=${name%@*}
  mtu=$(printf '%s\n' "$rest" | sed -n 's/.* mtu \([0-9]*\).*/\1/p')
  case "$rest" in *"<"*UP*">"*) up=1 ;; *) up=0 ;; esac
  echo "link $name ${mtu:-0} $up"
done
ip -o addr show 2>/dev/null | while read -r _ name fam addr _; do
  echo "addr $name $fam $addr"
done
if command -v ovs-vsctl >/dev/null 2>&1; then
  for br in $(ovs-vsctl --timeout=5 list-br 2>/dev/null); do
    for p in $(ovs-vsctl --timeout=5 list-ports "$br" 2>/dev/null); do echo "ovsport $p $br"; done
  done
fi
echo "end"
)SH";
  return script;
}

std::optional<std::string> HostFacts::ipaddress(std::string_view iface) const {
  auto it = interfaces.find(std::string(iface));
  if (it == interfaces.end() || it->second.ipv4.empty()) return std::nullopt;
  const std::string& a = it->second.ipv4.front();
  return a.substr(0, a.find('/'));
}

std::optional<std::string> HostFacts::interface_with(std::string_view addr) const {
  for (const auto& [name, f] : interfaces)
    for (const auto& a : f.ipv4)
      if (std::string_view(a).substr(0, a.find('/')) == addr) return name;
  return std::nullopt;
}

Result<HostFacts> parse_facts(std::string_view host, std::string_view output) {
  HostFacts f;
  f.host = host;
  std::string os_like;
  bool complete = false;
  int lineno = 0;
  for (auto raw : split(output, '\n')) {
    ++lineno;
    const auto line = trim(raw);
    if (line.empty()) continue;
    std::vector<std::string_view> w;
    for (auto t : split(line, ' '))
      if (!t.empty()) w.push_back(t);
    const auto bad = [&](std::string_view why) {
      return fail(Error::failed("host " + std::string(host) + ": facts line " + std::to_string(lineno) +
                                ": " + std::string(why) + ": '" + std::string(line) + "'"));
    };
    const auto& k = w[0];
    const std::string rest = w.size() > 1 ? std::string(trim(line.substr(k.size()))) : std::string();
    if (k == "os_id") f.os_id = rest;
    else if (k == "os_version") f.os_version = rest;
    else if (k == "os_like") os_like = rest;
    else if (k == "pkg") f.pkg_manager = rest;
    else if (k == "svc") f.service_manager = rest;
    else if (k == "hostname") f.hostname = rest;
    else if (k == "link") {
      if (w.size() != 4) return bad("expected 'link NAME MTU UP'");
      auto& i = f.interfaces[std::string(w[1])];
      i.name = w[1];
      i.mtu = static_cast<int>(parse_uint(w[2], 0, 1 << 20).value_or(0));
      i.up = w[3] == "1";
    } else if (k == "addr") {
      if (w.size() != 4) return bad("expected 'addr NAME FAMILY ADDRESS'");
      auto& i = f.interfaces[std::string(w[1])];
      i.name = w[1];
      if (w[2] == "inet") i.ipv4.emplace_back(w[3]);
      else if (w[2] == "inet6") i.ipv6.emplace_back(w[3]);
    } else if (k == "ovsport") {
      if (w.size() != 3) return bad("expected 'ovsport PORT BRIDGE'");
      f.ovs_port_bridge[std::string(w[1])] = w[2];
    } else if (k == "end") {
      complete = true;
    }
    // Unknown keys are ignored: a newer script may report more than this parser knows.
  }
  if (!complete)
    return fail(Error::failed("host " + std::string(host) + ": fact discovery output is incomplete"));
  const std::string ids = f.os_id + " " + os_like;
  if (ids.find("debian") != std::string::npos || ids.find("ubuntu") != std::string::npos)
    f.os_family = "debian";
  else if (ids.find("rhel") != std::string::npos || ids.find("fedora") != std::string::npos ||
           ids.find("centos") != std::string::npos)
    f.os_family = "redhat";
  return f;
}

}  // namespace sw::installer
