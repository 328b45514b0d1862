#include "installer/openstack_client.h"

#include "common/log.h"

namespace sw::installer {

using json = nlohmann::json;

std::string_view to_string(Action a) {
  switch (a) {
    case Action::created: return "created";
    case Action::reused: return "reused";
    case Action::updated: return "updated";
  }
  return "?";
}

ApiSession::ApiSession(HttpClient& http, std::string base_url, std::string token) : http_(&http) {
  while (!base_url.empty() && base_url.back() == '/') base_url.pop_back();
  base_url_ = std::move(base_url);
  set_token(std::move(token));
}

void ApiSession::set_token(std::string token) {
  sw::log::add_secret(token);
  token_ = std::move(token);
}

HttpRequest ApiSession::request(std::string_view method, std::string_view path,
                                const std::optional<json>& body) const {
  HttpRequest req;
  req.method = std::string(method);
  req.url = base_url_ + std::string(path);
  req.headers.emplace_back("Accept", "application/json");
  if (!token_.empty()) req.headers.emplace_back("X-Auth-Token", token_);
  if (body) {
    req.headers.emplace_back("Content-Type", "application/json");
    req.body = body->dump();
  }
  return req;
}

Result<HttpResponse> ApiSession::send(std::string_view method, std::string_view path,
                                      const std::optional<json>& body) const {
  return http_->send(request(method, path, body));
}

Result<json> ApiSession::call(std::string_view method, std::string_view path, const std::optional<json>& body) const {
  HttpRequest req = request(method, path, body);
  HttpResponse resp = SW_TRY(http_->send(req));
  if (resp.status < 200 || resp.status > 299) return fail(api_error(req, resp));
  if (resp.body.empty()) return json(nullptr);
  json j = json::parse(resp.body, nullptr, false);
  if (j.is_discarded())
    return fail(Error::os(req.describe() + ": " + std::to_string(resp.status) + ": response is not JSON: " +
                              sw::log::mask(resp.body.substr(0, 120))));
  return j;
}

std::string_view http_reason(int status) {
  switch (status) {
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 409: return "Conflict";
    case 413: return "Request Entity Too Large";
    case 500: return "Internal Server Error";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    default: return "";
  }
}

namespace {

// The object holding the message: {"error":{…}}, {"NeutronError":{…}}, or any single-member
// object whose value has a "message" (Nova's {"badRequest":{…}}).
const json* error_object(const json& j) {
  if (!j.is_object()) return nullptr;
  for (const char* k : {"error", "NeutronError"})
    if (auto it = j.find(k); it != j.end() && it->is_object()) return &*it;
  if (j.size() == 1 && j.begin()->is_object() && j.begin()->contains("message")) return &*j.begin();
  return nullptr;
}

}  // namespace

std::string api_error_message(std::string_view body) {
  json j = json::parse(body, nullptr, false);
  if (!j.is_discarded()) {
    if (const json* e = error_object(j)) {
      std::string m = json_str(*e, "message");
      if (!m.empty()) return m;
    }
    // Older Neutron: {"NeutronError": "message"}.
    if (j.is_object())
      if (auto it = j.find("NeutronError"); it != j.end() && it->is_string()) return it->get<std::string>();
  }
  std::string_view first = body.substr(0, body.find('\n'));
  while (!first.empty() && (first.back() == '\r' || first.back() == ' ')) first.remove_suffix(1);
  if (first.size() > 200) return std::string(first.substr(0, 200)) + "...";
  return std::string(first);
}

std::string api_error_type(std::string_view body) {
  json j = json::parse(body, nullptr, false);
  if (j.is_discarded()) return {};
  if (const json* e = error_object(j)) {
    std::string t = json_str(*e, "type");
    return t.empty() ? json_str(*e, "title") : t;
  }
  return {};
}

Error api_error(const HttpRequest& req, const HttpResponse& resp) {
  std::string msg = req.describe() + ": " + std::to_string(resp.status);
  if (auto reason = http_reason(resp.status); !reason.empty()) msg += " " + std::string(reason);
  // The message goes through the secret mask: an API may echo what we sent.
  if (std::string api = sw::log::mask(api_error_message(resp.body)); !api.empty()) msg += ": " + api;
  const int s = resp.status;
  if (s == 400) return Error::input(msg);
  if (s == 401 || s == 403) return Error(ErrorKind::permission, msg);
  if (s == 404) return Error::not_found(msg);
  if (s == 408 || s == 504) return Error::timeout(msg);
  if (s >= 500) return Error::os(msg);
  return Error::failed(msg);
}

std::string json_str(const json& o, std::string_view key) {
  if (!o.is_object()) return {};
  auto it = o.find(key);
  return it != o.end() && it->is_string() ? it->get<std::string>() : std::string();
}

bool json_bool(const json& o, std::string_view key, bool fallback) {
  if (!o.is_object()) return fallback;
  auto it = o.find(key);
  return it != o.end() && it->is_boolean() ? it->get<bool>() : fallback;
}

std::optional<long long> json_int(const json& o, std::string_view key) {
  if (!o.is_object()) return std::nullopt;
  auto it = o.find(key);
  if (it == o.end() || !it->is_number_integer()) return std::nullopt;
  return it->get<long long>();
}

}  // namespace sw::installer
