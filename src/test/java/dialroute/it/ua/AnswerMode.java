package dialroute.it.ua;

/** How a {@link TestPhone} answers the INVITEs it receives; see {@link TestPhone#answerMode(AnswerMode)}. */
public enum AnswerMode {

    /** 180 Ringing, then at once 200 OK with a Contact; the caller is expected to ACK and later BYE. */
    RING_THEN_ANSWER,

    /**
     * 180 Ringing, then 200 OK {@value #LATE_ANSWER_MILLIS} ms later: a person picking up. Lets a
     * test order events, e.g. another branch of a fork ringing before this one answers.
     */
    RING_THEN_ANSWER_LATE,

    /**
     * 180 Ringing, then nothing: the call stays ringing until the caller gives up. A CANCEL for it
     * gets 200 OK and the INVITE is then ended with 487 Request Terminated (RFC 3261 9.2).
     */
    RING_ONLY,

    /** 486 Busy Here straight away, with no provisional response. */
    BUSY,

    /** 503 Service Unavailable straight away: a server that is up but cannot take calls. */
    UNAVAILABLE,

    /**
     * No response at all, not even 100 Trying: a server that is down or black-holed. The INVITE
     * is still recorded.
     */
    SILENT;

    /** How long {@link #RING_THEN_ANSWER_LATE} rings before it answers. */
    public static final long LATE_ANSWER_MILLIS = 300;
}
