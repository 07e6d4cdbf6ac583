package dialroute.container;

import java.io.File;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.catalina.Container;
import org.apache.catalina.startup.ExpandWar;
import org.apache.catalina.util.ContextName;
import org.apache.juli.logging.Log;
import org.apache.juli.logging.LogFactory;
import org.mobicents.servlet.sip.catalina.SipHostConfig;

/**
 * The host's deployer, made to take {@code name.sar} archives as SIP Servlet containers do: a
 * {@code .sar} in the host's appBase (webapps/) is deployed as a SIP application at context path
 * {@code /name}, with the lifecycle Tomcat gives a {@code .war}: dropped in while the server runs,
 * it deploys; replaced, it redeploys; deleted, it is undeployed and the folder it was unpacked
 * into is removed.
 *
 * <p>Why this is needed: Tomcat 7.0.67's {@code HostConfig} knows only {@code .war}. Restcomm's
 * {@code SipHostConfig} does pass a {@code .sar} on, but names its context with the extension kept
 * ({@code /name.sar}), and Tomcat's {@code deployWAR} then sets the docBase to
 * {@code name.sar.war}, a file that does not exist, so the context fails to start. Here a
 * {@code .sar} is named without its extension and handed to Tomcat's own {@code deployWAR}, which
 * records the archive (and the folder unpacked from it) for the redeploy and undeploy checks;
 * {@link SarContextConfig} then points the new context at the archive itself.
 *
 * <p>The manager's undeploy (its page and its text API) stops the context, deletes
 * {@code name.war} or else the unpacked folder, and asks this deployer to {@link #check(String)}
 * the name; for a {@code .sar} deployment the archive is removed there too, otherwise it would be
 * deployed again at once.
 *
 * <p>Configured on the Host in conf/server.xml ({@code hostConfigClass}) of a plain
 * {@code StandardHost}: Restcomm's {@code SipStandardHost} would replace it by a
 * {@code SipHostConfig} at init.
 */
public class SarHostConfig extends SipHostConfig {

    static final String SAR = ".sar";

    private static final Log log = LogFactory.getLog(SarHostConfig.class);

    /** Archives refused once (bad name), so the periodic check does not log them every time. */
    private final Set<String> refused = ConcurrentHashMap.newKeySet();

    static boolean isSar(String fileName) {
        return fileName.toLowerCase(Locale.ENGLISH).endsWith(SAR) && fileName.length() > SAR.length();
    }

    /** Called at start and by every periodic check with the names in appBase. */
    @Override
    protected void deployWARs(File appBase, String[] files) {
        if (files == null) {
            return;
        }
        List<String> others = new ArrayList<>();
        List<String> sars = new ArrayList<>();
        for (String file : files) {
            if (isSar(file) && new File(appBase, file).isFile()) {
                sars.add(file);
            } else {
                others.add(file);
            }
        }
        super.deployWARs(appBase, others.toArray(new String[0]));
        for (String file : sars) {
            ContextName cn = new ContextName(file.substring(0, file.length() - SAR.length()), false);
            // A name the manager is working on is left to it, as Tomcat does for a .war.
            if (!isServiced(cn.getName())) {
                deploySar(cn, new File(appBase, file));
            }
        }
    }

    /**
     * Deploys one context by name; the manager calls this (through {@code check(name)}) after it
     * put an archive in place or removed one. Tomcat's order for a name is: a descriptor in
     * conf/, then {@code name.war}, then the folder {@code name}; {@code name.sar} comes before the
     * folder, which is usually the one unpacked from it.
     */
    @Override
    protected void deployApps(String name) {
        ContextName cn = new ContextName(name, false);
        String baseName = cn.getBaseName();
        File sar = new File(appBase(), baseName + SAR);
        if (sar.isFile()
                && !new File(configBase(), baseName + ".xml").exists()
                && !new File(appBase(), baseName + ".war").exists()) {
            deploySar(cn, sar);
        } else {
            super.deployApps(name);
        }
    }

    /**
     * The manager calls this, with the name marked as serviced, after each of its actions. A
     * {@code .sar} deployment whose context is stopped and whose unpacked folder is gone is the
     * manager's undeploy (a deploy or reload leaves the folder; the periodic check, which handles
     * a folder deleted by hand, skips serviced names), so the archive goes with it.
     */
    @Override
    public void check(String name) {
        DeployedApplication app = deployed.get(name);
        if (app != null && isServiced(name)) {
            String baseName = new ContextName(name, false).getBaseName();
            File sar = new File(appBase(), baseName + SAR);
            Container context = host.findChild(name);
            if (app.redeployResources.containsKey(sar.getAbsolutePath()) && sar.isFile()
                    && !new File(appBase(), baseName).exists()
                    && context != null && !context.getState().isAvailable()) {
                log.info("Undeploy of " + name + " by the manager: removing " + sar);
                if (!sar.delete()) {
                    log.warn("Could not delete " + sar + "; " + name + " will be deployed again from it");
                }
            }
        }
        super.check(name);
    }

    private void deploySar(ContextName cn, File sar) {
        if (deploymentExists(cn.getName()) || refused.contains(sar.getName())) {
            return;
        }
        File unpacked = new File(appBase(), cn.getBaseName());
        if (!insideAppBase(unpacked)) {
            log.error("Not deploying " + sar + ": its name does not make a context path inside " + appBase());
            refused.add(sar.getName());
            return;
        }
        // An archive replaced while the server was down: Tomcat would start the folder unpacked from
        // the old one (it never unpacks over an existing folder), so the old application would run.
        if (unpackWARs && unpacked.isDirectory() && unpacked.lastModified() < sar.lastModified()) {
            log.info("Removing " + unpacked + ", unpacked from an older " + sar.getName());
            ExpandWar.delete(unpacked);
        }
        // A .sar is a SIP application whatever it holds; the host's context config is replaced for
        // this one deployment (SipHostConfig also resets it after each SIP war it deploys).
        String contextClassBefore = contextClass;
        String hostConfigClassBefore = host.getConfigClass();
        contextClass = SIP_CONTEXT_CLASS;
        host.setConfigClass(SarContextConfig.class.getName());
        try {
            deployWAR(cn, sar);
        } finally {
            contextClass = contextClassBefore;
            host.setConfigClass(hostConfigClassBefore);
        }
    }

    /** False for names such as "...sar", whose context folder would be appBase's parent. */
    private boolean insideAppBase(File unpacked) {
        try {
            File parent = unpacked.getCanonicalFile().getParentFile();
            return parent != null && parent.equals(appBase().getCanonicalFile());
        } catch (IOException e) {
            return false;
        }
    }
}
