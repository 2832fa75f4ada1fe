package org.mpi4j.transport;

import org.mpi4j.Buf;

/** Where a transport delivers frames: a rank's matching layer. */
public interface FrameHandler {

    /**
     * Handles a frame from {@code peer} (a world rank). For {@link Frame#EAGER} and
     * {@link Frame#DATA} frames, the payload is {@code frame.length} bytes of {@code payload}
     * from byte {@code payloadOffset}; it is valid only during this call.
     *
     * <p>Frames from one peer are delivered in the order that peer sent them, never two at
     * once; frames from different peers may be delivered concurrently.
     */
    void onFrame(int peer, Frame frame, Buf payload, long payloadOffset);
}
