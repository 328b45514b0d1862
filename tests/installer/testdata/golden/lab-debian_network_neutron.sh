# 10.15.0.7_neutron.sh (prelude left out)
# --- step 1: Neutron packages are installed
check_1() {
  sw_pkgs_installed deb neutron-openvswitch-agent neutron-l3-agent neutron-dhcp-agent neutron-metadata-agent curl
}
apply_1() {
  sw_pkgs_install deb neutron-openvswitch-agent neutron-l3-agent neutron-dhcp-agent neutron-metadata-agent curl
}
sw_step 1 'Neutron packages are installed' check_1 apply_1 || exit $?

# --- step 2: /var/lib/stackwire/bin/sw-service (start, stop, restart services by hand)
check_2() {
  grep -qx '# sw-service version 46e5610c2c0b0551' /var/lib/stackwire/bin/sw-service && test -x /var/lib/stackwire/bin/sw-service
}
apply_2() {
  mkdir -p /var/lib/stackwire/bin &&
  printf '%s' '
  #!/bin/sh
  # /var/lib/stackwire/bin/sw-service: start|stop|restart|status a service the way stackwire runs it on
  # this host (systemd when it has one, else by pidfile in /run/stackwire). Written by stackwire deploy.
  # sw-service version 46e5610c2c0b0551
  set -u
  PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

  # ---- service helpers (stackwire installer/service_shell.cpp) ----
  SW_RUN=${SW_RUN:-/run/stackwire}

  # True when systemd manages services here; otherwise daemons are kept by pidfile in $SW_RUN.
  sw_systemd() { [ -d /run/systemd/system ]; }

  # sw_require VAR...: each answer-file variable is set and not empty. Havana'\''s CONFIG_MYSQL_PW and
  # CONFIG_QPID_AUTH_PASSWORD stand in for CONFIG_MARIADB_PW and CONFIG_AMQP_AUTH_PASSWORD.
  sw_require() {
    for sw_v in "$@"; do
      eval "sw_val=\${$sw_v:-}"
      if [ -z "$sw_val" ]; then
        case $sw_v in
          CONFIG_MARIADB_PW) sw_val=${CONFIG_MYSQL_PW:-} ;;
          CONFIG_AMQP_AUTH_PASSWORD) sw_val=${CONFIG_QPID_AUTH_PASSWORD:-} ;;
        esac
        [ -n "$sw_val" ] && eval "$sw_v=\$sw_val"
      fi
      if [ -z "$sw_val" ]; then
        echo "$sw_v is not set in /var/lib/stackwire/answers.env" >&2
        return 1
      fi
    done
  }

  # sw_conf LINE...: a config file'\''s content, one argument per line.
  sw_conf() { printf '\''%s\n'\'' "$@"; }

  # sw_tmp: a new 0600 file in this manifest run'\''s private directory, removed when the manifest ends.
  sw_tmp() {
    mkdir -p -m 0700 "$SW_RUN/tmp/$$" && mktemp "$SW_RUN/tmp/$$/sw.XXXXXX"
  }
  trap '\''rm -rf "$SW_RUN/tmp/$$"'\'' EXIT

  # sw_pydir PKG: the directory of the installed Python package PKG (dist- or site-packages).
  sw_pydir() {
    for sw_d in /usr/lib/python3/dist-packages /usr/lib/python3*/site-packages /usr/lib64/python3*/site-packages; do
      [ -d "$sw_d/$1" ] && { echo "$sw_d/$1"; return 0; }
    done
    echo "python package $1 is not installed" >&2
    return 1
  }

  # sw_file_matches PATH MODE OWNER GROUP < CONTENT: the file holds exactly CONTENT, with that mode
  # and ownership.
  sw_file_matches() {
    local m=$2
    [ -f "$1" ] || return 1
    while [ "${m#0}" != "$m" ]; do m=${m#0}; done
    [ "$(stat -c '\''%a %U %G'\'' "$1")" = "$m $3 $4" ] || return 1
    cmp -s - "$1"
  }

  # sw_file_install PATH MODE OWNER GROUP < CONTENT: writes the file atomically (never readable by
  # others while it is being written).
  sw_file_install() {
    local dir tmp
    dir=$(dirname "$1")
    mkdir -p "$dir" || return 1
    tmp=$(mktemp "$dir/.stackwire.XXXXXX") || return 1
    if cat > "$tmp" && chown "$3:$4" "$tmp" && chmod "$2" "$tmp" && mv -f "$tmp" "$1"; then
      echo "wrote $1 (mode $2, $3:$4)"
      return 0
    fi
    rm -f "$tmp"
    return 1
  }

  # sw_pkgs_installed deb|rpm PKG... / sw_pkgs_install deb|rpm PKG...
  sw_pkgs_installed() {
    local kind=$1
    shift
    case $kind in
      deb) [ "$(dpkg-query -W -f='\''${db:Status-Status}\n'\'' "$@" 2>/dev/null | grep -cx installed)" -eq $# ] ;;
      rpm) rpm -q "$@" >/dev/null 2>&1 ;;
      *) return 1 ;;
    esac
  }
  sw_pkgs_install() {
    local kind=$1
    shift
    case $kind in
      deb)
        DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$@" ||
          { DEBIAN_FRONTEND=noninteractive apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$@"; } ;;
      rpm) dnf install -y "$@" ;;
      *) echo "unknown package kind $kind" >&2; return 1 ;;
    esac
  }

  # Restart marks: a config step that rewrote a file marks the services reading it; the service'\''s
  # own step restarts it once and clears the mark. Nothing changed = nothing marked = no restart.
  sw_mark_restart() {
    mkdir -p "$SW_RUN/restart" || return 1
    for sw_v in "$@"; do : > "$SW_RUN/restart/$sw_v"; done
  }
  sw_restart_pending() { [ -e "$SW_RUN/restart/$1" ]; }

  # sw_pid_of NAME: the pid in NAME'\''s pidfile, when that process lives (not a zombie) and still runs
  # the program it was started as (guards against a reused pid). A substring match: Python daemons
  # retitle themselves ("neutron-metadata-agent (/usr/bin/python3 /usr/bin/neutron-...)").
  sw_pid_of() {
    local pid line st exe
    pid=$(cat "$SW_RUN/$1.pid" 2>/dev/null) || return 1
    case $pid in '\'''\''|*[!0-9]*) return 1 ;; esac
    [ -r "/proc/$pid/stat" ] || return 1
    read -r line < "/proc/$pid/stat" || return 1
    st=${line##*) }
    st=${st%% *}
    case $st in Z|X|x) return 1 ;; esac
    exe=$(cat "$SW_RUN/$1.exe" 2>/dev/null) || return 1
    # 2>/dev/null first: it must cover the < of a process that exits meanwhile
    tr '\''\0'\'' '\''\n'\'' 2>/dev/null < "/proc/$pid/cmdline" | grep -qF -- "$exe" || return 1
    echo "$pid"
  }

  # sw_service_running NAME
  sw_service_running() {
    if sw_systemd; then
      systemctl is-active --quiet "$1"
      return
    fi
    sw_pid_of "$1" >/dev/null
  }

  sw_service_failed() {  # NAME LOGFILE|""
    echo "$1 did not stay up; last lines of ${2:-its journal}:" >&2
    if [ -n "$2" ]; then
      tail -n 25 "$2" >&2
    else
      journalctl -u "$1" -n 25 --no-pager >&2 2>/dev/null
    fi
  }

  # sw_service_settle NAME LOGFILE|"": the service stays up for about a second.
  sw_service_settle() {
    for sw_i in 1 2 3 4 5 6 7 8 9 10; do
      sleep 0.1
      sw_service_running "$1" || { sw_service_failed "$1" "$2"; return 1; }
    done
  }

  # sw_service_start NAME USER LOGFILE -- CMD...: starts NAME unless it runs (idempotent). With
  # systemd: `systemctl enable --now NAME` (USER, LOGFILE and CMD are the unit'\''s business). Without:
  # start-stop-daemon in the background as USER (in USER'\''s home, HOME set), stdout and stderr
  # appended to LOGFILE, pid in /run/stackwire/NAME.pid.
  sw_service_start() {
    local name=$1 user=${2:-root} log=${3:-} exe home
    if [ $# -ge 3 ]; then shift 3; else shift $#; fi
    [ "${1:-}" = -- ] && shift
    if sw_systemd; then
      sw_service_running "$name" && systemctl is-enabled --quiet "$name" && return 0
      systemctl enable --now "$name" || { sw_service_failed "$name" ""; return 1; }
      sw_service_settle "$name" "" || return 1
      echo "started $name (systemd)"
      return 0
    fi
    sw_service_running "$name" && return 0
    if [ $# -eq 0 ] || [ -z "$log" ]; then
      echo "$name: no systemd here, and no command and log file to start it by pidfile" >&2
      return 1
    fi
    command -v start-stop-daemon >/dev/null 2>&1 ||
      { echo "$name: no systemd and no start-stop-daemon on this host" >&2; return 1; }
    exe=$1
    shift
    home=$(getent passwd "$user" | cut -d: -f6)
    [ -n "$home" ] && [ -d "$home" ] || home=/
    mkdir -p "$SW_RUN" "$(dirname "$log")" || return 1
    touch "$log" && chown "$user" "$log" || return 1
    rm -f "$SW_RUN/$name.pid"
    printf '\''%s\n'\'' "$exe" > "$SW_RUN/$name.exe"
    # How it was started, for `sw-service start|restart NAME` later (one shell-quoted word each).
    { for sw_a in "$user" "$log" "$exe" "$@"; do
        printf "'\''%s'\'' " "$(printf '\''%s'\'' "$sw_a" | sed "s/'\''/'\''\\\\'\'''\''/g")"
      done; echo; } > "$SW_RUN/$name.start"
    echo "--- $(date -u '\''+%Y-%m-%dT%H:%M:%SZ'\'') stackwire starts $name" >> "$log"
    HOME=$home start-stop-daemon --start --quiet --background --make-pidfile \
      --pidfile "$SW_RUN/$name.pid" --chuid "$user" --chdir "$home" --output "$log" \
      --startas "$exe" -- "$@" || { sw_service_failed "$name" "$log"; return 1; }
    sw_service_settle "$name" "$log" || return 1
    echo "started $name (pid $(cat "$SW_RUN/$name.pid"), log $log)"
  }

  # sw_service_stop NAME [TIMEOUT]: SIGTERM, up to TIMEOUT s (default 20: OVS agents may ignore
  # SIGTERM for over 15 s), then SIGKILL to its process group; leftovers of the group get SIGTERM.
  sw_service_stop() {
    local name=$1 t=${2:-20} pid line pgid mine i
    if sw_systemd; then
      systemctl stop "$name"
      return
    fi
    pid=$(sw_pid_of "$name") || { rm -f "$SW_RUN/$name.pid"; return 0; }
    read -r line < "/proc/$pid/stat" || line=
    set -- ${line##*) }
    pgid=${3:-0}
    read -r line < /proc/$$/stat
    set -- ${line##*) }
    mine=$3
    kill -TERM "$pid" 2>/dev/null
    i=0
    while sw_pid_of "$name" >/dev/null && [ $i -lt $((t * 10)) ]; do sleep 0.1; i=$((i + 1)); done
    if sw_pid_of "$name" >/dev/null; then
      echo "$name (pid $pid) still runs ${t}s after SIGTERM: SIGKILL" >&2
      kill -KILL "$pid" 2>/dev/null
      [ "$pgid" -gt 1 ] && [ "$pgid" != "$mine" ] && kill -KILL -- "-$pgid" 2>/dev/null
      i=0
      while sw_pid_of "$name" >/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
      sw_pid_of "$name" >/dev/null && { echo "$name (pid $pid) survives SIGKILL" >&2; return 1; }
    fi
    [ "$pgid" -gt 1 ] && [ "$pgid" != "$mine" ] && kill -TERM -- "-$pgid" 2>/dev/null
    rm -f "$SW_RUN/$name.pid"
    echo "stopped $name (pid $pid)"
  }

  # sw_service_restart NAME USER LOGFILE -- CMD...
  sw_service_restart() {
    if sw_systemd; then
      systemctl restart "$1" || { sw_service_failed "$1" ""; return 1; }
      systemctl enable --quiet "$1" || return 1
      sw_service_settle "$1" "" || return 1
      echo "restarted $1 (systemd)"
      return 0
    fi
    sw_service_stop "$1" || return 1
    sw_service_start "$@"
  }

  # sw_service_current NAME: running (and enabled, with systemd) with no restart pending.
  sw_service_current() {
    sw_restart_pending "$1" && return 1
    sw_service_running "$1" || return 1
    if sw_systemd; then systemctl is-enabled --quiet "$1"; fi
  }

  # sw_service_ensure NAME USER LOGFILE -- CMD...: restarts NAME if a config change marked it,
  # starts it if it is not running; then clears the mark.
  sw_service_ensure() {
    if sw_restart_pending "$1" && sw_service_running "$1"; then
      sw_service_restart "$@" || return 1
    else
      sw_service_start "$@" || return 1
    fi
    rm -f "$SW_RUN/restart/$1"
  }

  # sw_wait_tcp HOST PORT TIMEOUT: HOST:PORT accepts a TCP connection within TIMEOUT seconds.
  sw_wait_tcp() {
    local end
    end=$(( $(date +%s) + $3 ))
    while :; do
      timeout 3 bash -c '\''exec 3<>"/dev/tcp/$1/$2"'\'' sw_wait_tcp "$1" "$2" 2>/dev/null && return 0
      [ "$(date +%s)" -lt "$end" ] || { echo "$1:$2 accepts no connection after $3 s" >&2; return 1; }
      sleep 0.3
    done
  }

  # sw_interrupted WHAT: true (saying why) when the deployer asked this run to stop waiting, because
  # another host of the same plugin failed and WHAT will not come: it leaves a note in $SW_ABORT_FILE.
  sw_interrupted() {
    [ -n "${SW_ABORT_FILE:-}" ] && [ -s "$SW_ABORT_FILE" ] || return 1
    echo "stopped waiting for $1: $(head -c 300 "$SW_ABORT_FILE")" >&2
  }

  # sw_wait_http URL TIMEOUT [NAME LOGFILE]: URL answers with an HTTP status below 500 within TIMEOUT
  # seconds. With NAME, gives up as soon as the service NAME stops running (its port taken, a file it
  # cannot read), showing its log'\''s last lines, rather than waiting out TIMEOUT for an answer that
  # will not come.
  sw_wait_http() {
    local end code
    end=$(( $(date +%s) + $2 ))
    while :; do
      code=$(curl -s -o /dev/null -m 5 -w '\''%{http_code}'\'' "$1" 2>/dev/null)
      case $code in [234]??) return 0 ;; esac
      if [ -n "${3:-}" ] && ! sw_service_running "$3"; then
        echo "$3 exited before $1 answered (last HTTP status ${code:-none})" >&2
        sw_service_failed "$3" "${4:-}"
        return 1
      fi
      ! sw_interrupted "$1 to answer" || return 1
      [ "$(date +%s)" -lt "$end" ] ||
        { echo "$1 does not answer after $2 s (last HTTP status ${code:-none})" >&2; return 1; }
      sleep 0.3
    done
  }

  # sw_wait_cmd TIMEOUT WHAT CMD...: CMD succeeds within TIMEOUT seconds.
  sw_wait_cmd() {
    local t=$1 end=$(( $(date +%s) + $1 )) what=$2
    shift 2
    while :; do
      "$@" >/dev/null 2>&1 && return 0
      ! sw_interrupted "$what" || return 1
      [ "$(date +%s)" -lt "$end" ] || { echo "$what: still not after $t s" >&2; return 1; }
      sleep 0.3
    done
  }

  # Escapes for values rendered into files at apply time.
  sw_urlencode() {  # percent-encodes all but [A-Za-z0-9._~-] (URL userinfo)
    local s=$1 c out=
    while [ -n "$s" ]; do
      c=${s%"${s#?}"}
      s=${s#?}
      case $c in
        [A-Za-z0-9._~-]) out=$out$c ;;
        *) out=$out$(printf '\''%%%02X'\'' "'\''$c") ;;
      esac
    done
    printf '\''%s'\'' "$out"
  }
  sw_oslo_escape() { printf '\''%s'\'' "$1" | sed '\''s/\$/$$/g'\''; }  # oslo.config interpolates $name
  # sw_dburl_escape PASSWORD: for the password in an SQLAlchemy URL inside an oslo.config file:
  # SQLAlchemy takes any character but '\''@'\'' and '\''%'\'' raw (and unquotes %XX); oslo.config needs $$.
  sw_dburl_escape() { printf '\''%s'\'' "$1" | sed -e '\''s/%/%25/g'\'' -e '\''s/@/%40/g'\'' -e '\''s/\$/$$/g'\''; }
  sw_sql_escape() { printf '\''%s'\'' "$1" | sed -e '\''s/\\/\\\\/g'\'' -e "s/'\''/\\\\'\''/g"; }
  sw_sh_squote() { printf "'\''%s'\''" "$(printf '\''%s'\'' "$1" | sed "s/'\''/'\''\\\\'\'''\''/g")"; }
  sw_json_quote() { printf '\''"%s"'\'' "$(printf '\''%s'\'' "$1" | sed -e '\''s/\\/\\\\/g'\'' -e '\''s/"/\\"/g'\'')"; }

  # sw_json FILE EXPR: prints the Python expression EXPR over the JSON document d in FILE (lists one
  # item per line, None as nothing); fails when FILE is not JSON or EXPR raises.
  sw_json() {
    python3 -S -c '\''
  import json, sys
  d = json.load(open(sys.argv[1]))
  r = eval(sys.argv[2], {"d": d})
  if isinstance(r, (list, tuple)):
      r = "\n".join(str(x) for x in r)
  if r is not None and r != "":
      print(r)
  '\'' "$1" "$2"
  }
  # sw_json_true FILE EXPR: EXPR over d is true.
  sw_json_true() {
    python3 -S -c '\''
  import json, sys
  d = json.load(open(sys.argv[1]))
  sys.exit(0 if eval(sys.argv[2], {"d": d}) else 1)
  '\'' "$1" "$2" 2>/dev/null
  }

  # sw_alembic_heads DIR: the alembic revisions under DIR that no other revision names as its
  # down_revision (what `upgrade heads` leaves in alembic_version), sorted.
  sw_alembic_heads() {
    find "$1" -name '\''*.py'\'' -exec cat {} + 2>/dev/null | awk -v q="'\''" '\''
      BEGIN { re = "[\"" q "][0-9A-Za-z_]+[\"" q "]" }
      /^revision *=/ { if (match($0, re)) rev[substr($0, RSTART + 1, RLENGTH - 2)] = 1 }
      /^down_revision *=/ {
        s = $0
        while (match(s, re)) { down[substr(s, RSTART + 1, RLENGTH - 2)] = 1; s = substr(s, RSTART + RLENGTH) }
      }
      END { for (r in rev) if (!(r in down)) print r }'\'' | sort
  }
  # sw_db_at_heads DB DIR: database DB'\''s alembic_version holds exactly the heads under DIR.
  sw_db_at_heads() {
    local want have
    want=$(sw_alembic_heads "$2")
    [ -n "$want" ] || { echo "no alembic revisions under $2" >&2; return 1; }
    have=$(mysql -N -B -e "SELECT version_num FROM \`$1\`.alembic_version" 2>/dev/null | sort) || return 1
    [ "$want" = "$have" ]
  }

  # sw_mysql_login USER PASSWORD DB [HOST]: USER logs in with PASSWORD and may use DB (over the
  # socket, or TCP to HOST). The password travels in the environment of mysql only.
  sw_mysql_login() {
    if [ -n "${4:-}" ]; then
      MYSQL_PWD=$2 mysql --no-defaults --protocol=tcp -h "$4" -u "$1" -N -B -e '\''SELECT 1'\'' "$3" >/dev/null 2>&1
    else
      MYSQL_PWD=$2 mysql -u "$1" -N -B -e '\''SELECT 1'\'' "$3" >/dev/null 2>&1
    fi
  }

  # sw_amqp_login HOST PORT USER PASSWORD [VHOST]: an AMQP 0-9-1 client logs in (PLAIN) and opens
  # VHOST (default /): proves the user, its password and its permission on the vhost, in ~50 ms.
  sw_amqp_login() {
    SW_AMQP_PW=$4 python3 -S -c '\''
  import os, socket, struct, sys
  host, port, user, vhost = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
  def fail(why):
      sys.exit("amqp %s:%d: %s" % (host, port, why))
  def recv(n):
      b = b""
      while len(b) < n:
          c = s.recv(n - len(b))
          if not c:
              fail("%s: connection closed by the broker" % stage)
          b += c
      return b
  def frame():
      t, ch, size = struct.unpack(">BHI", recv(7))
      payload = recv(size)
      recv(1)
      return (struct.unpack(">HH", payload[:4]) if t == 1 else (0, 0)), payload[4:]
  def method(cls, mid, args):
      p = struct.pack(">HH", cls, mid) + args
      s.sendall(struct.pack(">BHI", 1, 0, len(p)) + p + b"\xce")
  def shortstr(v):
      v = v.encode()
      return struct.pack(">B", len(v)) + v
  stage = "connect"
  try:
      s = socket.create_connection((host, port), timeout=5)
      s.sendall(b"AMQP\x00\x00\x09\x01")
      if frame()[0] != (10, 10):
          fail("no connection.start")
      creds = b"\0" + user.encode() + b"\0" + os.environ["SW_AMQP_PW"].encode()
      stage = "login as %s" % user
      method(10, 11, struct.pack(">I", 0) + shortstr("PLAIN") + struct.pack(">I", len(creds)) + creds + shortstr("en_US"))
      m, args = frame()
      if m != (10, 30):
          fail("login refused for user %s" % user)
      channel_max, frame_max, heartbeat = struct.unpack(">HIH", args[:8])
      method(10, 31, struct.pack(">HIH", 1, frame_max, 0))
      method(10, 40, shortstr(vhost) + shortstr("") + b"\x00")
      if frame()[0] != (10, 41):
          fail("user %s may not open vhost %s" % (user, vhost))
      method(10, 50, struct.pack(">H", 200) + shortstr("") + struct.pack(">HH", 0, 0))
  except OSError as e:
      fail("%s: %s" % (stage, e))
  '\'' "$1" "$2" "$3" "${5:-/}"
  }

  # sw_rabbit_set_user USER PASSWORD [VHOST]: creates or updates USER with PASSWORD and full
  # permissions on VHOST by importing definitions that carry only the password'\''s salted SHA-256.
  sw_rabbit_set_user() {
    local f
    f=$(mktemp /var/lib/rabbitmq/.stackwire-defs.XXXXXX) || return 1
    SW_RABBIT_PW=$2 python3 -S -c '\''
  import base64, hashlib, json, os, sys
  salt = os.urandom(4)
  h = base64.b64encode(salt + hashlib.sha256(salt + os.environ["SW_RABBIT_PW"].encode()).digest()).decode()
  user, vhost = sys.argv[1], sys.argv[2]
  json.dump({"users": [{"name": user, "password_hash": h,
                        "hashing_algorithm": "rabbit_password_hashing_sha256", "tags": ""}],
             "vhosts": [{"name": vhost}],
             "permissions": [{"user": user, "vhost": vhost, "configure": ".*", "write": ".*", "read": ".*"}]},
            sys.stdout)
  '\'' "$1" "${3:-/}" > "$f" && chown rabbitmq "$f" && rabbitmqctl -q import_definitions "$f"
    local rc=$?
    rm -f "$f"
    [ $rc -eq 0 ] && echo "rabbitmq user $1 set, with permissions on vhost ${3:-/}"
    return $rc
  }

  # Keystone v3 over curl. The token travels to curl in a config on stdin, bodies in 0600 files.
  # sw_ks_auth URL USER PASSWORD PROJECT RESPFILE: prints a project-scoped token for USER (domain
  # Default); the token body (roles, catalog) goes to RESPFILE. Tokens are kept (0600, in
  # $SW_RUN/tokens, under a hash of URL, user, project and password) and re-validated on reuse, which
  # costs a fernet decrypt where a password login costs a bcrypt: Keystone recomputes roles and catalog
  # on validation and revokes a user'\''s tokens when the password, the user or a role goes away.
  sw_ks_auth() {
    local hdr code key cache tok
    key=$(printf '\''%s\n%s\n%s\n%s'\'' "$1" "$2" "$4" "$3" | sha256sum | cut -c1-40)
    cache=$SW_RUN/tokens/$key
    if tok=$(cat "$cache" 2>/dev/null) && [ -n "$tok" ]; then
      code=$(printf '\''header = "X-Auth-Token: %s"\nheader = "X-Subject-Token: %s"\n'\'' "$tok" "$tok" |
        curl -sS -m 20 -K - -o "$5" -w '\''%{http_code}'\'' "$1/auth/tokens" 2>/dev/null)
      if [ "$code" = 200 ]; then
        echo "$tok"
        return 0
      fi
      rm -f "$cache"
    fi
    hdr=$(sw_tmp) || return 1
    code=$(printf '\''{"auth":{"identity":{"methods":["password"],"password":{"user":{"name":%s,"domain":{"id":"default"},"password":%s}}},"scope":{"project":{"name":%s,"domain":{"id":"default"}}}}}'\'' \
        "$(sw_json_quote "$2")" "$(sw_json_quote "$3")" "$(sw_json_quote "$4")" |
      curl -sS -m 20 -o "$5" -D "$hdr" -w '\''%{http_code}'\'' -H '\''Content-Type: application/json'\'' \
        --data-binary @- "$1/auth/tokens")
    if [ "$code" != 201 ]; then
      rm -f "$hdr"
      echo "keystone $1: user $2 in project $4: HTTP ${code:-none}" >&2
      return 1
    fi
    tok=$(sed -n '\''s/^[Xx]-[Ss]ubject-[Tt]oken: *//p'\'' "$hdr" | tr -d '\''\r'\'')
    rm -f "$hdr"
    if [ -n "$tok" ] && mkdir -p -m 0700 "$SW_RUN/tokens"; then
      (umask 077 && printf '\''%s\n'\'' "$tok" > "$cache")
    fi
    echo "$tok"
  }
  # sw_ks_token_ok RESPFILE ROLE [TYPE REGION URL]: the token in RESPFILE carries ROLE, and its
  # catalog holds TYPE with public, internal and admin endpoints at URL in REGION.
  sw_ks_token_ok() {
    python3 -S -c '\''
  import json, sys
  tok = json.load(open(sys.argv[1]))["token"]
  if sys.argv[2] not in [r["name"] for r in tok.get("roles", [])]:
      sys.exit(1)
  if len(sys.argv) > 3:
      kind, region, url = sys.argv[3], sys.argv[4], sys.argv[5].rstrip("/")
      have = {(e["interface"], e.get("region_id"), e["url"].rstrip("/"))
              for s in tok.get("catalog", []) if s["type"] == kind for e in s["endpoints"]}
      if not all((i, region, url) in have for i in ("public", "internal", "admin")):
          sys.exit(1)
  '\'' "$@" 2>/dev/null
  }

  # sw_ks_api METHOD PATH [BODY]: calls $SW_KS_URL$PATH with $SW_KS_TOKEN; the response body is left
  # in $SW_KS_OUT; fails (printing status and body) unless 2xx.
  sw_ks_api() {
    local code body=
    if [ $# -ge 3 ]; then
      body=$(sw_tmp) || return 1
      printf '\''%s'\'' "$3" > "$body"
    fi
    code=$(printf '\''header = "X-Auth-Token: %s"\n'\'' "$SW_KS_TOKEN" |
      curl -sS -m 20 -K - -X "$1" -o "$SW_KS_OUT" -w '\''%{http_code}'\'' -H '\''Content-Type: application/json'\'' \
        ${body:+--data-binary "@$body"} "$SW_KS_URL$2")
    [ -n "$body" ] && rm -f "$body"
    case $code in
      2??) return 0 ;;
      *) echo "keystone $1 $2: HTTP ${code:-none}: $(head -c 300 "$SW_KS_OUT" 2>/dev/null)" >&2; return 1 ;;
    esac
  }
  # sw_ks_session URL USER PASSWORD PROJECT: sets SW_KS_URL, SW_KS_TOKEN and SW_KS_OUT for sw_ks_api.
  sw_ks_session() {
    SW_KS_URL=$1
    SW_KS_OUT=$(sw_tmp) || return 1
    SW_KS_TOKEN=$(sw_ks_auth "$1" "$2" "$3" "$4" "$SW_KS_OUT") && [ -n "$SW_KS_TOKEN" ]
  }
  sw_ks_first_id() {  # PATH COLLECTION: id of the first listed item, or nothing
    sw_ks_api GET "$1" && sw_json "$SW_KS_OUT" "d['\''$2'\''][0]['\''id'\''] if d['\''$2'\''] else None"
  }
  sw_ks_ensure_project() {  # NAME DESCRIPTION: prints its id
    local id
    id=$(sw_ks_first_id "/projects?name=$1&domain_id=default" projects) || return 1
    if [ -z "$id" ]; then
      sw_ks_api POST /projects "{\"project\":{\"name\":$(sw_json_quote "$1"),\"domain_id\":\"default\",\"description\":$(sw_json_quote "$2"),\"enabled\":true}}" || return 1
      id=$(sw_json "$SW_KS_OUT" "d['\''project'\'']['\''id'\'']")
      echo "created project $1 ($id)" >&2
    fi
    echo "$id"
  }
  sw_ks_ensure_user() {  # NAME PASSWORD: creates NAME or resets its password; prints its id
    local id
    id=$(sw_ks_first_id "/users?name=$1&domain_id=default" users) || return 1
    if [ -z "$id" ]; then
      sw_ks_api POST /users "{\"user\":{\"name\":$(sw_json_quote "$1"),\"domain_id\":\"default\",\"password\":$(sw_json_quote "$2"),\"enabled\":true}}" || return 1
      id=$(sw_json "$SW_KS_OUT" "d['\''user'\'']['\''id'\'']")
      echo "created user $1 ($id)" >&2
    else
      sw_ks_api PATCH "/users/$id" "{\"user\":{\"password\":$(sw_json_quote "$2"),\"enabled\":true}}" || return 1
      echo "set the password of user $1 ($id)" >&2
    fi
    echo "$id"
  }
  sw_ks_grant() {  # PROJECT_ID USER_ID ROLE_NAME
    local role
    role=$(sw_ks_first_id "/roles?name=$3" roles) || return 1
    [ -n "$role" ] || { echo "keystone has no role $3" >&2; return 1; }
    sw_ks_api PUT "/projects/$1/users/$2/roles/$role" || return 1
    echo "granted role $3 on project $1 to user $2" >&2
  }
  sw_ks_ensure_service() {  # TYPE NAME DESCRIPTION: prints its id
    local id
    id=$(sw_ks_first_id "/services?type=$1" services) || return 1
    if [ -z "$id" ]; then
      sw_ks_api POST /services "{\"service\":{\"type\":$(sw_json_quote "$1"),\"name\":$(sw_json_quote "$2"),\"description\":$(sw_json_quote "$3"),\"enabled\":true}}" || return 1
      id=$(sw_json "$SW_KS_OUT" "d['\''service'\'']['\''id'\'']")
      echo "created service $2 ($1, $id)" >&2
    fi
    echo "$id"
  }
  sw_ks_ensure_endpoint() {  # SERVICE_ID INTERFACE REGION URL
    local id url
    sw_ks_api GET "/endpoints?service_id=$1&interface=$2&region_id=$3" || return 1
    id=$(sw_json "$SW_KS_OUT" "d['\''endpoints'\''][0]['\''id'\''] if d['\''endpoints'\''] else None")
    if [ -z "$id" ]; then
      sw_ks_api POST /endpoints "{\"endpoint\":{\"service_id\":\"$1\",\"interface\":\"$2\",\"region_id\":$(sw_json_quote "$3"),\"url\":$(sw_json_quote "$4"),\"enabled\":true}}" || return 1
      echo "created $2 endpoint $4 in $3"
    else
      url=$(sw_json "$SW_KS_OUT" "d['\''endpoints'\''][0]['\''url'\'']")
      [ "$url" = "$4" ] && return 0
      sw_ks_api PATCH "/endpoints/$id" "{\"endpoint\":{\"url\":$(sw_json_quote "$4"),\"enabled\":true}}" || return 1
      echo "moved $2 endpoint $id from $url to $4"
    fi
  }

  # sw_neutron_agents_down URL TOKEN HOST BINARY...: prints the BINARYs that have no alive agent on
  # HOST according to neutron-server at URL (all of them when the server does not answer).
  sw_neutron_agents_down() {
    local url=$1 token=$2 host=$3 out
    shift 3
    out=$(sw_tmp) || return 1
    # A neutron-server that has just started may fail a request or two: ask up to 3 times before
    # reporting every agent down (a step'\''s check after its apply asks once, and failed a re-run).
    for sw_n in 1 2 3; do
      printf '\''header = "X-Auth-Token: %s"\n'\'' "$token" |
        curl -sf -m 10 -K - -o "$out" "$url/v2.0/agents?host=$host" 2>/dev/null && break
      : > "$out"
      [ "$sw_n" = 3 ] || sleep 1
    done
    python3 -S -c '\''
  import json, sys
  try:
      agents = json.load(open(sys.argv[1]))["agents"]
  except Exception:
      agents = []
  alive = {a["binary"] for a in agents if a.get("alive")}
  for b in sys.argv[2:]:
      if b not in alive:
          print(b)
  '\'' "$out" "$@"
    rm -f "$out"
  }
  # ---- end of service helpers ----

  sw_usage() {
    echo "usage: sw-service start|stop|restart|status NAME" >&2
    exit 2
  }
  [ $# -eq 2 ] || sw_usage
  sw_verb=$1
  sw_name=$2
  # Without systemd, start needs how stackwire started NAME (written by sw_service_start).
  sw_saved_start() {
    [ -r "$SW_RUN/$sw_name.start" ] ||
      { echo "sw-service: $sw_name was never started by stackwire on this host (no $SW_RUN/$sw_name.start)" >&2; exit 1; }
    eval "set -- $(cat "$SW_RUN/$sw_name.start")"
    sw_u=$1 sw_l=$2
    shift 2
    sw_service_start "$sw_name" "$sw_u" "$sw_l" -- "$@"
  }
  case $sw_verb in
    status)
      if sw_service_running "$sw_name"; then echo "$sw_name is running"; else echo "$sw_name is stopped"; exit 3; fi ;;
    stop)
      sw_service_stop "$sw_name" && echo "stopped $sw_name" ;;
    start)
      if sw_systemd; then sw_service_start "$sw_name"; else sw_saved_start; fi ;;
    restart)
      if sw_systemd; then
        sw_service_restart "$sw_name"
      else
        sw_service_stop "$sw_name" && sw_saved_start
      fi ;;
    *) sw_usage ;;
  esac
  ' | sed -e 1d -e 's/^  //' > /var/lib/stackwire/bin/sw-service.new &&
  chmod 0755 /var/lib/stackwire/bin/sw-service.new && mv -f /var/lib/stackwire/bin/sw-service.new /var/lib/stackwire/bin/sw-service
}
sw_step 2 '/var/lib/stackwire/bin/sw-service (start, stop, restart services by hand)' check_2 apply_2 || exit $?

# --- step 3: Open vSwitch answers
check_3() {
  ovs-vsctl --timeout=5 show >/dev/null
}
apply_3() {
  if sw_systemd; then
    systemctl enable --now openvswitch-switch || exit 1
    sw_wait_cmd 30 'ovsdb-server answers' ovs-vsctl --timeout=2 show
  else
    echo 'Open vSwitch does not run on this host and there is no systemd to start it' >&2
    exit 1
  fi
}
sw_step 3 'Open vSwitch answers' check_3 apply_3 || exit $?

# --- step 4: OVSDB listens on tcp:127.0.0.1:6640 for the agents (manager ptcp:6640:127.0.0.1)
check_4() {
  ovs-vsctl --timeout=5 get-manager | grep -qxF ptcp:6640:127.0.0.1 && timeout 3 bash -c 'exec 3<>/dev/tcp/127.0.0.1/6640'
}
apply_4() {
  if ! ovs-vsctl --timeout=5 get-manager | grep -qxF ptcp:6640:127.0.0.1; then
    ovs-vsctl --timeout=10 -- --id=@m create Manager 'target="ptcp:6640:127.0.0.1"' -- add Open_vSwitch . manager_options @m >/dev/null || exit 1
  fi
  ovs-appctl -t ovsdb-server ovsdb-server/add-remote db:Open_vSwitch,Open_vSwitch,manager_options
  sw_wait_tcp 127.0.0.1 6640 10
}
sw_step 4 'OVSDB listens on tcp:127.0.0.1:6640 for the agents (manager ptcp:6640:127.0.0.1)' check_4 apply_4 || exit $?

# --- step 5: neutron.conf is as rendered
check_5() {
  sw_require CONFIG_AMQP_AUTH_PASSWORD || exit 1
  case $CONFIG_AMQP_AUTH_PASSWORD in */*)
    echo 'CONFIG_AMQP_AUTH_PASSWORD holds /, which oslo.messaging cannot pass to RabbitMQ: choose another' >&2
    exit 1 ;;
  esac
  sw_amqp_pw=$(sw_urlencode "$CONFIG_AMQP_AUTH_PASSWORD")
  sw_conf \
    '# stackwire: neutron.conf for host network' \
    '[DEFAULT]' \
    'host = network' \
    'core_plugin = ml2' \
    'service_plugins = router' \
    'auth_strategy = keystone' \
    'state_path = /var/lib/neutron' \
    "transport_url = rabbit://openstack:${sw_amqp_pw}@10.15.0.4:5672/" \
    '[agent]' \
    'root_helper = neutron-rootwrap /etc/neutron/rootwrap.conf' \
    '[oslo_concurrency]' \
    'lock_path = /var/lib/neutron/lock' \
    | sw_file_matches /etc/neutron/neutron.conf 0640 root neutron
}
apply_5() {
  sw_require CONFIG_AMQP_AUTH_PASSWORD || exit 1
  case $CONFIG_AMQP_AUTH_PASSWORD in */*)
    echo 'CONFIG_AMQP_AUTH_PASSWORD holds /, which oslo.messaging cannot pass to RabbitMQ: choose another' >&2
    exit 1 ;;
  esac
  sw_amqp_pw=$(sw_urlencode "$CONFIG_AMQP_AUTH_PASSWORD")
  sw_conf \
    '# stackwire: neutron.conf for host network' \
    '[DEFAULT]' \
    'host = network' \
    'core_plugin = ml2' \
    'service_plugins = router' \
    'auth_strategy = keystone' \
    'state_path = /var/lib/neutron' \
    "transport_url = rabbit://openstack:${sw_amqp_pw}@10.15.0.4:5672/" \
    '[agent]' \
    'root_helper = neutron-rootwrap /etc/neutron/rootwrap.conf' \
    '[oslo_concurrency]' \
    'lock_path = /var/lib/neutron/lock' \
    | sw_file_install /etc/neutron/neutron.conf 0640 root neutron \
    && sw_mark_restart neutron-openvswitch-agent neutron-l3-agent neutron-dhcp-agent neutron-metadata-agent
}
sw_step 5 'neutron.conf is as rendered' check_5 apply_5 || exit $?

# --- step 6: openvswitch_agent.ini is as rendered
check_6() {
  sw_conf \
    '# stackwire: Open vSwitch agent for host network' \
    '[ovs]' \
    'integration_bridge = br-int' \
    'tunnel_bridge = br-tun' \
    'local_ip = 10.19.0.7' \
    'datapath_type = netdev' \
    'ovsdb_connection = tcp:127.0.0.1:6640' \
    'of_listen_address = 127.0.0.1' \
    'bridge_mappings = external:br-ex' \
    '[agent]' \
    'tunnel_types = gre' \
    'l2_population = False' \
    '[securitygroup]' \
    'firewall_driver = openvswitch' \
    'enable_security_group = True' \
    | sw_file_matches /etc/neutron/plugins/ml2/openvswitch_agent.ini 0640 root neutron
}
apply_6() {
  sw_conf \
    '# stackwire: Open vSwitch agent for host network' \
    '[ovs]' \
    'integration_bridge = br-int' \
    'tunnel_bridge = br-tun' \
    'local_ip = 10.19.0.7' \
    'datapath_type = netdev' \
    'ovsdb_connection = tcp:127.0.0.1:6640' \
    'of_listen_address = 127.0.0.1' \
    'bridge_mappings = external:br-ex' \
    '[agent]' \
    'tunnel_types = gre' \
    'l2_population = False' \
    '[securitygroup]' \
    'firewall_driver = openvswitch' \
    'enable_security_group = True' \
    | sw_file_install /etc/neutron/plugins/ml2/openvswitch_agent.ini 0640 root neutron \
    && sw_mark_restart neutron-openvswitch-agent
}
sw_step 6 'openvswitch_agent.ini is as rendered' check_6 apply_6 || exit $?

# --- step 7: l3_agent.ini is as rendered
check_7() {
  sw_conf \
    '# stackwire: L3 agent (legacy routers in qrouter- namespaces)' \
    '[DEFAULT]' \
    'interface_driver = openvswitch' \
    'agent_mode = legacy' \
    '[ovs]' \
    'integration_bridge = br-int' \
    'ovsdb_connection = tcp:127.0.0.1:6640' \
    | sw_file_matches /etc/neutron/l3_agent.ini 0640 root neutron
}
apply_7() {
  sw_conf \
    '# stackwire: L3 agent (legacy routers in qrouter- namespaces)' \
    '[DEFAULT]' \
    'interface_driver = openvswitch' \
    'agent_mode = legacy' \
    '[ovs]' \
    'integration_bridge = br-int' \
    'ovsdb_connection = tcp:127.0.0.1:6640' \
    | sw_file_install /etc/neutron/l3_agent.ini 0640 root neutron \
    && sw_mark_restart neutron-l3-agent
}
sw_step 7 'l3_agent.ini is as rendered' check_7 apply_7 || exit $?

# --- step 8: dhcp_agent.ini is as rendered
check_8() {
  sw_conf \
    '# stackwire: DHCP agent (dnsmasq in qdhcp- namespaces; Neutron sets the MTU, option 26)' \
    '[DEFAULT]' \
    'interface_driver = openvswitch' \
    'dhcp_driver = neutron.agent.linux.dhcp.Dnsmasq' \
    'enable_isolated_metadata = False' \
    'dnsmasq_base_log_dir = /var/log/neutron/dnsmasq' \
    '[ovs]' \
    'integration_bridge = br-int' \
    'ovsdb_connection = tcp:127.0.0.1:6640' \
    | sw_file_matches /etc/neutron/dhcp_agent.ini 0640 root neutron
}
apply_8() {
  sw_conf \
    '# stackwire: DHCP agent (dnsmasq in qdhcp- namespaces; Neutron sets the MTU, option 26)' \
    '[DEFAULT]' \
    'interface_driver = openvswitch' \
    'dhcp_driver = neutron.agent.linux.dhcp.Dnsmasq' \
    'enable_isolated_metadata = False' \
    'dnsmasq_base_log_dir = /var/log/neutron/dnsmasq' \
    '[ovs]' \
    'integration_bridge = br-int' \
    'ovsdb_connection = tcp:127.0.0.1:6640' \
    | sw_file_install /etc/neutron/dhcp_agent.ini 0640 root neutron \
    && sw_mark_restart neutron-dhcp-agent
}
sw_step 8 'dhcp_agent.ini is as rendered' check_8 apply_8 || exit $?

# --- step 9: metadata_agent.ini is as rendered
check_9() {
  sw_require CONFIG_NEUTRON_METADATA_PW || exit 1
  sw_secret=$(sw_oslo_escape "$CONFIG_NEUTRON_METADATA_PW")
  sw_conf \
    '# stackwire: metadata agent (proxies to nova'\''s metadata API on the controller)' \
    '[DEFAULT]' \
    'nova_metadata_host = 10.15.0.4' \
    'nova_metadata_port = 8775' \
    "metadata_proxy_shared_secret = ${sw_secret}" \
    'metadata_workers = 1' \
    | sw_file_matches /etc/neutron/metadata_agent.ini 0640 root neutron
}
apply_9() {
  sw_require CONFIG_NEUTRON_METADATA_PW || exit 1
  sw_secret=$(sw_oslo_escape "$CONFIG_NEUTRON_METADATA_PW")
  sw_conf \
    '# stackwire: metadata agent (proxies to nova'\''s metadata API on the controller)' \
    '[DEFAULT]' \
    'nova_metadata_host = 10.15.0.4' \
    'nova_metadata_port = 8775' \
    "metadata_proxy_shared_secret = ${sw_secret}" \
    'metadata_workers = 1' \
    | sw_file_install /etc/neutron/metadata_agent.ini 0640 root neutron \
    && sw_mark_restart neutron-metadata-agent
}
sw_step 9 'metadata_agent.ini is as rendered' check_9 apply_9 || exit $?

# --- step 10: dnsmasq (user nobody) can reach its files under /var/lib/neutron/dhcp
check_10() {
  [ ! -d /var/lib/neutron ] || [ $((0$(stat -c %a /var/lib/neutron) & 05)) -eq 5 ]
}
apply_10() {
  chmod o+rx /var/lib/neutron || exit 1
  for f in /var/lib/neutron/dhcp/*/pid; do
    [ -f "$f" ] || continue
    pid=$(cat "$f") && [ -n "$pid" ] && [ "$(cat /proc/$pid/comm 2>/dev/null)" = dnsmasq ] &&
      kill -HUP "$pid" && echo "dnsmasq $pid: re-reading $(dirname "$f")"
  done
  exit 0
}
sw_step 10 'dnsmasq (user nobody) can reach its files under /var/lib/neutron/dhcp' check_10 apply_10 || exit $?

# --- step 11: neutron-server answers at http://10.15.0.4:9696/
check_11() {
  sw_wait_http http://10.15.0.4:9696/ 0
}
apply_11() {
  sw_wait_http http://10.15.0.4:9696/ 300
}
sw_step 11 'neutron-server answers at http://10.15.0.4:9696/' check_11 apply_11 || exit $?

# --- step 12: neutron-openvswitch-agent is running with its current config
check_12() {
  sw_service_current neutron-openvswitch-agent
}
apply_12() {
  install -d -o neutron -g neutron -m 0750 /var/log/neutron /var/lib/neutron/lock
  install -d -o neutron -g neutron -m 0755 /var/lib/neutron
  sw_service_ensure neutron-openvswitch-agent root /var/log/neutron/neutron-openvswitch-agent.log -- \
    /usr/bin/neutron-openvswitch-agent \
    --config-file=/etc/neutron/neutron.conf \
    --config-file=/etc/neutron/plugins/ml2/openvswitch_agent.ini \
    --log-file=/var/log/neutron/neutron-openvswitch-agent.log || exit 1
}
sw_step 12 'neutron-openvswitch-agent is running with its current config' check_12 apply_12 || exit $?

# --- step 13: neutron-l3-agent is running with its current config
check_13() {
  sw_service_current neutron-l3-agent
}
apply_13() {
  install -d -o neutron -g neutron -m 0750 /var/log/neutron /var/lib/neutron/lock
  install -d -o neutron -g neutron -m 0755 /var/lib/neutron
  sw_service_ensure neutron-l3-agent root /var/log/neutron/neutron-l3-agent.log -- \
    /usr/bin/neutron-l3-agent \
    --config-file=/etc/neutron/neutron.conf \
    --config-file=/etc/neutron/l3_agent.ini \
    --log-file=/var/log/neutron/neutron-l3-agent.log || exit 1
}
sw_step 13 'neutron-l3-agent is running with its current config' check_13 apply_13 || exit $?

# --- step 14: neutron-dhcp-agent is running with its current config
check_14() {
  sw_service_current neutron-dhcp-agent
}
apply_14() {
  install -d -o neutron -g neutron -m 0750 /var/log/neutron /var/lib/neutron/lock
  install -d -o neutron -g neutron -m 0755 /var/lib/neutron
  sw_service_ensure neutron-dhcp-agent root /var/log/neutron/neutron-dhcp-agent.log -- \
    /usr/bin/neutron-dhcp-agent \
    --config-file=/etc/neutron/neutron.conf \
    --config-file=/etc/neutron/dhcp_agent.ini \
    --log-file=/var/log/neutron/neutron-dhcp-agent.log || exit 1
}
sw_step 14 'neutron-dhcp-agent is running with its current config' check_14 apply_14 || exit $?

# --- step 15: neutron-metadata-agent is running with its current config
check_15() {
  sw_service_current neutron-metadata-agent
}
apply_15() {
  install -d -o neutron -g neutron -m 0750 /var/log/neutron /var/lib/neutron/lock
  install -d -o neutron -g neutron -m 0755 /var/lib/neutron
  sw_service_ensure neutron-metadata-agent root /var/log/neutron/neutron-metadata-agent.log -- \
    /usr/bin/neutron-metadata-agent \
    --config-file=/etc/neutron/neutron.conf \
    --config-file=/etc/neutron/metadata_agent.ini \
    --log-file=/var/log/neutron/neutron-metadata-agent.log || exit 1
}
sw_step 15 'neutron-metadata-agent is running with its current config' check_15 apply_15 || exit $?

# --- step 16: neutron-server reports the agents of network alive: neutron-openvswitch-agent, neutron-l3-agent, neutron-dhcp-agent, neutron-metadata-agent
check_16() {
  sw_require CONFIG_NEUTRON_KS_PW || exit 1
  sw_r=$(sw_tmp) || exit 1
  sw_end=$(( $(date +%s) + 45 ))
  while :; do
    sw_t=$(sw_ks_auth http://10.15.0.4:5000/v3 neutron "$CONFIG_NEUTRON_KS_PW" service "$sw_r" 2>/dev/null) &&
      sw_down=$(sw_neutron_agents_down http://10.15.0.4:9696 "$sw_t" network neutron-openvswitch-agent neutron-l3-agent neutron-dhcp-agent neutron-metadata-agent) &&
      [ -z "$sw_down" ] && exit 0
    if [ "$(date +%s)" -ge "$sw_end" ]; then
      exit 1
    fi
    sleep 2
  done
}
apply_16() {
  sw_require CONFIG_NEUTRON_KS_PW || exit 1
  sw_r=$(sw_tmp) || exit 1
  sw_end=$(( $(date +%s) + 150 ))
  while :; do
    sw_t=$(sw_ks_auth http://10.15.0.4:5000/v3 neutron "$CONFIG_NEUTRON_KS_PW" service "$sw_r" 2>/dev/null) &&
      sw_down=$(sw_neutron_agents_down http://10.15.0.4:9696 "$sw_t" network neutron-openvswitch-agent neutron-l3-agent neutron-dhcp-agent neutron-metadata-agent) &&
      [ -z "$sw_down" ] && exit 0
    if [ "$(date +%s)" -ge "$sw_end" ]; then
      for sw_a in ${sw_down:-neutron-openvswitch-agent neutron-l3-agent neutron-dhcp-agent neutron-metadata-agent}; do
        echo "$sw_a on network is not alive at http://10.15.0.4:9696 after 150 s; its log: /var/log/neutron/$sw_a.log" >&2
      done
      exit 1
    fi
    sleep 2
  done
}
sw_step 16 'neutron-server reports the agents of network alive: neutron-openvswitch-agent, neutron-l3-agent, neutron-dhcp-agent, neutron-metadata-agent' check_16 apply_16 || exit $?
exit 0
