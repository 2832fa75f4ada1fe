package org.mpi4j.spi;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Function;
import org.mpi4j.Buf;
import org.mpi4j.ErrorClass;
import org.mpi4j.JobAbortedException;
import org.mpi4j.MpiException;
import org.mpi4j.Request;
import org.mpi4j.Status;

/**
 * The one implementation base of {@link Request}: a completion state machine that engines
 * complete or fail, and that users wait on.
 *
 * <p>Completion publishes the status with a release store of the state; waiters read the
 * state with acquire semantics. A waiter registers its thread before it parks, and
 * completion unparks it, so a parked waiter costs one wake-up and nothing more. Exactly one
 * of {@link #complete} and {@link #fail} takes effect; the other returns false, which is
 * how a completion racing with an abort is resolved.
 *
 * @param <T> the result: the {@link Status} for buffer operations, the object for object receives
 */
public abstract class AbstractRequest<T> implements Request<T> {

    static final int PENDING = 0;
    static final int COMPLETING = 1;
    static final int DONE = 2;
    static final int FAILED = 3;

    private static final VarHandle STATE;

    static {
        try {
            STATE = MethodHandles.lookup().findVarHandle(AbstractRequest.class, "state", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** The engine progress this request waits with. */
    protected final Progress progress;
    private final Function<? super Buf, ? extends T> decoder;

    private volatile int state;
    private Status status;
    private Buf payload;
    private RuntimeException failure;
    private volatile Thread waiter;
    private volatile boolean hasListeners;
    private List<Runnable> listeners; // guarded by this
    private T value; // guarded by this
    private boolean decoded; // guarded by this
    private boolean hasValue; // written before the release store of state

    /** Creates a pending request whose result is its status. */
    protected AbstractRequest(Progress progress) {
        this(progress, null);
    }

    /**
     * Creates a pending request whose result is {@code decoder} applied to the payload
     * passed to {@link #complete(Status, Buf)}.
     */
    protected AbstractRequest(Progress progress, Function<? super Buf, ? extends T> decoder) {
        this.progress = progress;
        this.decoder = decoder;
    }

    // ------------------------------------------------------------------ engine side

    /** Completes the request with {@code status}; returns false if it had already completed or failed. */
    public final boolean complete(Status status) {
        return complete(status, null);
    }

    /**
     * Completes the request with {@code status} and, for receives of any size, the buffer
     * the message was received into. Returns false if it had already completed or failed.
     */
    public final boolean complete(Status status, Buf payload) {
        if (!STATE.compareAndSet(this, PENDING, COMPLETING)) {
            return false;
        }
        this.status = status;
        this.payload = payload;
        state = DONE;
        signal();
        return true;
    }

    /**
     * Completes the request with {@code status} and a result computed by the engine, such as
     * what a non-blocking collective produced. Returns false if it had already completed or
     * failed.
     */
    public final boolean completeWithValue(Status status, T result) {
        if (!STATE.compareAndSet(this, PENDING, COMPLETING)) {
            return false;
        }
        this.status = status;
        synchronized (this) {
            this.value = result;
            this.decoded = true;
        }
        this.hasValue = true;
        state = DONE;
        signal();
        return true;
    }

    /** Fails the request; returns false if it had already completed or failed. */
    public final boolean fail(RuntimeException cause) {
        if (!STATE.compareAndSet(this, PENDING, COMPLETING)) {
            return false;
        }
        this.failure = cause;
        state = FAILED;
        signal();
        return true;
    }

    /**
     * Returns a completed request to the pending state, for persistent requests.
     *
     * @throws MpiException if the request is still pending
     */
    protected final void reactivate() {
        int s = state;
        if (s == PENDING || s == COMPLETING || !STATE.compareAndSet(this, s, PENDING)) {
            throw new MpiException(ErrorClass.REQUEST, "start: the request is already active");
        }
        synchronized (this) {
            status = null;
            payload = null;
            failure = null;
            value = null;
            decoded = false;
            hasValue = false;
        }
    }

    private void signal() {
        Thread w = waiter;
        if (w != null && w != Thread.currentThread()) {
            LockSupport.unpark(w);
        }
        if (hasListeners) {
            runListeners();
        }
    }

    /** Returns whether the request has completed or failed. */
    public final boolean isComplete() {
        return state >= DONE;
    }

    /** Returns the thread last seen waiting on this request, for diagnostics; may be stale. */
    public final Thread waiter() {
        return waiter;
    }

    final void setWaiter(Thread t) {
        waiter = t;
    }

    /** Returns the progress this request waits with. */
    public final Progress progress() {
        return progress;
    }

    /**
     * Describes the operation for diagnostics, e.g. {@code "recv(source=1, tag=7) on WORLD"}:
     * what a watchdog prints for a rank blocked on this request.
     */
    public abstract String describe();

    /**
     * Runs {@code action} once, when the request completes or fails (at once if it already
     * has), on the completing thread.
     */
    public final void onCompletion(Runnable action) {
        java.util.concurrent.atomic.AtomicBoolean ran = new java.util.concurrent.atomic.AtomicBoolean();
        Runnable once = () -> {
            if (ran.compareAndSet(false, true)) {
                action.run();
            }
        };
        synchronized (this) {
            if (listeners == null) {
                listeners = new ArrayList<>(2);
            }
            listeners.add(once);
        }
        hasListeners = true;
        if (isComplete()) {
            runListeners();
        }
    }

    private void runListeners() {
        List<Runnable> run;
        synchronized (this) {
            run = listeners;
            listeners = null;
        }
        if (run != null) {
            for (Runnable r : run) {
                r.run();
            }
        }
    }

    // ------------------------------------------------------------------ user side

    @Override
    public final boolean test() {
        if (state < DONE) {
            progress.progress();
            if (state < DONE) {
                progress.checkFailure();
                return false;
            }
        }
        if (state == FAILED) {
            throw rethrow();
        }
        return true;
    }

    @Override
    public final T waitFor() {
        RequestWaits.await(this);
        return result();
    }

    @Override
    public final Status status() {
        int s = state;
        if (s < DONE) {
            throw new MpiException(ErrorClass.REQUEST, "status(): " + describe() + " has not completed");
        }
        if (s == FAILED) {
            throw rethrow();
        }
        return status;
    }

    @Override
    public void cancel() {
        // Nothing to cancel by default: the operation completes on its own.
    }

    @Override
    public CompletableFuture<T> toFuture() {
        CompletableFuture<T> future = new CompletableFuture<>();
        onCompletion(() -> {
            try {
                future.complete(result());
            } catch (Throwable t) {
                future.completeExceptionally(t);
            }
        });
        if (!isComplete()) {
            progress.progressInBackground(this);
        }
        return future;
    }

    /** Returns the result of a completed request, decoding it on first use; throws its failure. */
    final T result() {
        if (state == FAILED) {
            throw rethrow();
        }
        if (decoder == null && !hasValue) {
            @SuppressWarnings("unchecked")
            T t = (T) status;
            return t;
        }
        synchronized (this) {
            if (!decoded) {
                value = payload == null ? null : decoder.apply(payload);
                payload = null;
                decoded = true;
            }
            return value;
        }
    }

    /** Returns the failure, for the waiter to throw. */
    final RuntimeException rethrow() {
        RuntimeException f = failure;
        if (f instanceof JobAbortedException j) {
            // A fresh exception per waiter, so each rank's stack trace shows where it was.
            return new JobAbortedException(j.failedRank(), j.errorCode(), j.getMessage(), j.getCause());
        }
        return f;
    }

    final boolean failed() {
        return state == FAILED;
    }

    @Override
    public String toString() {
        int s = state;
        return describe() + (s >= DONE ? (s == FAILED ? " [failed]" : " [complete]") : " [pending]");
    }
}
