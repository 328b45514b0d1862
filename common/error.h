// One error type for the whole program.
//
// Every fallible function returns Result<T> (std::expected<T, Error>). C libraries' conventions —
// errno, libnl's negative codes, OVS's positive errno, libssh2's codes — are converted into an Error
// at the wrapper that calls them and go no further. An Error carries a kind (which decides the exit
// code), the errno when there was one, and a message that grows context as it travels up:
// "netns 'qrouter-1': open /run/netns/qrouter-1: No such file or directory".
// Errors are printed once, by the command that gave up.
#pragma once

#include <cerrno>
#include <expected>
#include <string>
#include <string_view>
#include <utility>

namespace sw {

/// What kind of failure this is; decides the process exit code (see exit_code()).
enum class ErrorKind {
  input,      ///< bad input from the user: a malformed address, an unknown namespace (exit 2)
  not_found,  ///< a named thing that does not exist (exit 2)
  permission, ///< not allowed: not root, EPERM/EACCES (exit 2)
  system,     ///< the system call or library failed for another reason (exit 1)
  timeout,    ///< a bounded wait ran out (exit 1)
  failed,     ///< a probe, check or step ran and failed (exit 1)
};

class Error {
 public:
  Error(ErrorKind kind, std::string message, int sys_errno = 0)
      : kind_(kind), errno_(sys_errno), message_(std::move(message)) {}

  /// An Error for a failed system call: the kind follows errno (ENOENT → not_found, EPERM → permission).
  static Error from_errno(int err, std::string_view what);
  static Error input(std::string message) { return {ErrorKind::input, std::move(message)}; }
  static Error not_found(std::string message) { return {ErrorKind::not_found, std::move(message)}; }
  // An operating-system or environment failure (named os, not system, so no reader takes it for system(3)).
  static Error os(std::string message, int err = 0) { return {ErrorKind::system, std::move(message), err}; }
  static Error timeout(std::string message) { return {ErrorKind::timeout, std::move(message), ETIMEDOUT}; }
  static Error failed(std::string message) { return {ErrorKind::failed, std::move(message)}; }

  ErrorKind kind() const { return kind_; }
  /// The errno behind this error, or 0.
  int sys_errno() const { return errno_; }
  const std::string& message() const { return message_; }

  /// Prefixes context: Error("x").context("netns a") reads "netns a: x".
  Error& context(std::string_view prefix) &;
  Error&& context(std::string_view prefix) &&;

  /// 2 for input/usage errors (input, not_found, permission), 1 otherwise.
  int exit_code() const;

 private:
  ErrorKind kind_;
  int errno_;
  std::string message_;
};

template <class T>
using Result = std::expected<T, Error>;

/// Shorthand for returning an error: `return sw::fail(Error::input("..."))`.
inline std::unexpected<Error> fail(Error e) { return std::unexpected<Error>(std::move(e)); }
/// Shorthand for returning an errno error from a failed call.
inline std::unexpected<Error> fail_errno(int err, std::string_view what) {
  return std::unexpected<Error>(Error::from_errno(err, what));
}

/// strerror_r as a std::string (thread-safe).
std::string errno_string(int err);

}  // namespace sw

/// Evaluates a Result; on error returns it from the enclosing function, else yields the value.
/// `auto fd = SW_TRY(open_netns(name));` — a GNU statement expression (gnu++23).
#define SW_TRY(expr)                                                         \
  ({                                                                         \
    auto&& sw_try_result_ = (expr);                                          \
    if (!sw_try_result_) return ::std::unexpected(std::move(sw_try_result_).error()); \
    std::move(*sw_try_result_);                                              \
  })

/// Like SW_TRY for Result<void>.
#define SW_TRY_VOID(expr)                                                    \
  do {                                                                       \
    auto&& sw_try_result_ = (expr);                                          \
    if (!sw_try_result_) return ::std::unexpected(std::move(sw_try_result_).error()); \
  } while (0)
