#include "installer/http.h"

#include <curl/curl.h>
#include <fcntl.h>
#include <sched.h>
#include <sys/socket.h>

#include <algorithm>
#include <cctype>
#include <mutex>
#include <nlohmann/json.hpp>

#include "common/log.h"
#include "common/unique_fd.h"

namespace sw::installer {
namespace {

using json = nlohmann::json;

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

bool is_secret_header(std::string_view name) {
  return iequals(name, "X-Auth-Token") || iequals(name, "X-Subject-Token") || iequals(name, "Authorization");
}

void redact_json(json& j) {
  if (j.is_object()) {
    for (auto& [k, v] : j.items()) {
      if (k == "password" && v.is_string())
        v = "********";
      else
        redact_json(v);
    }
  } else if (j.is_array()) {
    for (auto& v : j) redact_json(v);
  }
}

std::string seconds_text(std::chrono::milliseconds ms) {
  if (ms.count() % 1000 == 0) return std::to_string(ms.count() / 1000) + " s";
  return std::to_string(ms.count()) + " ms";
}

struct CurlEasyDeleter {
  void operator()(CURL* c) const { curl_easy_cleanup(c); }
};
struct CurlSlistDeleter {
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};

size_t on_body(char* data, size_t size, size_t n, void* user) {
  static_cast<std::string*>(user)->append(data, size * n);
  return size * n;
}

size_t on_header(char* data, size_t size, size_t n, void* user) {
  auto* headers = static_cast<HttpHeaders*>(user);
  std::string_view line(data, size * n);
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.remove_suffix(1);
  if (line.starts_with("HTTP/")) {
    headers->clear();  // a new response (after 100 Continue or a proxy's answer)
  } else if (auto colon = line.find(':'); colon != std::string_view::npos) {
    std::string_view value = line.substr(colon + 1);
    while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
    headers->emplace_back(std::string(line.substr(0, colon)), std::string(value));
  }
  return size * n;
}

}  // namespace

std::string HttpResponse::header(std::string_view name) const {
  for (const auto& [k, v] : headers)
    if (iequals(k, name)) return v;
  return {};
}

// ---------------------------------------------------------------------------------------------
// CurlHttpClient

struct CurlHttpClient::Impl {
  HttpOptions options;
  std::unique_ptr<CURL, CurlEasyDeleter> easy;
  UniqueFd netns;  // target namespace for new sockets, when options.netns is set
  int socket_errno = 0;

  // libcurl asks us for every socket: made inside the target namespace, then we return to ours.
  static curl_socket_t open_socket(void* user, curlsocktype, curl_sockaddr* addr) {
    auto* self = static_cast<Impl*>(user);
    UniqueFd here(::open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC));
    if (!here || ::setns(self->netns.get(), CLONE_NEWNET) != 0) {
      self->socket_errno = errno;
      return CURL_SOCKET_BAD;
    }
    int fd = ::socket(addr->family, addr->socktype | SOCK_CLOEXEC, addr->protocol);
    int saved = errno;
    if (::setns(here.get(), CLONE_NEWNET) != 0) {
      // Could not come back: this thread would do everything else in the wrong namespace.
      sw::log::error("cannot return to the original network namespace after opening a socket");
      std::abort();
    }
    if (fd < 0) self->socket_errno = saved;
    return fd < 0 ? CURL_SOCKET_BAD : fd;
  }
};

CurlHttpClient::CurlHttpClient(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
CurlHttpClient::~CurlHttpClient() = default;

Result<std::unique_ptr<CurlHttpClient>> CurlHttpClient::create(HttpOptions options) {
  static std::once_flag once;
  static CURLcode global = CURLE_OK;
  std::call_once(once, [] { global = curl_global_init(CURL_GLOBAL_DEFAULT); });
  if (global != CURLE_OK) return fail(Error::os(std::string("libcurl: ") + curl_easy_strerror(global)));

  auto impl = std::make_unique<Impl>();
  impl->options = std::move(options);
  impl->easy.reset(curl_easy_init());
  if (!impl->easy) return fail(Error::os("libcurl: cannot create a handle"));
  if (!impl->options.netns.empty()) {
    std::string path = impl->options.netns;
    if (path.find('/') == std::string::npos) path = "/run/netns/" + path;
    impl->netns.reset(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!impl->netns) return fail(Error::from_errno(errno, "netns '" + path + "': open"));
  }
  return std::unique_ptr<CurlHttpClient>(new CurlHttpClient(std::move(impl)));
}

Result<HttpResponse> CurlHttpClient::send(const HttpRequest& req) {
  CURL* c = impl_->easy.get();
  curl_easy_reset(c);
  const HttpOptions& o = impl_->options;
  HttpResponse resp;
  char errbuf[CURL_ERROR_SIZE] = {};

  std::unique_ptr<curl_slist, CurlSlistDeleter> headers;
  auto add_header = [&](const std::string& line) {
    curl_slist* l = curl_slist_append(headers.get(), line.c_str());
    if (l) {
      (void)headers.release();
      headers.reset(l);
    }
    return l != nullptr;
  };
  for (const auto& [k, v] : req.headers)
    if (!add_header(k + ": " + v)) return fail(Error::os(req.describe() + ": out of memory"));
  if (!add_header("Expect:")) return fail(Error::os(req.describe() + ": out of memory"));

  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
  curl_easy_setopt(c, CURLOPT_URL, req.url.c_str());
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_PROXY, "");  // never a proxy from the environment
  curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(o.connect_timeout.count()));
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, static_cast<long>(o.total_timeout.count()));
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers.get());
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &resp.body);
  curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(c, CURLOPT_HEADERDATA, &resp.headers);
  if (!o.ca_file.empty()) curl_easy_setopt(c, CURLOPT_CAINFO, o.ca_file.c_str());
  if (o.insecure) {
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 0L);
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 0L);
  }
  if (impl_->netns) {
    curl_easy_setopt(c, CURLOPT_OPENSOCKETFUNCTION, &Impl::open_socket);
    curl_easy_setopt(c, CURLOPT_OPENSOCKETDATA, impl_.get());
  }
  if (req.method == "HEAD") {
    curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
  } else if (req.method != "GET") {
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, req.method.c_str());
  }
  if (!req.body.empty() || req.method == "POST" || req.method == "PUT" || req.method == "PATCH") {
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, req.body.data());
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(req.body.size()));
  }

  sw::log::debug(redact_request(req));
  const auto start = std::chrono::steady_clock::now();
  impl_->socket_errno = 0;
  const CURLcode rc = curl_easy_perform(c);
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start);
  if (rc != CURLE_OK) {
    std::string why = errbuf[0] ? errbuf : curl_easy_strerror(rc);
    if (impl_->socket_errno) why += " (netns " + o.netns + ": " + errno_string(impl_->socket_errno) + ")";
    std::string msg = req.describe() + ": " + sw::log::mask(why);
    if (rc == CURLE_OPERATION_TIMEDOUT)
      return fail(Error::timeout(msg + " (connect timeout " + seconds_text(o.connect_timeout) + ", total " +
                                 seconds_text(o.total_timeout) + ")"));
    return fail(Error::os(msg));
  }
  long status = 0;
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
  resp.status = static_cast<int>(status);
  sw::log::debug(req.describe() + " -> " + std::to_string(resp.status) + " (" + std::to_string(ms.count()) +
                 " ms) " + redact_body(resp.body.size() > 4000 ? resp.body.substr(0, 4000) + "..." : resp.body));
  return resp;
}

// ---------------------------------------------------------------------------------------------
// ReplayHttpClient

std::string ReplayHttpClient::route_of(const HttpRequest& req) {
  std::string_view url = req.url;
  if (auto scheme = url.find("://"); scheme != std::string_view::npos) {
    url.remove_prefix(scheme + 3);
    auto slash = url.find('/');
    url = slash == std::string_view::npos ? std::string_view("/") : url.substr(slash);
  }
  return req.method + " " + std::string(url);
}

void ReplayHttpClient::on(const std::string& route, HttpResponse response) {
  routes_[route].responses.push_back(std::move(response));
}

void ReplayHttpClient::on(const std::string& route, int status, std::string body, HttpHeaders headers) {
  HttpResponse r;
  r.status = status;
  r.body = std::move(body);
  r.headers = std::move(headers);
  if (r.header("Content-Type").empty()) r.headers.emplace_back("Content-Type", "application/json");
  on(route, std::move(r));
}

void ReplayHttpClient::time_out(const std::string& route) { routes_[route].timeout = true; }

Result<HttpResponse> ReplayHttpClient::send(const HttpRequest& req) {
  requests_.push_back(req);
  sw::log::debug(redact_request(req));
  const std::string route = route_of(req);
  auto it = routes_.find(route);
  if (it == routes_.end())
    return fail(Error::failed(req.describe() + ": no recorded response for '" + route + "'"));
  Entry& e = it->second;
  if (e.timeout)
    return fail(Error::timeout(req.describe() + ": Operation timed out after 60000 milliseconds with 0 bytes received"));
  if (e.responses.empty()) return fail(Error::failed(req.describe() + ": no recorded response left"));
  HttpResponse r = e.responses.front();
  if (e.responses.size() > 1) e.responses.pop_front();
  return r;
}

std::vector<std::string> ReplayHttpClient::sent_routes() const {
  std::vector<std::string> out;
  for (const auto& r : requests_) out.push_back(route_of(r));
  return out;
}

size_t ReplayHttpClient::count(std::string_view method) const {
  return static_cast<size_t>(std::count_if(requests_.begin(), requests_.end(),
                                           [&](const HttpRequest& r) { return r.method == method; }));
}

// ---------------------------------------------------------------------------------------------

std::string redact_body(std::string_view body) {
  if (body.empty() || (body.front() != '{' && body.front() != '[')) return std::string(body);
  json j = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return std::string(body);
  redact_json(j);
  return j.dump();
}

std::string redact_request(const HttpRequest& req) {
  std::string line = req.describe();
  for (const auto& [k, v] : req.headers) line += " [" + k + ": " + (is_secret_header(k) ? "********" : v) + "]";
  if (!req.body.empty()) line += " " + redact_body(req.body);
  return line;
}

std::string url_encode(std::string_view s) {
  static constexpr char hex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

}  // namespace sw::installer
