package org.mpi4j.tools;

import java.io.IOException;
import java.io.PrintStream;
import java.util.Map;
import org.mpi4j.engine.process.ProcessJob;

/**
 * {@code mpi4j run --engine process}: one JVM per rank on this host, as a {@link ProcessJob}.
 *
 * <p>The ranks' output is forwarded line by line (tagged with the rank on request), and this
 * process's standard input goes to rank 0. When a rank fails — a non-zero exit, kill -9, an
 * uncaught exception, {@code abort} — the launcher says which rank and why, every other rank
 * is told, and what is left is killed; the exit status is the job's. {@code --timeout} asks
 * every rank what it is blocked in, prints the answers, and ends the job with status 124.
 * Ctrl-C, or any other end of the launcher, kills every rank: no orphans.
 */
final class ProcessLauncher {
    /**
     * System property: the JVM AOT cache the ranks on this host start from (the
     * {@code mpi4j} script keeps one per build and JDK, made by {@link StartupTraining}).
     */
    static final String STARTUP_CACHE = "mpi4j.startupCache";
    /** System property: rank 0 writes a start-up cache here as it exits (the script's training run). */
    static final String TRAIN_STARTUP_CACHE = "mpi4j.startupCache.train";

    private final RunOptions options;
    private final String classPath;
    private final PrintStream out;
    private final PrintStream err;
    private final java.io.InputStream in;
    private final Object outputLock = new Object();

    ProcessLauncher(RunOptions options, String classPath, java.io.InputStream in, PrintStream out, PrintStream err) {
        this.options = options;
        this.classPath = classPath;
        this.in = in;
        this.out = out;
        this.err = err;
    }

    /** Runs the job and returns the launcher's exit status. */
    int run() {
        int n = options.ranks();
        ProcessJob.Spec spec = new ProcessJob.Spec(n, options.mainClass())
                .classPath(classPath)
                .args(options.programArgs())
                .environment(options.environment())
                .jvmOptions(options.jvmOptions())
                .hosts(placement(options), options.launchAgent())
                .bindToCore(options.bindToCore())
                .stdinToRankZero(in)
                .startupCache(path(System.getProperty(STARTUP_CACHE)))
                .trainStartupCache(path(System.getProperty(TRAIN_STARTUP_CACHE)))
                .output((rank, isErr, line) -> {
                    String text = options.tagOutput() ? "[" + rank + "] " + line : line;
                    synchronized (outputLock) {
                        (isErr ? err : out).println(text);
                    }
                })
                .onFailure(f -> {
                    synchronized (outputLock) {
                        err.println("mpi4j run: rank " + f.rank() + " of " + n + " failed: " + f.why()
                                + "; the job is aborted.");
                    }
                });
        ProcessJob job;
        try {
            job = ProcessJob.start(spec);
        } catch (IOException e) {
            err.println("mpi4j run: cannot start the job: " + e.getMessage());
            return Mpi4j.EXIT_FAILED;
        }
        Thread killer = Thread.ofPlatform().unstarted(job::close);
        Runtime.getRuntime().addShutdownHook(killer);
        try (job) {
            if (!job.awaitExit(options.timeout())) {
                return timedOut(job);
            }
            ProcessJob.Failure f = job.failure();
            if (f == null) {
                return Mpi4j.EXIT_OK;
            }
            return f.code() >= 1 && f.code() <= 255 ? f.code() : Mpi4j.EXIT_FAILED;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Mpi4j.EXIT_FAILED;
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(killer);
            } catch (IllegalStateException shuttingDown) {
                // the hook runs anyway
            }
        }
    }

    /** The path of a start-up cache, or null. */
    private static java.nio.file.Path path(String p) {
        return p == null || p.isBlank() ? null : java.nio.file.Path.of(p);
    }

    /** The host of each rank: the hosts' slots filled in order, as mpirun maps by slot; null for this host. */
    static java.util.List<String> placement(RunOptions options) {
        java.util.List<String> out = new java.util.ArrayList<>();
        if (options.hosts().isEmpty()) {
            return out;
        }
        for (RunOptions.HostSlots h : options.hosts()) {
            for (int s = 0; s < h.slots() && out.size() < options.ranks(); s++) {
                out.add(h.host());
            }
        }
        return out;
    }

    private int timedOut(ProcessJob job) throws InterruptedException {
        Map<Integer, String> dumps = job.dump(java.time.Duration.ofSeconds(2));
        Map<Integer, Integer> statuses = job.exitStatuses();
        job.kill();
        synchronized (outputLock) {
            err.println("mpi4j run: timed out after " + options.timeout().toMillis() / 1000.0
                    + " s; what each rank was doing:");
            for (int r = 0; r < options.ranks(); r++) {
                String d = dumps.get(r);
                if (d != null) {
                    err.print(d.endsWith("\n") ? d : d + "\n");
                } else if (statuses.get(r) != null) {
                    err.println("rank " + r + ": exited with status " + statuses.get(r));
                } else {
                    err.println("rank " + r + ": did not answer");
                }
            }
        }
        return Mpi4j.EXIT_TIMEOUT;
    }
}
