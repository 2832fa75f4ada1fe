package org.mpi4j;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;

/**
 * How a waiting thread spends its time while the operation it waits for has not completed.
 *
 * <p>A strategy is stateless: the waiter passes the number of times in a row it has found
 * nothing to do, and the strategy decides whether to spin, yield or park. A completing
 * operation unparks its waiter, so parking costs no latency beyond the wake-up itself.
 * One instance serves every thread.
 *
 * <p>Spinning gives the lowest latency when every rank has a core of its own; parking lets
 * many more ranks than cores make progress (64 ranks on 2 cores), because a parked rank
 * gives its core to one that has work. {@link #backoff(int, int, Duration, Duration)}
 * combines them, and is what engines use by default, with spin and yield counts chosen
 * from the number of ranks per core.
 */
@FunctionalInterface
public interface IdleStrategy {

    /**
     * Idles once.
     *
     * @param idleCount how many times in a row the caller has found nothing to do, from 0
     */
    void idle(int idleCount);

    /**
     * Returns whether {@link #idle(int)} may park the thread at this count. A waiter that is
     * about to park first tells its engine, so that whatever could complete its operation
     * (a message arriving for it) unparks it; a spinning waiter needs no such wake-up, and
     * costs its peers nothing. The default, true, is always safe.
     */
    default boolean parks(int idleCount) {
        return true;
    }

    /** Spins on the CPU without ever giving it up: lowest latency, one core per waiter. */
    static IdleStrategy spinning() {
        return new Backoff(Integer.MAX_VALUE, 0, 1, 1);
    }

    /** Yields the CPU to other threads at every idle step. */
    static IdleStrategy yielding() {
        return new Backoff(0, Integer.MAX_VALUE, 1, 1);
    }

    /** Parks for up to {@code maxPark} at every idle step (completion wakes the waiter at once). */
    static IdleStrategy parking(Duration maxPark) {
        long nanos = positiveNanos(maxPark, "maxPark");
        return new Backoff(0, 0, nanos, nanos);
    }

    /**
     * Spins {@code spins} times, then yields {@code yields} times, then parks for
     * {@code minPark}, doubling up to {@code maxPark}.
     *
     * @throws IllegalArgumentException if a count is negative, a duration is not positive,
     *     or {@code minPark > maxPark}
     */
    static IdleStrategy backoff(int spins, int yields, Duration minPark, Duration maxPark) {
        if (spins < 0) {
            throw new IllegalArgumentException("spins < 0: " + spins);
        }
        if (yields < 0) {
            throw new IllegalArgumentException("yields < 0: " + yields);
        }
        long min = positiveNanos(minPark, "minPark");
        long max = positiveNanos(maxPark, "maxPark");
        if (min > max) {
            throw new IllegalArgumentException("minPark " + minPark + " > maxPark " + maxPark);
        }
        return new Backoff(spins, yields, min, max);
    }

    /**
     * Returns the default strategy for {@code waiters} busy threads sharing {@code cores}
     * cores: spin first when each waiter can have a core, otherwise yield and park soon.
     *
     * <p>A parked waiter is woken when something arrives for it; its park timeout is only a
     * safety net. The net must not become the load: a thousand waiters that each wake every
     * millisecond to look for nothing keep two cores busy switching threads, so the longest
     * park grows with the waiters per core, keeping such wake-ups near 20,000 per second per
     * core (1 ms up to 40 waiters per core, 25 ms for 1024 ranks on two cores).
     */
    static IdleStrategy forLoad(int waiters, int cores) {
        if (waiters <= cores) {
            return backoff(20_000, 50, Duration.ofNanos(1_000), Duration.ofMillis(1));
        }
        long maxParkNanos = Math.max(1_000_000L, waiters * 50_000L / Math.max(1, cores));
        return backoff(50, 10, Duration.ofNanos(1_000), Duration.ofNanos(maxParkNanos));
    }

    /** Spin, then yield, then park with a doubling timeout: every built-in strategy is one of these. */
    record Backoff(int spins, int yields, long minParkNanos, long maxParkNanos) implements IdleStrategy {
        @Override
        public void idle(int idleCount) {
            if (idleCount < spins) {
                Thread.onSpinWait();
            } else if (idleCount - spins < yields) {
                Thread.yield();
            } else {
                int doublings = Math.min(idleCount - spins - yields, 62);
                long nanos = minParkNanos << doublings;
                LockSupport.parkNanos(nanos <= 0 || nanos > maxParkNanos ? maxParkNanos : nanos);
            }
        }

        @Override
        public boolean parks(int idleCount) {
            return idleCount >= spins && idleCount - spins >= yields;
        }
    }

    private static long positiveNanos(Duration d, String name) {
        java.util.Objects.requireNonNull(d, name);
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + " must be positive: " + d);
        }
        return d.toNanos();
    }
}
