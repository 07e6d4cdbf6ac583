package dialroute.it;

import java.io.File;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.importer.ZipImporter;
import org.jboss.shrinkwrap.api.spec.WebArchive;

/** The archive the integration tests deploy: the real {@code target/dialroute.sar} the build made. */
final class DialrouteDeployment {
    /** The embedded container's SIP connectors, UDP and TCP (arquillian.xml). */
    static final String DIALROUTE = "127.0.0.1:5180";
    static final int DIALROUTE_PORT = 5180;

    private DialrouteDeployment() {
    }

    static WebArchive sar() {
        File sar = new File("target/dialroute.sar");
        if (!sar.isFile()) {
            throw new IllegalStateException(sar.getAbsolutePath() + " is missing: integration tests run after 'mvn package'");
        }
        // Deployed under a .war name: this Tomcat 7 integration only unpacks archives named so.
        return ShrinkWrap.create(ZipImporter.class, "dialroute.war").importFrom(sar).as(WebArchive.class);
    }
}
