package org.mpi4j.transport.tcp;

/**
 * Told when a peer's connection ends. Called at most once per peer, never after
 * {@link TcpTransport#close()} has begun, on the thread that reads the transport at that
 * moment (its I/O thread, or a thread polling it while it waits): return quickly.
 */
@FunctionalInterface
public interface PeerListener {

    /**
     * World rank {@code rank} is lost: its connection broke (end of stream without a CLOSE
     * frame, a reset, a protocol violation) or could not be made. Operations waiting on it will
     * never complete unless failed; sends to it now throw {@link PeerUnreachableException}.
     *
     * @param why what happened, naming the rank, for an error message
     */
    void onPeerLost(int rank, String why);

    /**
     * World rank {@code rank} finished in order: it sent {@link org.mpi4j.transport.Frame#CLOSE}
     * and then closed its connection. Nothing to fail. The default does nothing.
     */
    default void onPeerFinished(int rank) {
    }
}
