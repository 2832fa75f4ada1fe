package org.mpi4j;

import java.util.Arrays;
import java.util.List;

/**
 * A send or receive set up once and started many times, as in a solver's halo exchange.
 * Made by {@link Comm#sendInit}, {@link Comm#ssendInit} and {@link Comm#recvInit}; it starts
 * inactive, and each {@link #start()} runs the operation once, to be waited on as usual.
 * Waiting on an inactive request returns at once.
 *
 * <pre>{@code
 * PersistentRequest send = comm.sendInit(Buf.of(edge), right, 0);
 * PersistentRequest recv = comm.recvInit(Buf.of(halo), left, 0);
 * for (int step = 0; step < steps; step++) {
 *     PersistentRequest.startAll(send, recv);
 *     Request.waitAll(send, recv);
 * }
 * }</pre>
 */
public interface PersistentRequest extends Request<Status> {

    /**
     * Starts the operation.
     *
     * @throws MpiException if it is already active
     */
    void start();

    /** Starts every request, in order. */
    static void startAll(PersistentRequest... requests) {
        startAll(Arrays.asList(requests));
    }

    /** Starts every request, in order. */
    static void startAll(List<? extends PersistentRequest> requests) {
        for (PersistentRequest r : requests) {
            r.start();
        }
    }
}
