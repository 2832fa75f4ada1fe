package org.mpi4j;

/**
 * An object received together with the status of its message.
 *
 * @param value the received object (null if null was sent, or the source was {@link Mpi#PROC_NULL})
 * @param status the message's status
 * @param <T> the object's type
 */
public record Received<T>(T value, Status status) {
    /** Validates the components. */
    public Received {
        java.util.Objects.requireNonNull(status, "status");
    }
}
