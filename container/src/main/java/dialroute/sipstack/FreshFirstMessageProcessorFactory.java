package dialroute.sipstack;

import gov.nist.javax.sip.SipStackImpl;
import gov.nist.javax.sip.stack.BlockingQueueDispatchAuditor;
import gov.nist.javax.sip.stack.DatagramQueuedMessageDispatch;
import gov.nist.javax.sip.stack.MessageProcessor;
import gov.nist.javax.sip.stack.OIOMessageProcessorFactory;
import gov.nist.javax.sip.stack.SIPTransactionStack;
import gov.nist.javax.sip.stack.UDPMessageChannel;
import gov.nist.javax.sip.stack.UDPMessageProcessor;

import java.io.IOException;
import java.lang.reflect.Field;
import java.net.DatagramPacket;
import java.net.InetAddress;
import java.net.SocketTimeoutException;
import java.util.Arrays;
import java.util.LinkedList;
import java.util.Properties;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Logger;

import javax.sip.ListeningPoint;

/**
 * The stack's default (blocking) message processors, except that UDP datagrams wait in a bounded
 * queue that drops its stalest entries, instead of an unbounded one. Installed with
 * {@code gov.nist.javax.sip.MESSAGE_PROCESSOR_FACTORY} in conf/mss-sip-stack.properties.
 *
 * <p>Why: JAIN-SIP's UDP reader thread puts every datagram it reads into a queue its worker
 * threads take from, oldest first, and the queue has no bound. Once messages arrive faster than
 * the server can handle them, each one waits longer than the last; after 500 ms (T1) every caller
 * and callee retransmits, so the queue fills with copies of what it already holds, the server
 * spends its time on messages whose senders have given up on them, and the load doubles: the
 * collapse into retransmissions and timeouts seen in every overload run (bench/RESULTS.md), with
 * 54,000 queued datagrams (10 KB buffer each) in one of them. Here, when a datagram arrives:
 * <ul>
 *   <li>queued datagrams older than {@code dialroute.UDP_QUEUE_MAX_AGE} milliseconds (default 400,
 *       under T1) are dropped from the head: their senders retransmit them, and the copy is on its
 *       way or already queued behind;</li>
 *   <li>when {@code dialroute.UDP_QUEUE_CAPACITY} datagrams (default 8192) are waiting, the oldest
 *       one is dropped to make room.</li>
 * </ul>
 * The processor's reader loop is dialroute's own ({@link FreshFirstUdpProcessor}): a queued datagram
 * holds its own bytes, not a buffer of the maximum message size.
 * The wait of each datagram a worker takes is noted for the admission valve
 * ({@link ReceiveQueueWait}), which refuses new calls while the server is behind.
 * So what the server answers, it answers while the sender still waits for it, excess traffic costs
 * a queue operation instead of a parse, and the queue's memory has a bound. A drop is what a full
 * socket buffer does to UDP anyway, and SIP's retransmissions are made for it. The drops are
 * counted and logged (WARNING, at most every 10 s). TCP and TLS are unchanged: their connection
 * threads read and handle messages one by one, and TCP slows a sender down by itself.
 */
public final class FreshFirstMessageProcessorFactory extends OIOMessageProcessorFactory {
    public static final String MAX_AGE_PROPERTY = "dialroute.UDP_QUEUE_MAX_AGE";
    public static final String CAPACITY_PROPERTY = "dialroute.UDP_QUEUE_CAPACITY";
    static final int DEFAULT_MAX_AGE_MILLIS = 400;
    static final int DEFAULT_CAPACITY = 8192;

    private static final Logger LOG = Logger.getLogger("dialroute");

    @Override
    public MessageProcessor createMessageProcessor(SIPTransactionStack stack, InetAddress address, int port, String transport)
            throws IOException {
        if (!ListeningPoint.UDP.equalsIgnoreCase(transport)) {
            return super.createMessageProcessor(stack, address, port, transport);
        }
        Properties settings = ((SipStackImpl) stack).getConfigurationProperties();
        int maxAge = setting(settings, MAX_AGE_PROPERTY, DEFAULT_MAX_AGE_MILLIS);
        int capacity = setting(settings, CAPACITY_PROPERTY, DEFAULT_CAPACITY);
        int workers;
        Field udpFlag;
        Field auditor;
        try {
            // The number of worker threads as the stack itself parsed it (THREAD_POOL_SIZE). The
            // stack's own factory notes in a package-private flag that the stack has UDP, and
            // starts an auditor of the queue replaced here. All three reached by reflection.
            Field poolSize = SIPTransactionStack.class.getDeclaredField("threadPoolSize");
            poolSize.setAccessible(true);
            workers = poolSize.getInt(stack);
            udpFlag = SIPTransactionStack.class.getDeclaredField("udpFlag");
            udpFlag.setAccessible(true);
            auditor = UDPMessageProcessor.class.getDeclaredField("congestionAuditor");
            auditor.setAccessible(true);
        } catch (ReflectiveOperationException | RuntimeException e) {
            // Serving SIP with the stack's own reader and queue beats not serving it.
            LOG.warning("dialroute: this JAIN-SIP version's UDP processor cannot be replaced (" + e
                    + "); UDP datagrams wait in the stack's unbounded queue");
            return super.createMessageProcessor(stack, address, port, transport);
        }
        if (workers < 1) {
            // No worker pool (a thread per datagram): nothing reads a queue, so there is none to bound.
            return super.createMessageProcessor(stack, address, port, transport);
        }
        FreshFirstQueue queue = new FreshFirstQueue(capacity, maxAge, "UDP " + address.getHostAddress() + ":" + port);
        FreshFirstUdpProcessor processor = new FreshFirstUdpProcessor(address, stack, port, queue, workers,
                ((SipStackImpl) stack).getStackName() + "-UDPMessageChannelThread-");
        try {
            udpFlag.setBoolean(stack, true);
            // The auditor of the stack's own queue (CONGESTION_CONTROL_TIMEOUT) has nothing left to
            // audit: its timer thread is stopped.
            if (auditor.get(processor) instanceof BlockingQueueDispatchAuditor unused) {
                unused.stop();
            }
        } catch (IllegalAccessException e) {
            throw new IOException("dialroute: could not set up the UDP processor on " + address.getHostAddress() + ":" + port, e);
        }
        return processor;
    }

    private static int setting(Properties settings, String name, int fallback) {
        String value = settings.getProperty(name, Integer.toString(fallback)).trim();
        int n;
        try {
            n = Integer.parseInt(value);
        } catch (NumberFormatException e) {
            n = -1;
        }
        if (n < 1) {
            throw new IllegalArgumentException(name + " must be a whole number above 0, not '" + value + "'");
        }
        return n;
    }

    /**
     * The stack's UDP processor (socket, worker threads, sending) with its own reader loop. The
     * stack's loop allocates a buffer of the maximum message size (MAX_MESSAGE_SIZE, 10 KB here)
     * for every datagram and queues it whole: a fifth of all the bytes the server allocated at
     * 3,000 proxied calls/s, and 80 MB held when the queue is full. This loop reads into one
     * buffer and queues a copy of exactly the datagram's length.
     */
    static final class FreshFirstUdpProcessor extends UDPMessageProcessor {
        private static final int MAX_DATAGRAM = 65_535;
        private static final int MAX_ERRORS_LOGGED = 10;

        private final int bufferSize;
        private final int workers;
        private final String workerName;
        private int errorsLogged;

        FreshFirstUdpProcessor(InetAddress address, SIPTransactionStack stack, int port, FreshFirstQueue queue, int workers,
                               String workerName) throws IOException {
            super(address, stack, port);
            int maxMessage = stack.getMaxMessageSize();
            // The stack's rule: its maximum message size when one is set below a datagram's limit.
            this.bufferSize = maxMessage > 0 && maxMessage < MAX_DATAGRAM ? maxMessage : MAX_DATAGRAM;
            this.messageQueue = queue;
            this.workers = workers;
            this.workerName = workerName;
        }

        @Override
        public void run() {
            messageChannels = new LinkedList<>();
            for (int i = 0; i < workers; i++) {
                messageChannels.add(new Worker(sipStack, this, workerName + i));
            }
            byte[] buffer = new byte[bufferSize];
            DatagramPacket received = new DatagramPacket(buffer, buffer.length);
            while (isRunning) {
                try {
                    received.setData(buffer); // the full buffer for every datagram, whatever the last one left
                    sock.receive(received);
                    errorsLogged = 0;
                    byte[] datagram = Arrays.copyOf(buffer, received.getLength());
                    messageQueue.offer(new DatagramQueuedMessageDispatch(
                            new DatagramPacket(datagram, datagram.length, received.getSocketAddress()), System.currentTimeMillis()));
                } catch (SocketTimeoutException idle) {
                    // only with a socket timeout set; nothing arrived
                } catch (IOException | RuntimeException e) {
                    if (!isRunning) {
                        return; // stop() closed the socket
                    }
                    // Keep reading: one bad receive must not stop UDP for good. A run of errors is
                    // logged up to 10 times; a good datagram starts a new run.
                    if (errorsLogged < MAX_ERRORS_LOGGED) {
                        errorsLogged++;
                        LOG.warning("dialroute: UDP receive on " + getIpAddress().getHostAddress() + ":" + getPort() + " failed: " + e
                                + (errorsLogged == MAX_ERRORS_LOGGED ? " (no further receive errors are logged)" : ""));
                    }
                }
            }
        }
    }

    /** One of the stack's UDP worker threads, taking datagrams from the processor's queue. */
    private static final class Worker extends UDPMessageChannel {
        Worker(SIPTransactionStack stack, UDPMessageProcessor processor, String threadName) {
            super(stack, processor, threadName);
        }
    }

    /** Only the stack's reader thread offers; its worker threads take. */
    static final class FreshFirstQueue extends LinkedBlockingQueue<DatagramQueuedMessageDispatch> {
        private static final long serialVersionUID = 1L;
        private static final long REPORT_EVERY_MILLIS = 10_000;

        private final long maxAgeMillis;
        private final String name;
        private final AtomicLong staleDropped = new AtomicLong();
        private final AtomicLong fullDropped = new AtomicLong();
        private long reportedAt;
        private long reportedDrops;

        FreshFirstQueue(int capacity, long maxAgeMillis, String name) {
            super(capacity);
            this.maxAgeMillis = maxAgeMillis;
            this.name = name;
        }

        @Override
        public boolean offer(DatagramQueuedMessageDispatch datagram) {
            long now = datagram.getReceptionTime();
            DatagramQueuedMessageDispatch head;
            while ((head = peek()) != null && now - head.getReceptionTime() > maxAgeMillis) {
                // remove(head), not poll(): a worker may have taken this head meanwhile, and then
                // the next datagram, which may be fresh, must stay.
                if (remove(head)) {
                    staleDropped.incrementAndGet();
                }
            }
            while (!super.offer(datagram)) {
                if (poll() != null) {
                    fullDropped.incrementAndGet();
                }
            }
            report(now);
            return true;
        }

        @Override
        public DatagramQueuedMessageDispatch take() throws InterruptedException {
            return noteWait(super.take());
        }

        @Override
        public DatagramQueuedMessageDispatch poll(long timeout, TimeUnit unit) throws InterruptedException {
            return noteWait(super.poll(timeout, unit));
        }

        private static DatagramQueuedMessageDispatch noteWait(DatagramQueuedMessageDispatch datagram) {
            if (datagram != null) {
                ReceiveQueueWait.tookAfter(System.currentTimeMillis() - datagram.getReceptionTime());
            }
            return datagram;
        }

        long staleDropped() {
            return staleDropped.get();
        }

        long fullDropped() {
            return fullDropped.get();
        }

        private void report(long now) {
            long drops = staleDropped.get() + fullDropped.get();
            if (drops != reportedDrops && now - reportedAt >= REPORT_EVERY_MILLIS) {
                LOG.warning("dialroute: overload: " + (drops - reportedDrops) + " datagrams dropped unread from the "
                        + name + " receive queue since the last report (" + staleDropped.get() + " waited over "
                        + maxAgeMillis + " ms, " + fullDropped.get() + " found it full, in all)");
                reportedAt = now;
                reportedDrops = drops;
            }
        }
    }
}
