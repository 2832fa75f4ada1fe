package org.mpi4j;

import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.mpi4j.spi.RequestWaits;

/**
 * A non-blocking operation in progress, returned by {@code isend}, {@code irecv} and their
 * kin. The request keeps the operation's buffer alive until it completes.
 *
 * <p>Waiting is done with {@link #waitFor()} (named so because {@code wait} belongs to
 * {@code Object}) or one of the static forms over many requests. A request may be waited on
 * from any thread. If the operation fails — a truncated message, or the job aborted because
 * another rank failed — waiting throws the failure.
 *
 * <pre>{@code
 * Request<Status> send = comm.isend(Buf.of(out), right, 0);
 * Request<double[]> recv = comm.irecv(left, 0);      // an object receive yields the object
 * Request.waitAll(send, recv);
 * double[] halo = recv.waitFor();
 * }</pre>
 *
 * <p>Requests are made by mpi4j only; the interface is not for implementing.
 *
 * @param <T> the result of {@link #waitFor()}: the {@link Status} for buffer operations and
 *     sends, the received object for object receives
 */
public interface Request<T> {

    /**
     * Blocks until the operation completes and returns its result.
     *
     * @throws MpiException if the operation failed
     */
    T waitFor();

    /**
     * Returns whether the operation has completed, without blocking.
     *
     * @throws MpiException if the operation failed
     */
    boolean test();

    /**
     * Returns the status of the completed operation.
     *
     * @throws MpiException if the operation has not completed yet, or failed
     */
    Status status();

    /**
     * Asks for the operation to be cancelled. Either the cancellation succeeds, and the
     * request completes with {@link Status#cancelled()} set, or the operation completes
     * normally; waiting is still needed to learn which. A receive that has not matched a
     * message is always cancelled. A send may be cancelled while no receive has matched it:
     * a synchronous or large send that still waits for its receiver is; a small one the
     * engine has already buffered has completed, and is not.
     */
    void cancel();

    /**
     * Returns a future that completes with this request's result, or exceptionally with its
     * failure. The future completes on the thread that completes the operation.
     */
    CompletableFuture<T> toFuture();

    /** Waits for every request; then throws the first failure, if any. Nulls are skipped. */
    static void waitAll(Request<?>... requests) {
        RequestWaits.waitAll(Arrays.asList(requests));
    }

    /** Waits for every request; then throws the first failure, if any. Nulls are skipped. */
    static void waitAll(List<? extends Request<?>> requests) {
        RequestWaits.waitAll(requests);
    }

    /**
     * Waits until one request completes and returns its index, or {@link Mpi#UNDEFINED} if all
     * are null. Throws that request's failure if it failed.
     */
    static int waitAny(Request<?>... requests) {
        return RequestWaits.waitAny(Arrays.asList(requests));
    }

    /** As {@link #waitAny(Request[])}, over a list. */
    static int waitAny(List<? extends Request<?>> requests) {
        return RequestWaits.waitAny(requests);
    }

    /**
     * Waits until at least one request completes, and returns the indices of all that have;
     * an empty array if every entry is null.
     */
    static int[] waitSome(Request<?>... requests) {
        return RequestWaits.waitSome(Arrays.asList(requests));
    }

    /** As {@link #waitSome(Request[])}, over a list. */
    static int[] waitSome(List<? extends Request<?>> requests) {
        return RequestWaits.waitSome(requests);
    }

    /** Returns whether every request has completed, without blocking. */
    static boolean testAll(Request<?>... requests) {
        return RequestWaits.testAll(Arrays.asList(requests));
    }

    /** As {@link #testAll(Request[])}, over a list. */
    static boolean testAll(List<? extends Request<?>> requests) {
        return RequestWaits.testAll(requests);
    }

    /** Returns the index of a completed request, or {@link Mpi#UNDEFINED}, without blocking. */
    static int testAny(Request<?>... requests) {
        return RequestWaits.testAny(Arrays.asList(requests));
    }

    /** As {@link #testAny(Request[])}, over a list. */
    static int testAny(List<? extends Request<?>> requests) {
        return RequestWaits.testAny(requests);
    }
}
