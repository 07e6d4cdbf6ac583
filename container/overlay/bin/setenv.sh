#!/bin/sh
# Sourced by catalina.sh. JVM flags for Restcomm SIP Servlets 3.2.0-37 on JDK 17; each is required.

CATALINA_OPTS="$CATALINA_OPTS -Xms256m -Xmx1g"

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

# `catalina.sh start` writes the JVM's PID here and `catalina.sh stop -force` reads it
# (scripts/lib.sh starts the JVM itself and keeps its PID).
CATALINA_PID="$CATALINA_BASE/catalina.pid"
