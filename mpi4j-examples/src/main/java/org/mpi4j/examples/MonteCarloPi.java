package org.mpi4j.examples;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.random.RandomGenerator;
import java.util.random.RandomGenerator.SplittableGenerator;
import java.util.random.RandomGeneratorFactory;
import org.mpi4j.Comm;
import org.mpi4j.Mpi;
import org.mpi4j.Op;

/**
 * The seed's distributed Monte Carlo estimate of π ({@code monte_carlo_pi.py}, chapter 7):
 * every rank throws its share of random points at the unit square and counts those inside
 * the quarter circle; the counts are summed on rank 0, and 4 × inside / samples
 * approximates π. Then the same samples are computed again on 1, 2, 4, ... ranks to show
 * the speedup.
 *
 * <pre>
 * $ ./mpi4j run -n 4 org.mpi4j.examples.MonteCarloPi
 * Process 0: Computing with 25000000 samples
 * Process 1: Computing with 25000000 samples
 * Process 2: Computing with 25000000 samples
 * Process 3: Computing with 25000000 samples
 * Process 0: 19633263 points inside circle
 * Process 1: 19634946 points inside circle
 * Process 3: 19634630 points inside circle
 * Process 2: 19632737 points inside circle
 *
 * === Results ===
 * Total samples: 100,000,000
 * Points inside circle: 78,535,576
 * π estimate: 3.141423
 * Actual π: 3.141593
 * Error: 0.000170
 * Time (parallel): 0.185 seconds
 * Using 4 processes
 *
 * === Speedup: the same 100,000,000 samples on 1, 2 and 4 ranks, best of 3 ===
 * ranks   time (s)   speedup   efficiency   π estimate
 *     1      0.319      1.00         100%     3.141816
 *     2      0.172      1.86          93%     3.141577
 *     4      0.179      1.79          45%     3.141423
 * speedup = T(1) / T(k), efficiency = speedup / k. This host has 2 cores: ranks sharing it cannot be more than 2 times faster than one.
 * </pre>
 *
 * <p>The counts are the same on every run; the ranks' lines come in any order, and the
 * times vary from run to run, most on a busy host. This sample ran on a host of 2 cores,
 * so 4 ranks are no faster than 2.
 *
 * <p>Arguments: {@code [samples [seed]]}, the total number of points (default
 * {@value #DEFAULT_SAMPLES}) and the seed of the random streams (default
 * {@value #DEFAULT_SEED}). The same samples, seed and rank count always give the same
 * count.
 *
 * <h2>Random streams</h2>
 *
 * <p>Each rank needs a stream of its own that is fast, reproducible from one seed, and
 * statistically independent of every other rank's. Each rank makes the generator
 * {@value #ALGORITHM} from the seed, a <em>splittable</em> generator of the JDK's LXM
 * family, and takes its {@code rank + 1}-th {@link SplittableGenerator#split() split}:
 * rank 0 the first child, rank 1 the second, and so on. Splitting is what the JDK documents
 * for making independent generators from one: each child gets an additive parameter and
 * state drawn from the parent, and LXM generators with different additive parameters are
 * statistically independent. No rank needs to talk to another to find its stream, and rank
 * r's stream is the same at every rank count. (Adding the rank to the seed, as
 * {@code seed + rank}, happens to be safe for LXM too, which hashes its seed, but is not
 * for generators such as {@code java.util.Random}, whose nearby seeds give correlated
 * streams; a jumpable generator such as {@code Xoshiro256PlusPlus}, jumped {@code rank}
 * times, would also do.) {@value #ALGORITHM} draws a point, two doubles, in a few
 * nanoseconds.
 *
 * <p>The estimate depends on the rank count, since r ranks draw from r streams; it is the
 * same as a serial loop over those r streams, each drawing its rank's share.
 *
 * <h2>Speedup</h2>
 *
 * <p>The time of {@code k} ranks, T(k), is the wall-clock time from a barrier of those
 * {@code k} ranks until rank 0 holds the total count — computing and reducing all
 * {@code samples} points, no more and no less — the best of {@value #REPEATS} runs, after a
 * warm-up that lets the JIT compile the loop. The table computes it for the first
 * {@code k} ranks of the job, {@code k} = 1, 2, 4, ... and the job's size, while the other
 * ranks wait. Speedup is T(1) / T(k): the same program on the same points with one rank
 * against {@code k}; with one rank the reduce has nothing to combine, so T(1) is the
 * serial time. Efficiency is speedup / k. Ranks share the host's cores, so speedup cannot exceed
 * the number of cores the job runs on; the program says how many the host has.
 *
 * <p>What differs from the seed:
 * <ul>
 *   <li>The seed gives every rank {@code samples // size} points but divides by
 *       {@code samples}, so when the count does not divide it drops points and the
 *       estimate is biased low. Here the first {@code samples % size} ranks take one point
 *       more: all samples are drawn.</li>
 *   <li>The seed's ranks all draw from numpy's global generator with no seed: they get
 *       different streams only because each process seeds it from the OS, and no run can
 *       be repeated. Here every rank has a seeded stream of its own (above).</li>
 *   <li>The seed's "speedup" divides the time of a serial Python loop over
 *       {@code samples // size} points by the time of the parallel run, in which each rank
 *       draws its share with vectorized numpy: it compares two different programs, so it
 *       reports a large "speedup" even on one process. Here speedup is the same program's
 *       time on 1 rank over its time on {@code k}, for the same points (above).</li>
 *   <li>The default sample count is ten times the seed's, whose 10 million points take
 *       only some 30 to 50 ms in Java — too short to time reliably.</li>
 * </ul>
 */
public final class MonteCarloPi {
    /** The number of points unless an argument says otherwise. */
    public static final long DEFAULT_SAMPLES = 100_000_000L;
    /** The seed of the random streams unless an argument says otherwise. */
    public static final long DEFAULT_SEED = 2024;
    /** The random generator every rank splits its stream from. */
    static final String ALGORITHM = "L64X128MixRandom";
    /** How many times each row of the speedup table is measured; the best time counts. */
    static final int REPEATS = 3;
    /** The points each rank draws, at most, in each of {@link #WARMUP_CALLS} calls to warm up the JIT. */
    static final long WARMUP_SAMPLES = 2_000_000L;
    /** How many times each rank runs the loop before anything is timed. */
    static final int WARMUP_CALLS = 3;

    private MonteCarloPi() {
    }

    /** One row of the speedup table: the time of {@code ranks} ranks and the count they found. */
    record Row(int ranks, double seconds, long inside) {
    }

    /** Runs the estimate on the ranks of the job this program was started in. */
    public static void main(String[] args) {
        long samples = args.length > 0 ? parseSamples(args[0]) : DEFAULT_SAMPLES;
        long seed = args.length > 1 ? parseSeed(args[1]) : DEFAULT_SEED;
        try (Mpi mpi = Mpi.init(args)) {
            run(mpi.world(), System.out, samples, seed);
        }
    }

    /**
     * Estimates π from {@code samples} points on one rank of {@code world}, then measures the
     * speedup table, printing to {@code out}. Every rank must call it.
     */
    public static void run(Comm world, PrintStream out, long samples, long seed) {
        if (samples < 1) {
            throw new IllegalArgumentException("samples must be >= 1: " + samples);
        }
        int rank = world.rank();
        int size = world.size();

        // Warm-up: the loop runs interpreted until the JIT has compiled it, which takes more
        // than one call; without this, the first timed run would look slower than it is.
        for (int i = 0; i < WARMUP_CALLS; i++) {
            countInside(streamOf(seed, rank), Math.min(WARMUP_SAMPLES, share(samples, size, rank)));
        }

        long localSamples = share(samples, size, rank);
        out.println("Process " + rank + ": Computing with " + localSamples + " samples");

        world.barrier(); // start the clock together
        double start = world.wtime();
        long insideCircle = countInside(streamOf(seed, rank), localSamples);
        out.println("Process " + rank + ": " + insideCircle + " points inside circle");

        // The root gets the sum; the scalar reduce returns each other rank its own value.
        long totalInside = world.reduce(insideCircle, Op.SUM, 0);
        double elapsed = world.wtime() - start;

        if (rank == 0) {
            double piEstimate = 4.0 * totalInside / samples;
            out.println();
            out.println("=== Results ===");
            out.println(String.format(Locale.ROOT, "Total samples: %,d", samples));
            out.println(String.format(Locale.ROOT, "Points inside circle: %,d", totalInside));
            out.println(String.format(Locale.ROOT, "π estimate: %.6f", piEstimate));
            out.println(String.format(Locale.ROOT, "Actual π: %.6f", Math.PI));
            out.println(String.format(Locale.ROOT, "Error: %.6f", Math.abs(piEstimate - Math.PI)));
            out.println(String.format(Locale.ROOT, "Time (parallel): %.3f seconds", elapsed));
            out.println("Using " + size + (size == 1 ? " process" : " processes"));
        }

        List<Row> rows = speedupTable(world, samples, seed);
        if (rank == 0) {
            printTable(out, rows, samples);
        }
    }

    /**
     * Measures T(k) for k = 1, 2, 4, ... below the job's size and for the size itself: the
     * first k ranks compute all {@code samples} points, {@link #REPEATS} times. Returns the
     * rows on rank 0 and an empty list elsewhere. Collective.
     */
    static List<Row> speedupTable(Comm world, long samples, long seed) {
        List<Row> rows = new ArrayList<>();
        for (int k : rankCounts(world.size())) {
            // The first k ranks form a communicator of their own; the others get null and
            // go straight on to the next split, where they wait for the k ranks.
            Comm team = world.split(world.rank() < k ? 0 : Mpi.UNDEFINED, world.rank());
            if (team == null) {
                continue;
            }
            double best = Double.POSITIVE_INFINITY;
            long inside = 0;
            for (int i = 0; i < REPEATS; i++) {
                team.barrier();
                double start = team.wtime();
                long mine = countInside(streamOf(seed, team.rank()), share(samples, k, team.rank()));
                inside = team.reduce(mine, Op.SUM, 0);
                // On rank 0 the reduce returns once every rank's count has arrived: this is
                // the time of the slowest rank, communication included.
                best = Math.min(best, team.wtime() - start);
            }
            if (team.rank() == 0) {
                rows.add(new Row(k, best, inside));
            }
            team.free();
        }
        return rows;
    }

    /** Returns 1, 2, 4, ... below {@code size}, and {@code size}. */
    static List<Integer> rankCounts(int size) {
        List<Integer> ks = new ArrayList<>();
        for (int k = 1; k < size; k *= 2) {
            ks.add(k);
        }
        ks.add(size);
        return ks;
    }

    private static void printTable(PrintStream out, List<Row> rows, long samples) {
        double t1 = rows.get(0).seconds();
        out.println();
        List<String> ks = rows.stream().map(row -> Integer.toString(row.ranks())).toList();
        String counts = ks.size() == 1 ? ks.getFirst()
                : String.join(", ", ks.subList(0, ks.size() - 1)) + " and " + ks.getLast();
        out.println(String.format(Locale.ROOT, "=== Speedup: the same %,d samples on %s %s, best of %d ===",
                samples, counts, ks.size() == 1 && rows.getFirst().ranks() == 1 ? "rank" : "ranks", REPEATS));
        out.println("ranks   time (s)   speedup   efficiency   π estimate");
        for (Row row : rows) {
            double speedup = t1 / row.seconds();
            out.println(String.format(Locale.ROOT, "%5d   %8.3f   %7.2f   %9.0f%%   %10.6f", row.ranks(),
                    row.seconds(), speedup, 100 * speedup / row.ranks(), 4.0 * row.inside() / samples));
        }
        int cores = Runtime.getRuntime().availableProcessors();
        out.println("speedup = T(1) / T(k), efficiency = speedup / k. This host has " + cores
                + (cores == 1 ? " core" : " cores") + ": ranks sharing it cannot be more than "
                + cores + " times faster than one.");
    }

    /**
     * Returns rank {@code rank}'s random stream: the {@code rank + 1}-th split of an
     * {@value #ALGORITHM} generator seeded with {@code seed}. Public for the scaling study
     * ({@code org.mpi4j.bench.MonteCarloScaling}), which times this very loop.
     *
     * @param seed the seed of the root generator
     * @param rank the rank whose stream to return
     * @return the stream
     */
    public static RandomGenerator streamOf(long seed, int rank) {
        SplittableGenerator root = RandomGeneratorFactory.<SplittableGenerator>of(ALGORITHM).create(seed);
        SplittableGenerator stream = root.split();
        for (int i = 0; i < rank; i++) {
            stream = root.split();
        }
        return stream;
    }

    /**
     * Returns part {@code index}'s share of {@code total} items cut into {@code parts}
     * balanced parts: {@code total / parts}, one more for the first {@code total % parts}.
     */
    static long share(long total, int parts, int index) {
        return total / parts + (index < total % parts ? 1 : 0);
    }

    /**
     * Draws {@code n} points (x, y) in [0, 1)² from {@code random} and counts those with x² + y² ≤ 1.
     *
     * @param random the stream to draw from
     * @param n how many points
     * @return how many fell inside the quarter circle
     */
    public static long countInside(RandomGenerator random, long n) {
        long count = 0;
        for (long i = 0; i < n; i++) {
            double x = random.nextDouble();
            double y = random.nextDouble();
            if (x * x + y * y <= 1.0) {
                count++;
            }
        }
        return count;
    }

    static long parseSamples(String arg) {
        long n;
        try {
            n = Long.parseLong(arg.replace("_", ""));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("MonteCarloPi [samples [seed]]: samples is not an integer: '" + arg + "'");
        }
        if (n < 1) {
            throw new IllegalArgumentException("MonteCarloPi [samples [seed]]: samples must be >= 1: " + arg);
        }
        return n;
    }

    static long parseSeed(String arg) {
        try {
            return Long.parseLong(arg);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("MonteCarloPi [samples [seed]]: seed is not an integer: '" + arg + "'");
        }
    }
}
