// HTTP for the OpenStack API clients: one narrow interface with a libcurl implementation and a
// replaying fake for unit tests (ninja's FakeCommandRunner shape).
//
// A request is plain data; send() returns the response whatever its status (mapping a status to an
// error is the API layer's business, see openstack_client.h) and fails only when no response came:
// refused, unreachable, TLS, or a timeout (ErrorKind::timeout). Every request is bounded by a
// connect and a total timeout. Errors name the method and URL; secrets never appear in them nor in
// the debug log (X-Auth-Token/X-Subject-Token headers and "password" fields are masked).
//
// Lifetime: a CurlHttpClient owns one curl easy handle (connections are reused) and is used by one
// thread at a time. A ReplayHttpClient serves responses registered by the test and records every
// request it was sent.
#pragma once

#include <chrono>
#include <deque>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/error.h"

namespace sw::installer {

using HttpHeaders = std::vector<std::pair<std::string, std::string>>;

struct HttpRequest {
  std::string method;  ///< "GET", "POST", "PUT", "PATCH", "DELETE", "HEAD"
  std::string url;     ///< absolute: "http://10.15.0.4:9696/v2.0/networks?name=net0"
  HttpHeaders headers;
  std::string body;  ///< sent when non-empty

  /// "GET http://…" — what errors and log lines name.
  std::string describe() const { return method + " " + url; }
};

struct HttpResponse {
  int status = 0;
  HttpHeaders headers;  ///< names as received; look up with header()
  std::string body;

  /// The value of the first header named `name` (case-insensitive), or "".
  std::string header(std::string_view name) const;
};

struct HttpOptions {
  std::chrono::milliseconds connect_timeout{5000};
  std::chrono::milliseconds total_timeout{60000};
  /// CA bundle for https (OS_CACERT); empty = the system's.
  std::string ca_file;
  /// Skip TLS verification (OS_INSECURE / --insecure).
  bool insecure = false;
  /// Open sockets inside this network namespace ("/run/netns/NAME" or a NAME under /run/netns), so
  /// a lab's API is reached without routing lab addresses through the caller's namespace. Empty = the
  /// caller's namespace.
  std::string netns;
};

class HttpClient {
 public:
  virtual ~HttpClient() = default;
  /// Sends one request and returns the response, whatever its status. Fails when no response came.
  virtual Result<HttpResponse> send(const HttpRequest& request) = 0;
};

/// libcurl. Never uses proxies from the environment and never follows redirects.
class CurlHttpClient final : public HttpClient {
 public:
  static Result<std::unique_ptr<CurlHttpClient>> create(HttpOptions options = {});
  ~CurlHttpClient() override;
  CurlHttpClient(const CurlHttpClient&) = delete;
  CurlHttpClient& operator=(const CurlHttpClient&) = delete;

  Result<HttpResponse> send(const HttpRequest& request) override;

 private:
  struct Impl;
  explicit CurlHttpClient(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

/// A fake that replays recorded responses. Routes are "METHOD /path?query" (scheme and host are
/// ignored); responses registered for one route are served in order, the last one repeating. A
/// request with no route fails with an error naming it, so a test sees what it forgot.
class ReplayHttpClient final : public HttpClient {
 public:
  /// Serves `response` for `route` ("GET /v2.0/networks?name=net0").
  void on(const std::string& route, HttpResponse response);
  /// Shorthand: a response with a JSON body.
  void on(const std::string& route, int status, std::string body, HttpHeaders headers = {});
  /// Makes `route` fail as a request that got no answer in time (ErrorKind::timeout).
  void time_out(const std::string& route);

  Result<HttpResponse> send(const HttpRequest& request) override;

  /// Every request sent, in order.
  const std::vector<HttpRequest>& requests() const { return requests_; }
  /// Routes ("METHOD /path?query") of the requests sent, in order.
  std::vector<std::string> sent_routes() const;
  /// How many requests used `method`.
  size_t count(std::string_view method) const;

  /// "METHOD /path?query" of a request.
  static std::string route_of(const HttpRequest& request);

 private:
  struct Entry {
    std::deque<HttpResponse> responses;
    bool timeout = false;
  };
  std::map<std::string, Entry> routes_;
  std::vector<HttpRequest> requests_;
};

/// The request as a log line: method, URL, headers with auth tokens masked, body with "password"
/// values masked. Pure: does not depend on registered secrets.
std::string redact_request(const HttpRequest& request);
/// A JSON body with every "password" value replaced by "********" (non-JSON bodies: returned as is).
std::string redact_body(std::string_view body);

/// Percent-encodes a query value or a path segment.
std::string url_encode(std::string_view s);

}  // namespace sw::installer
