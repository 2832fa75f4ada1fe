package org.mpi4j.examples;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.random.RandomGeneratorFactory;
import org.mpi4j.Buf;
import org.mpi4j.Comm;
import org.mpi4j.Mpi;
import org.mpi4j.Op;

/**
 * The seed's tree topology ({@code network_patterns.py}, chapter 9): a broadcast built by
 * hand from point-to-point messages along a tree of ranks, where every rank receives from
 * its parent and forwards to its children. Then three hand-made broadcasts — linear,
 * the seed's binary tree and a binomial tree — race {@code comm.bcast} with a large array.
 *
 * <pre>
 * $ ./mpi4j run -n 4 org.mpi4j.examples.TreeBroadcast
 * === Tree Topology ===
 * Process 3: parent=1, children=[]
 * Process 0: parent=-1, children=[1, 2]
 * Process 1: parent=0, children=[3]
 * Process 2: parent=0, children=[]
 * Root sent to child 1
 * Root sent to child 2
 * Process 1 received: Broadcast message from root
 * Process 2 received: Broadcast message from root
 * Process 3 received: Broadcast message from root
 * Process 1 forwarded to child 3
 *
 * === Hand-made trees vs comm.bcast: 1,000,000 doubles (8,000,000 bytes) from rank 0 to 4 ranks, best of 5 ===
 * method                       root sends  steps  time (ms)
 * linear (root sends to each)           3      3      1.842
 * binary tree (the seed's)              2      2      1.349
 * binomial tree                         2      2      1.381
 * comm.bcast                            -      -      1.625
 * Every rank received the root's array by every method, every time: yes
 * </pre>
 *
 * <p>The ranks' lines come in any order, except that a rank receives before it forwards.
 * On 7 ranks the shapes differ more (the last lines of a run on the same host of 2 cores,
 * where 7 ranks take turns, so the times are rough):
 *
 * <pre>
 * $ ./mpi4j run -n 7 org.mpi4j.examples.TreeBroadcast
 * ...
 * === Hand-made trees vs comm.bcast: 1,000,000 doubles (8,000,000 bytes) from rank 0 to 7 ranks, best of 5 ===
 * method                       root sends  steps  time (ms)
 * linear (root sends to each)           6      6      4.933
 * binary tree (the seed's)              2      4      3.391
 * binomial tree                         3      3      2.908
 * comm.bcast                            -      -      4.109
 * Every rank received the root's array by every method, every time: yes
 * </pre>
 *
 * <p>Arguments: {@code [doubles]}, the length of the array broadcast in the race (default
 * {@value #DEFAULT_DOUBLES}, 8 MB).
 *
 * <p>The trees, with ranks numbered relative to the root ({@code (rank - root + size) % size},
 * so any rank can be the root):
 * <ul>
 *   <li><b>linear</b> — the root sends to every other rank, one after another: size - 1
 *       sends in a row.</li>
 *   <li><b>binary</b> (the seed's) — the children of rank i are 2i + 1 and 2i + 2. Each
 *       rank sends at most twice, but the tree is about log₂ size deep and each level costs
 *       two sends in a row.</li>
 *   <li><b>binomial</b> — rank i receives from i minus its lowest set bit, and sends to
 *       i + 2<sup>k</sup> for every 2<sup>k</sup> below that bit (the root: below size),
 *       farthest first. Every round doubles the ranks that have the data, so it takes
 *       ⌈log₂ size⌉ rounds: the fewest possible when each rank sends one message at a
 *       time. It is what {@code comm.bcast} uses for more than two ranks (see
 *       {@code docs/architecture.md}).</li>
 * </ul>
 * The "steps" column counts the rounds until the last rank has the data, if every send
 * takes one round and a rank's sends go one after another. A time is the best of
 * {@value #REPEATS} runs (after a warm-up) of the time from a barrier until the last rank
 * has the data and has forwarded it.
 *
 * <p>The seed's message goes by the object forms of send and receive; the race uses the
 * buffer forms, as MPI's {@code MPI_Bcast} does: every rank receives into an array it
 * allocated beforehand. An object receive allocates a new array for every message, and
 * allocating a fresh 8 MB array can cost far more than moving it (an object receive of the
 * race's array took about 25 ms, a buffer receive 0.5 ms, on the host the sample above ran
 * on), so the race would time the allocation, not the communication.
 *
 * <p>What differs from the seed:
 * <ul>
 *   <li>The seed roots the tree at rank 0; these broadcasts take any root.</li>
 *   <li>The seed only sends a string; here the hand-made trees are also timed against
 *       {@code comm.bcast}, and every rank checks that it received exactly the root's
 *       array by every method (the array comes from a seeded generator, so each rank can
 *       make its own copy to compare with).</li>
 *   <li>Every rank of the seed prints the section header; here rank 0 alone does.</li>
 * </ul>
 */
public final class TreeBroadcast {
    /** The length of the array broadcast in the race unless an argument says otherwise. */
    public static final int DEFAULT_DOUBLES = 1_000_000;
    /** How many times each broadcast is timed; the best time counts. */
    static final int REPEATS = 5;
    /** The seed of the generator of the broadcast array. */
    static final long SEED = 2024;
    /** The seed's message. */
    static final String MESSAGE = "Broadcast message from root";
    /** The parent of the root. */
    static final int NO_PARENT = -1;
    /** The tag of the seed's message, as in the seed. */
    static final int TAG_MESSAGE = 1;
    /** The tag of the race's hand-made broadcasts. */
    static final int TAG_RACE = 2;

    private TreeBroadcast() {
    }

    /** A shape of broadcast tree: who a rank receives from, and who it sends to, in order. */
    public enum Tree {
        /** The root sends to every other rank. */
        LINEAR("linear (root sends to each)") {
            @Override
            int parentOf(int v, int size) {
                return 0;
            }

            @Override
            List<Integer> childrenOf(int v, int size) {
                List<Integer> c = new ArrayList<>();
                if (v == 0) {
                    for (int i = 1; i < size; i++) {
                        c.add(i);
                    }
                }
                return c;
            }
        },
        /** The seed's binary tree: the children of i are 2i + 1 and 2i + 2. */
        BINARY("binary tree (the seed's)") {
            @Override
            int parentOf(int v, int size) {
                return (v - 1) / 2;
            }

            @Override
            List<Integer> childrenOf(int v, int size) {
                List<Integer> c = new ArrayList<>();
                for (long child = 2L * v + 1; child <= 2L * v + 2 && child < size; child++) {
                    c.add((int) child);
                }
                return c;
            }
        },
        /** The binomial tree: i receives from i without its lowest set bit. */
        BINOMIAL("binomial tree") {
            @Override
            int parentOf(int v, int size) {
                return v - Integer.lowestOneBit(v);
            }

            @Override
            List<Integer> childrenOf(int v, int size) {
                // The root may send to every 2^k below size; others to every 2^k below their
                // lowest set bit. Farthest first: that subtree is the largest.
                long limit = v == 0 ? Integer.highestOneBit(Math.max(1, size - 1)) * 2L : Integer.lowestOneBit(v);
                List<Integer> c = new ArrayList<>();
                for (long mask = limit / 2; mask >= 1; mask /= 2) {
                    if (v + mask < size) {
                        c.add((int) (v + mask));
                    }
                }
                return c;
            }
        };

        private final String description;

        Tree(String description) {
            this.description = description;
        }

        /** The parent of relative rank {@code v > 0}. */
        abstract int parentOf(int v, int size);

        /** The children of relative rank {@code v}, in the order they are sent to. */
        abstract List<Integer> childrenOf(int v, int size);

        /** Returns the parent of {@code rank} when {@code root} broadcasts to {@code size} ranks, or -1 for the root. */
        public int parent(int rank, int root, int size) {
            int v = relative(rank, root, size);
            return v == 0 ? NO_PARENT : absolute(parentOf(v, size), root, size);
        }

        /** Returns the children of {@code rank} when {@code root} broadcasts to {@code size} ranks, in the order sent to. */
        public List<Integer> children(int rank, int root, int size) {
            int v = relative(rank, root, size);
            return childrenOf(v, size).stream().map(c -> absolute(c, root, size)).toList();
        }

        /**
         * Returns the rounds until the last of {@code size} ranks has the data, if every send
         * takes one round and a rank's sends go one after another.
         */
        public int steps(int size) {
            return stepsBelow(0, 0, size);
        }

        private int stepsBelow(int v, int when, int size) {
            int last = when;
            List<Integer> c = childrenOf(v, size);
            for (int i = 0; i < c.size(); i++) {
                last = Math.max(last, stepsBelow(c.get(i), when + i + 1, size));
            }
            return last;
        }

        @Override
        public String toString() {
            return description;
        }
    }

    private static int relative(int rank, int root, int size) {
        return (rank - root + size) % size;
    }

    private static int absolute(int v, int root, int size) {
        return (v + root) % size;
    }

    /**
     * Broadcasts {@code value} from {@code root} along {@code tree}: every rank but the root
     * receives from its parent, then sends to its children. Returns the root's value on
     * every rank. Every rank of {@code comm} must call it with the same tree, root and tag.
     *
     * @param trace where to say what is sent and received, or null to say nothing
     */
    public static <T> T bcast(Comm comm, Tree tree, T value, int root, int tag, PrintStream trace) {
        int rank = comm.rank();
        int size = comm.size();
        if (rank != root) {
            value = comm.recv(tree.parent(rank, root, size), tag);
            if (trace != null) {
                trace.println("Process " + rank + " received: " + value);
            }
        }
        for (int child : tree.children(rank, root, size)) {
            comm.send(value, child, tag);
            if (trace != null) {
                trace.println(rank == root ? "Root sent to child " + child
                        : "Process " + rank + " forwarded to child " + child);
            }
        }
        return value;
    }

    /**
     * Broadcasts the root's {@code buf} into every rank's {@code buf} along {@code tree}, as
     * {@link Comm#bcast(Buf, int)} does: every rank but the root receives from its parent
     * into {@code buf}, then sends it to its children. The buffers must hold the same number
     * of elements of the same type on every rank. Every rank of {@code comm} must call it
     * with the same tree, root and tag.
     */
    public static void bcast(Comm comm, Tree tree, Buf buf, int root, int tag) {
        int rank = comm.rank();
        int size = comm.size();
        if (rank != root) {
            comm.recv(buf, tree.parent(rank, root, size), tag);
        }
        for (int child : tree.children(rank, root, size)) {
            comm.send(buf, child, tag);
        }
    }

    /** Runs the example on the ranks of the job this program was started in. */
    public static void main(String[] args) {
        int doubles = args.length > 0 ? parseDoubles(args[0]) : DEFAULT_DOUBLES;
        try (Mpi mpi = Mpi.init(args)) {
            run(mpi.world(), System.out, doubles);
        }
    }

    /**
     * Runs the seed's tree broadcast, then the race with an array of {@code doubles}
     * doubles, on one rank of {@code world}, printing to {@code out}. Every rank must call it.
     */
    public static void run(Comm world, PrintStream out, int doubles) {
        if (doubles < 0) {
            throw new IllegalArgumentException("doubles must be >= 0: " + doubles);
        }
        int rank = world.rank();
        int size = world.size();

        if (rank == 0) {
            out.println("=== Tree Topology ===");
        }
        world.barrier(); // only so that the header comes first
        int parent = Tree.BINARY.parent(rank, 0, size);
        out.println("Process " + rank + ": parent=" + parent + ", children=" + Tree.BINARY.children(rank, 0, size));
        bcast(world, Tree.BINARY, rank == 0 ? MESSAGE : null, 0, TAG_MESSAGE, out);

        world.barrier(); // only so that the race's lines come after every rank's lines above
        race(world, out, doubles);
    }

    /**
     * Times each hand-made tree and comm.bcast broadcasting the same array from rank 0 into
     * an array every rank has allocated beforehand.
     */
    static void race(Comm world, PrintStream out, int doubles) {
        int rank = world.rank();
        int size = world.size();
        // Every rank can make the array the root broadcasts, to check what it receives.
        double[] expected = payload(doubles);
        double[] data = rank == 0 ? expected : new double[doubles];

        List<String> names = new ArrayList<>();
        List<Double> times = new ArrayList<>();
        boolean allCorrect = true;
        for (Tree tree : Tree.values()) {
            Timed t = time(world, data, expected, () -> bcast(world, tree, Buf.of(data), 0, TAG_RACE));
            names.add(tree.toString());
            times.add(t.seconds());
            allCorrect &= t.correct();
        }
        Timed library = time(world, data, expected, () -> world.bcast(Buf.of(data), 0));
        names.add("comm.bcast");
        times.add(library.seconds());
        allCorrect &= library.correct();

        // Did every rank receive the right array every time?
        boolean everywhere = world.allreduce(allCorrect ? 1 : 0, Op.MIN) == 1;
        if (rank != 0) {
            return;
        }
        out.println();
        out.println(String.format(Locale.ROOT,
                "=== Hand-made trees vs comm.bcast: %,d doubles (%,d bytes) from rank 0 to %d %s, best of %d ===",
                doubles, 8L * doubles, size, size == 1 ? "rank" : "ranks", REPEATS));
        out.println(String.format(Locale.ROOT, "%-28s %10s %6s %10s", "method", "root sends", "steps", "time (ms)"));
        for (int i = 0; i < names.size(); i++) {
            String sends = "-";
            String steps = "-";
            if (i < Tree.values().length) {
                Tree tree = Tree.values()[i];
                sends = Integer.toString(tree.children(0, 0, size).size());
                steps = Integer.toString(tree.steps(size));
            }
            out.println(String.format(Locale.ROOT, "%-28s %10s %6s %10.3f", names.get(i), sends, steps,
                    times.get(i) * 1e3));
        }
        out.println("Every rank received the root's array by every method, every time: " + (everywhere ? "yes" : "NO"));
    }

    /** A broadcast's best time, and whether this rank always received the right array. */
    private record Timed(double seconds, boolean correct) {
    }

    /**
     * Runs {@code broadcast} once to warm up and then {@link #REPEATS} times, each from a
     * barrier; the time of a run is the slowest rank's. Before each run, ranks other than 0
     * clear {@code data}, and after it they compare it with {@code expected}. Collective.
     */
    private static Timed time(Comm world, double[] data, double[] expected, Runnable broadcast) {
        boolean correct = true;
        double best = Double.POSITIVE_INFINITY;
        for (int i = -1; i < REPEATS; i++) {
            if (world.rank() != 0) {
                Arrays.fill(data, Double.NaN);
            }
            world.barrier();
            double start = world.wtime();
            broadcast.run();
            double slowest = world.allreduce(world.wtime() - start, Op.MAX);
            if (i >= 0) { // run -1 is the warm-up
                best = Math.min(best, slowest);
            }
            correct &= Arrays.equals(data, expected);
        }
        return new Timed(best, correct);
    }

    /** The array the race broadcasts: {@code n} doubles from a generator seeded with {@link #SEED}. */
    static double[] payload(int n) {
        return RandomGeneratorFactory.of("L64X128MixRandom").create(SEED).doubles(n).toArray();
    }

    static int parseDoubles(String arg) {
        int n;
        try {
            n = Integer.parseInt(arg.replace("_", ""));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("TreeBroadcast [doubles]: not an integer: '" + arg + "'");
        }
        if (n < 0) {
            throw new IllegalArgumentException("TreeBroadcast [doubles]: must be >= 0: " + arg);
        }
        return n;
    }
}
