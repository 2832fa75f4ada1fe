package org.mpi4j;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.mpi4j.spi.JobSpi;
import org.mpi4j.spi.RankSpi;
import org.mpi4j.spi.Settings;

/**
 * A job whose ranks are threads of this JVM, made by {@link Mpi#local(int)}: configure it,
 * then {@link #run} a body on every rank.
 *
 * <pre>{@code
 * List<Long> sums = Mpi.local(4)
 *         .timeout(Duration.ofSeconds(30))
 *         .run(world -> (long) world.rank());
 * }</pre>
 *
 * <p>If any rank throws, the job is aborted: every other rank's blocked or later operation
 * fails promptly with a {@link JobAbortedException} naming the failed rank, and
 * {@code run} throws a {@code JobAbortedException} whose cause is the failed rank's
 * exception. With a {@linkplain #timeout timeout}, a job that does not finish in time is
 * aborted with a report of what each rank was blocked in. A job is never left hanging on a
 * failed rank.
 *
 * <p>Each call to {@code run} creates a fresh job; a {@code LocalJob} can be run many times,
 * also concurrently.
 */
public final class LocalJob {
    /** The setting for a default timeout, e.g. {@code mpi4j.timeout=PT60S} or {@code 60s}. */
    public static final String TIMEOUT = "mpi4j.timeout";

    private final int ranks;
    private final Map<String, Object> settings = new HashMap<>();
    private Duration timeout;

    LocalJob(int ranks) {
        this.ranks = ranks;
    }

    /** Uses {@code codec} for objects instead of the default {@link Codec#fory()}. */
    public LocalJob codec(Codec codec) {
        settings.put("mpi4j.codec", Objects.requireNonNull(codec, "codec"));
        return this;
    }

    /** Uses {@code idle} for waiting instead of the default chosen from ranks per core. */
    public LocalJob idleStrategy(IdleStrategy idle) {
        settings.put("mpi4j.idle", Objects.requireNonNull(idle, "idle"));
        return this;
    }

    /**
     * Aborts the job if it has not finished within {@code timeout}, reporting what each rank
     * was doing.
     */
    public LocalJob timeout(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative() || timeout.isZero()) {
            throw new MpiException(ErrorClass.ARG, "LocalJob.timeout must be positive: " + timeout);
        }
        this.timeout = timeout;
        return this;
    }

    /**
     * Sets an engine setting for this job, such as {@code mpi4j.eager.limit}; settings given
     * here take precedence over system properties and environment variables.
     */
    public LocalJob set(String key, Object value) {
        settings.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
        return this;
    }

    /** Runs {@code body} on every rank and returns nothing; see {@link #run}. */
    public void execute(RankAction body) {
        Objects.requireNonNull(body, "body");
        run(world -> {
            body.accept(world);
            return null;
        });
    }

    /**
     * Runs {@code body} on every rank, each in a thread of its own, and returns each rank's
     * result, indexed by rank.
     *
     * @throws JobAbortedException if a rank failed; its cause is that rank's exception
     * @throws MpiException of class {@link ErrorClass#TIMEOUT} if the job timed out
     */
    public <T> List<T> run(RankFunction<T> body) {
        Objects.requireNonNull(body, "body");
        Settings s = Settings.of(settings);
        Duration limit = timeout != null ? timeout : parseTimeout(s.get(TIMEOUT, null));
        JobSpi job = Engines.byName(Engines.DEFAULT).createJob(ranks, s);
        Object[] results = new Object[ranks];
        Throwable[] errors = new Throwable[ranks];
        Thread[] threads = new Thread[ranks];
        for (int r = 0; r < ranks; r++) {
            int rank = r;
            threads[r] = Thread.ofPlatform().name("mpi4j-rank-" + r).daemon(true).unstarted(() -> {
                RankSpi rs = job.rank(rank);
                Mpi mpi = new Mpi(rs, true);
                try {
                    results[rank] = ScopedValue.where(Mpi.CURRENT, mpi).call(() -> body.apply(mpi.world()));
                } catch (Throwable t) {
                    errors[rank] = t;
                    rs.abort(1, t);
                } finally {
                    rs.close();
                }
            });
        }
        for (Thread t : threads) {
            t.start();
        }
        long deadline = limit == null ? Long.MAX_VALUE : System.nanoTime() + limit.toNanos();
        if (!joinAll(threads, deadline)) {
            String report = describe(job, threads);
            MpiException timedOut = new MpiException(ErrorClass.TIMEOUT, "the job of " + ranks
                    + " ranks did not finish within " + limit + "; what each rank was doing:\n" + report);
            job.abort(new JobAbortedException(Mpi.UNDEFINED, 1, "the job was aborted: it timed out after " + limit, timedOut));
            if (!joinAll(threads, System.nanoTime() + TimeUnit.SECONDS.toNanos(10))) {
                timedOut.addSuppressed(new MpiException(ErrorClass.TIMEOUT,
                        "some ranks are still running user code and could not be stopped:\n" + describe(job, threads)));
            }
            throw timedOut;
        }
        JobAbortedException failure = job.failure();
        if (failure != null) {
            JobAbortedException e = new JobAbortedException(failure.failedRank(), failure.errorCode(),
                    failure.getMessage(), failure.getCause());
            for (Throwable t : errors) {
                if (t != null && t != failure.getCause() && !(t instanceof JobAbortedException)) {
                    e.addSuppressed(t);
                }
            }
            throw e;
        }
        @SuppressWarnings("unchecked")
        List<T> out = (List<T>) Collections.unmodifiableList(Arrays.asList(results));
        return out;
    }

    private static boolean joinAll(Thread[] threads, long deadline) {
        boolean interrupted = false;
        try {
            for (Thread t : threads) {
                while (t.isAlive()) {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        return false;
                    }
                    try {
                        t.join(Duration.ofNanos(Math.min(left, TimeUnit.SECONDS.toNanos(1))));
                    } catch (InterruptedException e) {
                        interrupted = true;
                    }
                }
            }
            return true;
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** What each rank's thread is doing (state and where in the code) and what it waits for. */
    static String describe(JobSpi job, Thread[] threads) {
        StringBuilder sb = new StringBuilder();
        sb.append(job.describeState());
        sb.append("threads:\n");
        for (Thread t : threads) {
            sb.append("  ").append(t.getName()).append(" ").append(t.getState()).append('\n');
            if (t.isAlive()) {
                StackTraceElement[] st = t.getStackTrace();
                List<StackTraceElement> shown = new ArrayList<>();
                for (StackTraceElement e : st) {
                    shown.add(e);
                    if (shown.size() == 12) {
                        break;
                    }
                }
                for (StackTraceElement e : shown) {
                    sb.append("      at ").append(e).append('\n');
                }
            }
        }
        return sb.toString();
    }

    static Duration parseTimeout(String s) {
        if (s == null || s.isBlank()) {
            return null;
        }
        String t = s.trim();
        try {
            if (t.startsWith("P") || t.startsWith("p")) {
                return Duration.parse(t);
            }
            if (t.endsWith("ms")) {
                return Duration.ofMillis(Long.parseLong(t.substring(0, t.length() - 2)));
            }
            if (t.endsWith("s")) {
                return Duration.ofSeconds(Long.parseLong(t.substring(0, t.length() - 1)));
            }
            if (t.endsWith("m")) {
                return Duration.ofMinutes(Long.parseLong(t.substring(0, t.length() - 1)));
            }
            return Duration.ofSeconds(Long.parseLong(t));
        } catch (RuntimeException e) {
            throw new MpiException(ErrorClass.ARG, "setting " + TIMEOUT + "=" + s
                    + " is not a duration (e.g. 60, 60s, 500ms, 2m or PT1M)");
        }
    }
}
