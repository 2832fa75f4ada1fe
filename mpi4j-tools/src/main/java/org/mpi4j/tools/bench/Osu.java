package org.mpi4j.tools.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.mpi4j.Buf;
import org.mpi4j.Comm;
import org.mpi4j.Mpi;
import org.mpi4j.Op;
import org.mpi4j.Request;

/**
 * The benchmarks of {@code mpi4j bench}, after the OSU Micro-Benchmarks: the same tests, the
 * same loops and the same table format, so rows line up with {@code osu_latency},
 * {@code osu_allreduce} and the rest run on a C MPI. One program, started on every rank by
 * {@code mpi4j run}; rank 0 prints.
 *
 * <pre>
 * Osu TEST [-m MIN:MAX] [-i ITERATIONS] [-x WARMUP] [--objects record|map|records]
 *          [--algorithm NAME] [--csv FILE] [--json FILE] [--quiet]
 * </pre>
 *
 * <ul>
 *   <li>Point-to-point between ranks 0 and 1: {@code latency} (half a round trip), {@code bw}
 *       (a window of 64 non-blocking sends, then an acknowledgement), {@code bibw} (windows
 *       both ways), {@code multi_lat} (every rank of the first half with its partner in the
 *       second, the average).</li>
 *   <li>Collectives on every rank, the average time of one call (the slowest rank's):
 *       {@code bcast}, {@code reduce}, {@code allreduce}, {@code allgather}, {@code alltoall},
 *       {@code gather}, {@code scatter}, {@code reduce_scatter}, {@code barrier}. Sizes are
 *       bytes per rank (per block where the call moves blocks); reductions sum floats, as
 *       OSU's do.</li>
 *   <li>{@code --objects}: {@code latency} with objects in place of bytes, which the C suite
 *       cannot have: a small {@code record}, a {@code map} of SIZE entries, an array of SIZE
 *       {@code records}; sizes are then counts, not bytes.</li>
 * </ul>
 *
 * <p>Warm-up: first {@code --warmup-seconds} (default 5) of every size's loop, until the JIT
 * and the heap's first collection are behind ({@link #warmUp}); then {@code -x} iterations
 * before timing each size, as OSU's skip. A progress line goes to standard error on runs
 * longer than a few seconds.
 */
public final class Osu {
    /** The tests, in the order of OSU's suite. */
    public static final List<String> TESTS = List.of("latency", "bw", "bibw", "multi_lat", "bcast", "reduce",
            "allreduce", "allgather", "alltoall", "gather", "scatter", "reduce_scatter", "barrier");
    private static final int WINDOW = 64;

    /** A small record, for the object variants. */
    public record Point(int id, double x, double y, String label) {
    }

    private final Comm world;
    private final String test;
    private final Options o;
    private final PrintStream out = System.out;
    private final List<double[]> rows = new ArrayList<>();
    private long lastProgress = System.nanoTime();

    private Osu(Comm world, String test, Options o) {
        this.world = world;
        this.test = test;
        this.o = o;
    }

    /** The command line, parsed. */
    record Options(long min, long max, int iterations, int warmup, double warmupSeconds, String objects,
            String algorithm, String csv, String json, boolean quiet) {

        static Options parse(String test, List<String> a) {
            boolean collective = !List.of("latency", "bw", "bibw", "multi_lat").contains(test);
            long min = test.equals("barrier") ? 0 : collective ? 1 : 0;
            long max = test.equals("barrier") ? 0 : 1L << 20;
            int iterations = -1;
            int warmup = -1;
            double warmupSeconds = 5;
            String objects = null;
            String algorithm = null;
            String csv = null;
            String json = null;
            boolean quiet = false;
            for (int i = 0; i < a.size(); i++) {
                String k = a.get(i);
                switch (k) {
                    case "-m", "--message-size" -> {
                        // OSU's forms: MAX, or MIN:MAX, either side of the colon may be empty
                        String v = value(a, ++i, k);
                        int colon = v.indexOf(':');
                        if (colon < 0) {
                            max = size(v, k);
                        } else {
                            if (colon > 0) {
                                min = size(v.substring(0, colon), k);
                            }
                            if (colon < v.length() - 1) {
                                max = size(v.substring(colon + 1), k);
                            }
                        }
                    }
                    case "-i", "--iterations" -> iterations = count(value(a, ++i, k), k);
                    case "-x", "--warmup" -> warmup = count(value(a, ++i, k), k);
                    case "--warmup-seconds" -> {
                        String v = value(a, ++i, k);
                        try {
                            warmupSeconds = Double.parseDouble(v);
                        } catch (NumberFormatException e) {
                            warmupSeconds = -1;
                        }
                        if (!(warmupSeconds >= 0)) {
                            throw new IllegalArgumentException(k + " " + v + ": a number of seconds, 0 or more");
                        }
                    }
                    case "--objects" -> objects = value(a, ++i, k);
                    case "--algorithm" -> algorithm = value(a, ++i, k);
                    case "--csv" -> csv = value(a, ++i, k);
                    case "--json" -> json = value(a, ++i, k);
                    case "--quiet" -> quiet = true;
                    default -> throw new IllegalArgumentException("unknown option " + k + " for mpi4j bench " + test);
                }
            }
            if (min > max) {
                throw new IllegalArgumentException("-m " + min + ":" + max + ": the smallest size is above the largest");
            }
            if (objects != null && !List.of("record", "map", "records").contains(objects)) {
                throw new IllegalArgumentException("--objects " + objects + ": record, map or records");
            }
            if (algorithm != null && !collective) {
                throw new IllegalArgumentException("--algorithm applies to collectives; " + test + " is point-to-point");
            }
            if (objects != null && !test.equals("latency")) {
                throw new IllegalArgumentException("--objects applies to latency");
            }
            return new Options(min, max, iterations, warmup, warmupSeconds, objects, algorithm, csv, json, quiet);
        }

        private static String value(List<String> a, int i, String k) {
            if (i >= a.size()) {
                throw new IllegalArgumentException("option " + k + " needs a value");
            }
            return a.get(i);
        }

        private static long size(String s, String k) {
            try {
                long v = Long.parseLong(s.trim());
                if (v < 0 || v > Integer.MAX_VALUE) {
                    throw new NumberFormatException();
                }
                return v;
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(k + " " + s + ": sizes are bytes from 0 to " + Integer.MAX_VALUE);
            }
        }

        private static int count(String s, String k) {
            try {
                int v = Integer.parseInt(s.trim());
                if (v < 0) {
                    throw new NumberFormatException();
                }
                return v;
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(k + " " + s + ": a count of 0 or more");
            }
        }
    }

    /**
     * Runs a benchmark on this rank.
     *
     * @param args the test's name, then its options
     */
    public static void main(String[] args) throws IOException {
        if (args.length == 0 || !TESTS.contains(args[0])) {
            throw new IllegalArgumentException("mpi4j bench: name a test: " + String.join(", ", TESTS));
        }
        String test = args[0];
        Options o = Options.parse(test, List.of(args).subList(1, args.length));
        if (o.algorithm() != null) {
            // Before the collectives are made: a forced algorithm, as mpi4j.coll.<op>=<name>.
            System.setProperty("mpi4j.coll." + test, o.algorithm());
        }
        try (Mpi mpi = Mpi.init(args)) {
            Comm world = mpi.world();
            boolean pointToPoint = List.of("latency", "bw", "bibw").contains(test);
            if (pointToPoint && world.size() < 2 || test.equals("multi_lat") && world.size() % 2 != 0) {
                throw new IllegalArgumentException("mpi4j bench " + test + " needs "
                        + (test.equals("multi_lat") ? "an even number of" : "at least 2") + " ranks, not " + world.size());
            }
            new Osu(world, test, o).run(mpi.engine());
        }
    }

    private void run(String engine) throws IOException {
        String unit = switch (test) {
            case "bw", "bibw" -> "Bandwidth (MB/s)";
            case "latency", "multi_lat" -> "Latency (us)";
            default -> "Avg Latency(us)";
        };
        if (world.rank() == 0) {
            out.println("# OSU-style MPI " + title() + " Test, mpi4j " + engine + " engine, " + world.size() + " ranks"
                    + (o.objects() != null ? ", objects: " + o.objects() : "")
                    + (o.algorithm() != null ? ", algorithm " + o.algorithm() : ""));
            out.println(test.equals("barrier") ? "# Avg Latency(us)" : String.format(Locale.ROOT, "# %-12s %18s",
                    o.objects() != null ? "Count" : "Size", unit));
        }
        List<Long> sizes = sizes();
        warmUp(sizes);
        for (int k = 0; k < sizes.size(); k++) {
            long size = sizes.get(k);
            double v = measure((int) size);
            if (world.rank() == 0) {
                rows.add(new double[] {size, v});
                if (test.equals("barrier")) {
                    out.printf(Locale.ROOT, "%18.2f%n", v);
                } else {
                    out.printf(Locale.ROOT, "%-14d %18.2f%n", size, v);
                }
                out.flush();
                if (!o.quiet() && System.nanoTime() - lastProgress > 3e9) {
                    System.err.printf(Locale.ROOT, "mpi4j bench %s: %d of %d sizes done%n", test, k + 1, sizes.size());
                    lastProgress = System.nanoTime();
                }
            }
        }
        if (world.rank() == 0) {
            writeFiles(unit);
        }
    }

    /**
     * Runs the test over every size, briefly, until rank 0 has seen {@code --warmup-seconds}
     * pass (default 5) and every rank's heap has been collected once, or three times that
     * has passed: the JIT compiles the paths with this traffic's profiles, and the young heap
     * has been touched once (before its first collection a JVM pays a page fault per 4 KiB
     * it allocates). OSU's own per-size warm-up (-x) follows, as in C.
     */
    private void warmUp(List<Long> sizes) {
        if (o.warmupSeconds() <= 0) {
            return;
        }
        long start = System.nanoTime();
        long end = start + (long) (o.warmupSeconds() * 1e9);
        long limit = start + (long) (3 * o.warmupSeconds() * 1e9);
        Options brief = new Options(o.min(), o.max(), 50, 5, 0, o.objects(), o.algorithm(), null, null, true);
        Osu quick = new Osu(world, test, brief);
        boolean more = true;
        while (more) {
            for (long size : sizes) {
                quick.measure((int) size);
            }
            long collected = world.allreduce(collections(), Op.MIN);
            long now = System.nanoTime();
            more = world.bcast(now < limit && (now < end || collected == 0), 0);
        }
    }

    private static long collections() {
        long n = 0;
        for (java.lang.management.GarbageCollectorMXBean gc : java.lang.management.ManagementFactory
                .getGarbageCollectorMXBeans()) {
            n += Math.max(0, gc.getCollectionCount());
        }
        return n;
    }

    private String title() {
        return switch (test) {
            case "latency" -> "Latency";
            case "bw" -> "Bandwidth";
            case "bibw" -> "Bi-Directional Bandwidth";
            case "multi_lat" -> "Multi Latency";
            case "reduce_scatter" -> "Reduce_scatter Latency";
            default -> Character.toUpperCase(test.charAt(0)) + test.substring(1) + " Latency";
        };
    }

    private List<Long> sizes() {
        List<Long> s = new ArrayList<>();
        if (test.equals("barrier")) {
            s.add(0L);
            return s;
        }
        if (o.min() == 0) {
            s.add(0L);
        }
        for (long v = 1; v <= o.max(); v *= 2) {
            if (v >= o.min()) {
                s.add(v);
            }
        }
        return s;
    }

    private int iterations(int size) {
        if (o.iterations() >= 0) {
            return Math.max(1, o.iterations());
        }
        return size > 8192 ? 1000 : 10_000;
    }

    private int warmup(int size) {
        if (o.warmup() >= 0) {
            return o.warmup();
        }
        return size > 8192 ? 200 : 2_000;
    }

    private double measure(int size) {
        return switch (test) {
            case "latency" -> o.objects() != null ? objectLatency(size) : latency(size);
            case "bw" -> bandwidth(size, false);
            case "bibw" -> bandwidth(size, true);
            case "multi_lat" -> multiLatency(size);
            default -> collective(size);
        };
    }

    // ------------------------------------------------------------------ point-to-point

    private double latency(int size) {
        Buf b = Buf.of(new byte[size]);
        int iters = iterations(size);
        int warm = warmup(size);
        long start = 0;
        world.barrier();
        for (int i = 0; i < warm + iters; i++) {
            if (i == warm) {
                start = System.nanoTime();
            }
            if (world.rank() == 0) {
                world.send(b, 1, 1);
                world.recv(b, 1, 1);
            } else if (world.rank() == 1) {
                world.recv(b, 0, 1);
                world.send(b, 0, 1);
            }
        }
        return (System.nanoTime() - start) / 1e3 / iters / 2;
    }

    private double objectLatency(int count) {
        Object message = switch (o.objects()) {
            case "record" -> new Point(count, 1.5, -2.5, "p" + count);
            case "map" -> {
                Map<String, Integer> m = new HashMap<>();
                for (int i = 0; i < count; i++) {
                    m.put("key" + i, i);
                }
                yield m;
            }
            default -> {
                Point[] ps = new Point[count];
                for (int i = 0; i < count; i++) {
                    ps[i] = new Point(i, i * 0.5, -i, "p" + i);
                }
                yield ps;
            }
        };
        int iters = Math.max(1, iterations(count) / 4);
        int warm = warmup(count);
        long start = 0;
        world.barrier();
        for (int i = 0; i < warm + iters; i++) {
            if (i == warm) {
                start = System.nanoTime();
            }
            if (world.rank() == 0) {
                world.send(message, 1, 1);
                world.recv(1, 1);
            } else if (world.rank() == 1) {
                Object m = world.recv(0, 1);
                world.send(m, 0, 1);
            }
        }
        return (System.nanoTime() - start) / 1e3 / iters / 2;
    }

    private double bandwidth(int size, boolean both) {
        if (size == 0) {
            return 0;
        }
        int window = WINDOW;
        byte[][] bufs = new byte[window][size];
        byte[][] back = both ? new byte[window][size] : null;
        int iters = Math.max(1, iterations(size) / 20);
        int warm = Math.max(1, warmup(size) / 20);
        long start = 0;
        world.barrier();
        int me = world.rank();
        for (int l = 0; l < warm + iters; l++) {
            if (l == warm) {
                start = System.nanoTime();
            }
            if (me > 1) {
                continue;
            }
            List<Request<?>> reqs = new ArrayList<>(2 * window);
            int peer = 1 - me;
            for (int k = 0; k < window; k++) {
                if (me == 0 || both) {
                    reqs.add(world.isend(Buf.of(bufs[k]), peer, 2));
                }
                if (me == 1 || both) {
                    reqs.add(world.irecv(Buf.of(both ? back[k] : bufs[k]), peer, 2));
                }
            }
            Request.waitAll(reqs.toArray(Request<?>[]::new));
            if (me == 0) {
                world.recv(Buf.of(new byte[0]), 1, 3);
            } else {
                world.send(Buf.of(new byte[0]), 0, 3);
            }
        }
        double secs = (System.nanoTime() - start) / 1e9;
        return (both ? 2.0 : 1.0) * size * window * iters / secs / 1e6;
    }

    private double multiLatency(int size) {
        int n = world.size();
        int me = world.rank();
        int partner = me < n / 2 ? me + n / 2 : me - n / 2;
        Buf b = Buf.of(new byte[size]);
        int iters = iterations(size);
        int warm = warmup(size);
        world.barrier();
        long start = 0;
        for (int i = 0; i < warm + iters; i++) {
            if (i == warm) {
                start = System.nanoTime();
            }
            if (me < n / 2) {
                world.send(b, partner, 1);
                world.recv(b, partner, 1);
            } else {
                world.recv(b, partner, 1);
                world.send(b, partner, 1);
            }
        }
        double mine = (System.nanoTime() - start) / 1e3 / iters / 2;
        return world.allreduce(mine, Op.SUM) / n;
    }

    // ------------------------------------------------------------------ collectives

    private double collective(int size) {
        int n = world.size();
        int floats = Math.max(1, size / 4);
        float[] f = new float[floats];
        float[] g = new float[floats];
        byte[] block = new byte[size];
        byte[] all = new byte[size * n];
        float[] rsIn = new float[floats * n];
        Runnable call = switch (test) {
            case "barrier" -> world::barrier;
            case "bcast" -> () -> world.bcast(Buf.of(block), 0);
            case "reduce" -> () -> world.reduce(Buf.of(f), world.rank() == 0 ? Buf.of(g) : null, Op.SUM, 0);
            case "allreduce" -> () -> world.allreduce(Buf.of(f), Buf.of(g), Op.SUM);
            case "allgather" -> () -> world.allgather(Buf.of(block), Buf.of(all));
            case "alltoall" -> () -> world.alltoall(Buf.of(all), Buf.of(new byte[size * n]));
            case "gather" -> () -> world.gather(Buf.of(block), world.rank() == 0 ? Buf.of(all) : null, 0);
            case "scatter" -> () -> world.scatter(world.rank() == 0 ? Buf.of(all) : null, Buf.of(block), 0);
            case "reduce_scatter" -> () -> world.reduceScatterBlock(Buf.of(rsIn), Buf.of(g), Op.SUM);
            default -> throw new IllegalArgumentException("no test " + test);
        };
        int iters = iterations(size);
        int warm = warmup(size);
        for (int i = 0; i < warm; i++) {
            call.run();
        }
        world.barrier();
        long start = System.nanoTime();
        for (int i = 0; i < iters; i++) {
            call.run();
        }
        double mine = (System.nanoTime() - start) / 1e3 / iters;
        return world.allreduce(mine, Op.MAX);
    }

    // ------------------------------------------------------------------ machine-readable output

    private void writeFiles(String unit) throws IOException {
        String column = o.objects() != null ? "count" : test.equals("barrier") ? "none" : "bytes";
        String valueName = unit.startsWith("Bandwidth") ? "mb_per_s" : "us";
        if (o.csv() != null) {
            StringBuilder sb = new StringBuilder("test,ranks," + column + "," + valueName + "\n");
            for (double[] r : rows) {
                sb.append(test).append(',').append(world.size()).append(',').append((long) r[0]).append(',')
                        .append(String.format(Locale.ROOT, "%.4f", r[1])).append('\n');
            }
            Files.writeString(Path.of(o.csv()), sb.toString());
        }
        if (o.json() != null) {
            StringBuilder sb = new StringBuilder();
            sb.append("{\"test\": \"").append(test).append("\", \"ranks\": ").append(world.size())
                    .append(", \"unit\": \"").append(valueName).append("\", \"rows\": [");
            for (int i = 0; i < rows.size(); i++) {
                double[] r = rows.get(i);
                sb.append(i == 0 ? "" : ", ").append("{\"").append(column).append("\": ").append((long) r[0])
                        .append(", \"").append(valueName).append("\": ")
                        .append(String.format(Locale.ROOT, "%.4f", r[1])).append('}');
            }
            sb.append("]}\n");
            Files.writeString(Path.of(o.json()), sb.toString());
        }
    }
}
