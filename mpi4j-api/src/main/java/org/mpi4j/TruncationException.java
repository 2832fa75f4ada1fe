package org.mpi4j;

/**
 * A message was larger than the buffer posted to receive it.
 *
 * <p>The message is consumed (as in MPI): it matched the receive, and its data is lost.
 */
public final class TruncationException extends MpiException {
    private static final long serialVersionUID = 1L;

    private final long messageBytes;
    private final long bufferBytes;

    /** Creates the exception for a message of {@code messageBytes} and a buffer of {@code bufferBytes}. */
    public TruncationException(String message, long messageBytes, long bufferBytes) {
        super(ErrorClass.TRUNCATE, message);
        this.messageBytes = messageBytes;
        this.bufferBytes = bufferBytes;
    }

    /** Returns the size of the message in bytes. */
    public long messageBytes() {
        return messageBytes;
    }

    /** Returns the size of the receive buffer in bytes. */
    public long bufferBytes() {
        return bufferBytes;
    }
}
