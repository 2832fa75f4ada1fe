package org.mpi4j;

/**
 * The job was aborted because one of its ranks failed: it threw an uncaught exception,
 * called {@link Comm#abort(int)}, or died.
 *
 * <p>Every blocked or later operation on every other rank throws this, naming the failed
 * rank (in the world communicator) and carrying its cause, so one failing rank can never
 * leave the others hanging.
 */
public final class JobAbortedException extends MpiException {
    private static final long serialVersionUID = 1L;

    private final int failedRank;
    private final int errorCode;

    /**
     * Creates the exception.
     *
     * @param failedRank the world rank that failed first
     * @param errorCode the error code it aborted with (1 for an uncaught exception)
     * @param message what happened
     * @param cause the failed rank's exception, or null
     */
    public JobAbortedException(int failedRank, int errorCode, String message, Throwable cause) {
        super(ErrorClass.ABORTED, message, cause);
        this.failedRank = failedRank;
        this.errorCode = errorCode;
    }

    /** Returns the world rank whose failure aborted the job. */
    public int failedRank() {
        return failedRank;
    }

    /** Returns the error code the job was aborted with. */
    public int errorCode() {
        return errorCode;
    }
}
