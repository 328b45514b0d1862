#include "installer/keystone_client.h"

#include <fstream>
#include <sstream>

#include "common/log.h"
#include "common/strings.h"

namespace sw::installer {

using json = nlohmann::json;

namespace {

// Every variable we read; anything else starting with OS_ is reported as ignored.
constexpr const char* kKnownVars[] = {
    "OS_AUTH_URL",         "OS_USERNAME",          "OS_PASSWORD",          "OS_PROJECT_NAME",
    "OS_TENANT_NAME",      "OS_USER_DOMAIN_NAME",  "OS_PROJECT_DOMAIN_NAME", "OS_USER_DOMAIN_ID",
    "OS_PROJECT_DOMAIN_ID", "OS_REGION_NAME",      "OS_IDENTITY_API_VERSION", "OS_INTERFACE",
    "OS_ENDPOINT_TYPE",    "OS_CACERT",            "OS_INSECURE",          "OS_AUTH_TYPE",
    "OS_CLOUD",            "OS_SERVICE_TOKEN",     "OS_SERVICE_ENDPOINT",  "OS_NO_CACHE",
    "OS_VOLUME_API_VERSION", "OS_IMAGE_API_VERSION", "OS_COMPUTE_API_VERSION", "OS_NETWORK_API_VERSION",
};

bool known_var(std::string_view name) {
  for (const char* k : kKnownVars)
    if (name == k) return true;
  return false;
}

std::string shell_single_quote(std::string_view s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'')
      out += "'\\''";
    else
      out += c;
  }
  return out + "'";
}

// Parses a shell word (the text after '='): quotes and backslashes, no expansions. `rest` receives
// what follows the word (after blanks).
Result<std::string> parse_shell_value(std::string_view s, std::string_view* rest) {
  std::string out;
  size_t i = 0;
  auto expansion = [] { return fail(Error::input("shell expansion ($...) is not supported")); };
  while (i < s.size() && s[i] != ' ' && s[i] != '\t') {
    const char c = s[i];
    if (c == '\'') {
      size_t end = s.find('\'', i + 1);
      if (end == std::string_view::npos) return fail(Error::input("unterminated single quote"));
      out.append(s.substr(i + 1, end - i - 1));
      i = end + 1;
    } else if (c == '"') {
      ++i;
      bool closed = false;
      while (i < s.size()) {
        const char d = s[i];
        if (d == '"') {
          closed = true;
          ++i;
          break;
        }
        if (d == '\\' && i + 1 < s.size() && std::string_view("$`\"\\").find(s[i + 1]) != std::string_view::npos) {
          out += s[i + 1];
          i += 2;
          continue;
        }
        if (d == '$' || d == '`') return expansion();
        out += d;
        ++i;
      }
      if (!closed) return fail(Error::input("unterminated double quote"));
    } else if (c == '\\') {
      if (i + 1 >= s.size()) return fail(Error::input("trailing backslash"));
      out += s[i + 1];
      i += 2;
    } else if (c == '$' || c == '`') {
      return expansion();
    } else if (c == ';' || c == '&' || c == '|') {
      break;
    } else {
      out += c;
      ++i;
    }
  }
  *rest = trim(s.substr(i));
  return out;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

Result<void> Credentials::validate(std::string_view source) const {
  const std::pair<const char*, const std::string*> required[] = {
      {"OS_AUTH_URL", &auth_url}, {"OS_USERNAME", &username}, {"OS_PASSWORD", &password},
      {"OS_PROJECT_NAME", &project_name}};
  for (const auto& [name, value] : required)
    if (value->empty()) return fail(Error::input(std::string(source) + ": " + name + " is not set"));
  if (!auth_url.starts_with("http://") && !auth_url.starts_with("https://"))
    return fail(Error::input(std::string(source) + ": OS_AUTH_URL '" + auth_url + "' is not an http(s) URL"));
  return {};
}

Result<Credentials> credentials_from_vars(const std::map<std::string, std::string>& vars, std::string_view source) {
  Credentials c;
  auto get = [&](const char* k) -> std::string {
    auto it = vars.find(k);
    return it == vars.end() ? std::string() : it->second;
  };
  auto set = [&](std::string& field, const char* k) {
    if (auto v = get(k); !v.empty()) field = v;
  };
  if (!get("OS_CLOUD").empty() && get("OS_AUTH_URL").empty())
    return fail(Error::input(std::string(source) + ": OS_CLOUD (clouds.yaml) is not supported: source a keystonerc "
                             "or pass --os-auth-url/--os-username/--os-password/--os-project-name"));
  if (auto t = get("OS_AUTH_TYPE"); !t.empty() && t != "password" && t != "v3password")
    return fail(Error::input(std::string(source) + ": OS_AUTH_TYPE '" + t + "' is not supported (only password)"));
  set(c.auth_url, "OS_AUTH_URL");
  set(c.username, "OS_USERNAME");
  set(c.password, "OS_PASSWORD");
  set(c.project_name, "OS_TENANT_NAME");
  set(c.project_name, "OS_PROJECT_NAME");
  set(c.user_domain_name, "OS_USER_DOMAIN_NAME");
  set(c.project_domain_name, "OS_PROJECT_DOMAIN_NAME");
  set(c.user_domain_id, "OS_USER_DOMAIN_ID");
  set(c.project_domain_id, "OS_PROJECT_DOMAIN_ID");
  set(c.region_name, "OS_REGION_NAME");
  set(c.identity_api_version, "OS_IDENTITY_API_VERSION");
  set(c.cacert, "OS_CACERT");
  std::string iface = get("OS_INTERFACE");
  if (iface.empty()) iface = get("OS_ENDPOINT_TYPE");
  if (!iface.empty()) {
    iface = lower(iface);
    if (iface.ends_with("url")) iface.resize(iface.size() - 3);  // publicURL → public
    if (iface != "public" && iface != "internal" && iface != "admin")
      return fail(Error::input(std::string(source) + ": OS_INTERFACE '" + iface +
                               "' is not one of public, internal, admin"));
    c.interface = iface;
  }
  if (auto v = lower(get("OS_INSECURE")); !v.empty()) c.insecure = v == "1" || v == "true" || v == "yes";
  if (c.identity_api_version != "3" && c.identity_api_version != "3.0")
    sw::log::warn(std::string(source) + ": OS_IDENTITY_API_VERSION=" + c.identity_api_version +
                  ": Keystone v2.0 is gone from current releases; using v3");
  sw::log::add_secret(c.password);
  SW_TRY_VOID(c.validate(source));
  return c;
}

Result<Credentials> credentials_from_environment() {
  std::map<std::string, std::string> vars;
  for (const char* k : kKnownVars)
    if (const char* v = ::getenv(k)) vars[k] = v;
  return credentials_from_vars(vars, "environment");
}

Result<Credentials> parse_keystonerc(std::string_view name, std::string_view text) {
  std::map<std::string, std::string> vars;
  int lineno = 0;
  for (std::string_view raw : split(text, '\n')) {
    ++lineno;
    const std::string where = std::string(name) + ":" + std::to_string(lineno) + ": ";
    std::string_view line = trim(raw);
    if (line.empty() || line.front() == '#') continue;
    if (line.starts_with("unset ") || line == "unset") continue;
    if (line.starts_with("export ")) line = trim(line.substr(7));
    const size_t eq = line.find('=');
    const std::string_view var = eq == std::string_view::npos ? line : line.substr(0, eq);
    const bool is_name = !var.empty() && std::all_of(var.begin(), var.end(), [](char c) {
      return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
    });
    if (!is_name) {
      sw::log::warn(where + "not a variable assignment, ignored: " + std::string(line.substr(0, 60)));
      continue;
    }
    if (eq == std::string_view::npos || !var.starts_with("OS_")) continue;  // `export X`, PS1=...
    std::string_view rest;
    auto value = parse_shell_value(line.substr(eq + 1), &rest);
    if (!value) return fail(Error::input(where + std::string(var) + ": " + value.error().message()));
    if (!rest.empty() && rest.front() != '#' && rest.front() != ';')
      return fail(Error::input(where + std::string(var) + ": unexpected text after the value: " +
                               std::string(rest.substr(0, 40))));
    if (!known_var(var)) sw::log::warn(where + std::string(var) + " is not used by stackwire, ignored");
    vars[std::string(var)] = *value;
  }
  return credentials_from_vars(vars, name);
}

Result<Credentials> read_keystonerc(const std::string& path) {
  std::ifstream in(path);
  if (!in) return fail_errno(errno, "keystonerc '" + path + "'");
  std::stringstream ss;
  ss << in.rdbuf();
  return parse_keystonerc(path, ss.str());
}

Credentials overlay(Credentials base, const Credentials& over) {
  const Credentials defaults;
  auto take = [](std::string& b, const std::string& o, const std::string& d) {
    if (!o.empty() && o != d) b = o;
  };
  take(base.auth_url, over.auth_url, defaults.auth_url);
  take(base.username, over.username, defaults.username);
  take(base.password, over.password, defaults.password);
  take(base.project_name, over.project_name, defaults.project_name);
  take(base.user_domain_name, over.user_domain_name, defaults.user_domain_name);
  take(base.project_domain_name, over.project_domain_name, defaults.project_domain_name);
  take(base.user_domain_id, over.user_domain_id, defaults.user_domain_id);
  take(base.project_domain_id, over.project_domain_id, defaults.project_domain_id);
  take(base.region_name, over.region_name, defaults.region_name);
  take(base.interface, over.interface, defaults.interface);
  take(base.identity_api_version, over.identity_api_version, defaults.identity_api_version);
  take(base.cacert, over.cacert, defaults.cacert);
  base.insecure = base.insecure || over.insecure;
  return base;
}

std::string render_keystonerc(const Credentials& c, std::string_view tag) {
  std::ostringstream out;
  out << "unset OS_SERVICE_TOKEN\n"
      << "export OS_USERNAME=" << shell_single_quote(c.username) << "\n"
      << "export OS_PASSWORD=" << shell_single_quote(c.password) << "\n";
  if (!c.region_name.empty()) out << "export OS_REGION_NAME=" << shell_single_quote(c.region_name) << "\n";
  out << "export OS_AUTH_URL=" << shell_single_quote(identity_v3_url(c.auth_url)) << "\n";
  if (!tag.empty()) out << "export PS1='[\\u@\\h \\W(" << tag << ")]\\$ '\n";
  out << "\n"
      << "export OS_PROJECT_NAME=" << shell_single_quote(c.project_name) << "\n"
      << "export OS_USER_DOMAIN_NAME=" << shell_single_quote(c.user_domain_name) << "\n"
      << "export OS_PROJECT_DOMAIN_NAME=" << shell_single_quote(c.project_domain_name) << "\n"
      << "export OS_IDENTITY_API_VERSION=3\n";
  if (c.interface != "public") out << "export OS_INTERFACE=" << shell_single_quote(c.interface) << "\n";
  if (!c.cacert.empty()) out << "export OS_CACERT=" << shell_single_quote(c.cacert) << "\n";
  return out.str();
}

std::string identity_v3_url(std::string_view auth_url) {
  std::string u(auth_url);
  while (!u.empty() && u.back() == '/') u.pop_back();
  if (u.ends_with("/v3")) return u;
  if (u.ends_with("/v2.0")) return u.substr(0, u.size() - 5) + "/v3";
  return u + "/v3";
}

// ---------------------------------------------------------------------------------------------

Result<Token> decode_token(std::string subject_token, const json& body) {
  if (!body.is_object() || !body.contains("token") || !body["token"].is_object())
    return fail(Error::os("Keystone token response has no 'token' object"));
  const json& t = body["token"];
  Token tok;
  tok.id = std::move(subject_token);
  tok.expires_at = json_str(t, "expires_at");
  if (auto u = t.find("user"); u != t.end()) {
    tok.user_id = json_str(*u, "id");
    tok.user_name = json_str(*u, "name");
  }
  if (auto p = t.find("project"); p != t.end()) {
    tok.project_id = json_str(*p, "id");
    tok.project_name = json_str(*p, "name");
    if (auto d = p->find("domain"); d != p->end()) {
      tok.project_domain_id = json_str(*d, "id");
      tok.project_domain_name = json_str(*d, "name");
    }
  }
  if (auto r = t.find("roles"); r != t.end() && r->is_array())
    for (const auto& role : *r) tok.roles.push_back(json_str(role, "name"));
  if (auto c = t.find("catalog"); c != t.end() && c->is_array()) {
    for (const auto& svc : *c) {
      if (auto eps = svc.find("endpoints"); eps != svc.end() && eps->is_array()) {
        for (const auto& ep : *eps) {
          Endpoint e;
          e.service_type = json_str(svc, "type");
          e.service_name = json_str(svc, "name");
          e.interface = json_str(ep, "interface");
          e.region = json_str(ep, "region_id");
          if (e.region.empty()) e.region = json_str(ep, "region");
          e.url = json_str(ep, "url");
          tok.catalog.push_back(std::move(e));
        }
      }
    }
  }
  return tok;
}

Result<std::string> find_endpoint(const std::vector<Endpoint>& catalog, std::string_view type,
                                  std::string_view interface, std::string_view region) {
  for (const auto& e : catalog)
    if (e.service_type == type && e.interface == interface && (region.empty() || e.region == region))
      return e.url;
  std::string have;
  for (const auto& e : catalog) {
    if (!have.empty()) have += ", ";
    have += e.service_type + "[" + e.interface + (e.region.empty() ? "" : " " + e.region) + "]";
  }
  std::string msg = "Keystone catalog has no '" + std::string(type) + "' endpoint with interface '" +
                    std::string(interface) + "'";
  if (!region.empty()) msg += " in region '" + std::string(region) + "'";
  msg += " (catalog: " + (have.empty() ? std::string("empty") : have) + ")";
  return fail(Error::not_found(msg));
}

KeystoneClient::KeystoneClient(HttpClient& http, Credentials creds, Token token)
    : creds_(std::move(creds)), token_(std::move(token)),
      session_(http, identity_v3_url(creds_.auth_url), token_.id) {}

Result<KeystoneClient> KeystoneClient::login(HttpClient& http, const Credentials& creds) {
  SW_TRY_VOID(creds.validate("credentials"));
  sw::log::add_secret(creds.password);
  json user = {{"name", creds.username}, {"password", creds.password}};
  user["domain"] = creds.user_domain_id.empty() ? json{{"name", creds.user_domain_name}}
                                                : json{{"id", creds.user_domain_id}};
  json project = {{"name", creds.project_name}};
  project["domain"] = creds.project_domain_id.empty() ? json{{"name", creds.project_domain_name}}
                                                      : json{{"id", creds.project_domain_id}};
  json body = {{"auth",
                {{"identity", {{"methods", {"password"}}, {"password", {{"user", user}}}}},
                 {"scope", {{"project", project}}}}}};
  ApiSession anon(http, identity_v3_url(creds.auth_url));
  HttpRequest req = anon.request("POST", "/auth/tokens", body);
  auto sent = http.send(req);
  if (!sent) return fail(std::move(sent.error().context("Keystone login as '" + creds.username + "'")));
  HttpResponse resp = std::move(*sent);
  if (resp.status != 201 && resp.status != 200)
    return fail(std::move(api_error(req, resp).context("Keystone login as '" + creds.username + "' (project '" +
                                                       creds.project_name + "')")));
  std::string subject = resp.header("X-Subject-Token");
  if (subject.empty()) return fail(Error::os(req.describe() + ": no X-Subject-Token in the response"));
  sw::log::add_secret(subject);
  json j = json::parse(resp.body, nullptr, false);
  if (j.is_discarded()) return fail(Error::os(req.describe() + ": response is not JSON"));
  Token tok = SW_TRY(decode_token(std::move(subject), j));
  sw::log::debug("Keystone: logged in as '" + creds.username + "' to project '" + tok.project_name + "' (" +
                 std::to_string(tok.catalog.size()) + " endpoints)");
  return KeystoneClient(http, creds, std::move(tok));
}

Result<std::string> KeystoneClient::endpoint(std::string_view type) const {
  return find_endpoint(token_.catalog, type, creds_.interface, creds_.region_name);
}

Result<Domain> KeystoneClient::find_domain(std::string_view name) const {
  json j = SW_TRY(session_.call("GET", "/domains?name=" + url_encode(name)));
  for (const auto& d : j.value("domains", json::array()))
    if (json_str(d, "name") == name) return Domain{json_str(d, "id"), json_str(d, "name")};
  return fail(Error::not_found("Keystone domain '" + std::string(name) + "' does not exist"));
}

Result<std::string> KeystoneClient::project_domain_id() const {
  if (!token_.project_domain_id.empty()) return token_.project_domain_id;
  if (!creds_.project_domain_id.empty()) return creds_.project_domain_id;
  Domain d = SW_TRY(find_domain(creds_.project_domain_name));
  return d.id;
}

namespace {

Project decode_project(const json& p) {
  return {json_str(p, "id"), json_str(p, "name"), json_str(p, "domain_id"), json_bool(p, "enabled", true)};
}
User decode_user(const json& u) {
  return {json_str(u, "id"), json_str(u, "name"), json_str(u, "domain_id"), json_str(u, "default_project_id"),
          json_bool(u, "enabled", true)};
}

}  // namespace

Result<std::optional<Project>> KeystoneClient::find_project(std::string_view name, std::string_view domain_id) const {
  json j = SW_TRY(session_.call("GET", "/projects?name=" + url_encode(name) + "&domain_id=" + url_encode(domain_id)));
  for (const auto& p : j.value("projects", json::array()))
    if (json_str(p, "name") == name) return decode_project(p);
  return std::optional<Project>();
}

Result<Ensured<Project>> KeystoneClient::ensure_project(std::string_view name, std::string_view domain_id,
                                                        std::string_view description) const {
  if (auto found = SW_TRY(find_project(name, domain_id))) return Ensured<Project>{*found, Action::reused};
  json body = {{"project",
                {{"name", name}, {"domain_id", domain_id}, {"description", description}, {"enabled", true}}}};
  json j = SW_TRY(session_.call("POST", "/projects", body));
  return Ensured<Project>{decode_project(j["project"]), Action::created};
}

Result<std::optional<User>> KeystoneClient::find_user(std::string_view name, std::string_view domain_id) const {
  json j = SW_TRY(session_.call("GET", "/users?name=" + url_encode(name) + "&domain_id=" + url_encode(domain_id)));
  for (const auto& u : j.value("users", json::array()))
    if (json_str(u, "name") == name) return decode_user(u);
  return std::optional<User>();
}

Result<Ensured<User>> KeystoneClient::ensure_user(std::string_view name, std::string_view domain_id,
                                                  std::string_view password,
                                                  std::string_view default_project_id) const {
  if (auto found = SW_TRY(find_user(name, domain_id))) return Ensured<User>{*found, Action::reused};
  sw::log::add_secret(password);
  json user = {{"name", name}, {"domain_id", domain_id}, {"password", password}, {"enabled", true}};
  if (!default_project_id.empty()) user["default_project_id"] = default_project_id;
  json j = SW_TRY(session_.call("POST", "/users", json{{"user", user}}));
  return Ensured<User>{decode_user(j["user"]), Action::created};
}

Result<void> KeystoneClient::set_user_password(std::string_view user_id, std::string_view password) const {
  sw::log::add_secret(password);
  SW_TRY(session_.call("PATCH", "/users/" + url_encode(user_id), json{{"user", {{"password", password}}}}));
  return {};
}

Result<std::optional<Role>> KeystoneClient::find_role(std::string_view name) const {
  json j = SW_TRY(session_.call("GET", "/roles?name=" + url_encode(name)));
  for (const auto& r : j.value("roles", json::array()))
    if (json_str(r, "name") == name) return Role{json_str(r, "id"), json_str(r, "name")};
  return std::optional<Role>();
}

Result<Role> KeystoneClient::find_first_role(const std::vector<std::string>& names) const {
  std::string tried;
  for (const auto& n : names) {
    if (auto r = SW_TRY(find_role(n))) return *r;
    tried += (tried.empty() ? "'" : ", '") + n + "'";
  }
  return fail(Error::not_found("Keystone has none of the roles " + tried));
}

Result<Action> KeystoneClient::ensure_role_assignment(std::string_view project_id, std::string_view user_id,
                                                      std::string_view role_id) const {
  json j = SW_TRY(session_.call("GET", "/role_assignments?user.id=" + url_encode(user_id) +
                                           "&scope.project.id=" + url_encode(project_id) +
                                           "&role.id=" + url_encode(role_id)));
  if (!j.value("role_assignments", json::array()).empty()) return Action::reused;
  SW_TRY(session_.call("PUT", "/projects/" + url_encode(project_id) + "/users/" + url_encode(user_id) + "/roles/" +
                                  url_encode(role_id)));
  return Action::created;
}

}  // namespace sw::installer
