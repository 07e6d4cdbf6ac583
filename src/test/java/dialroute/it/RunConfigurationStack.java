package dialroute.it;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;

import org.jboss.arquillian.container.mobicents.servlet.sip.tomcat.embedded_7.MobicentsSipServletsContainer;
import org.jboss.arquillian.container.spi.client.container.DeployableContainer;
import org.jboss.arquillian.core.spi.LoadableExtension;

/**
 * Boots the integration tests' embedded container with the SIP stack settings the run
 * configuration ships ({@code container/overlay/conf/mss-sip-stack.properties}): the same
 * parser, message valves, network layer, timers and limits, so what the tests see on the wire is
 * what a deployed dialroute answers. The stock adapter starts its stack with built-in defaults and
 * has no setting for a properties file; it does take a {@code Properties} object, which this
 * subclass hands it.
 *
 * <p>The stack's own classes of dialroute ({@code container/src/main/java}) are compiled into the
 * test classpath by the pom for this.
 */
public final class RunConfigurationStack implements LoadableExtension {

    /** The run configuration's stack settings, relative to the project (the tests' working directory). */
    static final Path STACK_PROPERTIES = Path.of("container", "overlay", "conf", "mss-sip-stack.properties");

    @Override
    public void register(ExtensionBuilder builder) {
        builder.override(DeployableContainer.class, MobicentsSipServletsContainer.class, Container.class);
    }

    static Properties stackProperties() throws IOException {
        Properties properties = new Properties();
        try (InputStream in = Files.newInputStream(STACK_PROPERTIES)) {
            properties.load(in);
        }
        return properties;
    }

    /** The adapter's container, started with {@link #stackProperties()}. */
    public static final class Container extends MobicentsSipServletsContainer {
        @Override
        public void startTomcatEmbedded() throws java.net.UnknownHostException, org.apache.catalina.LifecycleException,
                org.jboss.arquillian.container.spi.client.container.LifecycleException {
            Properties properties;
            try {
                properties = stackProperties();
            } catch (IOException e) {
                throw new org.jboss.arquillian.container.spi.client.container.LifecycleException(
                        "cannot read the run configuration's SIP stack settings " + STACK_PROPERTIES.toAbsolutePath(), e);
            }
            startTomcatEmbedded(properties);
        }
    }
}
