package org.mpi4j.examples;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.random.RandomGeneratorFactory;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.mpi4j.Buf;
import org.mpi4j.Comm;
import org.mpi4j.Mpi;
import org.mpi4j.Op;

/**
 * The seed's collective operations ({@code collective_ops.py}, chapter 6): rank 0 broadcasts
 * a configuration, scatters a list in chunks that every rank squares and rank 0 gathers
 * back, and then every rank's array is summed with reduce and allreduce.
 *
 * <pre>
 * $ ./mpi4j run -n 4 org.mpi4j.examples.CollectiveDemo
 * === Broadcast Demo ===
 * Process 0 broadcasting: Setup[Config[batchSize=32, learningRate=0.01], 100 weights, sum 49.871239]
 * Process 0 received broadcast: Setup[Config[batchSize=32, learningRate=0.01], 100 weights, sum 49.871239]
 * Process 3 received broadcast: Setup[Config[batchSize=32, learningRate=0.01], 100 weights, sum 49.871239]
 * Process 1 received broadcast: Setup[Config[batchSize=32, learningRate=0.01], 100 weights, sum 49.871239]
 * Process 2 received broadcast: Setup[Config[batchSize=32, learningRate=0.01], 100 weights, sum 49.871239]
 *
 * === Scatter/Gather Demo ===
 * Process 0 scattering chunks: [[0, 1, 2, 3, 4], [5, 6, 7, 8, 9], [10, 11, 12, 13, 14], [15, 16, 17, 18, 19]]
 * Process 0 received chunk: [0, 1, 2, 3, 4]
 * Process 2 received chunk: [10, 11, 12, 13, 14]
 * Process 3 received chunk: [15, 16, 17, 18, 19]
 * Process 1 received chunk: [5, 6, 7, 8, 9]
 * Process 1 computed: [25, 36, 49, 64, 81]
 * Process 3 computed: [225, 256, 289, 324, 361]
 * Process 2 computed: [100, 121, 144, 169, 196]
 * Process 0 computed: [0, 1, 4, 9, 16]
 * Process 0 gathered final results: [0, 1, 4, 9, 16, 25, 36, 49, 64, 81, 100, 121, 144, 169, 196, 225, 256, 289, 324, 361]
 *
 * === Reduce Demo ===
 * Process 3 contributing: [4, 4, 4, 4, 4]
 * Process 1 contributing: [2, 2, 2, 2, 2]
 * Process 2 contributing: [3, 3, 3, 3, 3]
 * Process 0 contributing: [1, 1, 1, 1, 1]
 * Process 0 - Final sum: [10, 10, 10, 10, 10]
 * Process 0 - Allreduce result: [10, 10, 10, 10, 10]
 * Process 1 - Allreduce result: [10, 10, 10, 10, 10]
 * Process 2 - Allreduce result: [10, 10, 10, 10, 10]
 * Process 3 - Allreduce result: [10, 10, 10, 10, 10]
 * </pre>
 *
 * <p>On 3 ranks the 20 items do not divide, which is where the seed hangs; here the first
 * two ranks take 7 items and the last 6:
 *
 * <pre>
 * $ ./mpi4j run -n 3 org.mpi4j.examples.CollectiveDemo
 * ...
 * Process 0 scattering chunks: [[0, 1, 2, 3, 4, 5, 6], [7, 8, 9, 10, 11, 12, 13], [14, 15, 16, 17, 18, 19]]
 * Process 0 received chunk: [0, 1, 2, 3, 4, 5, 6]
 * Process 2 received chunk: [14, 15, 16, 17, 18, 19]
 * Process 1 received chunk: [7, 8, 9, 10, 11, 12, 13]
 * ...
 * </pre>
 *
 * <p>Within a section the ranks' lines interleave differently from run to run; a barrier
 * between sections keeps the sections apart. Arguments: {@code [items]} (default
 * {@value #DEFAULT_ITEMS}, as in the seed), how many numbers rank 0 scatters.
 *
 * <p>The collectives used, and their two vocabularies:
 * <ul>
 *   <li><b>bcast</b> of an object: every rank returns the root's value (the root its own
 *       object, the others a decoded copy).</li>
 *   <li><b>scatter</b> of a list with exactly one element per rank, and <b>gather</b> of
 *       one object per rank, which rank 0 receives as a list in rank order. The chunks are
 *       {@code int[]}s: a primitive array travels as a typed buffer, with no
 *       serialization.</li>
 *   <li><b>reduce</b> of an object (a primitive array is reduced element by element and
 *       only the root gets the result), and <b>allreduce</b> of buffers: every rank's
 *       {@code int[]} is summed into a preallocated {@code int[]} on every rank.</li>
 * </ul>
 *
 * <p>What differs from the seed:
 * <ul>
 *   <li>The seed cuts its list into chunks of {@code len // size} and so makes more chunks
 *       than ranks whenever the length does not divide: at 3, 6 or 8 ranks rank 0's scatter
 *       fails and the other ranks wait for it forever, and at more than 20 ranks the chunk
 *       size is 0 and Python's {@code range} fails. Here the chunks are balanced: the first
 *       {@code items % size} ranks get one item more than the others, so every rank count
 *       works, including more ranks than items (some chunks are then empty).</li>
 *   <li>The seed's dictionary becomes records, so the receivers get typed fields; its
 *       weights come from a seeded generator, and every rank prints their sum to show it
 *       received the same ones.</li>
 *   <li>Every rank of the seed prints the section headers; here rank 0 alone does, between
 *       barriers.</li>
 * </ul>
 */
public final class CollectiveDemo {
    /** How many numbers rank 0 scatters unless an argument says otherwise: the seed's 20. */
    public static final int DEFAULT_ITEMS = 20;
    /** The length of each rank's array in the reduce demo, as in the seed. */
    static final int REDUCE_LENGTH = 5;
    /** The number of model weights broadcast, as in the seed. */
    static final int WEIGHTS = 100;
    /** The seed of the generator of the model weights. */
    static final long SEED = 2024;

    private CollectiveDemo() {
    }

    /** Training settings: the seed's {@code config} dictionary. */
    public record Config(int batchSize, double learningRate) {
    }

    /** What rank 0 broadcasts: the seed's {@code data} dictionary. */
    public record Setup(Config config, double[] modelWeights) {
        @Override
        public String toString() {
            return "Setup[" + config + ", " + modelWeights.length + " weights, sum "
                    + String.format(Locale.ROOT, "%.6f", Arrays.stream(modelWeights).sum()) + "]";
        }
    }

    /** Runs the demos on the ranks of the job this program was started in. */
    public static void main(String[] args) {
        int items = args.length > 0 ? parseItems(args[0]) : DEFAULT_ITEMS;
        try (Mpi mpi = Mpi.init(args)) {
            run(mpi.world(), System.out, items);
        }
    }

    /**
     * Runs the three demos on one rank of {@code world}, printing to {@code out}; rank 0
     * scatters the numbers {@code 0 .. items - 1}. Every rank must call it.
     */
    public static void run(Comm world, PrintStream out, int items) {
        if (items < 0) {
            throw new IllegalArgumentException("items must be >= 0: " + items);
        }
        section(world, out, "=== Broadcast Demo ===");
        demonstrateBroadcast(world, out);
        section(world, out, "\n=== Scatter/Gather Demo ===");
        demonstrateScatterGather(world, out, items);
        section(world, out, "\n=== Reduce Demo ===");
        demonstrateReduce(world, out);
    }

    /**
     * Prints a section title on rank 0, with a barrier before it and after it, so that no
     * rank is still printing the previous section or already printing the next one. (The
     * barriers are only for tidy output; the collectives need no barrier.)
     */
    private static void section(Comm world, PrintStream out, String title) {
        world.barrier();
        if (world.rank() == 0) {
            out.println(title);
        }
        world.barrier();
    }

    /** One-to-all: rank 0's setup reaches every rank. */
    static void demonstrateBroadcast(Comm world, PrintStream out) {
        int rank = world.rank();
        Setup data = null;
        if (rank == 0) {
            double[] weights = RandomGeneratorFactory.of("L64X128MixRandom").create(SEED).doubles(WEIGHTS).toArray();
            data = new Setup(new Config(32, 0.01), weights);
            out.println("Process " + rank + " broadcasting: " + data);
        }

        // Every rank calls bcast; the value passed by the others is ignored.
        data = world.bcast(data, 0);
        out.println("Process " + rank + " received broadcast: " + data);
    }

    /** Rank 0 scatters balanced chunks of 0..items-1, every rank squares its own, rank 0 gathers them. */
    static void demonstrateScatterGather(Comm world, PrintStream out, int items) {
        int rank = world.rank();
        int size = world.size();
        List<int[]> chunks = null;
        if (rank == 0) {
            int[] totalData = IntStream.range(0, items).toArray();
            chunks = balancedChunks(totalData, size);
            out.println("Process " + rank + " scattering chunks: " + toString(chunks));
        }

        // scatter takes exactly one value per rank: chunk r goes to rank r.
        int[] localData = world.scatter(chunks, 0);
        out.println("Process " + rank + " received chunk: " + Arrays.toString(localData));

        long[] localResult = Arrays.stream(localData).mapToLong(x -> (long) x * x).toArray();
        out.println("Process " + rank + " computed: " + Arrays.toString(localResult));

        // gather returns every rank's value, in rank order, on rank 0; null elsewhere.
        List<long[]> allResults = world.gather(localResult, 0);
        if (rank == 0) {
            long[] finalResult = allResults.stream().flatMapToLong(Arrays::stream).toArray();
            out.println("Process " + rank + " gathered final results: " + Arrays.toString(finalResult));
        }
    }

    /** Every rank contributes an array of {@code rank + 1}s; reduce sums them on rank 0, allreduce on every rank. */
    static void demonstrateReduce(Comm world, PrintStream out) {
        int rank = world.rank();
        int[] localData = new int[REDUCE_LENGTH];
        Arrays.fill(localData, rank + 1);
        out.println("Process " + rank + " contributing: " + Arrays.toString(localData));

        // The object form: a primitive array is reduced element by element; only the root
        // gets the result, the other ranks null.
        int[] totalSum = world.reduce(localData, Op.SUM, 0);
        if (rank == 0) {
            out.println("Process " + rank + " - Final sum: " + Arrays.toString(totalSum));
        }

        // The buffer form: the sum lands in an array every rank provides.
        int[] totalSumAll = new int[REDUCE_LENGTH];
        world.allreduce(Buf.of(localData), Buf.of(totalSumAll), Op.SUM);
        out.println("Process " + rank + " - Allreduce result: " + Arrays.toString(totalSumAll));
    }

    /**
     * Cuts {@code data} into {@code parts} consecutive chunks whose lengths differ by at most
     * one: with {@code n = data.length}, chunk {@code i} holds {@code n / parts} elements, one
     * more if {@code i < n % parts}. Some chunks are empty if {@code n < parts}.
     */
    static List<int[]> balancedChunks(int[] data, int parts) {
        int base = data.length / parts;
        int extra = data.length % parts;
        List<int[]> chunks = new ArrayList<>(parts);
        int start = 0;
        for (int i = 0; i < parts; i++) {
            int length = base + (i < extra ? 1 : 0);
            chunks.add(Arrays.copyOfRange(data, start, start + length));
            start += length;
        }
        return chunks;
    }

    static int parseItems(String arg) {
        int n;
        try {
            n = Integer.parseInt(arg);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("CollectiveDemo [items]: not an integer: '" + arg + "'");
        }
        if (n < 0) {
            throw new IllegalArgumentException("CollectiveDemo [items]: must be >= 0: " + arg);
        }
        return n;
    }

    private static String toString(List<int[]> chunks) {
        return chunks.stream().map(Arrays::toString).collect(Collectors.joining(", ", "[", "]"));
    }
}
