package dialroute.container;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.Principal;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Properties;

import org.apache.catalina.LifecycleException;
import org.apache.catalina.realm.GenericPrincipal;
import org.apache.catalina.realm.RealmBase;
import org.apache.juli.logging.Log;
import org.apache.juli.logging.LogFactory;

/**
 * The manager console's one user, read from a credentials file when the container starts. There
 * is no default password: when the file does not exist it is created, owner-readable only (mode
 * 600), with the user "manager" and a random password, and the admin reads the password there.
 *
 * <p>The file is the JVM property {@code dialroute.manager.credentials} (bin/setenv.sh sets it
 * from {@code DIALROUTE_MANAGER_CREDENTIALS}; scripts/run keeps it in the user's config folder,
 * so it outlives re-provisioning the container), else {@code conf/manager-credentials.properties}
 * under catalina.base. The user has the roles {@code manager-gui} (the HTML page) and
 * {@code manager-script} (the text API), nothing else. A file that cannot be read or made is
 * logged, and then every login is refused: the console stays shut, SIP keeps serving.
 */
public class ManagerCredentialsRealm extends RealmBase {

    static final String PROPERTY = "dialroute.manager.credentials";
    static final String USER = "user";
    static final String PASSWORD = "password";
    private static final List<String> ROLES = Arrays.asList("manager-gui", "manager-script");

    private static final Log log = LogFactory.getLog(ManagerCredentialsRealm.class);

    private volatile String user;
    private volatile byte[] password;

    @Override
    protected void startInternal() throws LifecycleException {
        Path file = credentialsFile();
        try {
            Properties p = loadOrCreate(file);
            String u = p.getProperty(USER);
            String pw = p.getProperty(PASSWORD);
            if (u == null || u.isEmpty() || pw == null || pw.length() < 12) {
                log.error("Manager console shut: " + file + " must hold '" + USER + "' and a '" + PASSWORD
                        + "' of at least 12 characters");
            } else {
                user = u;
                password = pw.getBytes(StandardCharsets.UTF_8);
                log.info("Manager console user '" + u + "', credentials in " + file);
            }
        } catch (IOException | RuntimeException e) {
            log.error("Manager console shut: cannot read or create " + file + ": " + e);
        }
        super.startInternal();
    }

    static Path credentialsFile() {
        String configured = System.getProperty(PROPERTY);
        if (configured != null && !configured.isEmpty()) {
            return new File(configured).toPath();
        }
        return new File(System.getProperty("catalina.base"), "conf/manager-credentials.properties").toPath();
    }

    private static Properties loadOrCreate(Path file) throws IOException {
        if (!Files.exists(file)) {
            byte[] secret = new byte[18];
            new SecureRandom().nextBytes(secret);
            Properties fresh = new Properties();
            fresh.setProperty(USER, "manager");
            fresh.setProperty(PASSWORD, Base64.getUrlEncoder().withoutPadding().encodeToString(secret));
            Files.createDirectories(file.toAbsolutePath().getParent());
            // Created with owner-only permissions, so there is no moment when others may read it.
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            try (OutputStream out = Files.newOutputStream(file, StandardOpenOption.TRUNCATE_EXISTING)) {
                fresh.store(out, "Tomcat manager console credentials (HTTP Basic, /manager/html and /manager/text); generated at first start");
            }
        }
        Properties p = new Properties();
        try (InputStream in = Files.newInputStream(file)) {
            p.load(in);
        }
        return p;
    }

    @Override
    protected String getName() {
        return "ManagerCredentialsRealm";
    }

    /** The one user's password; null (no login) for any other name or when the file was unusable. */
    @Override
    protected String getPassword(String username) {
        byte[] pw = password;
        return pw != null && username != null && username.equals(user) ? new String(pw, StandardCharsets.UTF_8) : null;
    }

    @Override
    protected Principal getPrincipal(String username) {
        return username != null && username.equals(user) && password != null ? new GenericPrincipal(username, null, ROLES) : null;
    }

    /** Compared in constant time, so response timing tells nothing about the password. */
    @Override
    protected boolean compareCredentials(String userCredentials, String serverCredentials) {
        if (userCredentials == null || serverCredentials == null) {
            return false;
        }
        return MessageDigest.isEqual(userCredentials.getBytes(StandardCharsets.UTF_8),
                serverCredentials.getBytes(StandardCharsets.UTF_8));
    }
}
