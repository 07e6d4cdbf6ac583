package dialroute.it.ua;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import javax.sip.ClientTransaction;
import javax.sip.Dialog;
import javax.sip.ResponseEvent;
import javax.sip.SipException;
import javax.sip.header.CSeqHeader;
import javax.sip.message.Request;
import javax.sip.message.Response;

/**
 * A call placed by {@link TestPhone#call}: the INVITE client transaction and, once answered, its
 * dialog. Responses are recorded as the stack delivers them; the {@code await} methods wait for them
 * with the timeout given and fail with an {@link AssertionError} that says what did arrive.
 *
 * <p>Thread-safe: responses arrive on the stack's event thread while the test thread waits.
 */
public final class OutgoingCall {

    static final long INVITE_CSEQ = 1L;

    private final TestPhone phone;
    private final ClientTransaction invite;
    private final String number;

    private final Object lock = new Object();
    /** Guarded by {@link #lock}, as are the three fields below. */
    private final List<ReceivedResponse> provisionals = new ArrayList<>();
    private ReceivedResponse finalResponse;
    /** The dialog a 2xx established; null until then. */
    private Dialog dialog;
    /** Why no final response will come (transaction timeout), or null. */
    private String failure;

    private final BlockingQueue<ReceivedResponse> byeResponses = new LinkedBlockingQueue<>();
    private final BlockingQueue<String> byeFailures = new LinkedBlockingQueue<>();

    OutgoingCall(TestPhone phone, ClientTransaction invite, String number) {
        this.phone = phone;
        this.invite = invite;
        this.number = number;
    }

    /**
     * The first final response to the INVITE, waiting up to {@code timeout} for it. Later calls
     * return the same response. Provisional responses received meanwhile are in {@link #provisionals()}.
     *
     * @throws AssertionError if none arrives in time
     */
    public ReceivedResponse awaitFinal(Duration timeout) {
        synchronized (lock) {
            awaitUnderLock(timeout, () -> finalResponse != null, "a final response");
            return finalResponse;
        }
    }

    /** The provisional (1xx) responses received so far, in arrival order, 100 Trying included. */
    public List<ReceivedResponse> provisionals() {
        synchronized (lock) {
            return List.copyOf(provisionals);
        }
    }

    /**
     * The first provisional response with that status (received already or within {@code timeout}).
     *
     * @throws AssertionError if none arrives in time, or at once if a final response arrived without it
     */
    public ReceivedResponse awaitProvisional(int status, Duration timeout) {
        if (status < 100 || status > 199) {
            throw new IllegalArgumentException("not a provisional status: " + status);
        }
        synchronized (lock) {
            awaitUnderLock(timeout, () -> firstProvisional(status) != null || finalResponse != null,
                    "a " + status + " provisional response");
            ReceivedResponse provisional = firstProvisional(status);
            if (provisional == null) {
                throw new AssertionError(this + ": final response " + finalResponse + " arrived without a "
                        + status + " before it; provisionals: " + provisionals);
            }
            return provisional;
        }
    }

    /**
     * Sends the ACK for the 2xx final response, built by the dialog: Request-URI the callee's Contact,
     * Route from the Record-Route of the 2xx (RFC 3261 13.2.2.4 and 12.2.1.1). There is no ACK to send
     * for a non-2xx final response: the INVITE client transaction sends that one by itself.
     *
     * @throws IllegalStateException if no final response has arrived or it is not a 2xx
     */
    public void ack() {
        Dialog established;
        synchronized (lock) {
            requireAnswered("ack()");
            established = dialog;
        }
        try {
            Request ack = established.createAck(INVITE_CSEQ);
            phone.identify(ack);
            established.sendAck(ack);
        } catch (SipException | javax.sip.InvalidArgumentException e) {
            throw new IllegalStateException(this + ": could not send the ACK: " + e, e);
        }
    }

    /**
     * Hangs up: sends a BYE in the dialog (routed like the ACK) and returns its final response.
     *
     * @throws IllegalStateException if the call was not answered with a 2xx
     * @throws AssertionError        if no final response to the BYE arrives within {@code timeout}
     */
    public ReceivedResponse bye(Duration timeout) {
        Dialog established;
        synchronized (lock) {
            requireAnswered("bye()");
            established = dialog;
        }
        try {
            Request bye = established.createRequest(Request.BYE);
            phone.identify(bye);
            ClientTransaction transaction = phone.provider().getNewClientTransaction(bye);
            established.sendRequest(transaction);
        } catch (SipException e) {
            throw new IllegalStateException(this + ": could not send the BYE: " + e, e);
        }
        ReceivedResponse response;
        try {
            response = byeResponses.poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(this + ": interrupted while waiting for the BYE's response", e);
        }
        if (response == null) {
            String why = byeFailures.poll();
            throw new AssertionError(this + ": no final response to the BYE within " + TestPhone.describe(timeout)
                    + (why == null ? "" : " (" + why + ")") + "; " + phone.diagnostics());
        }
        return response;
    }

    /**
     * Sends a CANCEL for the INVITE. Returns once it is sent; the INVITE's own final response (487
     * from a well-behaved callee) then comes through {@link #awaitFinal}.
     *
     * @throws IllegalStateException if no provisional response has arrived yet (RFC 3261 9.1 forbids
     *                               the CANCEL before one: await one with {@link #awaitProvisional}),
     *                               or if the INVITE already has its final response
     */
    public void cancel() {
        synchronized (lock) {
            if (finalResponse != null) {
                throw new IllegalStateException(this + ": cancel() after the final response " + finalResponse);
            }
            if (provisionals.isEmpty()) {
                throw new IllegalStateException(this + ": cancel() before any provisional response;"
                        + " wait for one first, e.g. awaitProvisional(180, timeout)");
            }
        }
        try {
            Request cancel = invite.createCancel();
            phone.identify(cancel);
            phone.provider().getNewClientTransaction(cancel).sendRequest();
        } catch (SipException e) {
            throw new IllegalStateException(this + ": could not send the CANCEL: " + e, e);
        }
    }

    @Override
    public String toString() {
        return "call from " + phone.name() + " to " + number + " (" + invite.getRequest().getRequestURI() + ")";
    }

    // ---- fed by TestPhone on the stack's event thread -------------------------------------------

    void onResponse(ResponseEvent event) {
        Response response = event.getResponse();
        String method = ((CSeqHeader) response.getHeader(CSeqHeader.NAME)).getMethod();
        int status = response.getStatusCode();
        if (Request.INVITE.equals(method)) {
            synchronized (lock) {
                if (finalResponse != null) {
                    return; // a retransmitted 2xx (the stack re-ACKs it once we have ACKed) or a fork
                }
                ReceivedResponse received = ReceivedResponse.of(response);
                if (status < 200) {
                    provisionals.add(received);
                } else {
                    finalResponse = received;
                    if (status < 300) {
                        dialog = event.getDialog() != null ? event.getDialog() : invite.getDialog();
                    }
                }
                lock.notifyAll();
            }
        } else if (Request.BYE.equals(method) && status >= 200) {
            byeResponses.add(ReceivedResponse.of(response));
        }
        // The 200 to a CANCEL needs nothing: the 487 to the INVITE is what matters.
    }

    void onTimeout(String method) {
        if (Request.INVITE.equals(method)) {
            synchronized (lock) {
                if (finalResponse == null) {
                    failure = "the INVITE transaction timed out without a final response";
                    lock.notifyAll();
                }
            }
        } else if (Request.BYE.equals(method)) {
            byeFailures.add("the BYE transaction timed out");
        } else {
            phone.problem(this + ": " + method + " transaction timed out");
        }
    }

    // ---- helpers ----------------------------------------------------------------------------------

    private ReceivedResponse firstProvisional(int status) {
        for (ReceivedResponse provisional : provisionals) {
            if (provisional.status() == status) {
                return provisional;
            }
        }
        return null;
    }

    private interface Condition {
        boolean met();
    }

    /** Waits on {@link #lock} (held by the caller) until {@code condition} holds or time runs out. */
    private void awaitUnderLock(Duration timeout, Condition condition, String what) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.met()) {
            if (failure != null) {
                throw new AssertionError(this + ": waited for " + what + " but " + failure
                        + "; provisionals: " + provisionals + "; " + phone.diagnostics());
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new AssertionError(this + ": no " + what + " within " + TestPhone.describe(timeout)
                        + "; provisionals: " + provisionals + "; final: " + finalResponse + "; "
                        + phone.diagnostics());
            }
            try {
                TimeUnit.NANOSECONDS.timedWait(lock, left);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(this + ": interrupted while waiting for " + what, e);
            }
        }
    }

    private void requireAnswered(String operation) {
        if (finalResponse == null) {
            throw new IllegalStateException(this + ": " + operation + " before the final response;"
                    + " call awaitFinal first");
        }
        if (finalResponse.status() >= 300) {
            throw new IllegalStateException(this + ": " + operation + " on a call that ended with "
                    + finalResponse + (operation.equals("ack()")
                    ? " (JAIN-SIP's INVITE client transaction ACKs non-2xx final responses itself)" : ""));
        }
    }
}
