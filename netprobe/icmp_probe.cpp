#include <netinet/in.h>

#include "netprobe/icmp_probe.h"

#include <linux/errqueue.h>
#include <linux/icmp.h>
#include <netinet/icmp6.h>
#include <poll.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <time.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <nlohmann/json.hpp>

#include "common/unique_fd.h"
#include "netprobe/icmp_packet.h"
#include "netprobe/json_util.h"
#include "netprobe/netns.h"

namespace sw::netprobe {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

constexpr int kSocketBuffer = 4 << 20;                  // room for ~10,000 queued echoes
constexpr auto kDeferRetry = milliseconds(5);           // retry pace after ENOBUFS/EAGAIN
constexpr std::size_t kMaxEchoes = std::size_t{1} << 20;
constexpr std::size_t kMaxPayload = 65507;              // 65535 - 20 (IPv4) - 8 (ICMP)
constexpr int kDrainBudget = 100000;                    // datagrams per drain, so a flood cannot pin us

std::uint64_t random_u64() {
  std::uint64_t v = 0;
  if (::getrandom(&v, sizeof v, GRND_NONBLOCK) != static_cast<ssize_t>(sizeof v))
    v = static_cast<std::uint64_t>(Clock::now().time_since_epoch().count()) ^ (static_cast<std::uint64_t>(::getpid()) << 32);
  return v;
}

void set_buffer(int fd, int force_opt, int opt) {
  // SO_*BUFFORCE ignores net.core.[rw]mem_max but needs CAP_NET_ADMIN; fall back quietly.
  if (::setsockopt(fd, SOL_SOCKET, force_opt, &kSocketBuffer, sizeof kSocketBuffer) != 0)
    ::setsockopt(fd, SOL_SOCKET, opt, &kSocketBuffer, sizeof kSocketBuffer);
}

Result<UniqueFd> open_raw(int family, const PingOptions& o) {
  const bool v6 = family == AF_INET6;
  UniqueFd fd(::socket(family, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, v6 ? int{IPPROTO_ICMPV6} : int{IPPROTO_ICMP}));
  if (!fd) {
    const int err = errno;
    return fail(Error::from_errno(err, std::string(v6 ? "ICMPv6" : "ICMP") + " raw socket" +
                                           (err == EPERM || err == EACCES ? " (needs root or CAP_NET_RAW)" : "")));
  }
  const int on = 1;
  set_buffer(fd.get(), SO_SNDBUFFORCE, SO_SNDBUF);
  set_buffer(fd.get(), SO_RCVBUFFORCE, SO_RCVBUF);
  if (::setsockopt(fd.get(), SOL_SOCKET, SO_TIMESTAMPNS, &on, sizeof on) != 0)
    return fail_errno(errno, "SO_TIMESTAMPNS");
  if (!v6) {
    icmp_filter filter{};
    filter.data = ~((1u << ICMP_ECHOREPLY) | (1u << ICMP_DEST_UNREACH) | (1u << ICMP_SOURCE_QUENCH) |
                    (1u << ICMP_TIME_EXCEEDED) | (1u << ICMP_PARAMETERPROB));
    if (::setsockopt(fd.get(), SOL_RAW, ICMP_FILTER, &filter, sizeof filter) != 0) return fail_errno(errno, "ICMP_FILTER");
    // Without IP_RECVERR the kernel drops echoes silently when the neighbour table is full.
    if (::setsockopt(fd.get(), IPPROTO_IP, IP_RECVERR, &on, sizeof on) != 0) return fail_errno(errno, "IP_RECVERR");
    const int pmtu = o.dont_fragment ? IP_PMTUDISC_DO : IP_PMTUDISC_DONT;
    if (::setsockopt(fd.get(), IPPROTO_IP, IP_MTU_DISCOVER, &pmtu, sizeof pmtu) != 0)
      return fail_errno(errno, "IP_MTU_DISCOVER");
  } else {
    icmp6_filter filter;
    ICMP6_FILTER_SETBLOCKALL(&filter);
    for (int t : {ICMP6_ECHO_REPLY, ICMP6_DST_UNREACH, ICMP6_PACKET_TOO_BIG, ICMP6_TIME_EXCEEDED, ICMP6_PARAM_PROB})
      ICMP6_FILTER_SETPASS(t, &filter);
    if (::setsockopt(fd.get(), IPPROTO_ICMPV6, ICMP6_FILTER, &filter, sizeof filter) != 0)
      return fail_errno(errno, "ICMP6_FILTER");
    if (::setsockopt(fd.get(), IPPROTO_IPV6, IPV6_RECVERR, &on, sizeof on) != 0) return fail_errno(errno, "IPV6_RECVERR");
    if (::setsockopt(fd.get(), IPPROTO_IPV6, IPV6_RECVHOPLIMIT, &on, sizeof on) != 0)
      return fail_errno(errno, "IPV6_RECVHOPLIMIT");
    // IPv6 routers never fragment; "don't fragment" means: do not fragment locally either.
    if (o.dont_fragment) {
      const int pmtu = IPV6_PMTUDISC_DO;
      if (::setsockopt(fd.get(), IPPROTO_IPV6, IPV6_MTU_DISCOVER, &pmtu, sizeof pmtu) != 0)
        return fail_errno(errno, "IPV6_MTU_DISCOVER");
    }
  }
  return fd;
}

double ms_between(const timespec& a, const timespec& b) {
  return static_cast<double>(b.tv_sec - a.tv_sec) * 1e3 + static_cast<double>(b.tv_nsec - a.tv_nsec) / 1e6;
}

struct Echo {
  enum class State : std::uint8_t { pending, sent, answered, failed };
  State state = State::pending;
  bool transmitted = false;
  PingStatus failure = PingStatus::timeout;
  std::uint8_t ttl = 0;
  double rtt_ms = 0;
  timespec sent_rt{};        // CLOCK_REALTIME, comparable with SO_TIMESTAMPNS
  Clock::time_point sent_at{};
  std::string detail;
  std::optional<std::uint32_t> mtu;
};

class PingRun {
 public:
  PingRun(std::span<const IpAddress> targets, const PingOptions& o)
      : targets_(targets), o_(o), n_(targets.size()), echoes_(targets.size() * static_cast<std::size_t>(o.count)) {
    const std::uint64_t r = random_u64();
    base_id_ = static_cast<std::uint16_t>(r);
    cookie_ = random_u64();
  }

  Result<void> open(int ns_fd) {
    const bool any4 = std::any_of(targets_.begin(), targets_.end(), [](const IpAddress& a) { return a.is_v4(); });
    const bool any6 = std::any_of(targets_.begin(), targets_.end(), [](const IpAddress& a) { return a.is_v6(); });
    // Sockets are bound to the namespace they are created in: create them inside, use them outside.
    auto guard = SW_TRY(NetnsGuard::enter(ns_fd));
    if (any4) fd4_ = SW_TRY(open_raw(AF_INET, o_));
    if (any6) fd6_ = SW_TRY(open_raw(AF_INET6, o_));
    SW_TRY_VOID(guard.leave());
    return {};
  }

  void run() {
    start_ = Clock::now();
    const Clock::time_point end = start_ + o_.interval * (o_.count - 1) + o_.timeout;
    std::vector<pollfd> fds;
    if (fd4_) fds.push_back({fd4_.get(), POLLIN, 0});
    if (fd6_) fds.push_back({fd6_.get(), POLLIN, 0});
    while (unresolved_ > 0) {
      Clock::time_point now = Clock::now();
      if (now >= end) break;
      if (now >= retry_at_) send_due(now);
      if (unresolved_ == 0) break;  // every echo failed at sendto(): nothing to wait for
      Clock::time_point wake = end;
      if (next_ < echoes_.size()) wake = std::min(wake, std::max(due(next_), retry_at_));
      now = Clock::now();
      const auto wait = std::chrono::ceil<milliseconds>(std::max(wake - now, Clock::duration::zero()));
      const int rc = ::poll(fds.data(), fds.size(), static_cast<int>(wait.count()));
      if (rc > 0) drain_all();
    }
    drain_all();
    elapsed_ms_ = std::chrono::duration<double, std::milli>(Clock::now() - start_).count();
  }

  PingReport report() const;

 private:
  Clock::time_point due(std::size_t i) const { return start_ + o_.interval * static_cast<int>(i / n_); }
  Clock::time_point deadline(std::size_t i) const { return due(i) + o_.timeout; }
  const IpAddress& target_of(std::size_t i) const { return targets_[i % n_]; }

  void resolve(std::size_t i, Echo::State s) {
    if (echoes_[i].state == Echo::State::answered || echoes_[i].state == Echo::State::failed) return;
    echoes_[i].state = s;
    --unresolved_;
  }

  void fail_echo(std::size_t i, PingStatus why, std::string detail, std::optional<std::uint32_t> mtu = {}) {
    Echo& e = echoes_[i];
    if (e.state == Echo::State::answered || e.state == Echo::State::failed) return;
    e.failure = why;
    e.detail = std::move(detail);
    e.mtu = mtu;
    resolve(i, Echo::State::failed);
  }

  // Sends every echo that is due; stops early (and schedules a retry) when the kernel pushes back.
  void send_due(Clock::time_point now) {
    int burst = 0;
    while (next_ < echoes_.size() && due(next_) <= now) {
      const std::size_t i = next_;
      if (now >= deadline(i)) {
        fail_echo(i, PingStatus::send_error, not_sent_reason());
        ++next_;
        continue;
      }
      if (!send_one(i)) {
        retry_at_ = now + kDeferRetry;
        return;
      }
      ++next_;
      // Read replies now and then, so a long burst does not overflow the receive queue.
      if (++burst % 128 == 0) {
        drain_all();
        now = Clock::now();
      }
    }
  }

  std::string not_sent_reason() const {
    if (defer_errno_ == ENOBUFS)
      return "not sent: " + errno_string(ENOBUFS) +
             " (neighbour table full? net.ipv4.neigh.default.gc_thresh3 is shared by all namespaces)";
    if (defer_errno_) return "not sent: " + errno_string(defer_errno_);
    return "not sent before its deadline";
  }

  // false: transient push-back (ENOBUFS, EAGAIN) — try again later. true: sent or failed for good.
  bool send_one(std::size_t i) {
    const IpAddress& dst = target_of(i);
    const int fd = dst.is_v6() ? fd6_.get() : fd4_.get();
    const auto id = static_cast<std::uint16_t>(base_id_ + (i >> 16));
    const auto seq = static_cast<std::uint16_t>(i & 0xffff);
    const auto packet = icmp::build_echo(dst.family, id, seq, cookie_, o_.size);
    sockaddr_storage ss{};
    socklen_t len = 0;
    if (dst.is_v6()) {
      auto* sa = reinterpret_cast<sockaddr_in6*>(&ss);
      sa->sin6_family = AF_INET6;
      std::memcpy(&sa->sin6_addr, dst.bytes.data(), 16);
      len = sizeof *sa;
    } else {
      auto* sa = reinterpret_cast<sockaddr_in*>(&ss);
      sa->sin_family = AF_INET;
      std::memcpy(&sa->sin_addr, dst.bytes.data(), 4);
      len = sizeof *sa;
    }
    Echo& e = echoes_[i];
    int err = 0;
    std::optional<std::uint32_t> local_mtu;
    // A pending ICMP error about another echo (IP_RECVERR) makes the next sendto() fail with that
    // error instead; so on failure, drain the error queue and try once more before believing it.
    for (int attempt = 0; attempt < 2; ++attempt) {
      ::clock_gettime(CLOCK_REALTIME, &e.sent_rt);
      e.sent_at = Clock::now();
      if (::sendto(fd, packet.data(), packet.size(), MSG_DONTWAIT, reinterpret_cast<sockaddr*>(&ss), len) >= 0) {
        e.transmitted = true;
        e.state = Echo::State::sent;
        return true;
      }
      err = errno;
      if (auto mtu = drain_errqueue(fd)) local_mtu = mtu;
    }
    switch (err) {
      case EAGAIN:
      case ENOBUFS:
      case ENOMEM:
        defer_errno_ = err;
        return false;
      case EMSGSIZE:
        fail_echo(i, PingStatus::too_big,
                  local_mtu ? "message too long, mtu " + std::to_string(*local_mtu) : "message too long", local_mtu);
        return true;
      case ENETUNREACH:
      case EHOSTUNREACH:
      case EINVAL:  // a blackhole route
        fail_echo(i, PingStatus::unreachable, errno_string(err));
        return true;
      default:
        fail_echo(i, PingStatus::send_error, "sendto: " + errno_string(err));
        return true;
    }
  }

  // Empties the error queue; returns the MTU of a local "message too long" error, if any. ICMP errors
  // from the network also arrive as ordinary packets and are handled there.
  std::optional<std::uint32_t> drain_errqueue(int fd) {
    std::optional<std::uint32_t> mtu;
    char data[256];
    char control[512];
    for (int budget = 0; budget < kDrainBudget; ++budget) {
      iovec iov{data, sizeof data};
      msghdr mh{};
      mh.msg_iov = &iov;
      mh.msg_iovlen = 1;
      mh.msg_control = control;
      mh.msg_controllen = sizeof control;
      if (::recvmsg(fd, &mh, MSG_ERRQUEUE | MSG_DONTWAIT) < 0) {
        if (errno == EINTR) continue;
        break;
      }
      for (cmsghdr* c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
        if (!((c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_RECVERR) ||
              (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_RECVERR)))
          continue;
        sock_extended_err ee;
        std::memcpy(&ee, CMSG_DATA(c), sizeof ee);
        if (ee.ee_origin == SO_EE_ORIGIN_LOCAL && ee.ee_errno == EMSGSIZE) mtu = ee.ee_info;
      }
    }
    return mtu;
  }

  void drain_all() {
    if (fd4_) drain(fd4_.get(), AF_INET);
    if (fd6_) drain(fd6_.get(), AF_INET6);
  }

  void drain(int fd, int family) {
    std::byte data[65536 + 128];
    char control[512];
    for (int budget = 0; budget < kDrainBudget; ++budget) {
      sockaddr_storage from{};
      iovec iov{data, sizeof data};
      msghdr mh{};
      mh.msg_name = &from;
      mh.msg_namelen = sizeof from;
      mh.msg_iov = &iov;
      mh.msg_iovlen = 1;
      mh.msg_control = control;
      mh.msg_controllen = sizeof control;
      const ssize_t n = ::recvmsg(fd, &mh, MSG_DONTWAIT);
      if (n < 0) {
        if (errno == EAGAIN || errno == EWOULDBLOCK) break;
        // EINTR, or a pending socket error (IP_RECVERR) reported once: it is cleared, go on.
        drain_errqueue(fd);
        continue;
      }
      const Clock::time_point now = Clock::now();
      std::optional<timespec> rx;
      std::optional<std::uint8_t> hoplimit;
      for (cmsghdr* c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
        if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPNS) {
          timespec ts;
          std::memcpy(&ts, CMSG_DATA(c), sizeof ts);
          rx = ts;
        } else if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_HOPLIMIT) {
          int h;
          std::memcpy(&h, CMSG_DATA(c), sizeof h);
          hoplimit = static_cast<std::uint8_t>(h);
        }
      }
      const std::span<const std::byte> packet(data, static_cast<std::size_t>(n));
      std::optional<icmp::Event> ev;
      if (family == AF_INET) {
        ev = icmp::parse_v4(packet);
      } else {
        const auto* sa = reinterpret_cast<const sockaddr_in6*>(&from);
        ev = icmp::parse_v6(packet, *IpAddress::from_bytes(std::as_bytes(std::span(&sa->sin6_addr, 1))));
        if (ev && hoplimit) ev->ttl = hoplimit;
      }
      if (ev) handle(*ev, family, now, rx);
    }
  }

  void handle(const icmp::Event& ev, int family, Clock::time_point now, std::optional<timespec> rx) {
    const std::uint16_t hi = static_cast<std::uint16_t>(ev.id - base_id_);
    const std::size_t i = (static_cast<std::size_t>(hi) << 16) | ev.seq;
    if (i >= echoes_.size()) return;
    const IpAddress& dst = target_of(i);
    if (dst.family != family) return;
    Echo& e = echoes_[i];
    if (e.state != Echo::State::sent) return;  // never sent, already answered or failed: a stray or a duplicate
    if (ev.kind == icmp::Event::Kind::echo_reply) {
      const bool ours = ev.cookie ? *ev.cookie == cookie_ : ev.from == dst;
      if (!ours) return;
      if (now > deadline(i)) return;  // too late: counted as lost, like the timeout says
      e.rtt_ms = rx ? std::max(0.0, ms_between(e.sent_rt, *rx))
                    : std::chrono::duration<double, std::milli>(now - e.sent_at).count();
      e.ttl = ev.ttl.value_or(0);
      resolve(i, Echo::State::answered);
      return;
    }
    if (ev.echo_dst != dst) return;
    const std::string from = " from " + ev.from.to_string();
    if (icmp::is_too_big(family, ev.type, ev.code)) {
      fail_echo(i, PingStatus::too_big,
                icmp::describe(family, ev.type, ev.code) + (ev.mtu ? ", mtu " + std::to_string(*ev.mtu) : "") + from,
                ev.mtu);
    } else if (icmp::is_ttl_exceeded(family, ev.type)) {
      fail_echo(i, PingStatus::ttl_exceeded, icmp::describe(family, ev.type, ev.code) + from);
    } else {
      fail_echo(i, PingStatus::unreachable, icmp::describe(family, ev.type, ev.code) + from);
    }
  }

  std::span<const IpAddress> targets_;
  PingOptions o_;
  std::size_t n_;
  std::vector<Echo> echoes_;
  std::size_t unresolved_ = echoes_.size();
  std::size_t next_ = 0;
  Clock::time_point start_{};
  Clock::time_point retry_at_{};
  int defer_errno_ = 0;
  std::uint16_t base_id_ = 0;
  std::uint64_t cookie_ = 0;
  UniqueFd fd4_, fd6_;
  double elapsed_ms_ = 0;
};

PingReport PingRun::report() const {
  PingReport rep;
  rep.options = o_;
  rep.elapsed_ms = elapsed_ms_;
  for (std::size_t t = 0; t < n_; ++t) {
    PingTargetResult r;
    r.target = targets_[t];
    r.scheduled = o_.count;
    std::vector<double> rtts;
    const Echo* first_failure[6] = {};
    bool any_unsent = false;
    for (int k = 0; k < o_.count; ++k) {
      const Echo& e = echoes_[static_cast<std::size_t>(k) * n_ + t];
      if (e.transmitted) ++r.transmitted;
      else any_unsent = true;
      if (e.state == Echo::State::answered) {
        ++r.received;
        rtts.push_back(e.rtt_ms);
        r.ttl = e.ttl;
      } else if (e.state == Echo::State::failed) {
        auto& slot = first_failure[static_cast<int>(e.failure)];
        if (!slot) slot = &e;
      }
    }
    if (!rtts.empty()) {
      double sum = 0, sq = 0;
      for (double x : rtts) {
        sum += x;
        sq += x * x;
      }
      const double avg = sum / static_cast<double>(rtts.size());
      r.rtt_min_ms = *std::min_element(rtts.begin(), rtts.end());
      r.rtt_max_ms = *std::max_element(rtts.begin(), rtts.end());
      r.rtt_avg_ms = avg;
      r.rtt_mdev_ms = std::sqrt(std::max(0.0, sq / static_cast<double>(rtts.size()) - avg * avg));
    }
    if (r.received > 0) {
      r.status = PingStatus::answered;
    } else {
      r.status = PingStatus::timeout;
      r.detail = "no reply";
      bool explained = false;
      for (PingStatus s : {PingStatus::too_big, PingStatus::unreachable, PingStatus::ttl_exceeded, PingStatus::send_error}) {
        if (const Echo* e = first_failure[static_cast<int>(s)]) {
          r.status = s;
          r.detail = e->detail;
          r.mtu = e->mtu;
          explained = true;
          break;
        }
      }
      // Echoes still waiting for the kernel to take them when the run ended were never sent.
      if (!explained && r.transmitted == 0 && any_unsent) {
        r.status = PingStatus::send_error;
        r.detail = not_sent_reason();
      }
    }
    rep.targets.push_back(std::move(r));
  }
  return rep;
}

}  // namespace

std::string_view to_string(PingStatus s) {
  switch (s) {
    case PingStatus::answered: return "answered";
    case PingStatus::timeout: return "timeout";
    case PingStatus::too_big: return "too_big";
    case PingStatus::unreachable: return "unreachable";
    case PingStatus::ttl_exceeded: return "ttl_exceeded";
    case PingStatus::send_error: return "send_error";
  }
  return "unknown";
}

std::optional<PingStatus> ping_status_from(std::string_view s) {
  for (PingStatus p : {PingStatus::answered, PingStatus::timeout, PingStatus::too_big, PingStatus::unreachable,
                       PingStatus::ttl_exceeded, PingStatus::send_error})
    if (to_string(p) == s) return p;
  return std::nullopt;
}

double PingTargetResult::loss_percent() const {
  if (scheduled <= 0) return 0;
  return 100.0 * static_cast<double>(scheduled - received) / static_cast<double>(scheduled);
}

int PingReport::answered() const {
  return static_cast<int>(std::count_if(targets.begin(), targets.end(),
                                        [](const PingTargetResult& t) { return t.received > 0; }));
}

Result<PingReport> ping(int ns_fd, std::span<const IpAddress> targets, const PingOptions& o) {
  if (targets.empty()) return fail(Error::input("ping: no destination given"));
  if (o.count < 1 || o.count > 1000) return fail(Error::input("ping: --count " + std::to_string(o.count) + " is not in 1-1000"));
  if (o.timeout < milliseconds(1) || o.timeout > std::chrono::hours(1))
    return fail(Error::input("ping: --timeout must be between 0.001 and 3600 seconds"));
  if (o.interval < milliseconds(0) || o.interval > std::chrono::hours(1))
    return fail(Error::input("ping: interval must be between 0 and 3600 seconds"));
  if (o.size > kMaxPayload)
    return fail(Error::input("ping: --size " + std::to_string(o.size) + " is larger than " + std::to_string(kMaxPayload)));
  if (targets.size() * static_cast<std::size_t>(o.count) > kMaxEchoes)
    return fail(Error::input("ping: " + std::to_string(targets.size()) + " targets x " + std::to_string(o.count) +
                             " echoes is more than " + std::to_string(kMaxEchoes) + " echoes in one run"));
  for (const auto& t : targets)
    if (!t.valid()) return fail(Error::input("ping: an empty destination address"));
  PingRun run(targets, o);
  SW_TRY_VOID(run.open(ns_fd));
  run.run();
  return run.report();
}

void to_json(nlohmann::json& j, const PingOptions& o) {
  j = nlohmann::json{{"count", o.count},
                     {"interval_s", static_cast<double>(o.interval.count()) / 1000.0},
                     {"timeout_s", static_cast<double>(o.timeout.count()) / 1000.0},
                     {"size", o.size},
                     {"dont_fragment", o.dont_fragment}};
}

void from_json(const nlohmann::json& j, PingOptions& o) {
  j.at("count").get_to(o.count);
  o.interval = milliseconds(std::llround(j.at("interval_s").get<double>() * 1000.0));
  o.timeout = milliseconds(std::llround(j.at("timeout_s").get<double>() * 1000.0));
  j.at("size").get_to(o.size);
  j.at("dont_fragment").get_to(o.dont_fragment);
}

void to_json(nlohmann::json& j, const PingTargetResult& r) {
  using namespace json_util;
  j = nlohmann::json{{"target", r.target},
                     {"status", to_string(r.status)},
                     {"scheduled", r.scheduled},
                     {"transmitted", r.transmitted},
                     {"received", r.received},
                     {"loss_percent", r.loss_percent()},
                     {"detail", r.detail}};
  put_opt(j, "rtt_min_ms", r.rtt_min_ms);
  put_opt(j, "rtt_avg_ms", r.rtt_avg_ms);
  put_opt(j, "rtt_max_ms", r.rtt_max_ms);
  put_opt(j, "rtt_mdev_ms", r.rtt_mdev_ms);
  put_opt(j, "mtu", r.mtu);
  put_opt(j, "ttl", r.ttl);
}

void from_json(const nlohmann::json& j, PingTargetResult& r) {
  using namespace json_util;
  j.at("target").get_to(r.target);
  r.status = named<PingStatus>(j, "status", ping_status_from);
  j.at("scheduled").get_to(r.scheduled);
  j.at("transmitted").get_to(r.transmitted);
  j.at("received").get_to(r.received);
  get_or(j, "detail", r.detail);
  get_opt(j, "rtt_min_ms", r.rtt_min_ms);
  get_opt(j, "rtt_avg_ms", r.rtt_avg_ms);
  get_opt(j, "rtt_max_ms", r.rtt_max_ms);
  get_opt(j, "rtt_mdev_ms", r.rtt_mdev_ms);
  get_opt(j, "mtu", r.mtu);
  get_opt(j, "ttl", r.ttl);
}

void to_json(nlohmann::json& j, const PingReport& r) {
  j = nlohmann::json{{"options", r.options},
                     {"elapsed_ms", r.elapsed_ms},
                     {"summary",
                      {{"targets", r.targets.size()},
                       {"answered", r.answered()},
                       {"failed", static_cast<int>(r.targets.size()) - r.answered()}}},
                     {"targets", r.targets}};
}

void from_json(const nlohmann::json& j, PingReport& r) {
  j.at("options").get_to(r.options);
  j.at("elapsed_ms").get_to(r.elapsed_ms);
  j.at("targets").get_to(r.targets);
}

}  // namespace sw::netprobe
