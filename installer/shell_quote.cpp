#include "installer/shell_quote.h"

#include <vector>

namespace sw::installer {
namespace {

bool is_bare(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  switch (c) {
    case '_': case '@': case '%': case '+': case '=': case ':': case ',': case '.': case '/': case '-':
      return true;
    default:
      return false;
  }
}

std::string single_quoted(std::string_view s) {
  std::string q;
  q.reserve(s.size() + 2);
  q += '\'';
  for (char c : s) {
    if (c == '\'') q += "'\\''";
    else q += c;
  }
  q += '\'';
  return q;
}

Result<std::string> quote_word(std::string_view s, bool first) {
  if (s.find('\0') != std::string_view::npos)
    return fail(Error::input("shell value contains a NUL byte, which no shell argument can carry"));
  bool bare = !s.empty();
  for (char c : s) bare = bare && is_bare(c);
  if (bare && first && s.find('=') != std::string_view::npos) bare = false;
  return bare ? std::string(s) : single_quoted(s);
}

template <class Range>
Result<std::string> join(const Range& argv) {
  std::string line;
  size_t i = 0;
  for (const auto& a : argv) {
    auto q = quote_word(a, i == 0);
    if (!q) return fail(std::move(q.error()).context("argument " + std::to_string(i)));
    if (i++) line += ' ';
    line += *q;
  }
  return line;
}

}  // namespace

Result<std::string> shell_quote(std::string_view s) { return quote_word(s, false); }

Result<std::string> shell_join(std::span<const std::string> argv) { return join(argv); }

Result<std::string> shell_join(std::initializer_list<std::string_view> argv) { return join(argv); }

}  // namespace sw::installer
