package dialroute.servletcontainer;

import java.util.Timer;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

import org.apache.catalina.Container;
import org.apache.catalina.Lifecycle;
import org.apache.catalina.LifecycleEvent;
import org.apache.catalina.LifecycleListener;
import org.apache.catalina.Server;
import org.apache.catalina.Service;
import org.mobicents.servlet.sip.core.SipContext;

/**
 * Removes cancelled proxy timers from each SIP application's proxy timer queue once a second.
 *
 * <p>Why: the container starts a Timer C for every branch it proxies to (and again on every
 * provisional response) and, when the branch answers, only marks that timer cancelled. The timer
 * stays queued until it would have fired, 180 s later, and holds the call's application session
 * all that time: at 2,000 proxied calls/s that is over 700,000 queued timers and the sessions
 * behind them, most of the heap. The container's own purge runs at most once a minute
 * ({@code canceledTimerTasksPurgePeriod}) and its executor-based timer service cannot purge these
 * at all, so server.xml selects the {@code java.util.Timer} service ("Standard") and this listener
 * purges it.
 *
 * <p>Declared as a {@code Listener} of the {@code Server} in conf/server.xml.
 */
public final class ProxyTimerPurge implements LifecycleListener {
    private static final Logger LOG = Logger.getLogger("dialroute");

    private long periodMillis = 1000;
    private ScheduledExecutorService purger;

    /** server.xml attribute {@code periodMillis}: how often the queues are purged (default 1000). */
    public void setPeriodMillis(long periodMillis) {
        if (periodMillis <= 0) {
            throw new IllegalArgumentException("periodMillis must be positive, not " + periodMillis);
        }
        this.periodMillis = periodMillis;
    }

    @Override
    public void lifecycleEvent(LifecycleEvent event) {
        if (!(event.getLifecycle() instanceof Server server)) {
            return;
        }
        if (Lifecycle.AFTER_START_EVENT.equals(event.getType())) {
            purger = Executors.newSingleThreadScheduledExecutor(task -> {
                Thread thread = new Thread(task, "dialroute-proxy-timer-purge");
                thread.setDaemon(true);
                return thread;
            });
            purger.scheduleWithFixedDelay(() -> purge(server), periodMillis, periodMillis, TimeUnit.MILLISECONDS);
        } else if (Lifecycle.BEFORE_STOP_EVENT.equals(event.getType()) && purger != null) {
            purger.shutdownNow();
            purger = null;
        }
    }

    /** Purges the proxy timer queue of every SIP application deployed now. */
    static void purge(Server server) {
        try {
            for (Service service : server.findServices()) {
                Container engine = service.getContainer();
                if (engine == null) {
                    continue;
                }
                for (Container host : engine.findChildren()) {
                    for (Container context : host.findChildren()) {
                        if (context instanceof SipContext sip && sip.getProxyTimerService() instanceof Timer timer) {
                            timer.purge();
                        }
                    }
                }
            }
        } catch (Throwable e) { // NOPMD: an Error thrown out of here would end the purge for good
            // The next round tries again; a stopped purge would let the queues grow unnoticed.
            LOG.log(Level.WARNING, "dialroute: purging cancelled proxy timers failed", e);
        }
    }
}
