package org.mpi4j;

/**
 * The category of an {@link MpiException}, after MPI's error classes.
 */
public enum ErrorClass {
    /** An invalid argument not covered by a more specific class. */
    ARG,
    /** An invalid rank: out of range for the communicator. */
    RANK,
    /** An invalid tag: negative where a concrete tag is required, or above {@link Mpi#TAG_UB}. */
    TAG,
    /** An invalid count, offset or length. */
    COUNT,
    /** A buffer that cannot be used: read-only for a receive, or of the wrong size. */
    BUFFER,
    /** A message's element type does not match the receive buffer's. */
    TYPE,
    /** A message is larger than the receive buffer. */
    TRUNCATE,
    /** A request used in a way its state does not allow. */
    REQUEST,
    /** A communicator used after it was freed, or across worlds. */
    COMM,
    /**
     * A virtual topology that is invalid as a whole, though each rank's arguments may be
     * valid alone: ranks that disagree on a grid or graph they must all pass, an edge of a
     * distributed graph listed at one of its ends only, or neighbour collectives on a graph
     * whose adjacency is not symmetric ({@code MPI_ERR_TOPOLOGY}).
     */
    TOPOLOGY,
    /** A peer has finished (finalized) and the operation can never complete. */
    PROC_FINALIZED,
    /** The job was aborted: a rank failed or called abort. */
    ABORTED,
    /** An operation did not finish within its time limit. */
    TIMEOUT,
    /** An object could not be serialized or deserialized. */
    CODEC,
    /** The requested engine or feature is not available here. */
    UNSUPPORTED,
    /** An internal error: a bug in mpi4j or its engine. */
    INTERN
}
