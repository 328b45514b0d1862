// Keystone v3: credentials (keystonerc files, OS_* environment, explicit values), password
// authentication scoped to a project, the service catalog, and the identity objects provision needs
// (projects, users, roles, role assignments), each with an idempotent ensure_* that finds by name
// and creates only what is missing.
//
// Credentials are plain data; parse_keystonerc() takes text and reports "file:line: message".
// A KeystoneClient is a logged-in session: it holds the token (a secret, masked in every log line)
// and borrows the HttpClient, which must outlive it. Tokens are not refreshed: a session is meant for
// one deploy or verify run (Keystone's default token lifetime is an hour).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.h"
#include "installer/openstack_client.h"

namespace sw::installer {

/// What a keystonerc file or the OS_* environment says. Passwords stay in memory only.
struct Credentials {
  std::string auth_url;       ///< OS_AUTH_URL ("http://10.15.0.4:5000/v3"; /v2.0 and no version accepted)
  std::string username;       ///< OS_USERNAME
  std::string password;       ///< OS_PASSWORD
  std::string project_name;   ///< OS_PROJECT_NAME (or OS_TENANT_NAME)
  std::string user_domain_name = "Default";     ///< OS_USER_DOMAIN_NAME
  std::string project_domain_name = "Default";  ///< OS_PROJECT_DOMAIN_NAME
  std::string user_domain_id;     ///< OS_USER_DOMAIN_ID (wins over the name when set)
  std::string project_domain_id;  ///< OS_PROJECT_DOMAIN_ID (wins over the name when set)
  std::string region_name;        ///< OS_REGION_NAME; empty = any region
  std::string interface = "public";  ///< OS_INTERFACE / OS_ENDPOINT_TYPE (publicURL → public)
  std::string identity_api_version = "3";  ///< OS_IDENTITY_API_VERSION
  std::string cacert;   ///< OS_CACERT
  bool insecure = false;  ///< OS_INSECURE=true

  /// Fails naming the first missing required value ("OS_PASSWORD is not set"), prefixed by `source`.
  Result<void> validate(std::string_view source) const;
};

/// Reads credentials from OS_* variables (`source` names them in errors: "environment").
/// Registers the password as a secret.
Result<Credentials> credentials_from_vars(const std::map<std::string, std::string>& vars, std::string_view source);
/// Reads the process environment's OS_* variables.
Result<Credentials> credentials_from_environment();
/// Parses a keystonerc: `export OS_X=value` lines, values bare, 'single' or "double" quoted.
/// Comments, blank lines, `unset` and non-OS_ variables are ignored; shell expansions in OS_ values
/// are errors ("keystonerc_admin:3: OS_PASSWORD: shell expansion ($...) is not supported").
Result<Credentials> parse_keystonerc(std::string_view name, std::string_view text);
/// Reads and parses a keystonerc file.
Result<Credentials> read_keystonerc(const std::string& path);
/// Credentials with every non-empty field of `over` replacing `base`'s (--os-* flags over OS_*).
Credentials overlay(Credentials base, const Credentials& over);
/// A keystonerc as packstack writes it (values single-quoted). `tag` names the prompt
/// ("keystone_admin" → PS1='[\u@\h \W(keystone_admin)]\$ '). Holds the password: write it 0600.
std::string render_keystonerc(const Credentials& creds, std::string_view tag);
/// The Keystone v3 base URL for an OS_AUTH_URL: ".../v3" kept, ".../v2.0" → ".../v3", else + "/v3".
std::string identity_v3_url(std::string_view auth_url);

/// One endpoint of the service catalog.
struct Endpoint {
  std::string service_type;  ///< "network", "identity", ...
  std::string service_name;  ///< "neutron"
  std::string interface;     ///< "public", "internal", "admin"
  std::string region;        ///< region_id (or the older "region")
  std::string url;
};

/// A project-scoped token.
struct Token {
  std::string id;  ///< X-Subject-Token: a secret
  std::string user_id;
  std::string user_name;
  std::string project_id;
  std::string project_name;
  std::string project_domain_id;
  std::string project_domain_name;
  std::string expires_at;
  std::vector<std::string> roles;  ///< role names
  std::vector<Endpoint> catalog;
};

/// Decodes POST /v3/auth/tokens' response body (the token id comes from the header).
Result<Token> decode_token(std::string subject_token, const nlohmann::json& body);
/// The URL of `service_type`'s endpoint with `interface`, in `region` (empty = any). Errors list
/// what the catalog has.
Result<std::string> find_endpoint(const std::vector<Endpoint>& catalog, std::string_view service_type,
                                  std::string_view interface, std::string_view region);

struct Domain {
  std::string id;
  std::string name;
};
struct Project {
  std::string id;
  std::string name;
  std::string domain_id;
  bool enabled = true;
};
struct User {
  std::string id;
  std::string name;
  std::string domain_id;
  std::string default_project_id;
  bool enabled = true;
};
struct Role {
  std::string id;
  std::string name;
};

class KeystoneClient {
 public:
  /// POST /v3/auth/tokens (password, scoped to the project). A wrong password is
  /// ErrorKind::permission naming the user and URL.
  static Result<KeystoneClient> login(HttpClient& http, const Credentials& creds);

  const Token& token() const { return token_; }
  const Credentials& credentials() const { return creds_; }
  const ApiSession& session() const { return session_; }
  /// The catalog URL of `service_type` for these credentials' interface and region.
  Result<std::string> endpoint(std::string_view service_type) const;

  /// GET /v3/domains?name=; not_found when absent.
  Result<Domain> find_domain(std::string_view name) const;
  /// The id of the domain that these credentials' project lives in.
  Result<std::string> project_domain_id() const;

  Result<std::optional<Project>> find_project(std::string_view name, std::string_view domain_id) const;
  /// Finds the project by name in the domain, creates it when missing.
  Result<Ensured<Project>> ensure_project(std::string_view name, std::string_view domain_id,
                                          std::string_view description) const;

  Result<std::optional<User>> find_user(std::string_view name, std::string_view domain_id) const;
  /// Finds the user by name in the domain, creates it (with the password and default project) when
  /// missing. An existing user's password is left alone: see set_user_password().
  Result<Ensured<User>> ensure_user(std::string_view name, std::string_view domain_id, std::string_view password,
                                    std::string_view default_project_id) const;
  /// PATCH /v3/users/{id} with a new password.
  Result<void> set_user_password(std::string_view user_id, std::string_view password) const;

  Result<std::optional<Role>> find_role(std::string_view name) const;
  /// The first of `names` that exists ({"member", "_member_"}); not_found naming all when none does.
  Result<Role> find_first_role(const std::vector<std::string>& names) const;
  /// Grants `role_id` to the user on the project unless a role assignment says it is there already.
  Result<Action> ensure_role_assignment(std::string_view project_id, std::string_view user_id,
                                        std::string_view role_id) const;

 private:
  KeystoneClient(HttpClient& http, Credentials creds, Token token);
  Credentials creds_;
  Token token_;
  ApiSession session_;
};

}  // namespace sw::installer
