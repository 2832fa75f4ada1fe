package org.mpi4j;

/**
 * What a receive or probe learned about a message: its source, tag, element type and size,
 * and whether the operation was cancelled.
 *
 * @param source the sender's rank in the communicator, or {@link Mpi#PROC_NULL}
 * @param tag the message's tag
 * @param datatype the message's element type
 * @param bytes the message's size in bytes
 * @param cancelled whether the operation was cancelled instead of completing
 */
public record Status(int source, int tag, Datatype datatype, long bytes, boolean cancelled) {

    /** The status of an operation with {@link Mpi#PROC_NULL}: no message, from nobody. */
    public static final Status PROC_NULL = new Status(Mpi.PROC_NULL, Mpi.ANY_TAG, Datatype.BYTE, 0, false);

    /** The status of a send: the engine learns nothing about the receiver. */
    public static final Status SENT = new Status(Mpi.ANY_SOURCE, Mpi.ANY_TAG, Datatype.BYTE, 0, false);

    /** The status of a cancelled operation. */
    public static final Status CANCELLED = new Status(Mpi.ANY_SOURCE, Mpi.ANY_TAG, Datatype.BYTE, 0, true);

    /** Validates the components. */
    public Status {
        java.util.Objects.requireNonNull(datatype, "datatype");
        if (bytes < 0) {
            throw new IllegalArgumentException("bytes < 0: " + bytes);
        }
    }

    /**
     * Returns the number of elements of {@link #datatype()} in the message.
     *
     * @throws ArithmeticException if the count does not fit an {@code int}
     */
    public int count() {
        return Math.toIntExact(bytes / datatype.extent());
    }
}
