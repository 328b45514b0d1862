#include "installer/answer_file.h"

#include <sys/random.h>

#include <algorithm>
#include <cctype>
#include <random>

#include "common/strings.h"
#include "installer/answer_keys.h"
#include "installer/validators.h"

namespace sw::installer {
namespace {

constexpr std::size_t kMaxBytes = 1 << 20;     // packstack's files are ~50 KiB
constexpr std::size_t kMaxLineBytes = 16384;
constexpr std::size_t kMaxErrors = 25;

std::string upper(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

std::string_view trim_blanks(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// The column (1-based) of the first byte that breaks UTF-8, or 0 when s is valid UTF-8.
std::size_t invalid_utf8_at(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    std::size_t n = 0;
    std::uint32_t cp = 0;
    if (c < 0x80) {
      ++i;
      continue;
    } else if ((c & 0xe0) == 0xc0) {
      n = 1;
      cp = c & 0x1f;
    } else if ((c & 0xf0) == 0xe0) {
      n = 2;
      cp = c & 0x0f;
    } else if ((c & 0xf8) == 0xf0) {
      n = 3;
      cp = c & 0x07;
    } else {
      return i + 1;
    }
    for (std::size_t k = 1; k <= n; ++k) {
      if (i + k >= s.size()) return i + 1;
      const auto cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xc0) != 0x80) return i + 1;
      cp = (cp << 6) | (cc & 0x3f);
    }
    // Overlong forms, surrogates and values beyond U+10FFFF are not UTF-8.
    if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) ||
        (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
      return i + 1;
    i += n + 1;
  }
  return 0;
}

std::string hex_byte(unsigned char c) {
  static constexpr char hex[] = "0123456789abcdef";
  return std::string("0x") + hex[c >> 4] + hex[c & 15];
}

std::string excerpt(std::string_view s) {
  if (s.size() > 40) return quoted_value(s.substr(0, 40)) + "...";
  return quoted_value(s);
}

bool is_key_char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
}

class Reader {
 public:
  Reader(std::string_view name, std::vector<std::string>& lines, std::vector<AnswerEntry>& entries,
         std::map<std::string, std::size_t, std::less<>>& index)
      : name_(name), lines_(lines), entries_(entries), index_(index) {}

  std::vector<Diagnostic> read(std::string_view text) {
    if (text.size() > kMaxBytes) {
      error(0, std::to_string(text.size()) + " bytes is too large for an answer file (limit " +
                   std::to_string(kMaxBytes) + ")");
      unreadable_ = true;
      return std::move(out_);
    }
    if (text.starts_with("\xef\xbb\xbf")) text.remove_prefix(3);
    if (const auto nul = text.find('\0'); nul != std::string_view::npos) {
      const auto line = 1 + std::count(text.begin(), text.begin() + static_cast<long>(nul), '\n');
      error(static_cast<int>(line), "NUL byte: this is binary data, not an answer file");
      unreadable_ = true;
      return std::move(out_);
    }
    auto raw_lines = split(text, '\n');
    if (!raw_lines.empty() && raw_lines.back().empty()) raw_lines.pop_back();
    for (std::size_t i = 0; i < raw_lines.size(); ++i) {
      if (errors_ >= kMaxErrors) {
        error(0, "too many errors; stopped reading at line " + std::to_string(i + 1));
        unreadable_ = true;
        return std::move(out_);
      }
      auto line = raw_lines[i];
      if (line.ends_with('\r')) line.remove_suffix(1);
      lines_.emplace_back(line);
      read_line(static_cast<int>(i + 1), line);
    }
    if (outside_ > 1)
      out_[first_outside_].message +=
          " (and " + std::to_string(outside_ - 1) + " more lines before [general])";
    if (!seen_general_ && outside_ == 0 && errors_ == 0)
      error(0, "no [general] section: a packstack answer file starts with [general]");
    return std::move(out_);
  }

  /// True when reading stopped early (binary data, oversized, too many errors): checking the
  /// keys of such a file would only add noise.
  bool unreadable() const { return unreadable_; }

 private:
  void add(Severity severity, int line, std::string message) {
    Diagnostic d;
    d.severity = severity;
    d.origin = Origin{std::string(name_), line};
    d.message = std::move(message);
    out_.push_back(std::move(d));
  }
  void error(int line, std::string message) {
    ++errors_;
    add(Severity::error, line, std::move(message));
  }

  void read_line(int n, std::string_view line) {
    if (line.size() > kMaxLineBytes) {
      error(n, "line is " + std::to_string(line.size()) + " bytes long (limit " +
                   std::to_string(kMaxLineBytes) + ")");
      return;
    }
    if (const auto col = invalid_utf8_at(line); col != 0) {
      error(n, "not valid UTF-8 (byte " + hex_byte(static_cast<unsigned char>(line[col - 1])) +
                   " at column " + std::to_string(col) + "): binary data?");
      return;
    }
    for (std::size_t i = 0; i < line.size(); ++i) {
      const auto c = static_cast<unsigned char>(line[i]);
      if ((c < 0x20 && c != '\t') || c == 0x7f) {
        error(n, "control character " + hex_byte(c) + " at column " + std::to_string(i + 1) +
                     ": binary data?");
        return;
      }
    }
    const auto t = trim_blanks(line);
    if (t.empty() || t.front() == '#' || t.front() == ';') return;
    if (t.front() == '[') {
      section(n, t);
      return;
    }
    const auto sep = t.find_first_of("=:");
    if (sep == std::string_view::npos) {
      error(n, "expected KEY=value, found " + excerpt(t));
      return;
    }
    const auto key = trim_blanks(t.substr(0, sep));
    const auto value = trim_blanks(t.substr(sep + 1));
    if (key.empty()) {
      error(n, "no key before '" + std::string(1, t[sep]) + "' (expected KEY=value)");
      return;
    }
    if (!std::all_of(key.begin(), key.end(), is_key_char)) {
      error(n, "malformed key " + excerpt(key) +
                   " (keys are letters, digits and '_', e.g. CONFIG_NEUTRON_OVS_TUNNEL_IF=eth2)");
      return;
    }
    if (in_unknown_section_) return;  // the section header got the error
    if (!seen_general_) {
      if (outside_++ == 0) {
        first_outside_ = out_.size();
        error(n, std::string(key) + " is outside a section: the file must start with [general]");
      }
      return;
    }
    const std::string canonical = upper(key);
    if (const auto it = index_.find(canonical); it != index_.end()) {
      const int first = entries_[it->second].origin.line;
      error(n, canonical + " is given twice, at lines " + std::to_string(first) + " and " +
                   std::to_string(n) + " (keep one)");
      return;
    }
    AnswerEntry e;
    e.key = canonical;
    e.written = std::string(key);
    e.value = std::string(value);
    e.origin = Origin{std::string(name_), n};
    e.line_index = static_cast<int>(lines_.size() - 1);
    index_.emplace(canonical, entries_.size());
    entries_.push_back(std::move(e));
  }

  void section(int n, std::string_view t) {
    if (!t.ends_with(']')) {
      error(n, "malformed section header " + excerpt(t) + " (expected [general])");
      in_unknown_section_ = true;
      return;
    }
    const auto name = trim_blanks(t.substr(1, t.size() - 2));
    if (name != "general") {
      error(n, "section [" + std::string(name) +
                   "]: a packstack answer file has one section, [general]");
      in_unknown_section_ = true;
      return;
    }
    in_unknown_section_ = false;
    if (seen_general_) {
      add(Severity::warning, n,
          "[general] again (first at line " + std::to_string(general_line_) +
              "): read as one section");
      return;
    }
    seen_general_ = true;
    general_line_ = n;
  }

  std::string_view name_;
  std::vector<std::string>& lines_;
  std::vector<AnswerEntry>& entries_;
  std::map<std::string, std::size_t, std::less<>>& index_;
  std::vector<Diagnostic> out_;
  std::size_t errors_ = 0;
  bool unreadable_ = false;
  bool seen_general_ = false;
  bool in_unknown_section_ = false;
  int general_line_ = 0;
  int outside_ = 0;
  std::size_t first_outside_ = 0;
};

}  // namespace

std::string Origin::where() const {
  if (line > 0) return source + ":" + std::to_string(line);
  return source;
}

std::string Diagnostic::str() const { return origin.where() + ": " + message; }

const AnswerEntry* AnswerFile::entry(std::string_view key) const {
  const auto it = index_.find(upper(key));
  return it == index_.end() ? nullptr : &entries_[it->second];
}

const ResolvedValue* AnswerFile::resolved(std::string_view key) const {
  const auto it = resolved_.find(upper(key));
  return it == resolved_.end() ? nullptr : &it->second;
}

const std::string& AnswerFile::value(std::string_view key) const {
  static const std::string empty;
  if (const auto* r = resolved(key)) return r->value;
  if (const auto* e = entry(key)) return e->value;
  return empty;
}

bool AnswerFile::yes(std::string_view key) const { return value(key) == "y"; }

std::vector<std::string> AnswerFile::list(std::string_view key) const { return split_list(value(key)); }

void AnswerFile::set(std::string_view key, std::string value, Origin origin) {
  const std::string canonical = upper(key);
  if (const auto it = index_.find(canonical); it != index_.end()) {
    auto& e = entries_[it->second];
    e.value = std::move(value);
    e.origin = std::move(origin);
    if (e.line_index >= 0) lines_[static_cast<std::size_t>(e.line_index)] = e.written + "=" + e.value;
    return;
  }
  AnswerEntry e;
  e.key = canonical;
  const auto* spec = find_key(canonical);
  e.written = spec ? std::string(spec->name) : canonical;
  e.value = std::move(value);
  e.origin = std::move(origin);
  index_.emplace(canonical, entries_.size());
  entries_.push_back(std::move(e));
}

bool AnswerFile::has_errors() const { return count(Severity::error) > 0; }

std::size_t AnswerFile::count(Severity severity) const {
  return static_cast<std::size_t>(std::count_if(diagnostics_.begin(), diagnostics_.end(),
                                                [&](const Diagnostic& d) { return d.severity == severity; }));
}

std::string AnswerFile::error_text() const {
  std::string out;
  for (const auto& d : diagnostics_) {
    if (d.severity != Severity::error) continue;
    if (!out.empty()) out += '\n';
    out += d.str();
  }
  return out;
}

std::vector<std::string> AnswerFile::secrets() const {
  std::vector<std::string> out;
  auto add = [&](const std::string& v) {
    if (!v.empty() && v != "PW_PLACEHOLDER" && std::find(out.begin(), out.end(), v) == out.end())
      out.push_back(v);
  };
  for (const auto& e : entries_) {
    const auto* spec = find_key(e.key);
    if (spec && spec->secret) add(e.value);
  }
  for (const auto& [key, r] : resolved_) {
    const auto* spec = find_key(key);
    if (spec && spec->secret) add(r.value);
  }
  return out;
}

std::vector<std::string> AnswerFile::placeholder_passwords() const {
  std::vector<std::string> out;
  for (const auto& spec : answer_keys()) {
    if (!spec.password || spec.deprecated() || !is_deployed_service(spec.service)) continue;
    if (const auto* r = resolved(spec.name); r && r->value == "PW_PLACEHOLDER")
      out.emplace_back(spec.name);
  }
  return out;
}

std::string wrap_comment(std::string_view text, std::size_t width) {
  std::string out;
  std::string line = "#";
  for (auto word : split(text, ' ')) {
    if (word.empty()) continue;
    if (line.size() > 1 && line.size() + 1 + word.size() > width) {
      out += line + "\n";
      line = "#";
    }
    line += ' ';
    line += word;
  }
  if (line.size() > 1) out += line + "\n";
  return out;
}

std::string usage_text(const KeySpec& key) {
  std::string text(key.usage);
  if (key.check == Check::yes_no || ((key.check == Check::choice || key.check == Check::multi_choice) &&
                                     !key.options.empty())) {
    const auto options = key.check == Check::yes_no ? std::vector<std::string_view>{"y", "n"}
                                                    : key_options(key);
    text += " [";
    for (std::size_t i = 0; i < options.size(); ++i) {
      if (i) text += ", ";
      text += "'" + std::string(options[i]) + "'";
    }
    text += "]";
  }
  return text;
}

std::string AnswerFile::render() const {
  std::string out;
  if (lines_.empty()) {
    out = "[general]\n";
  } else {
    for (const auto& l : lines_) out += l + "\n";
  }
  for (const auto& e : entries_) {
    if (e.line_index >= 0) continue;
    out += "\n";
    if (const auto* spec = find_key(e.key)) out += wrap_comment(usage_text(*spec));
    out += e.written + "=" + e.value + "\n";
  }
  return out;
}

AnswerFile read_answer_file(std::string_view name, std::string_view text) {
  AnswerFile f{std::string(name)};
  Reader reader(name, f.lines_, f.entries_, f.index_);
  f.syntax_ = reader.read(text);
  f.unreadable_ = reader.unreadable();
  f.check();
  return f;
}

Result<AnswerFile> parse_answer_file(std::string_view name, std::string_view text) {
  auto f = read_answer_file(name, text);
  if (f.has_errors()) return fail(Error::input(f.error_text()));
  return f;
}

std::string random_password() {
  unsigned char bytes[8];
  std::size_t got = 0;
  while (got < sizeof bytes) {
    const auto n = ::getrandom(bytes + got, sizeof bytes - got, 0);
    if (n <= 0) break;
    got += static_cast<std::size_t>(n);
  }
  if (got < sizeof bytes) {  // no getrandom(2): the C++ library's entropy source
    std::random_device rd;
    for (auto& b : bytes) b = static_cast<unsigned char>(rd());
  }
  static constexpr char hex[] = "0123456789abcdef";
  std::string out;
  for (auto b : bytes) {
    out += hex[b >> 4];
    out += hex[b & 15];
  }
  return out;
}

std::vector<std::string> fill_placeholder_passwords(
    AnswerFile& file, const std::function<std::string()>& random) {
  auto keys = file.placeholder_passwords();
  for (const auto& key : keys) file.set(key, random(), Origin{"generated password", 0});
  if (!keys.empty()) file.check();
  return keys;
}

}  // namespace sw::installer
