package org.mpi4j.engine.local;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.mpi4j.Codec;
import org.mpi4j.ErrorClass;
import org.mpi4j.IdleStrategy;
import org.mpi4j.JobAbortedException;
import org.mpi4j.Mpi;
import org.mpi4j.MpiException;
import org.mpi4j.matching.Endpoint;
import org.mpi4j.spi.JobSpi;
import org.mpi4j.spi.RankSpi;
import org.mpi4j.spi.Settings;
import org.mpi4j.transport.HostileFabric;
import org.mpi4j.transport.LocalFabric;

/**
 * A local job: its ranks' endpoints, the fabric that joins them, and the job's failure.
 *
 * <p>Settings read here:
 * <ul>
 *   <li>{@code mpi4j.eager.limit} — the largest message, in bytes, sent eagerly; default 16384;</li>
 *   <li>{@code mpi4j.codec} — a {@link Codec} instance, or "fory" (default) or "java";</li>
 *   <li>{@code mpi4j.idle} — an {@link IdleStrategy} instance; default chosen from ranks per core;</li>
 *   <li>{@code mpi4j.transport.hostile} — a seed: run over the hostile test fabric.</li>
 * </ul>
 */
final class LocalJobSpi implements JobSpi {
    static final String EAGER_LIMIT = "mpi4j.eager.limit";
    static final String IDLE = "mpi4j.idle";
    static final String HOSTILE = "mpi4j.transport.hostile";
    /**
     * Messages up to this size are copied into the frame and may be buffered at the receiver;
     * larger ones wait for the receive and are copied once. At 64 KiB every eager message
     * allocated a fresh 64 KiB array and was copied twice: 64 KiB streaming ran at 0.06x
     * memcpy; at 16 KiB it runs at 0.33x (LocalPingPong, same run).
     */
    static final int DEFAULT_EAGER_LIMIT = 16 * 1024;

    private final int size;
    private final Settings settings;
    private final Endpoint[] endpoints;
    private final LocalRank[] ranks;
    private final Codec codec;
    private final String processorName;
    private final LocalFabric fabric;
    private final HostileFabric hostile;
    private final AtomicReference<JobAbortedException> failure = new AtomicReference<>();
    private final AtomicInteger open;

    LocalJobSpi(int size, Settings settings) {
        this.size = size;
        this.settings = settings;
        this.codec = settings.codec();
        this.processorName = hostName();
        int eager = settings.getInt(EAGER_LIMIT, DEFAULT_EAGER_LIMIT, 0, Integer.MAX_VALUE);
        IdleStrategy idle = settings.getObject(IDLE, IdleStrategy.class,
                IdleStrategy.forLoad(size, Runtime.getRuntime().availableProcessors()));
        this.fabric = new LocalFabric(size, eager);
        String seed = settings.get(HOSTILE, null);
        this.hostile = seed == null ? null : new HostileFabric(fabric, size, parseSeed(seed),
                t -> abort(new JobAbortedException(Mpi.UNDEFINED, 1,
                        "the job was aborted: delivering a frame failed: " + t, t)));
        this.endpoints = new Endpoint[size];
        this.ranks = new LocalRank[size];
        for (int r = 0; r < size; r++) {
            endpoints[r] = new Endpoint(r, size, hostile != null ? hostile.transport(r) : fabric.transport(r), idle);
            fabric.register(r, endpoints[r]);
            ranks[r] = new LocalRank(this, r, endpoints[r]);
        }
        this.open = new AtomicInteger(size);
    }

    private static long parseSeed(String s) {
        try {
            return Long.parseLong(s.trim());
        } catch (NumberFormatException e) {
            throw new MpiException(ErrorClass.ARG, "setting " + HOSTILE + "=" + s + " is not a seed (a long)");
        }
    }

    private static String hostName() {
        try {
            String h = Files.readString(Path.of("/proc/sys/kernel/hostname")).trim();
            if (!h.isEmpty()) {
                return h;
            }
        } catch (Exception ignored) {
            // not Linux: fall through
        }
        String env = System.getenv("HOSTNAME");
        if (env != null && !env.isBlank()) {
            return env;
        }
        try {
            return java.net.InetAddress.getLocalHost().getHostName();
        } catch (Exception e) {
            return "localhost";
        }
    }

    Codec codec() {
        return codec;
    }

    Settings settings() {
        return settings;
    }

    String processorName() {
        return processorName;
    }

    @Override
    public int size() {
        return size;
    }

    @Override
    public RankSpi rank(int rank) {
        return ranks[rank];
    }

    @Override
    public JobAbortedException failure() {
        return failure.get();
    }

    @Override
    public void abort(JobAbortedException cause) {
        if (!failure.compareAndSet(null, cause)) {
            return;
        }
        for (Endpoint e : endpoints) {
            e.abort(cause);
        }
        if (hostile != null) {
            hostile.close();
        }
    }

    /** Called as each rank finalizes; the last one releases the job's threads. */
    void rankClosed() {
        if (open.decrementAndGet() == 0 && hostile != null) {
            hostile.close();
        }
    }

    @Override
    public String describeState() {
        StringBuilder sb = new StringBuilder();
        for (int r = 0; r < size; r++) {
            sb.append(endpoints[r].describe());
            int waiting = fabric.backlog(r);
            if (waiting > 0) {
                sb.append("  ").append(waiting).append(" frame(s) arrived but not yet polled:"
                        + " the rank has not called mpi4j since they came\n");
            }
        }
        return sb.toString();
    }
}
