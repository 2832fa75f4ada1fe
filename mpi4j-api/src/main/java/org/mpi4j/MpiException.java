package org.mpi4j;

/**
 * The root of every exception mpi4j throws for misuse and failure.
 *
 * <p>Each carries an {@link ErrorClass}; messages name the operation and the violated
 * condition, e.g. {@code "send: dest 7 is out of range for a communicator of size 4"}.
 * Null arguments are the one exception: they throw {@link NullPointerException}, as
 * everywhere in Java.
 */
public class MpiException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final ErrorClass errorClass;

    /** Creates an exception of the given class. */
    public MpiException(ErrorClass errorClass, String message) {
        this(errorClass, message, null);
    }

    /** Creates an exception of the given class with a cause. */
    public MpiException(ErrorClass errorClass, String message, Throwable cause) {
        super(message, cause);
        this.errorClass = java.util.Objects.requireNonNull(errorClass, "errorClass");
    }

    /** Returns the category of this error. */
    public ErrorClass errorClass() {
        return errorClass;
    }
}
