#!/bin/sh
# Sourced by catalina.sh. JVM flags for Restcomm SIP Servlets 3.2.0-37 on JDK 17; each is required.

# Heap: up to 320 MB, starting at 128 MB (an idle server stays small), G1 (the default collector),
# no pre-touch. With the requests inside proxied calls forwarded in the SIP stack, ended
# transactions forgotten at once (LINGER_TIMER=0) and cancelled proxy timers purged, the live set
# at 3,500 proxied calls/s is 100-200 MB, and the server's RSS at that rate stays under 512 MB
# (bench/RESULTS.md, sixth session). 300 MB also held 3,500 calls/s but its cold start collapsed
# once at 1,000 calls/s; the old 1 GB only let G1 grow the heap (RSS 1.2 GB). Sized for calls the
# SIP stack record-routes: a proxied call the container record-routes (TLS, IPv6, branches over
# different transports) holds ~20 KB for 32 s after its BYE, so more than ~300 of those per second
# need -Xmx1g (which held 900/s).
CATALINA_OPTS="$CATALINA_OPTS -Xms128m -Xmx320m -XX:ReservedCodeCacheSize=64m -XX:MaxMetaspaceSize=128m"
# glibc gives each thread that allocates its own malloc arena; with ~170 threads the unused parts of
# those arenas were ~45 MB of RSS outside anything the JVM accounts for. Two arenas are enough for a
# JVM, whose Java objects live in the heap.
export MALLOC_ARENA_MAX=2
# JDK 17's DatagramSocket runs on a DatagramChannel that takes one lock per send; JAIN-SIP sends
# every UDP message of every thread through one socket, and JFR showed its threads parked on that
# lock for 351 thread-seconds in a 10 s proxy step (bench/RESULTS.md). The legacy implementation (kept
# in JDK 17 behind this switch) sends without a socket-wide lock.
CATALINA_OPTS="$CATALINA_OPTS -Djdk.net.usePlainDatagramSocketImpl=true"
# GC log (heap after each collection = the live set; bench/RESULTS.md "Memory"), 3 x 10 MB at most.
CATALINA_OPTS="$CATALINA_OPTS -Xlog:gc:file=$CATALINA_BASE/logs/gc.log:time,uptime:filecount=3,filesize=10m"

# JDK 9+: the impl looks the application router up through javax.imageio.spi.ServiceRegistry, which
# now refuses non-ImageIO SPIs ("... is not an ImageIO SPI class") and the SIP Service fails to
# init. Name the provider instead.
CATALINA_OPTS="$CATALINA_OPTS -Djavax.servlet.sip.ar.spi.SipApplicationRouterProvider=org.mobicents.servlet.sip.router.DefaultApplicationRouterProvider"

# Tomcat 7's leak prevention reflects into JDK internals on undeploy; without these an undeploy or
# redeploy fails half-way and leaves the SIP app registered ("app name X is already deployed").
CATALINA_OPTS="$CATALINA_OPTS --add-opens=java.base/java.lang=ALL-UNNAMED --add-opens=java.base/java.io=ALL-UNNAMED --add-opens=java.base/java.util=ALL-UNNAMED --add-opens=java.base/java.util.concurrent=ALL-UNNAMED --add-opens=java.rmi/sun.rmi.transport=ALL-UNNAMED"

# The dial plan dialroute serves. Unset: the app uses the sample plan inside its archive.
# The JVM's working directory is not defined for a service, so pass an absolute path
# (scripts/run resolves it).
# catalina.sh passes CATALINA_OPTS through `eval`, so the value is single-quoted here (an embedded
# ' becomes '\'') to survive spaces and shell characters in the path.
if [ -n "${DIALROUTE_PLAN:-}" ]; then
  _dialroute_plan_quoted=$(printf '%s' "$DIALROUTE_PLAN" | sed "s/'/'\\\\''/g")
  CATALINA_OPTS="$CATALINA_OPTS '-Ddialroute.plan=$_dialroute_plan_quoted'"
  unset _dialroute_plan_quoted
fi

# Where the admin API's credentials live (generated at first start, mode 600). Unset: this
# container's conf/dialroute-admin.properties, which a fresh provisioning replaces.
if [ -n "${DIALROUTE_ADMIN_CREDENTIALS:-}" ]; then
  _dialroute_credentials_quoted=$(printf '%s' "$DIALROUTE_ADMIN_CREDENTIALS" | sed "s/'/'\\\\''/g")
  CATALINA_OPTS="$CATALINA_OPTS '-Ddialroute.admin.credentials=$_dialroute_credentials_quoted'"
  unset _dialroute_credentials_quoted
fi

# Where the manager console's credentials live (generated at first start, mode 600; read by
# dialroute.container.ManagerCredentialsRealm). Unset: this container's
# conf/manager-credentials.properties, which a fresh provisioning replaces.
if [ -n "${DIALROUTE_MANAGER_CREDENTIALS:-}" ]; then
  _dialroute_credentials_quoted=$(printf '%s' "$DIALROUTE_MANAGER_CREDENTIALS" | sed "s/'/'\\\\''/g")
  CATALINA_OPTS="$CATALINA_OPTS '-Ddialroute.manager.credentials=$_dialroute_credentials_quoted'"
  unset _dialroute_credentials_quoted
fi

# SIP over TLS (port 5081, conf/server.xml): the stack's TLS connectors take their key pair and
# certificate from the JVM's javax.net.ssl.keyStore* properties. DIALROUTE_TLS_KEYSTORE names a
# PKCS12 keystore and DIALROUTE_TLS_PASSWORD_FILE a file holding its password (first line); scripts/run
# generates both at first start. The password must not appear on the java command line, which every
# local user can read (ps), so it goes through a JVM argument file (@file) readable by the owner only,
# rewritten at every start.
if [ -n "${DIALROUTE_TLS_KEYSTORE:-}" ]; then
  if [ ! -r "$DIALROUTE_TLS_KEYSTORE" ] || [ ! -r "${DIALROUTE_TLS_PASSWORD_FILE:-}" ]; then
    echo "dialroute: DIALROUTE_TLS_KEYSTORE=$DIALROUTE_TLS_KEYSTORE needs a readable keystore and DIALROUTE_TLS_PASSWORD_FILE naming a readable password file" >&2
    exit 1
  fi
  # Argument files quote with "..." and escape with a backslash.
  _dialroute_argfile_quote() { printf '"%s"' "$(printf '%s' "$1" | sed 's/\\/\\\\/g; s/"/\\"/g')"; }
  _dialroute_tls_args="$CATALINA_BASE/temp/dialroute-tls.jvmargs"
  (
    umask 077
    rm -f "$_dialroute_tls_args"
    printf '%s\n' \
      "-Djavax.net.ssl.keyStore=$(_dialroute_argfile_quote "$DIALROUTE_TLS_KEYSTORE")" \
      "-Djavax.net.ssl.keyStoreType=PKCS12" \
      "-Djavax.net.ssl.keyStorePassword=$(_dialroute_argfile_quote "$(head -n 1 "$DIALROUTE_TLS_PASSWORD_FILE")")" \
      >"$_dialroute_tls_args"
  ) || exit 1
  # Single-quoted for catalina.sh's eval, like the plan path above.
  _dialroute_tls_args=$(printf '%s' "$_dialroute_tls_args" | sed "s/'/'\\\\''/g")
  CATALINA_OPTS="$CATALINA_OPTS '@$_dialroute_tls_args'"
  unset _dialroute_tls_args
fi

# `catalina.sh start` writes the JVM's PID here and `catalina.sh stop -force` reads it
# (scripts/lib.sh starts the JVM itself and keeps its PID).
CATALINA_PID="$CATALINA_BASE/catalina.pid"
