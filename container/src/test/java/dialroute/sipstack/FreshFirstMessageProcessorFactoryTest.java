package dialroute.sipstack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dialroute.sipstack.FreshFirstMessageProcessorFactory.FreshFirstQueue;
import gov.nist.javax.sip.ListeningPointImpl;
import gov.nist.javax.sip.stack.DatagramQueuedMessageDispatch;
import gov.nist.javax.sip.stack.MessageProcessor;
import gov.nist.javax.sip.stack.UDPMessageProcessor;
import java.lang.reflect.Field;
import java.net.DatagramPacket;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.Properties;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class FreshFirstMessageProcessorFactoryTest {

    private static DatagramQueuedMessageDispatch datagram(long receivedAtMillis) {
        return new DatagramQueuedMessageDispatch(new DatagramPacket(new byte[1], 1), receivedAtMillis);
    }

    @Test
    void datagramsThatWaitedLongerThanTheMaxAgeAreDroppedWhenTheNextArrives() {
        FreshFirstQueue queue = new FreshFirstQueue(100, 400, "test");
        DatagramQueuedMessageDispatch stale = datagram(1_000);
        DatagramQueuedMessageDispatch fresh = datagram(1_300);
        queue.offer(stale);
        queue.offer(fresh);

        DatagramQueuedMessageDispatch arriving = datagram(1_401 + 100);

        assertTrue(queue.offer(arriving));
        assertEquals(2, queue.size());
        assertSame(fresh, queue.peek(), "the datagram 500 ms old went, the one 200 ms old stayed");
        assertEquals(1, queue.staleDropped());
        assertEquals(0, queue.fullDropped());
    }

    @Test
    void aFullQueueDropsItsOldestDatagramForTheNewOne() {
        FreshFirstQueue queue = new FreshFirstQueue(2, 400, "test");
        DatagramQueuedMessageDispatch first = datagram(1_000);
        DatagramQueuedMessageDispatch second = datagram(1_001);
        DatagramQueuedMessageDispatch third = datagram(1_002);
        queue.offer(first);
        queue.offer(second);

        assertTrue(queue.offer(third));

        assertEquals(2, queue.size());
        assertSame(second, queue.poll());
        assertSame(third, queue.poll());
        assertEquals(1, queue.fullDropped());
    }

    @Test
    void theStacksUdpProcessorUsesTheBoundedQueueAndStillServesRequests() throws Exception {
        Properties settings = new Properties();
        settings.setProperty("gov.nist.javax.sip.MESSAGE_PROCESSOR_FACTORY", FreshFirstMessageProcessorFactory.class.getName());
        settings.setProperty("gov.nist.javax.sip.THREAD_POOL_SIZE", "4");
        settings.setProperty(FreshFirstMessageProcessorFactory.CAPACITY_PROPERTY, "64");
        try (LoopbackSipStack stack = LoopbackSipStack.start("fresh-first-test", settings)) {
            Field queueField = UDPMessageProcessor.class.getDeclaredField("messageQueue");
            queueField.setAccessible(true);
            int udp = 0;
            for (Iterator<?> points = stack.sipStack().getListeningPoints(); points.hasNext(); ) {
                MessageProcessor processor = ((ListeningPointImpl) points.next()).getMessageProcessor();
                if (processor instanceof UDPMessageProcessor) {
                    assertInstanceOf(FreshFirstMessageProcessorFactory.FreshFirstUdpProcessor.class, processor);
                    FreshFirstQueue queue = assertInstanceOf(FreshFirstQueue.class, queueField.get(processor));
                    assertEquals(64, queue.remainingCapacity() + queue.size());
                    udp++;
                }
            }
            assertEquals(1, udp);

            String callId = UUID.randomUUID().toString();
            String answer = stack.overUdp(("OPTIONS sip:x@127.0.0.1 SIP/2.0\r\n"
                    + "Via: SIP/2.0/$transport 127.0.0.1:$client;branch=z9hG4bK" + callId + "\r\n"
                    + "Max-Forwards: 70\r\nFrom: <sip:caller@127.0.0.1>;tag=1\r\nTo: <sip:x@127.0.0.1>\r\n"
                    + "Call-ID: " + callId + "\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            assertTrue(LoopbackSipStack.firstLine(answer).startsWith("SIP/2.0 404 "), answer);
        }
    }

    @Test
    void aLargeDatagramAfterASmallOneIsReadWhole() throws Exception {
        Properties settings = new Properties();
        settings.setProperty("gov.nist.javax.sip.MESSAGE_PROCESSOR_FACTORY", FreshFirstMessageProcessorFactory.class.getName());
        settings.setProperty("gov.nist.javax.sip.THREAD_POOL_SIZE", "4");
        settings.setProperty("gov.nist.javax.sip.MAX_MESSAGE_SIZE", "10000");
        try (LoopbackSipStack stack = LoopbackSipStack.start("fresh-first-large", settings)) {
            for (Iterator<?> points = stack.sipStack().getListeningPoints(); points.hasNext(); ) {
                MessageProcessor processor = ((ListeningPointImpl) points.next()).getMessageProcessor();
                if (processor instanceof UDPMessageProcessor) {
                    assertInstanceOf(FreshFirstMessageProcessorFactory.FreshFirstUdpProcessor.class, processor);
                }
            }
            // The reader reuses one buffer: a short datagram must not cut the next, longer one.
            assertTrue(LoopbackSipStack.firstLine(stack.overUdp(options(""))).startsWith("SIP/2.0 404 "));
            String padding = "X-Padding: " + "p".repeat(7000) + "\r\n";
            String answer = stack.overUdp(options(padding));
            assertTrue(LoopbackSipStack.firstLine(answer).startsWith("SIP/2.0 404 "), "a 7 KB OPTIONS is answered: " + answer);
        }
    }

    private static byte[] options(String extraHeader) {
        String callId = UUID.randomUUID().toString();
        return ("OPTIONS sip:x@127.0.0.1 SIP/2.0\r\n"
                + "Via: SIP/2.0/$transport 127.0.0.1:$client;branch=z9hG4bK" + callId + "\r\n"
                + "Max-Forwards: 70\r\nFrom: <sip:caller@127.0.0.1>;tag=1\r\nTo: <sip:x@127.0.0.1>\r\n"
                + extraHeader
                + "Call-ID: " + callId + "\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
    }
}
