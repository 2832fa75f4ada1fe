package org.mpi4j.transport;

import org.mpi4j.Buf;

/**
 * Moves frames from one rank to its peers. One instance per rank; safe for use by many
 * threads at once. Frames to one peer arrive in the order they were sent.
 */
public interface Transport {

    /**
     * Sends {@code frame} to {@code peer}. For frames with a payload, it is
     * {@code frame.length} bytes of {@code payload} from byte {@code payloadOffset}; the
     * transport has copied or delivered them by the time this returns, so the caller may
     * reuse the buffer. The frame itself passes to the transport: the caller makes a fresh
     * one for every send.
     */
    void send(int peer, Frame frame, Buf payload, long payloadOffset);

    /** Returns the largest message, in bytes, sent to {@code peer} in one eager frame. */
    long eagerLimit(int peer);

    /** Returns the largest payload, in bytes, of one {@link Frame#DATA} frame to {@code peer}. */
    long maxFragment(int peer);

    /**
     * Returns whether the receiver can copy a rendezvous message straight from the sender's
     * buffer with {@link #get}, in one copy, instead of the sender streaming it.
     */
    boolean supportsGet(int peer);

    /**
     * Copies {@code bytes} bytes of a rendezvous message from {@code peer}'s buffer (the
     * {@link Frame#attachment} of its RTS) into {@code dst} at {@code dstOffset}.
     *
     * @throws UnsupportedOperationException if {@link #supportsGet} is false for the peer
     */
    void get(int peer, Object attachment, long srcOffset, Buf dst, long dstOffset, long bytes);

    /**
     * Makes progress on the calling thread (polls rings or sockets) and returns the work done;
     * transports that deliver on the sender's thread return 0.
     */
    default int poll() {
        return 0;
    }

    /**
     * Tells the transport that the calling thread is about to park ({@code true}) or has
     * woken ({@code false}); a transport whose frames wait to be polled unparks such threads
     * when a frame arrives for this rank.
     */
    default void parking(boolean parked) {
    }
}
