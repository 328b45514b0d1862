#include "lab/rtnl.h"

#include <netlink/errno.h>
#include <netlink/netlink.h>
#include <netlink/route/link.h>
#include <netlink/socket.h>

#include "lab/netns.h"

namespace sw::lab {

void RtnlSocket::Deleter::operator()(nl_sock* s) const { nl_socket_free(s); }

Error nl_error(int nl_err, const std::string& what) {
  const int e = nl_err < 0 ? -nl_err : nl_err;
  ErrorKind kind = ErrorKind::system;
  if (e == NLE_OBJ_NOTFOUND || e == NLE_NODEV) kind = ErrorKind::not_found;
  else if (e == NLE_EXIST || e == NLE_INVAL) kind = ErrorKind::input;
  else if (e == NLE_PERM) kind = ErrorKind::permission;
  return Error(kind, what + ": " + nl_geterror(e));
}

Result<RtnlSocket> RtnlSocket::open() {
  std::unique_ptr<nl_sock, Deleter> s(nl_socket_alloc());
  if (!s) return fail(Error::os("nl_socket_alloc failed"));
  if (int rc = nl_connect(s.get(), NETLINK_ROUTE); rc < 0) return fail(nl_error(rc, "connect route netlink"));
  return RtnlSocket(std::move(s));
}

Result<RtnlSocket> RtnlSocket::open_in(int netns_fd) {
  auto guard = SW_TRY(NetnsGuard::enter(netns_fd));
  return open();
}

}  // namespace sw::lab
