package org.mpi4j.spi;

import org.mpi4j.IdleStrategy;

/** What a waiting thread needs from its engine: how to idle, how to make progress, how to learn of failure. */
public interface Progress {

    /** Returns the idle strategy for waiters. */
    IdleStrategy idleStrategy();

    /**
     * Makes what progress the engine can on the caller's thread (polls rings, sockets or the
     * native library) and returns the amount of work done; 0 when there was nothing to do.
     * Engines that progress on delivery return 0.
     */
    int progress();

    /** Throws the job's {@link org.mpi4j.JobAbortedException} if it has been aborted. */
    void checkFailure();

    /**
     * Tells the engine that the calling thread is about to park ({@code true}) or has woken
     * ({@code false}), so that an engine whose progress depends on its waiters polling can
     * unpark them when there is something to poll. Between the two, the waiter polls once
     * more before it parks, so a wake-up cannot be lost.
     */
    default void parking(boolean parked) {
    }

    /**
     * Promises that {@code request} completes even if no thread waits on, tests or probes
     * this rank again: {@link AbstractRequest#toFuture()} calls this, so a future's callbacks
     * run without the program having to drive progress. Engines whose progress needs polling
     * poll in the background until the request is done; others need do nothing.
     */
    default void progressInBackground(AbstractRequest<?> request) {
    }
}
