package org.mpi4j.examples;

import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;
import org.mpi4j.Buf;
import org.mpi4j.Comm;
import org.mpi4j.Mpi;

/**
 * The seed's chapter 2: the same four tasks run sequentially, concurrently and in parallel,
 * and then — the point of this library — in parallel across the ranks of an MPI job.
 *
 * <pre>
 * $ ./mpi4j run -n 4 org.mpi4j.examples.ParallelismDemo
 * === One process ===
 * Sequential: 1.00s, Results: [0, 1, 4, 9]
 * Concurrent: 0.25s, Results: [0, 1, 4, 9]
 * Parallel (2 cores): 0.03s, Results: [0, 199999990000000, 399999980000000, 599999970000000]
 * === 4 ranks ===
 * Rank 0 computed tasks [0] in 0.01s
 * Rank 2 computed tasks [2] in 0.01s
 * ...
 * Distributed (4 ranks): 0.03s, Results: [0, 199999990000000, 399999980000000, 599999970000000]
 * </pre>
 *
 * <p>Arguments: {@code [secondsPerTask]} (default {@value #DEFAULT_SECONDS}), how long each
 * I/O-bound task sleeps. The seed sleeps a whole second per task.
 *
 * <p>The four ways to run several tasks, and when each one helps:
 * <ul>
 *   <li><b>sequential</b> — one task after another: the time is the sum of the tasks'.</li>
 *   <li><b>concurrent</b> — tasks that mostly wait (for disk, network, a sleep) overlap
 *       their waiting. A virtual thread per task is the Java answer: a sleeping virtual
 *       thread holds no OS thread, so thousands cost little. The time is the longest
 *       task's.</li>
 *   <li><b>parallel</b> — tasks that compute need more cores. Python's threads cannot do
 *       that (the GIL lets one run at a time), which is why the seed uses a process pool —
 *       and its pool crashes as written, because its worker is a nested function that
 *       cannot be pickled. Java threads run on all cores at once, so a parallel stream (the
 *       common fork/join pool) is enough within one JVM.</li>
 *   <li><b>distributed</b> — beyond one machine's cores, the tasks are split across the
 *       ranks of an MPI job, each of which may be on another host. Each rank computes its
 *       share and sends the results to rank 0 with point-to-point messages. (A
 *       {@code gather} collective would do the same in one call.)</li>
 * </ul>
 */
public final class ParallelismDemo {
    /** The seconds each I/O-bound task sleeps unless an argument says otherwise. */
    public static final double DEFAULT_SECONDS = 0.25;
    /** The number of tasks, as in the seed. */
    static final int TASKS = 4;
    /** The loop length of one CPU-bound task; the seed's million is over too fast in Java to see. */
    static final long CPU_ITERATIONS = 20_000_000L;
    static final int TAG_GO = 0;
    static final int TAG_RESULTS = 1;

    private ParallelismDemo() {
    }

    /** Runs the demo on the ranks of the job this program was started in. */
    public static void main(String[] args) throws Exception {
        double seconds = args.length > 0 ? parseSeconds(args[0]) : DEFAULT_SECONDS;
        try (Mpi mpi = Mpi.init(args)) {
            run(mpi.world(), System.out, seconds);
        }
    }

    /**
     * Runs the demo on one rank of {@code world}, printing to {@code out}; the I/O-bound
     * tasks sleep {@code secondsPerTask} each. Every rank must call it.
     */
    public static void run(Comm world, PrintStream out, double secondsPerTask)
            throws InterruptedException, ExecutionException {
        if (!(secondsPerTask >= 0)) {
            throw new IllegalArgumentException("secondsPerTask must be >= 0: " + secondsPerTask);
        }
        if (world.rank() == 0) {
            out.println("=== One process ===");
            sequential(out, secondsPerTask);
            concurrent(out, secondsPerTask);
            parallel(out);
            out.println("=== " + world.size() + (world.size() == 1 ? " rank" : " ranks") + " ===");
        }
        distributed(world, out);
    }

    /** One task after another. */
    static void sequential(PrintStream out, double seconds) throws InterruptedException {
        long start = System.nanoTime();
        List<Integer> results = new ArrayList<>();
        for (int n = 0; n < TASKS; n++) {
            results.add(ioTask(n, seconds));
        }
        out.println("Sequential: " + secondsSince(start) + ", Results: " + results);
    }

    /** All tasks at once, a virtual thread each: their sleeps overlap. */
    static void concurrent(PrintStream out, double seconds) throws InterruptedException, ExecutionException {
        long start = System.nanoTime();
        List<Callable<Integer>> tasks = IntStream.range(0, TASKS)
                .mapToObj(n -> (Callable<Integer>) () -> ioTask(n, seconds))
                .toList();
        List<Integer> results = new ArrayList<>();
        try (ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor()) {
            for (Future<Integer> f : executor.invokeAll(tasks)) {
                results.add(f.get());
            }
        }
        out.println("Concurrent: " + secondsSince(start) + ", Results: " + results);
    }

    /** The CPU-bound tasks on all cores of this JVM, through the common fork/join pool. */
    static void parallel(PrintStream out) {
        long start = System.nanoTime();
        long[] results = IntStream.range(0, TASKS).parallel().mapToLong(ParallelismDemo::cpuTask).toArray();
        int cores = Runtime.getRuntime().availableProcessors();
        out.println("Parallel (" + cores + (cores == 1 ? " core" : " cores") + "): " + secondsSince(start)
                + ", Results: " + Arrays.toString(results));
    }

    /**
     * The CPU-bound tasks split across the ranks: rank {@code r} computes tasks {@code r},
     * {@code r + size}, ... and sends their results to rank 0, which puts them in order.
     */
    static void distributed(Comm world, PrintStream out) {
        int rank = world.rank();
        int size = world.size();

        // Rank 0 starts the clock, then tells every rank to go, so the time it reports
        // covers the same interval for all (the ranks may have reached this point at very
        // different times: rank 0 has just spent a while on the demos above). The signal is
        // an empty message: its arrival is all it says.
        double start = world.wtime();
        if (rank == 0) {
            for (int r = 1; r < size; r++) {
                world.send(Buf.of(new byte[0]), r, TAG_GO);
            }
        } else {
            world.recv(Buf.of(new byte[0]), 0, TAG_GO);
        }

        double mine = world.wtime();
        int[] myTasks = IntStream.iterate(rank, n -> n < TASKS, n -> n + size).toArray();
        long[] myResults = Arrays.stream(myTasks).mapToLong(ParallelismDemo::cpuTask).toArray();
        out.println("Rank " + rank + " computed tasks " + Arrays.toString(myTasks) + " in "
                + format(world.wtime() - mine));

        if (rank != 0) {
            // A long[] sent as an object travels as a typed buffer: no serialization.
            world.send(myResults, 0, TAG_RESULTS);
            return;
        }
        long[] results = new long[TASKS];
        for (int r = 0; r < size; r++) {
            long[] part = r == 0 ? myResults : world.<long[]>recv(r, TAG_RESULTS);
            for (int i = 0; i < part.length; i++) {
                results[r + i * size] = part[i];
            }
        }
        out.println("Distributed (" + size + (size == 1 ? " rank" : " ranks") + "): " + format(world.wtime() - start)
                + ", Results: " + Arrays.toString(results));
    }

    /** An I/O-bound task: waits, then returns {@code n * n}. */
    static int ioTask(int n, double seconds) throws InterruptedException {
        Thread.sleep(Duration.ofNanos((long) (seconds * 1e9)));
        return n * n;
    }

    /** A CPU-bound task: the seed's loop, {@code sum of i * n for i < CPU_ITERATIONS}. */
    static long cpuTask(int n) {
        long total = 0;
        for (long i = 0; i < CPU_ITERATIONS; i++) {
            total += i * n;
        }
        return total;
    }

    static double parseSeconds(String arg) {
        double s;
        try {
            s = Double.parseDouble(arg);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("ParallelismDemo [secondsPerTask]: not a number: '" + arg + "'");
        }
        if (!(s >= 0) || Double.isInfinite(s)) {
            throw new IllegalArgumentException("ParallelismDemo [secondsPerTask]: must be >= 0: " + arg);
        }
        return s;
    }

    private static String secondsSince(long startNanos) {
        return format((System.nanoTime() - startNanos) / 1e9);
    }

    private static String format(double seconds) {
        return String.format(Locale.ROOT, "%.2fs", seconds);
    }
}
