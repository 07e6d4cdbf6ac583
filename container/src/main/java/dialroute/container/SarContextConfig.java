package dialroute.container;

import java.io.File;
import java.io.IOException;

import org.apache.catalina.Host;
import org.mobicents.servlet.sip.startup.SipContextConfig;

/**
 * The context configuration of a {@code .sar} deployment ({@link SarHostConfig}). Tomcat's
 * {@code deployWAR} gives every archive it deploys the docBase {@code name.war}; this points it at
 * {@code name.sar} before Restcomm's {@code SipContextConfig} unpacks it into {@code name/} and
 * reads {@code WEB-INF/sip.xml} as for any SIP application.
 */
public class SarContextConfig extends SipContextConfig {

    @Override
    protected void fixDocBase() throws IOException {
        String docBase = context.getDocBase();
        if (docBase != null && docBase.endsWith(".war")) {
            String sarDocBase = docBase.substring(0, docBase.length() - ".war".length()) + SarHostConfig.SAR;
            if (!resolve(docBase).exists() && resolve(sarDocBase).isFile()) {
                context.setDocBase(sarDocBase);
            }
        }
        super.fixDocBase();
    }

    /** A docBase as the host resolves it: relative ones against its appBase under catalina.base. */
    private File resolve(String docBase) {
        File file = new File(docBase);
        if (file.isAbsolute()) {
            return file;
        }
        File appBase = new File(((Host) context.getParent()).getAppBase());
        if (!appBase.isAbsolute()) {
            appBase = new File(System.getProperty("catalina.base"), appBase.getPath());
        }
        return new File(appBase, docBase);
    }
}
