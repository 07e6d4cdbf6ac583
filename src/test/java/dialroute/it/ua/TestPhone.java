package dialroute.it.ua;

import gov.nist.core.CommonLogger;
import gov.nist.core.StackLogger;
import gov.nist.javax.sip.EventScanner;
import gov.nist.javax.sip.EventWrapper;
import gov.nist.javax.sip.SipStackImpl;
import gov.nist.javax.sip.address.AddressFactoryImpl;
import gov.nist.javax.sip.header.HeaderFactoryImpl;
import gov.nist.javax.sip.message.MessageFactoryImpl;

import java.text.ParseException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import javax.sip.ClientTransaction;
import javax.sip.DialogTerminatedEvent;
import javax.sip.IOExceptionEvent;
import javax.sip.InvalidArgumentException;
import javax.sip.ListeningPoint;
import javax.sip.ObjectInUseException;
import javax.sip.RequestEvent;
import javax.sip.ResponseEvent;
import javax.sip.ServerTransaction;
import javax.sip.SipException;
import javax.sip.SipListener;
import javax.sip.SipProvider;
import javax.sip.TimeoutEvent;
import javax.sip.Transaction;
import javax.sip.TransactionTerminatedEvent;
import javax.sip.address.AddressFactory;
import javax.sip.address.SipURI;
import javax.sip.header.CSeqHeader;
import javax.sip.header.CallIdHeader;
import javax.sip.header.ContactHeader;
import javax.sip.header.FromHeader;
import javax.sip.header.HeaderFactory;
import javax.sip.header.MaxForwardsHeader;
import javax.sip.header.ToHeader;
import javax.sip.header.ViaHeader;
import javax.sip.message.MessageFactory;
import javax.sip.message.Request;
import javax.sip.message.Response;

/**
 * A SIP phone for tests, on its own JAIN-SIP stack, listening on 127.0.0.1 for UDP and TCP on one
 * port. It places calls ({@link #call}) and answers them the way {@link #answerMode} says, recording
 * every request it receives for {@link #takeRequest} (in the manner of OkHttp's MockWebServer).
 *
 * <p>Each phone builds its stack and factories directly from the reference implementation
 * ({@code gov.nist...Impl} classes) instead of through {@link javax.sip.SipFactory}: that singleton
 * has one global path name and caches stacks by it, and the SIP Servlets container in the same JVM
 * relies on it with path name {@code org.mobicents.ext}.
 *
 * <p>Automatic dialog support is on, so the stack keeps the dialog state of RFC 3261 12: the caller's
 * ACK for a 2xx and its BYE follow the route set learnt from the Record-Route of the 2xx and go to the
 * callee's Contact, and the callee's 180/200 echo the INVITE's Record-Route (RFC 3261 12.1.1;
 * {@code SIPRequest.createResponse} copies it for 101-299 answers to a dialog-creating request).
 * It also means the stack ACKs non-2xx final responses itself, and absorbs the ACK for a non-2xx it
 * sent, so such ACKs never reach {@link #takeRequest}.
 *
 * <p>All methods are thread-safe. Waits are bounded by the timeouts the caller gives and fail with
 * an {@link AssertionError} describing what the phone did see.
 */
public final class TestPhone implements AutoCloseable {

    static final String HOST = "127.0.0.1";

    /** User part of the From and Contact of calls this phone places. */
    static final String CALLER_USER = "caller";

    /** User part of the Contact of answers when the Request-URI has none. */
    private static final String DEFAULT_CALLEE_USER = "callee";

    /**
     * Product token in the User-Agent of requests and the Server of responses this phone builds. Set
     * explicitly because the RI's defaults for both are JVM-wide statics of MessageFactoryImpl,
     * which the container fills in from its own configuration; without this, a phone's messages
     * would carry the container's product name.
     */
    static final String PRODUCT = "dialroute-testphone";

    private static final AtomicInteger STACK_SEQUENCE = new AtomicInteger();

    private static final Duration PORT_RELEASE_TIMEOUT = Duration.ofSeconds(5);
    private static final Duration WORKER_STOP_TIMEOUT = Duration.ofSeconds(2);
    private static final long WORKER_JOIN_SLICE_MILLIS = 20;

    private final String name;
    private final String host;
    private final int port;
    /** The TLS port, 0 when this phone has none. */
    private final int tlsPort;
    private final SipStackImpl stack;
    private final SipProvider provider;
    private final HeaderFactory headerFactory = new HeaderFactoryImpl();
    private final AddressFactory addressFactory = new AddressFactoryImpl();
    private final MessageFactory messageFactory = new MessageFactoryImpl();
    private final Listener listener = new Listener();
    /** The RI's threads reading this phone's UDP socket and accepting on its TCP socket. */
    private final List<Thread> processorThreads;

    private final Map<String, BlockingQueue<ReceivedRequest>> requestsByMethod = new ConcurrentHashMap<>();
    /** Every request received, in order, including the ones already taken: for failure messages. */
    private final List<ReceivedRequest> requestLog = new CopyOnWriteArrayList<>();
    /** What went wrong inside listener callbacks, which cannot throw to the test: for failure messages. */
    private final List<String> problems = new CopyOnWriteArrayList<>();
    private final Map<String, OutgoingCall> callsByCallId = new ConcurrentHashMap<>();
    /** INVITEs answered with 180 only, by top Via branch, which their CANCEL shares (RFC 3261 9.1). */
    private final Map<String, RingingInvite> ringingByBranch = new ConcurrentHashMap<>();
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile AnswerMode answerMode = AnswerMode.RING_THEN_ANSWER;
    private volatile boolean answerOptions = true;

    private TestPhone(String name, String host, int port, int tlsPort, SipStackImpl stack, SipProvider provider,
                      List<Thread> processorThreads) {
        this.name = name;
        this.host = host;
        this.port = port;
        this.tlsPort = tlsPort;
        this.stack = stack;
        this.provider = provider;
        this.processorThreads = processorThreads;
    }

    /**
     * Starts a phone listening on 127.0.0.1:{@code port} for both UDP and TCP.
     *
     * @param name a label for failure messages and the stack name
     * @throws IllegalStateException if the port cannot be bound
     */
    public static TestPhone start(String name, int port) {
        return start(name, HOST, port);
    }

    /**
     * Like {@link #start(String, int)} on another loopback address (127.0.0.2, ...), for tests
     * that need callers the server tells apart by address.
     */
    public static TestPhone start(String name, String host, int port) {
        return start(name, host, port, 0);
    }

    /**
     * Like {@link #start(String, int)}, and also listening for TLS on 127.0.0.1:{@code tlsPort}, so
     * that {@link #call} can use "tls". The key pair, certificate and trusted certificates are the
     * JVM's ({@code javax.net.ssl.keyStore} and {@code trustStore}, set for the integration tests
     * in the pom), the same the container's TLS connector uses.
     */
    public static TestPhone startWithTls(String name, int port, int tlsPort) {
        if (tlsPort <= 0 || tlsPort > 65535 || tlsPort == port) {
            throw new IllegalArgumentException("TLS port out of range or equal to the UDP/TCP port: " + tlsPort);
        }
        return start(name, HOST, port, tlsPort);
    }

    private static TestPhone start(String name, String host, int port, int tlsPort) {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("name must not be blank");
        }
        if (port <= 0 || port > 65535) {
            throw new IllegalArgumentException("port out of range: " + port);
        }
        Properties properties = new Properties();
        properties.setProperty("javax.sip.STACK_NAME",
                "dialroute-testphone-" + name + "-" + port + "-" + STACK_SEQUENCE.incrementAndGet());
        properties.setProperty("javax.sip.AUTOMATIC_DIALOG_SUPPORT", "on");
        // 0 = no stack log and no message log; with no DEBUG_LOG / SERVER_LOG no files are written.
        properties.setProperty("gov.nist.javax.sip.TRACE_LEVEL", "0");
        properties.setProperty("gov.nist.javax.sip.LOG_MESSAGE_CONTENT", "false");
        // Events reach the listener one at a time on the stack's event thread, in arrival order: the
        // answering logic below never races itself (a CANCEL is handled after its INVITE's 180).
        properties.setProperty("gov.nist.javax.sip.REENTRANT_LISTENER", "false");
        // One thread reads what arrives over UDP. With the default (a thread per datagram) a 200 sent
        // right behind its 180 is often processed first, and the 180, now late, is dropped by the
        // INVITE client transaction: the caller would never see the ringing.
        properties.setProperty("gov.nist.javax.sip.THREAD_POOL_SIZE", "1");
        // No congestion auditor: it drops requests queued for over 8 s, which a test phone never
        // wants, and its timer thread outlives a UDP processor that fails to bind.
        properties.setProperty("gov.nist.javax.sip.CONGESTION_CONTROL_TIMEOUT", "0");

        SipStackImpl stack = newStack(properties);
        Set<Thread> threadsBefore = Set.copyOf(Thread.getAllStackTraces().keySet());
        SipProvider provider = null;
        TestPhone phone = null;
        try {
            ListeningPoint udp = stack.createListeningPoint(host, port, ListeningPoint.UDP);
            ListeningPoint tcp = stack.createListeningPoint(host, port, ListeningPoint.TCP);
            provider = stack.createSipProvider(udp);
            provider.addListeningPoint(tcp);
            if (tlsPort > 0) {
                provider.addListeningPoint(stack.createListeningPoint(host, tlsPort, ListeningPoint.TLS));
            }
            phone = new TestPhone(name, host, port, tlsPort, stack, provider,
                    processorThreadsSince(threadsBefore, host, port, tlsPort));
            provider.addSipListener(phone.listener);
            stack.start();
            return phone;
        } catch (Exception e) {
            shutDown(stack, provider, phone == null ? null : phone.listener, host, port,
                    processorThreadsSince(threadsBefore, host, port, tlsPort));
            throw new IllegalStateException("phone '" + name + "' could not listen on " + host + ":" + port
                    + " (udp+tcp" + (tlsPort > 0 ? ", tls on " + tlsPort : "") + "): " + e, e);
        }
    }

    /**
     * Builds a stack without letting it take over the JVM-wide logger of the RI: the SipStackImpl
     * constructor stores its own logger in the static {@code CommonLogger.legacyLogger}, which every
     * stack in the JVM (the container's too) logs through. A logger someone else installed is put
     * back; only when there was none does this (silent) one stay.
     */
    private static SipStackImpl newStack(Properties properties) {
        StackLogger previous = CommonLogger.legacyLogger;
        try {
            return new SipStackImpl(properties);
        } catch (javax.sip.PeerUnavailableException e) {
            throw new IllegalStateException("could not create a JAIN-SIP stack: " + e, e);
        } finally {
            if (previous != null) {
                CommonLogger.legacyLogger = previous;
            }
        }
    }

    /** The name given to {@link #start}. */
    public String name() {
        return name;
    }

    /** The port this phone listens on (UDP and TCP). */
    public int port() {
        return port;
    }

    /** {@code 127.0.0.1:<port>}, e.g. to call this phone directly. */
    public String hostPort() {
        return host + ":" + port;
    }

    /**
     * Places a call: sends an INVITE with Request-URI and To {@code sip:<number>@<proxyHostPort>},
     * From {@code sip:caller@127.0.0.1:<port>} and Contact
     * {@code <sip:caller@127.0.0.1:<port>;transport=<transport>>}, to {@code proxyHostPort} over
     * {@code transport}.
     *
     * <p>The transport is chosen through the Via, not the Request-URI: with no {@code transport}
     * parameter in the Request-URI, the RI's DefaultRouter takes the top Via's transport for the next
     * hop. The Request-URI thus stays exactly as a phone would dial it.
     *
     * @param number        the user part to dial, e.g. "123"
     * @param proxyHostPort "host:port" (or just "host", meaning port 5060) to send the INVITE to
     * @param transport     "udp" or "tcp", any case; "tls" for a phone started {@link #startWithTls}
     */
    public OutgoingCall call(String number, String proxyHostPort, String transport) {
        return call(number, proxyHostPort, transport, CALLER_USER);
    }

    /** Like {@link #call(String, String, String)}, with {@code callerUser} as the From user. */
    public OutgoingCall call(String number, String proxyHostPort, String transport, String callerUser) {
        ensureOpen();
        if (number == null || number.isBlank()) {
            throw new IllegalArgumentException("number must not be blank");
        }
        String lpTransport = listeningPointTransport(transport);
        int viaPort = lpTransport.equals(ListeningPoint.TLS) ? tlsPort : port;
        try {
            SipURI target = sipUri(number, proxyHostPort);
            String fromTag = Long.toHexString(ThreadLocalRandom.current().nextLong());
            FromHeader from = headerFactory.createFromHeader(
                    addressFactory.createAddress(sipUri(callerUser, hostPort())), fromTag);
            ToHeader to = headerFactory.createToHeader(addressFactory.createAddress((SipURI) target.clone()), null);
            CallIdHeader callId = provider.getNewCallId();
            CSeqHeader cseq = headerFactory.createCSeqHeader(OutgoingCall.INVITE_CSEQ, Request.INVITE);
            ViaHeader via = headerFactory.createViaHeader(host, viaPort, lpTransport, null);
            MaxForwardsHeader maxForwards = headerFactory.createMaxForwardsHeader(70);
            Request invite = messageFactory.createRequest(target, Request.INVITE, callId, cseq, from, to,
                    new ArrayList<>(List.of(via)), maxForwards);
            invite.addHeader(contact(callerUser, lpTransport));
            identify(invite);

            ClientTransaction transaction = provider.getNewClientTransaction(invite);
            OutgoingCall call = new OutgoingCall(this, transaction, number);
            // Registered before sending: the first response may be delivered before sendRequest returns.
            callsByCallId.put(callId.getCallId(), call);
            try {
                transaction.sendRequest();
            } catch (SipException e) {
                callsByCallId.remove(callId.getCallId());
                throw e;
            }
            return call;
        } catch (ParseException | InvalidArgumentException e) {
            throw new IllegalArgumentException("cannot build an INVITE for '" + number + "' via " + proxyHostPort
                    + ": " + e.getMessage(), e);
        } catch (SipException e) {
            throw new IllegalStateException("phone '" + name + "' could not send an INVITE for '" + number
                    + "' to " + proxyHostPort + " over " + lpTransport + ": " + e, e);
        }
    }

    /** Sets how this phone answers INVITEs from now on (default {@link AnswerMode#RING_THEN_ANSWER}). */
    public void answerMode(AnswerMode mode) {
        if (mode == null) {
            throw new NullPointerException("mode");
        }
        this.answerMode = mode;
    }

    /**
     * Whether this phone answers OPTIONS (200 OK, the default) or ignores them, like a server that
     * has gone away. OPTIONS are recorded either way.
     */
    public void answerOptions(boolean answer) {
        this.answerOptions = answer;
    }

    /**
     * Removes and returns the oldest request of that method this phone has received and not yet
     * taken, waiting up to {@code timeout} for one to arrive.
     *
     * @param method "INVITE", "ACK", "BYE", "CANCEL"... (any case)
     * @throws AssertionError if none arrives in time; the message lists what did arrive
     */
    public ReceivedRequest takeRequest(String method, Duration timeout) {
        String key = method.toUpperCase(Locale.ROOT);
        ReceivedRequest request;
        try {
            request = queue(key).poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while phone '" + name + "' waited for a " + key, e);
        }
        if (request == null) {
            throw new AssertionError("phone '" + name + "' (" + hostPort() + ") received no " + key + " within "
                    + describe(timeout) + "; " + diagnostics());
        }
        return request;
    }

    /** Takes every request of {@code method} received and not yet taken, without waiting. */
    public List<ReceivedRequest> drain(String method) {
        List<ReceivedRequest> taken = new ArrayList<>();
        queue(method.toUpperCase(Locale.ROOT)).drainTo(taken);
        return taken;
    }

    /**
     * Stops the phone: its listener gets no more events, and both ports are free for another phone
     * when this returns. Idempotent.
     *
     * <p>This deliberately does not call {@link SipStackImpl#stop()}: that also shuts down
     * {@code PostParseExecutorServices}, a JVM-wide executor through which the container's stack
     * parses TCP messages (Restcomm sets {@code TCP_POST_PARSING_THREAD_POOL_SIZE=30} by default),
     * and it sleeps a fixed second. Instead the parts of this stack are stopped one by one.
     *
     * @throws IllegalStateException if the ports are still held after a few seconds
     */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            ringingByBranch.clear();
            shutDown(stack, provider, listener, host, port, processorThreads);
        }
    }

    private static void shutDown(SipStackImpl stack, SipProvider provider, SipListener listener, String host, int port,
                                 List<Thread> processorThreads) {
        if (provider != null && listener != null) {
            provider.removeSipListener(listener);
        }
        List<ListeningPoint> points = new ArrayList<>();
        for (Iterator<?> it = stack.getListeningPoints(); it.hasNext(); ) {
            points.add((ListeningPoint) it.next());
        }
        for (ListeningPoint point : points) {
            try {
                // Stops the listening point's message processor: closes its UDP socket, or its TCP
                // server socket and every TCP connection it accepted or opened.
                stack.deleteListeningPoint(point);
            } catch (ObjectInUseException | RuntimeException e) {
                // The RI's UDP processor creates its workers in its own thread; stopped before that
                // ran (a phone closed right after start) it throws a NullPointerException, after
                // closing its socket. Its workers are seen to below.
            }
        }
        stack.closeAllSockets();
        stack.getTimer().stop();
        // The RI starts a non-daemon "EventScannerThread" per stack and never ends it: even stop()
        // only sets a flag the thread reads after its next event. Set it, then hand the thread an
        // event that goes nowhere (the stack has no listener any more) so that it returns.
        EventScanner scanner = stack.getEventScanner();
        if (scanner != null) {
            scanner.forceStop();
            scanner.addEvent(new EventWrapper(new IOExceptionEvent(stack, host, port, ListeningPoint.UDP), null));
        }
        awaitEnd(processorThreads, host, port);
        stopUdpWorkers(stack.getStackName());
    }

    /**
     * Ends the RI's UDP worker threads (THREAD_POOL_SIZE of them per stack), which wait on the
     * processor's queue. Stopping the processor interrupts them once, but an interrupt that lands
     * while a worker is still handling a datagram is swallowed there (the RI prints "Unexpected
     * internal error" to stderr) and the worker goes back to waiting for good; a worker started after
     * the stop (a phone closed right after start) is never interrupted at all. The processor has
     * stopped running, so an interrupt while waiting makes a worker return: interrupt until it does.
     */
    private static void stopUdpWorkers(String stackName) {
        String prefix = stackName + "-UDPMessageChannelThread-";
        long deadline = System.nanoTime() + WORKER_STOP_TIMEOUT.toNanos();
        for (Thread thread : Thread.getAllStackTraces().keySet()) {
            if (!thread.getName().startsWith(prefix)) {
                continue;
            }
            while (thread.isAlive() && System.nanoTime() < deadline) {
                thread.interrupt();
                try {
                    thread.join(WORKER_JOIN_SLICE_MILLIS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    /**
     * The RI's processor threads started since {@code before}: those that read this phone's UDP
     * socket and accept on its TCP socket. Picked by name (the RI names them after address and port)
     * and by being new, so that another stack's threads on the same port (a phone started twice on
     * one port by mistake) are never taken for this one's.
     */
    private static List<Thread> processorThreadsSince(Set<Thread> before, String host, int port, int tlsPort) {
        List<String> names = List.of("MessageProcessorThread-UDP-" + host + "/" + port,
                "MessageProcessorThread-TCP-" + host + "/" + port,
                "MessageProcessorThread-TLS-" + host + "/" + tlsPort);
        List<Thread> threads = new ArrayList<>();
        for (Thread thread : Thread.getAllStackTraces().keySet()) {
            if (names.contains(thread.getName()) && !before.contains(thread)) {
                threads.add(thread);
            }
        }
        return List.copyOf(threads);
    }

    /**
     * Closing a socket that another thread is blocked on (the processor threads sit in receive() and
     * accept()) only marks it closed in the JDK; the descriptor, and so the port, is released when
     * that thread leaves the call. Wait, bounded, for those threads to end.
     */
    private static void awaitEnd(List<Thread> processorThreads, String host, int port) {
        long deadline = System.nanoTime() + PORT_RELEASE_TIMEOUT.toNanos();
        for (Thread thread : processorThreads) {
            try {
                TimeUnit.NANOSECONDS.timedJoin(thread, Math.max(1, deadline - System.nanoTime()));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            if (thread.isAlive()) {
                throw new IllegalStateException(thread.getName() + " still holds " + host + ":" + port
                        + " " + describe(PORT_RELEASE_TIMEOUT) + " after close");
            }
        }
    }

    @Override
    public String toString() {
        return "TestPhone[" + name + " @ " + hostPort() + (closed.get() ? ", closed" : "") + "]";
    }

    // ---- shared with OutgoingCall ------------------------------------------------------------

    SipProvider provider() {
        return provider;
    }

    /** Sets this phone's User-Agent on a request it sends (see {@link #PRODUCT}). */
    void identify(Request request) {
        try {
            request.setHeader(headerFactory.createUserAgentHeader(List.of(PRODUCT)));
        } catch (ParseException e) {
            throw new IllegalStateException(e);
        }
    }

    /** What this phone saw, for failure messages. */
    String diagnostics() {
        List<String> seen = new ArrayList<>();
        for (ReceivedRequest request : requestLog) {
            seen.add(request.toString());
        }
        return "requests received so far: " + seen + (problems.isEmpty() ? "" : "; problems: " + problems);
    }

    void problem(String description) {
        problems.add(description);
    }

    void ensureOpen() {
        if (closed.get()) {
            throw new IllegalStateException(this + " is closed");
        }
    }

    static String describe(Duration timeout) {
        return timeout.toMillis() + " ms";
    }

    // ---- building blocks ----------------------------------------------------------------------

    private BlockingQueue<ReceivedRequest> queue(String method) {
        return requestsByMethod.computeIfAbsent(method, m -> new LinkedBlockingQueue<>());
    }

    private String listeningPointTransport(String transport) {
        if (transport != null) {
            String upper = transport.trim().toUpperCase(Locale.ROOT);
            if (upper.equals(ListeningPoint.UDP) || upper.equals(ListeningPoint.TCP)
                    || (upper.equals(ListeningPoint.TLS) && tlsPort > 0)) {
                return upper;
            }
        }
        throw new IllegalArgumentException("transport must be \"udp\" or \"tcp\""
                + (tlsPort > 0 ? " or \"tls\"" : " (\"tls\" needs a phone started with TLS)") + ", not " + transport);
    }

    private SipURI sipUri(String user, String hostPort) throws ParseException {
        if (hostPort == null || hostPort.isBlank()) {
            throw new IllegalArgumentException("host:port must not be blank");
        }
        String host = hostPort.trim();
        int port = -1;
        int colon = host.lastIndexOf(':');
        if (colon >= 0 && host.indexOf(']', colon) < 0) {
            try {
                port = Integer.parseInt(host.substring(colon + 1));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("bad port in '" + hostPort + "'", e);
            }
            host = host.substring(0, colon);
        }
        SipURI uri = addressFactory.createSipURI(user, host);
        if (port >= 0) {
            uri.setPort(port);
        }
        return uri;
    }

    /** {@code <sip:user@127.0.0.1:port;transport=x>}: the transport tells peers how to reach us in-dialog. */
    private ContactHeader contact(String user, String transport) throws ParseException {
        boolean tls = transport.equalsIgnoreCase(ListeningPoint.TLS);
        SipURI uri = sipUri(user, host + ":" + (tls ? tlsPort : port));
        uri.setTransportParam(transport.toLowerCase(Locale.ROOT));
        return headerFactory.createContactHeader(addressFactory.createAddress(uri));
    }

    // ---- answering ----------------------------------------------------------------------------

    private void onRequest(RequestEvent event) {
        Request request = event.getRequest();
        ReceivedRequest received = ReceivedRequest.of(request);
        requestLog.add(received);
        queue(received.method()).add(received);
        try {
            switch (request.getMethod()) {
                case Request.INVITE -> onInvite(event, received);
                case Request.ACK -> {
                    // Ends the 2xx retransmissions; the dialog layer has done all there is to do.
                }
                case Request.CANCEL -> onCancel(event);
                case Request.BYE -> respond(event, Response.OK, null, null);
                case Request.OPTIONS -> {
                    if (answerOptions) {
                        respond(event, Response.OK, null, null);
                    }
                }
                default -> respond(event, Response.NOT_IMPLEMENTED, null, null);
            }
        } catch (Exception e) {
            problem("answering " + received + " failed: " + e);
        }
    }

    private void onInvite(RequestEvent event, ReceivedRequest received) throws Exception {
        Request invite = event.getRequest();
        if (answerMode == AnswerMode.SILENT && ((ToHeader) invite.getHeader(ToHeader.NAME)).getTag() == null) {
            return; // no server transaction, so the stack sends no 100 Trying either
        }
        ServerTransaction transaction = serverTransaction(event);
        String transport = received.transport() == null ? "udp" : received.transport();
        String contactUser = received.user() == null ? DEFAULT_CALLEE_USER : received.user();
        if (((ToHeader) invite.getHeader(ToHeader.NAME)).getTag() != null) {
            // A re-INVITE inside an established dialog: just accept it.
            send(transaction, invite, Response.OK, null, contact(contactUser, transport));
            return;
        }
        String toTag = Long.toHexString(ThreadLocalRandom.current().nextLong());
        switch (answerMode) {
            case RING_THEN_ANSWER -> {
                send(transaction, invite, Response.RINGING, toTag, null);
                send(transaction, invite, Response.OK, toTag, contact(contactUser, transport));
            }
            case RING_THEN_ANSWER_LATE -> {
                send(transaction, invite, Response.RINGING, toTag, null);
                // Blocks this phone's only receive thread: fine for a callee that waits for nothing else.
                Thread.sleep(AnswerMode.LATE_ANSWER_MILLIS);
                send(transaction, invite, Response.OK, toTag, contact(contactUser, transport));
            }
            case RING_ONLY -> {
                send(transaction, invite, Response.RINGING, toTag, null);
                ringingByBranch.put(branch(invite), new RingingInvite(transaction, invite, toTag));
            }
            case BUSY -> send(transaction, invite, Response.BUSY_HERE, toTag, null);
            case UNAVAILABLE -> send(transaction, invite, Response.SERVICE_UNAVAILABLE, toTag, null);
            case SILENT -> throw new IllegalStateException("handled above");
        }
    }

    private void onCancel(RequestEvent event) throws Exception {
        Request cancel = event.getRequest();
        RingingInvite ringing = ringingByBranch.remove(branch(cancel));
        if (ringing == null) {
            // Already answered (or never seen): nothing left to cancel; the CANCEL itself succeeds.
            respond(event, Response.OK, null, null);
            return;
        }
        respond(event, Response.OK, ringing.toTag, null);
        send(ringing.transaction, ringing.invite, Response.REQUEST_TERMINATED, ringing.toTag, null);
    }

    private void respond(RequestEvent event, int status, String toTag, ContactHeader contact) throws Exception {
        send(serverTransaction(event), event.getRequest(), status, toTag, contact);
    }

    private void send(ServerTransaction transaction, Request request, int status, String toTag,
                      ContactHeader contact) throws Exception {
        // createResponse copies Via, From, To, Call-ID, CSeq and, for 101-299 to a dialog-creating
        // request without a To tag, Record-Route.
        Response response = messageFactory.createResponse(status, request);
        if (toTag != null) {
            ((ToHeader) response.getHeader(ToHeader.NAME)).setTag(toTag);
        }
        if (contact != null) {
            response.setHeader(contact);
        }
        response.setHeader(headerFactory.createServerHeader(List.of(PRODUCT)));
        transaction.sendResponse(response);
    }

    private ServerTransaction serverTransaction(RequestEvent event) throws SipException {
        ServerTransaction transaction = event.getServerTransaction();
        return transaction != null ? transaction : provider.getNewServerTransaction(event.getRequest());
    }

    private static String branch(Request request) {
        return ((ViaHeader) request.getHeader(ViaHeader.NAME)).getBranch();
    }

    private record RingingInvite(ServerTransaction transaction, Request invite, String toTag) {
    }

    // ---- calling --------------------------------------------------------------------------------

    private void onResponse(ResponseEvent event) {
        Response response = event.getResponse();
        CallIdHeader callId = (CallIdHeader) response.getHeader(CallIdHeader.NAME);
        OutgoingCall call = callId == null ? null : callsByCallId.get(callId.getCallId());
        if (call == null) {
            problem("response for no call of this phone: " + ReceivedResponse.of(response));
            return;
        }
        call.onResponse(event);
    }

    private void onTimeout(TimeoutEvent event) {
        Transaction transaction = event.isServerTransaction()
                ? event.getServerTransaction() : event.getClientTransaction();
        Request request = transaction == null ? null : transaction.getRequest();
        String what = request == null ? "a transaction" : request.getMethod() + " " + request.getRequestURI();
        if (!event.isServerTransaction() && request != null) {
            OutgoingCall call = callsByCallId.get(((CallIdHeader) request.getHeader(CallIdHeader.NAME)).getCallId());
            if (call != null) {
                call.onTimeout(request.getMethod());
                return;
            }
        }
        problem((event.isServerTransaction() ? "server" : "client") + " transaction for " + what
                + " timed out (" + event.getTimeout() + ")");
    }

    /** The stack's listener; kept private so the phone's public surface stays the test API. */
    private final class Listener implements SipListener {

        @Override
        public void processRequest(RequestEvent event) {
            onRequest(event);
        }

        @Override
        public void processResponse(ResponseEvent event) {
            onResponse(event);
        }

        @Override
        public void processTimeout(TimeoutEvent event) {
            onTimeout(event);
        }

        @Override
        public void processIOException(IOExceptionEvent event) {
            problem("I/O error towards " + event.getHost() + ":" + event.getPort() + "/" + event.getTransport());
        }

        @Override
        public void processTransactionTerminated(TransactionTerminatedEvent event) {
        }

        @Override
        public void processDialogTerminated(DialogTerminatedEvent event) {
        }
    }
}
