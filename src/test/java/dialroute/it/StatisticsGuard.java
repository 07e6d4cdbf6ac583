package dialroute.it;

import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.util.Properties;
import org.jboss.arquillian.core.api.annotation.Observes;
import org.jboss.arquillian.core.spi.LoadableExtension;
import org.jboss.arquillian.test.spi.event.suite.BeforeSuite;

/**
 * Refuses to boot the test container unless its usage-statistics client is pointed at a closed
 * loopback port. The container posts statistics at every shutdown; by default to a public server,
 * and with statistics off to a private-range address. Running before Arquillian's own
 * {@code BeforeSuite} observers means a failed check boots nothing, so nothing is ever posted.
 */
public final class StatisticsGuard implements LoadableExtension {
    static final String CLOSED_LOOPBACK = "http://127.0.0.1:9/";

    @Override
    public void register(ExtensionBuilder builder) {
        builder.observer(Check.class);
    }

    public static final class Check {
        public void beforeBoot(@Observes(precedence = Integer.MAX_VALUE) BeforeSuite event) throws IOException {
            require("org/mobicents/servlet/sip/core/release.properties", "statistics.server");
            require("config.properties", "remote-server");
        }

        private static void require(String resource, String key) throws IOException {
            URL url = Thread.currentThread().getContextClassLoader().getResource(resource);
            if (url == null) {
                throw new IllegalStateException("no " + resource + " on the test classpath");
            }
            Properties properties = new Properties();
            try (InputStream in = url.openStream()) {
                properties.load(in);
            }
            String value = properties.getProperty(key, "");
            if (!value.startsWith(CLOSED_LOOPBACK)) {
                throw new IllegalStateException("refusing to boot the container: " + key + " in " + url + " is '" + value
                        + "', which would post usage statistics off this machine; it must start with " + CLOSED_LOOPBACK);
            }
        }
    }
}
