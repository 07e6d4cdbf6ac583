package dialroute.admin;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Properties;

/**
 * The admin API's one user. There is no default password: at first start a random one is written
 * to a file only its owner can read, and the admin reads it from there.
 */
public final class AdminCredentials {
    static final String USER = "user";
    static final String PASSWORD = "password";

    private final String user;
    private final byte[] password;

    private AdminCredentials(String user, String password) {
        this.user = user;
        this.password = password.getBytes(StandardCharsets.UTF_8);
    }

    /** The credentials in {@code file}, made (mode 600, user "admin") when it does not exist yet. */
    public static AdminCredentials loadOrCreate(Path file) throws IOException {
        if (!Files.exists(file)) {
            byte[] secret = new byte[18];
            new SecureRandom().nextBytes(secret);
            Properties p = new Properties();
            p.setProperty(USER, "admin");
            p.setProperty(PASSWORD, Base64.getUrlEncoder().withoutPadding().encodeToString(secret));
            Files.createDirectories(file.toAbsolutePath().getParent());
            // Created with owner-only permissions, so there is no moment when others may read it.
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            try (OutputStream out = Files.newOutputStream(file, StandardOpenOption.TRUNCATE_EXISTING)) {
                p.store(out, "dialroute admin API credentials (HTTP Basic); generated at first start");
            }
        }
        Properties p = new Properties();
        try (InputStream in = Files.newInputStream(file)) {
            p.load(in);
        }
        String user = p.getProperty(USER);
        String password = p.getProperty(PASSWORD);
        if (user == null || password == null || password.length() < 12) {
            throw new IOException(file + " must hold 'user' and a 'password' of at least 12 characters");
        }
        return new AdminCredentials(user, password);
    }

    /** True when an {@code Authorization: Basic ...} header names this user and password. */
    boolean accepts(String authorization) {
        if (authorization == null || !authorization.regionMatches(true, 0, "Basic ", 0, 6)) {
            return false;
        }
        String decoded;
        try {
            decoded = new String(Base64.getDecoder().decode(authorization.substring(6).trim()), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return false;
        }
        int colon = decoded.indexOf(':');
        if (colon < 0) {
            return false;
        }
        boolean userOk = MessageDigest.isEqual(decoded.substring(0, colon).getBytes(StandardCharsets.UTF_8),
                user.getBytes(StandardCharsets.UTF_8));
        // Compared in constant time, so response timing tells nothing about the password.
        boolean passwordOk = MessageDigest.isEqual(decoded.substring(colon + 1).getBytes(StandardCharsets.UTF_8), password);
        return userOk & passwordOk;
    }
}
