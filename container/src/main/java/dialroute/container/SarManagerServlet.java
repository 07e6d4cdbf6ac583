package dialroute.container;

import java.io.File;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.jar.JarFile;

import javax.servlet.ServletException;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;

import org.apache.catalina.Context;
import org.apache.catalina.manager.ManagerServlet;
import org.apache.catalina.util.ContextName;
import org.apache.tomcat.util.res.StringManager;

/**
 * Tomcat's manager text API ({@code /manager/text/*}) with {@code .sar} archives treated as what
 * they are:
 * <ul>
 *   <li>{@code PUT /deploy?path=/name} (upload): an archive holding WEB-INF/sip.xml is stored as
 *       {@code name.sar} in the host's appBase (anything else as {@code name.war}, as Tomcat does),
 *       and with {@code update=true} it replaces whichever archive the context came from. Tomcat's
 *       own manager always writes {@code name.war}: beside a {@code name.sar} that was dropped into
 *       webapps/, the upload would be ignored and two archives would claim one context.</li>
 * </ul>
 * Everything else (list, reload, start, stop, undeploy, serverinfo, versioned deploys) is
 * Tomcat's; {@link SarHostConfig} sees to it that undeploy also removes a {@code .sar}.
 *
 * <p>The console's one user may use the page and this API, so a browser holding its login would
 * send it along with a request another site makes it send (an image pointing at
 * {@code /manager/text/undeploy?path=/dialroute}); the page has nonces against that, this API
 * has none. Browsers mark such requests ({@code Sec-Fetch-Site: cross-site}, or an
 * {@code Origin} of another site), so they are refused with 403; curl and scripts send neither.
 */
public class SarManagerServlet extends ManagerServlet {

    private static final long serialVersionUID = 1L;

    @Override
    protected void service(HttpServletRequest request, HttpServletResponse response) throws ServletException, IOException {
        if (fromAnotherSite(request)) {
            response.sendError(HttpServletResponse.SC_FORBIDDEN);
            return;
        }
        super.service(request, response);
    }

    static boolean fromAnotherSite(HttpServletRequest request) {
        String fetchSite = request.getHeader("Sec-Fetch-Site");
        if (fetchSite != null && !fetchSite.equals("same-origin") && !fetchSite.equals("none")) {
            return true;
        }
        String origin = request.getHeader("Origin");
        if (origin == null) {
            return false;
        }
        String own = request.getScheme() + "://" + request.getHeader("Host");
        return !origin.equalsIgnoreCase(own);
    }

    @Override
    protected synchronized void deploy(PrintWriter writer, ContextName cn, String tag, boolean update,
            HttpServletRequest request, StringManager smClient) {
        if (tag != null) {
            // A tagged upload is kept under work/ and copied in as a .war; SipHostConfig deploys a
            // .war holding sip.xml as a SIP application too.
            super.deploy(writer, cn, tag, update, request, smClient);
            return;
        }
        if (!validateContextName(cn, writer, smClient)) {
            return;
        }
        String name = cn.getName();
        String displayPath = cn.getDisplayName();
        if (host.findChild(name) != null && !update) {
            writer.println(smClient.getString("managerServlet.alreadyContext", displayPath));
            return;
        }
        try {
            if (isServiced(name)) {
                writer.println(smClient.getString("managerServlet.inService", displayPath));
                return;
            }
            addServiced(name);
            // Not a .war or .sar name, so the host's own periodic check leaves it alone meanwhile.
            File upload = new File(deployed, cn.getBaseName() + ".upload.tmp");
            try {
                uploadWar(writer, request, upload, smClient);
                File war = new File(deployed, cn.getBaseName() + ".war");
                File sar = new File(deployed, cn.getBaseName() + SarHostConfig.SAR);
                File target = holdsSipXml(upload) ? sar : war;
                for (File previous : new File[] {war, sar}) {
                    if (previous.exists() && !previous.delete()) {
                        writer.println(smClient.getString("managerServlet.deleteFail", previous));
                        return;
                    }
                }
                if (!upload.renameTo(target)) {
                    writer.println(smClient.getString("managerServlet.exception", "cannot move the upload to " + target));
                    return;
                }
                check(name);
            } finally {
                removeServiced(name);
                if (upload.exists()) {
                    upload.delete();
                }
            }
            Context context = (Context) host.findChild(name);
            if (context == null || !isDeployed(name)) {
                writer.println(smClient.getString("managerServlet.deployFailed", displayPath));
            } else if (!context.getState().isAvailable()) {
                writer.println(smClient.getString("managerServlet.deployedButNotStarted", displayPath));
            } else {
                writer.println(smClient.getString("managerServlet.deployed", displayPath));
            }
        } catch (Exception e) {
            log("deploy " + displayPath, e);
            writer.println(smClient.getString("managerServlet.exception", e.toString()));
        }
    }

    /** True for a readable zip holding WEB-INF/sip.xml: a SIP application. */
    private static boolean holdsSipXml(File archive) {
        try (JarFile jar = new JarFile(archive)) {
            return jar.getJarEntry("WEB-INF/sip.xml") != null;
        } catch (IOException e) {
            return false;
        }
    }
}
