#include "ovs/flow.h"

#include <nlohmann/json.hpp>

#include <array>
#include <cinttypes>
#include <cstdio>

#include "common/strings.h"
#include "ovs/json_fields.h"

namespace sw::ovs {
namespace {

constexpr std::array kFlagNames = {"send_flow_rem",      "check_overlap",  "reset_counts",
                                   "no_packet_counts",   "no_byte_counts", "allow_hidden_fields",
                                   "no_readonly_table"};

bool is_flag(std::string_view s) {
  for (const char* f : kFlagNames)
    if (s == f) return true;
  return false;
}

// Splits on `sep` outside (), [] and {}.
std::vector<std::string_view> split_top(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  int depth = 0;
  size_t start = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (c == '(' || c == '[' || c == '{') ++depth;
    else if ((c == ')' || c == ']' || c == '}') && depth > 0) --depth;
    else if (c == sep && depth == 0) {
      out.push_back(s.substr(start, i - start));
      start = i + 1;
    }
  }
  out.push_back(s.substr(start));
  return out;
}

std::optional<std::uint64_t> parse_number(std::string_view s) {
  if (s.starts_with("0x") || s.starts_with("0X")) {
    s.remove_prefix(2);
    if (s.empty() || s.size() > 16) return std::nullopt;
    std::uint64_t v = 0;
    for (char c : s) {
      int d;
      if (c >= '0' && c <= '9') d = c - '0';
      else if (c >= 'a' && c <= 'f') d = c - 'a' + 10;
      else if (c >= 'A' && c <= 'F') d = c - 'A' + 10;
      else return std::nullopt;
      v = v * 16 + static_cast<std::uint64_t>(d);
    }
    return v;
  }
  const auto v = parse_uint(s);
  if (!v) return std::nullopt;
  return *v;
}

Result<std::uint64_t> number_field(std::string_view key, std::string_view value, std::uint64_t max) {
  const auto v = parse_number(value);
  if (!v || *v > max)
    return fail(Error::input(std::string(key) + "='" + std::string(value) + "' is not a number in 0.." +
                             std::to_string(max)));
  return *v;
}

// "12s", "12.345s", "0.000123456s" → seconds and nanoseconds (ofp_print_duration's forms).
Result<std::pair<std::uint32_t, std::uint32_t>> parse_duration(std::string_view v) {
  const auto bad = [&] { return fail(Error::input("duration='" + std::string(v) + "' is not NN[.NNN]s")); };
  if (!v.ends_with('s')) return bad();
  v.remove_suffix(1);
  const auto dot = v.find('.');
  const auto sec = parse_uint(v.substr(0, dot), 0, 0xffffffffULL);
  if (!sec) return bad();
  std::uint32_t nsec = 0;
  if (dot != std::string_view::npos) {
    const auto frac = v.substr(dot + 1);
    if (frac.empty() || frac.size() > 9 || !parse_uint(frac)) return bad();
    std::string padded(frac);
    padded.resize(9, '0');
    nsec = static_cast<std::uint32_t>(*parse_uint(padded));
  }
  return std::pair{static_cast<std::uint32_t>(*sec), nsec};
}

std::string format_duration(std::uint32_t sec, std::uint32_t nsec) {
  std::string s = std::to_string(sec);
  if (nsec > 0) {
    char buf[16];
    const std::uint32_t msec = nsec / 1000000;
    if (msec * 1000000 == nsec) {
      std::snprintf(buf, sizeof buf, ".%03u", msec);
      s += buf;
    } else {
      std::snprintf(buf, sizeof buf, ".%09u", nsec);
      std::string frac = buf;
      while (frac.back() == '0') frac.pop_back();
      s += frac;
    }
  }
  return s + "s";
}

std::string hex(std::uint64_t v) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "0x%" PRIx64, v);
  return buf;
}

}  // namespace

std::string MatchField::text() const {
  if (value.empty() && mask.empty()) return field;
  std::string s = field + "=" + value;
  if (!mask.empty()) s += "/" + mask;
  return s;
}

const MatchField* Flow::match_field(std::string_view name) const {
  for (const auto& m : match)
    if (m.field == name) return &m;
  return nullptr;
}

std::string Flow::match_text() const {
  std::string s;
  if (priority != 32768) s = "priority=" + std::to_string(priority);
  for (const auto& m : match) {
    if (!s.empty()) s += ',';
    s += m.text();
  }
  return s;
}

std::string Flow::actions_text() const {
  if (actions.size() == 1 && actions[0].name == "drop" && actions[0].argument.empty()) return "drop";
  std::string s;
  for (const auto& a : actions) {
    if (!s.empty()) s += ',';
    s += a.text;
  }
  return s.empty() ? "drop" : s;
}

std::string format_flow(const Flow& f) {
  const bool stats = f.duration_sec.has_value();
  std::string s;
  if (stats || f.cookie) s += "cookie=" + hex(f.cookie) + ", ";
  if (stats) s += "duration=" + format_duration(*f.duration_sec, f.duration_nsec.value_or(0)) + ", ";
  if (stats || f.table) s += "table=" + std::to_string(f.table) + ", ";
  if (stats) {
    s += "n_packets=" + (f.n_packets ? std::to_string(*f.n_packets) : std::string("?")) + ", ";
    s += "n_bytes=" + (f.n_bytes ? std::to_string(*f.n_bytes) : std::string("?")) + ", ";
  }
  if (f.idle_timeout) s += "idle_timeout=" + std::to_string(f.idle_timeout) + ", ";
  if (f.hard_timeout) s += "hard_timeout=" + std::to_string(f.hard_timeout) + ", ";
  for (const auto& flag : f.flags) s += flag + " ";
  if (f.importance) s += "importance=" + std::to_string(f.importance) + ", ";
  if (stats && f.idle_age && *f.idle_age >= 0) s += "idle_age=" + std::to_string(*f.idle_age) + ", ";
  if (stats && f.hard_age && *f.hard_age >= 0 && static_cast<std::int64_t>(*f.hard_age) != *f.duration_sec)
    s += "hard_age=" + std::to_string(*f.hard_age) + ", ";
  const std::string m = f.match_text();
  if (!m.empty()) s += m + " ";
  return s + "actions=" + f.actions_text();
}

Action parse_action(std::string_view text) {
  Action a;
  a.text = std::string(text);
  const auto colon = text.find(':');
  const auto paren = text.find('(');
  if (paren != std::string_view::npos && (colon == std::string_view::npos || paren < colon) &&
      text.ends_with(')')) {
    a.name = std::string(text.substr(0, paren));
    a.argument = std::string(text.substr(paren + 1, text.size() - paren - 2));
  } else if (colon != std::string_view::npos) {
    a.name = std::string(text.substr(0, colon));
    a.argument = std::string(text.substr(colon + 1));
  } else {
    a.name = std::string(text);
  }
  return a;
}

Result<std::vector<Action>> parse_actions(std::string_view text) {
  text = trim(text);
  if (text.empty()) return fail(Error::input("no actions after 'actions='"));
  std::vector<Action> out;
  for (auto part : split_top(text, ',')) {
    if (part.empty()) return fail(Error::input("empty action in '" + std::string(text) + "'"));
    out.push_back(parse_action(part));
  }
  return out;
}

Result<std::vector<MatchField>> parse_match(std::string_view text, int* priority) {
  std::vector<MatchField> out;
  text = trim(text);
  if (text.empty()) return out;
  for (auto item : split_top(text, ',')) {
    if (item.empty()) return fail(Error::input("empty field in match '" + std::string(text) + "'"));
    const auto eq = item.find('=');
    if (eq == std::string_view::npos) {
      out.push_back({std::string(item), "", ""});
      continue;
    }
    const auto key = item.substr(0, eq);
    auto value = item.substr(eq + 1);
    if (key.empty()) return fail(Error::input("match field without a name: '" + std::string(item) + "'"));
    if (key == "priority") {
      const auto p = parse_uint(value, 0, 65535);
      if (!p) return fail(Error::input("priority='" + std::string(value) + "' is not a number in 0..65535"));
      if (priority) *priority = static_cast<int>(*p);
      continue;
    }
    MatchField m{std::string(key), std::string(value), ""};
    if (!value.starts_with('(')) {
      const auto slash = value.rfind('/');
      if (slash != std::string_view::npos) {
        m.value = std::string(value.substr(0, slash));
        m.mask = std::string(value.substr(slash + 1));
      }
    }
    out.push_back(std::move(m));
  }
  return out;
}

Result<Flow> parse_flow(std::string_view line) {
  const std::string_view text = trim(line);
  size_t at;
  if (text.starts_with("actions=")) at = 0;
  else if ((at = text.find(" actions=")) != std::string_view::npos) ++at;
  else return fail(Error::input("no 'actions=' in flow '" + std::string(text) + "'"));

  Flow f;
  f.text = std::string(text);
  f.actions = SW_TRY(parse_actions(text.substr(at + 8)));

  std::string_view match_token;
  for (auto token : split(trim(text.substr(0, at)), ' ')) {
    if (token.empty()) continue;
    if (is_flag(token)) {
      f.flags.emplace_back(token);
      continue;
    }
    const auto eq = token.find('=');
    const auto key = eq == std::string_view::npos ? token : token.substr(0, eq);
    const bool header = token.ends_with(',') && eq != std::string_view::npos;
    if (!header) {
      if (!match_token.empty())
        return fail(Error::input("unexpected '" + std::string(token) + "' before actions in '" +
                                 std::string(text) + "'"));
      match_token = token;
      continue;
    }
    const auto value = token.substr(eq + 1, token.size() - eq - 2);
    if (key == "cookie") f.cookie = SW_TRY(number_field(key, value, ~0ULL));
    else if (key == "duration") {
      const auto [sec, nsec] = SW_TRY(parse_duration(value));
      f.duration_sec = sec;
      f.duration_nsec = nsec;
    } else if (key == "table") f.table = static_cast<int>(SW_TRY(number_field(key, value, 255)));
    else if (key == "n_packets") {
      if (value != "?") f.n_packets = SW_TRY(number_field(key, value, ~0ULL));
    } else if (key == "n_bytes") {
      if (value != "?") f.n_bytes = SW_TRY(number_field(key, value, ~0ULL));
    } else if (key == "idle_timeout") f.idle_timeout = static_cast<int>(SW_TRY(number_field(key, value, 65535)));
    else if (key == "hard_timeout") f.hard_timeout = static_cast<int>(SW_TRY(number_field(key, value, 65535)));
    else if (key == "importance") f.importance = static_cast<int>(SW_TRY(number_field(key, value, 65535)));
    else if (key == "idle_age") f.idle_age = static_cast<int>(SW_TRY(number_field(key, value, 0x7fffffff)));
    else if (key == "hard_age") f.hard_age = static_cast<int>(SW_TRY(number_field(key, value, 0x7fffffff)));
    else return fail(Error::input("unknown flow attribute '" + std::string(key) + "' in '" + std::string(text) + "'"));
  }
  f.match = SW_TRY(parse_match(match_token, &f.priority));
  return f;
}

Result<std::vector<Flow>> parse_flows(std::string_view text) {
  std::vector<Flow> flows;
  size_t line_no = 0;
  for (auto line : split(text, '\n')) {
    ++line_no;
    const auto t = trim(line);
    if (t.empty() || t.starts_with('#') || t.starts_with("OFPST_FLOW reply") || t.starts_with("NXST_FLOW reply") ||
        t.starts_with("OFPST_FLOW request") || t.starts_with("NXST_FLOW request"))
      continue;
    auto flow = parse_flow(t);
    if (!flow) return fail(std::move(flow.error()).context("line " + std::to_string(line_no)));
    flows.push_back(std::move(*flow));
  }
  return flows;
}

void to_json(nlohmann::json& j, const MatchField& m) {
  j = nlohmann::json{{"field", m.field}, {"value", m.value}};
  if (!m.mask.empty()) j["mask"] = m.mask;
}

void from_json(const nlohmann::json& j, MatchField& m) {
  m = MatchField{};
  j.at("field").get_to(m.field);
  detail::get(j, "value", m.value);
  detail::get(j, "mask", m.mask);
}

void to_json(nlohmann::json& j, const Action& a) {
  j = nlohmann::json{{"name", a.name}, {"argument", a.argument}, {"text", a.text}};
}

void from_json(const nlohmann::json& j, Action& a) {
  a = Action{};
  j.at("name").get_to(a.name);
  detail::get(j, "argument", a.argument);
  if (j.contains("text") && !j["text"].is_null()) j["text"].get_to(a.text);
  else a.text = a.argument.empty() ? a.name : a.name + ":" + a.argument;
}

void to_json(nlohmann::json& j, const Flow& f) {
  using detail::put;
  j = nlohmann::json::object();
  j["table"] = f.table;
  j["priority"] = f.priority;
  j["cookie"] = hex(f.cookie);
  put(j, "duration_sec", f.duration_sec);
  put(j, "duration_nsec", f.duration_nsec);
  put(j, "n_packets", f.n_packets);
  put(j, "n_bytes", f.n_bytes);
  j["idle_timeout"] = f.idle_timeout;
  j["hard_timeout"] = f.hard_timeout;
  j["importance"] = f.importance;
  put(j, "idle_age", f.idle_age);
  put(j, "hard_age", f.hard_age);
  j["flags"] = f.flags;
  j["match"] = f.match;
  j["actions"] = f.actions;
  j["text"] = f.text;
}

void from_json(const nlohmann::json& j, Flow& f) {
  using detail::get;
  f = Flow{};
  get(j, "table", f.table);
  get(j, "priority", f.priority);
  if (j.contains("cookie") && !j["cookie"].is_null()) {
    const auto& c = j["cookie"];
    if (c.is_string()) {
      const auto v = parse_number(c.get<std::string>());
      if (!v) throw nlohmann::json::type_error::create(302, "cookie is not a number: " + c.dump(), &c);
      f.cookie = *v;
    } else {
      f.cookie = c.get<std::uint64_t>();
    }
  }
  get(j, "duration_sec", f.duration_sec);
  get(j, "duration_nsec", f.duration_nsec);
  get(j, "n_packets", f.n_packets);
  get(j, "n_bytes", f.n_bytes);
  get(j, "idle_timeout", f.idle_timeout);
  get(j, "hard_timeout", f.hard_timeout);
  get(j, "importance", f.importance);
  get(j, "idle_age", f.idle_age);
  get(j, "hard_age", f.hard_age);
  get(j, "flags", f.flags);
  get(j, "match", f.match);
  get(j, "actions", f.actions);
  get(j, "text", f.text);
  if (f.text.empty()) f.text = format_flow(f);
}

}  // namespace sw::ovs
