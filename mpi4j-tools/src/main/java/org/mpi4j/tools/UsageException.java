package org.mpi4j.tools;

/** A command line that cannot be run: the message names the problem in one line. */
final class UsageException extends Exception {
    private static final long serialVersionUID = 1L;

    UsageException(String message) {
        super(message, null, false, false);
    }
}
