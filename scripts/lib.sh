# shellcheck shell=bash
# Shared steps of scripts/run and scripts/sipp-smoke: build the app, provision the container,
# deploy, start detached, wait until ready, stop. Source it; it defines functions and variables
# only and runs nothing.
#
# Everything listens on loopback: SIP on 127.0.0.1:5080 (UDP and TCP) and 5081 (TLS), HTTP on 127.0.0.1:8080,
# Tomcat's shutdown port on 127.0.0.1:8005 (all set in container/overlay/conf/server.xml).

# The repository root, from this file's location, so the scripts work from any directory.
DIALROUTE_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)

# Must match tomcat.version in container/pom.xml.
DIALROUTE_TOMCAT_VERSION=7.0.67
CATALINA_HOME_DIR="$DIALROUTE_ROOT/container/target/apache-tomcat-$DIALROUTE_TOMCAT_VERSION"

DIALROUTE_SIP_HOST=127.0.0.1
DIALROUTE_SIP_PORT=5080
DIALROUTE_SIP_TLS_PORT=5081
DIALROUTE_SAMPLE_PLAN="$DIALROUTE_ROOT/dialplans/sample.yaml"

# The PID of the JVM started by start_container_detached (empty when none).
DIALROUTE_CONTAINER_PID=

die() {
  echo "dialroute: $*" >&2
  exit 1
}

# Builds the application archive target/dialroute.sar (a war-format zip holding WEB-INF/sip.xml).
build_app() {
  (cd "$DIALROUTE_ROOT" && mvn -B -q -Dmaven.test.skip=true package) || die "building the app failed (mvn -B -q -Dmaven.test.skip=true package)"
  [[ -f "$DIALROUTE_ROOT/target/dialroute.sar" ]] || die "the build did not produce target/dialroute.sar"
}

# Lays out CATALINA_HOME (Tomcat 7 + SIP Servlets + our config) under container/target.
provision_container() {
  mvn -B -q -f "$DIALROUTE_ROOT/container/pom.xml" package || die "provisioning the container failed (mvn -B -q -f container/pom.xml package)"
  [[ -x "$CATALINA_HOME_DIR/bin/catalina.sh" ]] || die "no container at $CATALINA_HOME_DIR after provisioning (does DIALROUTE_TOMCAT_VERSION in scripts/lib.sh match container/pom.xml?)"
}

# Puts the built archive into webapps/ as dialroute.sar. Call it while the container is stopped
# (while it runs, copying the .sar into webapps/ is enough: the host redeploys it).
deploy_app() {
  local webapps="$CATALINA_HOME_DIR/webapps"
  # Remove what an earlier deploy unpacked (and an archive under the .war name from older
  # versions of this script), so the new archive is the one that runs.
  rm -rf "$webapps/dialroute" "$webapps/dialroute.war" "$CATALINA_HOME_DIR/work/Sip-Servlets/localhost/dialroute"
  cp "$DIALROUTE_ROOT/target/dialroute.sar" "$webapps/dialroute.sar" || die "could not copy the archive into $webapps"
}

# Prints the absolute path of the plan to serve: $DIALROUTE_PLAN when set (relative to the
# current directory), else the repository's dialplans/sample.yaml. Fails if the file is missing.
resolve_plan() {
  local plan=${DIALROUTE_PLAN:-}
  if [[ -n "$plan" ]]; then
    [[ -f "$plan" ]] || die "DIALROUTE_PLAN=$plan: no such file (relative paths are taken from $(pwd -P))"
    [[ -r "$plan" ]] || die "DIALROUTE_PLAN=$plan: file is not readable"
    printf '%s/%s\n' "$(cd "$(dirname "$plan")" && pwd -P)" "$(basename "$plan")"
  else
    [[ -f "$DIALROUTE_SAMPLE_PLAN" ]] || die "no plan: DIALROUTE_PLAN is not set and $DIALROUTE_SAMPLE_PLAN does not exist"
    printf '%s\n' "$DIALROUTE_SAMPLE_PLAN"
  fi
}

# Pins catalina.sh to our CATALINA_HOME (an inherited CATALINA_HOME/BASE would point it at another
# Tomcat) and passes the plan to bin/setenv.sh. $1: absolute plan path.
export_container_env() {
  export CATALINA_HOME="$CATALINA_HOME_DIR" CATALINA_BASE="$CATALINA_HOME_DIR"
  export DIALROUTE_PLAN="$1"
  # Kept outside the container folder, which provisioning lays out anew, so the password lasts.
  export DIALROUTE_ADMIN_CREDENTIALS="${DIALROUTE_ADMIN_CREDENTIALS:-${XDG_CONFIG_HOME:-$HOME/.config}/dialroute/admin-credentials.properties}"
  # The manager console's user (Tomcat's /manager), kept there for the same reason.
  export DIALROUTE_MANAGER_CREDENTIALS="${DIALROUTE_MANAGER_CREDENTIALS:-${XDG_CONFIG_HOME:-$HOME/.config}/dialroute/manager-credentials.properties}"
  ensure_tls_keystore
}

# The key pair and certificate of SIP over TLS (port 5081), passed to bin/setenv.sh as
# DIALROUTE_TLS_KEYSTORE (PKCS12) and DIALROUTE_TLS_PASSWORD_FILE. An admin's own keystore is used
# as given. Otherwise a self-signed one for localhost, 127.0.0.1 and ::1 is generated at first start,
# like the admin credentials outside the container folder (which provisioning lays out anew), so
# callers that pinned the certificate keep trusting it; keystore and password are owner-only.
ensure_tls_keystore() {
  if [[ -n "${DIALROUTE_TLS_KEYSTORE:-}" ]]; then
    [[ -r "$DIALROUTE_TLS_KEYSTORE" ]] || die "DIALROUTE_TLS_KEYSTORE=$DIALROUTE_TLS_KEYSTORE: no such readable file"
    [[ -n "${DIALROUTE_TLS_PASSWORD_FILE:-}" && -r "$DIALROUTE_TLS_PASSWORD_FILE" ]] ||
      die "DIALROUTE_TLS_KEYSTORE is set, so DIALROUTE_TLS_PASSWORD_FILE must name a readable file holding its password"
    export DIALROUTE_TLS_KEYSTORE DIALROUTE_TLS_PASSWORD_FILE
    return 0
  fi
  local dir=${XDG_CONFIG_HOME:-$HOME/.config}/dialroute
  export DIALROUTE_TLS_KEYSTORE="$dir/sip-tls.p12" DIALROUTE_TLS_PASSWORD_FILE="$dir/sip-tls.password"
  [[ -f "$DIALROUTE_TLS_KEYSTORE" && -f "$DIALROUTE_TLS_PASSWORD_FILE" ]] && return 0
  command -v keytool >/dev/null || die "keytool (part of the JDK) is needed to generate the TLS certificate"
  (
    umask 077
    mkdir -p "$dir"
    # Made aside and moved in, so a start running at the same moment never sees half a pair.
    tmp=$(mktemp -d "$dir/.sip-tls.XXXXXX")
    trap 'rm -rf "$tmp"' EXIT
    head -c 32 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' >"$tmp/password"
    keytool -genkeypair -alias dialroute-sip -keyalg RSA -keysize 2048 -validity 825 \
      -dname CN=localhost -ext san=dns:localhost,ip:127.0.0.1,ip:::1 \
      -storetype PKCS12 -keystore "$tmp/keystore.p12" -storepass:file "$tmp/password" >/dev/null 2>&1
    mv -f "$tmp/password" "$DIALROUTE_TLS_PASSWORD_FILE"
    mv -f "$tmp/keystore.p12" "$DIALROUTE_TLS_KEYSTORE"
  ) || die "generating the TLS keystore $DIALROUTE_TLS_KEYSTORE failed (keytool -genkeypair)"
  echo "dialroute: generated a self-signed TLS certificate for localhost, 127.0.0.1 and ::1 in $DIALROUTE_TLS_KEYSTORE"
}

# Sends one INVITE for number $1 to dialroute's TLS port over a fresh TLS connection and prints
# what the server answered (raw SIP). SIPp as Debian builds it has no TLS, so openssl carries the
# request; the server's certificate is not verified (it is self-signed). $2: Call-ID,
# $3: server address (default 127.0.0.1; [::1] for IPv6).
tls_invite() {
  local number=$1 call_id=$2 host=${3:-$DIALROUTE_SIP_HOST}
  {
    printf 'INVITE sip:%s@%s:%d SIP/2.0\r\n' "$number" "$host" "$DIALROUTE_SIP_TLS_PORT"
    printf 'Via: SIP/2.0/TLS %s:5999;branch=z9hG4bK-%s\r\n' "$host" "$call_id"
    printf 'Max-Forwards: 70\r\nFrom: <sip:tls-caller@%s>;tag=%s\r\nTo: <sip:%s@%s>\r\n' "$host" "$call_id" "$number" "$host"
    printf 'Call-ID: %s\r\nCSeq: 1 INVITE\r\nContact: <sip:tls-caller@%s:5999;transport=tls>\r\n' "$call_id" "$host"
    printf 'Content-Length: 0\r\n\r\n'
    # Keep the connection open until the answer is in.
    sleep 2
  } | timeout 10 openssl s_client -connect "$host:$DIALROUTE_SIP_TLS_PORT" -quiet 2>/dev/null || true
}

# True when something listens on the given local port. $1: tcp|udp, $2: port.
# Reads /proc/net so it needs no extra tools; any local address counts.
port_in_use() {
  local proto=$1 hexport
  hexport=$(printf ':%04X' "$2")
  # Column 2 is local_address (hex ip:port), column 4 the state; 0A is LISTEN for TCP.
  if [[ "$proto" == tcp ]]; then
    awk -v p="$hexport" 'NR > 1 && substr($2, length($2) - 4) == p && $4 == "0A" { found = 1 } END { exit !found }' /proc/net/tcp /proc/net/tcp6 2>/dev/null
  else
    awk -v p="$hexport" 'NR > 1 && substr($2, length($2) - 4) == p { found = 1 } END { exit !found }' /proc/net/udp /proc/net/udp6 2>/dev/null
  fi
}

# Fails with a clear message when a port the container needs is taken (usually a container still
# running from an earlier run).
check_container_ports_free() {
  local spec
  for spec in udp:5080 tcp:5080 tcp:5081 tcp:8080 tcp:8005; do
    if port_in_use "${spec%%:*}" "${spec#*:}"; then
      die "port ${spec#*:}/${spec%%:*} is already in use; is another dialroute or Tomcat running? (ss -lntup shows who)"
    fi
  done
}

# Prints the line every run starts with. $1: absolute plan path.
announce() {
  echo "dialroute: serving SIP on $DIALROUTE_SIP_HOST:$DIALROUTE_SIP_PORT UDP+TCP and :$DIALROUTE_SIP_TLS_PORT TLS with plan $1"
}

# Starts the container in the background, exactly as scripts/run does in the foreground
# (catalina.sh run). $1: absolute plan path, $2: log file (Tomcat's console output).
# Sets DIALROUTE_CONTAINER_PID.
start_container_detached() {
  local plan=$1 log=$2
  check_container_ports_free
  export_container_env "$plan"
  # catalina.sh run ends in `exec java`, so $! is the JVM itself.
  "$CATALINA_HOME_DIR/bin/catalina.sh" run >"$log" 2>&1 </dev/null &
  DIALROUTE_CONTAINER_PID=$!
}

# Waits until Tomcat reports startup and both SIP connectors are bound (UDP) and listening (TCP).
# Connectors start after the apps are deployed, so the app is in place by then. The ports are
# read from /proc rather than probed: a bare TCP connect/close makes JAIN-SIP log a stack trace,
# and a SIP request the app does not handle makes the container log one.
# The ports were free before the start (check_container_ports_free), so they are ours.
# $1: log file of start_container_detached, $2: timeout in seconds (default 60).
wait_container_ready() {
  local log=$1 timeout=${2:-60} deadline
  deadline=$((SECONDS + timeout))
  while ((SECONDS < deadline)); do
    if ! kill -0 "$DIALROUTE_CONTAINER_PID" 2>/dev/null; then
      echo "dialroute: the container exited during startup; last lines of $log:" >&2
      tail -n 40 "$log" >&2
      return 1
    fi
    if grep -q 'Server startup in' "$log" 2>/dev/null &&
       port_in_use udp "$DIALROUTE_SIP_PORT" && port_in_use tcp "$DIALROUTE_SIP_PORT"; then
      return 0
    fi
    sleep 0.2
  done
  echo "dialroute: the container was not ready within ${timeout}s; last lines of $log:" >&2
  tail -n 40 "$log" >&2
  return 1
}

# Stops the container started by start_container_detached: SIGTERM (Tomcat's orderly shutdown),
# then SIGKILL after $1 seconds (default 30). Safe to call more than once.
stop_container() {
  local grace=${1:-30} pid=$DIALROUTE_CONTAINER_PID i
  [[ -n "$pid" ]] || return 0
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < grace * 5; i++)); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.2
    done
    if kill -0 "$pid" 2>/dev/null; then
      echo "dialroute: the container did not stop within ${grace}s; killing it" >&2
      kill -KILL "$pid" 2>/dev/null || true
    fi
  fi
  # Reap it; its exit status (143 after SIGTERM) is not ours, and callers may run under set -e.
  wait "$pid" 2>/dev/null || true
  DIALROUTE_CONTAINER_PID=
  return 0
}
