// What the Keystone v3 and Neutron v2.0 clients share: a JSON-over-HTTP session with a token, the
// mapping of error responses to Errors, and the vocabulary of idempotent "ensure" operations.
//
// An ApiSession is a base URL plus an auth token over a borrowed HttpClient (which must outlive it).
// call() sends JSON with X-Auth-Token and returns the parsed body of a 2xx response; any other status
// becomes an Error naming the method, URL and status with the API's own message:
//   POST http://10.15.0.4:9696/v2.0/floatingips: 404 Not Found: External network 1b2c… is not
//   reachable from subnet 9f8e….
// Keystone errors are {"error":{"code","title","message"}}; Neutron's {"NeutronError":{"type",
// "message","detail"}}. Tokens are registered as secrets (sw::log::add_secret) when set, so they are
// masked in every log line even where redaction did not reach.
#pragma once

#include <chrono>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "common/error.h"
#include "installer/http.h"

namespace sw::installer {

/// What an idempotent ensure_* operation did to reach the wanted state.
enum class Action { created, reused, updated };
std::string_view to_string(Action action);

/// The resource an ensure_* operation found or made, and what it did.
template <class T>
struct Ensured {
  T value;
  Action action = Action::reused;
};

/// Bounded polling: waits give up with ErrorKind::timeout after `timeout`.
struct WaitOptions {
  std::chrono::milliseconds timeout{60000};
  std::chrono::milliseconds interval{1000};
};

class ApiSession {
 public:
  /// `base_url` without a trailing slash ("http://10.15.0.4:9696/v2.0"); paths start with '/'.
  ApiSession(HttpClient& http, std::string base_url, std::string token = {});

  const std::string& base_url() const { return base_url_; }
  const std::string& token() const { return token_; }
  /// Sets the token sent as X-Auth-Token (and registers it as a secret).
  void set_token(std::string token);
  HttpClient& http() const { return *http_; }

  /// Sends METHOD base_url+path (with `body` as JSON when given) and returns the parsed JSON body of
  /// a 2xx response (null when empty). Other statuses: api_error().
  Result<nlohmann::json> call(std::string_view method, std::string_view path,
                              const std::optional<nlohmann::json>& body = std::nullopt) const;
  /// Like call() but returns the response whatever its status; fails only when none came.
  Result<HttpResponse> send(std::string_view method, std::string_view path,
                            const std::optional<nlohmann::json>& body = std::nullopt) const;
  /// The request call()/send() would make.
  HttpRequest request(std::string_view method, std::string_view path,
                      const std::optional<nlohmann::json>& body = std::nullopt) const;

 private:
  HttpClient* http_;
  std::string base_url_;
  std::string token_;
};

/// The API's own message in an error body (Keystone's error.message, Neutron's NeutronError.message,
/// Nova-style {"<kind>":{"message"}}), else the body's first line (cut to 200 chars), else "".
std::string api_error_message(std::string_view body);
/// Neutron's error type ("SecurityGroupRuleExists"), Keystone's error title, or "".
std::string api_error_type(std::string_view body);
/// "METHOD URL: 409 Conflict: <message>". Kind: 400 input; 401/403 permission; 404 not_found;
/// 408/504 timeout; 5xx system; others failed.
Error api_error(const HttpRequest& request, const HttpResponse& response);
/// "Conflict" for 409, "" for codes it does not know.
std::string_view http_reason(int status);

/// A string member of a JSON object; "" when missing, null or not a string.
std::string json_str(const nlohmann::json& object, std::string_view key);
/// A boolean member; `fallback` when missing or not a boolean.
bool json_bool(const nlohmann::json& object, std::string_view key, bool fallback = false);
/// An integer member; nullopt when missing, null or not an integer.
std::optional<long long> json_int(const nlohmann::json& object, std::string_view key);

}  // namespace sw::installer
