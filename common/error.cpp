#include "common/error.h"

#include <cstring>

namespace sw {

std::string errno_string(int err) {
  char buf[256];
  // GNU strerror_r returns a pointer that may or may not be buf.
  return ::strerror_r(err, buf, sizeof buf);
}

Error Error::from_errno(int err, std::string_view what) {
  ErrorKind kind = ErrorKind::system;
  switch (err) {
    case ENOENT:
    case ENODEV:
    case ESRCH:
      kind = ErrorKind::not_found;
      break;
    case EPERM:
    case EACCES:
      kind = ErrorKind::permission;
      break;
    case ETIMEDOUT:
      kind = ErrorKind::timeout;
      break;
    default:
      break;
  }
  std::string msg(what);
  if (!msg.empty()) msg += ": ";
  msg += errno_string(err);
  return {kind, std::move(msg), err};
}

Error& Error::context(std::string_view prefix) & {
  if (!prefix.empty()) message_ = std::string(prefix) + ": " + message_;
  return *this;
}

Error&& Error::context(std::string_view prefix) && {
  context(prefix);
  return std::move(*this);
}

int Error::exit_code() const {
  switch (kind_) {
    case ErrorKind::input:
    case ErrorKind::not_found:
    case ErrorKind::permission:
      return 2;
    default:
      return 1;
  }
}

}  // namespace sw
