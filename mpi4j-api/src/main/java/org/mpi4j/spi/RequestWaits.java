package org.mpi4j.spi;

import java.util.Collection;
import java.util.List;
import org.mpi4j.ErrorClass;
import org.mpi4j.Mpi;
import org.mpi4j.MpiException;
import org.mpi4j.Request;

/**
 * Waiting on one or many requests: the bodies of {@link Request}'s static methods. Null
 * entries are inactive requests and are skipped, as MPI skips {@code MPI_REQUEST_NULL}.
 */
public final class RequestWaits {
    private RequestWaits() {
    }

    /** Blocks until {@code r} completes or fails (without throwing its failure). */
    static void await(AbstractRequest<?> r) {
        if (r.isComplete()) {
            return;
        }
        Progress p = r.progress;
        org.mpi4j.IdleStrategy idle = p.idleStrategy();
        Thread me = Thread.currentThread();
        r.setWaiter(me);
        boolean interrupted = false;
        int idleCount = 0;
        while (!r.isComplete()) {
            if (p.progress() > 0) {
                idleCount = 0;
                continue;
            }
            if (r.isComplete()) {
                break;
            }
            p.checkFailure();
            idleOnce(p, idle, idleCount, r);
            idleCount = idleCount == Integer.MAX_VALUE ? idleCount : idleCount + 1;
            if (Thread.interrupted()) {
                interrupted = true; // MPI waits are not interruptible; keep the flag for the caller
            }
        }
        if (interrupted) {
            me.interrupt();
        }
    }

    /**
     * Idles once. Before a park the engine is told, and polled once more, so a message that
     * arrives between the last poll and the park wakes the waiter instead of being missed.
     */
    private static void idleOnce(Progress p, org.mpi4j.IdleStrategy idle, int idleCount, AbstractRequest<?> r) {
        if (!idle.parks(idleCount)) {
            idle.idle(idleCount);
            return;
        }
        p.parking(true);
        try {
            if (p.progress() == 0 && (r == null || !r.isComplete())) {
                idle.idle(idleCount);
            }
        } finally {
            p.parking(false);
        }
    }

    static AbstractRequest<?> core(Request<?> r) {
        if (r instanceof AbstractRequest<?> a) {
            return a;
        }
        throw new MpiException(ErrorClass.REQUEST, "not a request made by mpi4j: " + r.getClass().getName());
    }

    /** See {@link Request#waitAll(Request[])}. */
    public static void waitAll(List<? extends Request<?>> requests) {
        RuntimeException first = null;
        for (Request<?> r : requests) {
            if (r == null) {
                continue;
            }
            AbstractRequest<?> a = core(r);
            await(a);
            if (a.failed() && first == null) {
                first = a.rethrow();
            }
        }
        if (first != null) {
            throw first;
        }
    }

    /** See {@link Request#waitAny(Request[])}. */
    public static int waitAny(List<? extends Request<?>> requests) {
        int n = requests.size();
        AbstractRequest<?>[] rs = new AbstractRequest<?>[n];
        Progress p = null;
        for (int i = 0; i < n; i++) {
            Request<?> r = requests.get(i);
            if (r != null) {
                rs[i] = core(r);
                p = rs[i].progress;
            }
        }
        if (p == null) {
            return Mpi.UNDEFINED;
        }
        Thread me = Thread.currentThread();
        for (AbstractRequest<?> a : rs) {
            if (a != null) {
                a.setWaiter(me);
            }
        }
        org.mpi4j.IdleStrategy idle = p.idleStrategy();
        int idleCount = 0;
        boolean interrupted = false;
        while (true) {
            for (int i = 0; i < n; i++) {
                if (rs[i] != null && rs[i].isComplete()) {
                    if (interrupted) {
                        me.interrupt();
                    }
                    if (rs[i].failed()) {
                        throw rs[i].rethrow();
                    }
                    return i;
                }
            }
            if (p.progress() > 0) {
                idleCount = 0;
                continue;
            }
            p.checkFailure();
            idleOnce(p, idle, idleCount, null);
            idleCount = idleCount == Integer.MAX_VALUE ? idleCount : idleCount + 1;
            if (Thread.interrupted()) {
                interrupted = true;
            }
        }
    }

    /** See {@link Request#waitSome(Request[])}. */
    public static int[] waitSome(List<? extends Request<?>> requests) {
        int any = waitAny(requests);
        if (any == Mpi.UNDEFINED) {
            return new int[0];
        }
        return completed(requests);
    }

    /** See {@link Request#testAll(Request[])}. */
    public static boolean testAll(List<? extends Request<?>> requests) {
        boolean all = true;
        for (Request<?> r : requests) {
            if (r != null && !r.test()) {
                all = false;
            }
        }
        return all;
    }

    /** See {@link Request#testAny(Request[])}. */
    public static int testAny(List<? extends Request<?>> requests) {
        for (int i = 0; i < requests.size(); i++) {
            Request<?> r = requests.get(i);
            if (r != null && r.test()) {
                return i;
            }
        }
        return Mpi.UNDEFINED;
    }

    private static int[] completed(Collection<? extends Request<?>> requests) {
        int[] out = new int[requests.size()];
        int k = 0;
        int i = 0;
        RuntimeException first = null;
        for (Request<?> r : requests) {
            if (r != null) {
                AbstractRequest<?> a = core(r);
                if (a.isComplete()) {
                    out[k++] = i;
                    if (a.failed() && first == null) {
                        first = a.rethrow();
                    }
                }
            }
            i++;
        }
        if (first != null) {
            throw first;
        }
        return java.util.Arrays.copyOf(out, k);
    }
}
