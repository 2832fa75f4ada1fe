package org.mpi4j.transport.tcp;

import org.mpi4j.ErrorClass;
import org.mpi4j.MpiException;

/**
 * A frame could not be sent because its destination can no longer be reached: the peer's
 * connection was lost (its process died, the network failed, it broke the protocol), it
 * could not be connected to, or it finished and closed its connection. The message names the
 * peer's world rank and why.
 */
public final class PeerUnreachableException extends MpiException {
    private static final long serialVersionUID = 1L;

    private final int rank;

    /** Creates the exception for world rank {@code rank}. */
    public PeerUnreachableException(int rank, boolean finished, String message) {
        super(finished ? ErrorClass.PROC_FINALIZED : ErrorClass.ABORTED, message);
        this.rank = rank;
    }

    /** Returns the world rank that cannot be reached. */
    public int rank() {
        return rank;
    }
}
