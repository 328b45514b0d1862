// Quoting for POSIX shells: every value that reaches a shell (local /bin/sh or a remote login
// shell over ssh) goes through here, so that quotes, `;`, `$()`, backquotes, globs and newlines in
// a value stay data. A value is one shell word: either left bare when it holds only characters no
// shell treats specially, or wrapped in single quotes, inside which nothing is special except the
// quote itself (written as '\''). NUL cannot be passed through a C argv at all, so it is rejected.
#pragma once

#include <initializer_list>
#include <span>
#include <string>
#include <string_view>

#include "common/error.h"

namespace sw::installer {

/// Quotes s as exactly one shell word: bare when s is non-empty and made only of
/// [A-Za-z0-9_@%+=:,./-], otherwise single-quoted. Error::input when s contains a NUL byte.
/// Note: a bare word like `A=b` is an assignment when it is the first word of a command;
/// shell_join() quotes its first element for that reason.
Result<std::string> shell_quote(std::string_view s);

/// Builds a command line from argv: each element quoted, joined by single spaces; the first
/// element is always single-quoted when it contains '='. Error::input naming the element on NUL.
Result<std::string> shell_join(std::span<const std::string> argv);
Result<std::string> shell_join(std::initializer_list<std::string_view> argv);

}  // namespace sw::installer
