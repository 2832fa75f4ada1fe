package org.mpi4j.bench;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.mpi4j.Buf;
import org.mpi4j.Comm;
import org.mpi4j.Mpi;
import org.mpi4j.Op;

/**
 * How the local engine's collectives grow with the number of ranks, up to 1024 threads of
 * one JVM, and with message size: the average time of one call (the slowest rank's) for a
 * barrier, broadcasts and allreduces of 8 bytes and 64 KiB, and an allgather of 8 bytes per
 * rank, at 2, 4, 8, … ranks.
 *
 * <pre>
 * java -cp benchmarks.jar org.mpi4j.bench.LocalCollectiveScaling [max-ranks]
 * </pre>
 */
public final class LocalCollectiveScaling {
    private LocalCollectiveScaling() {
    }

    private static final List<String> OPS = List.of("barrier", "bcast-8B", "bcast-64KiB", "allreduce-8B",
            "allreduce-64KiB", "allgather-8B");

    /** Runs the study and prints the table (µs per call). */
    public static void main(String[] args) {
        int max = args.length > 0 ? Integer.parseInt(args[0]) : 1024;
        System.out.println("# local engine collectives: average time of one call (us), slowest rank");
        StringBuilder head = new StringBuilder(String.format(Locale.ROOT, "%-8s", "# ranks"));
        for (String op : OPS) {
            head.append(String.format(Locale.ROOT, " %15s", op));
        }
        System.out.println(head);
        for (int n = 2; n <= max; n *= 2) {
            Map<String, Double> row = new ConcurrentHashMap<>();
            int ranks = n;
            int iters = Math.max(20, 4000 / ranks);
            Mpi.local(ranks).execute(world -> {
                for (String op : OPS) {
                    double us = time(world, op, iters);
                    if (world.rank() == 0) {
                        row.put(op, us);
                    }
                }
            });
            Map<String, Double> ordered = new LinkedHashMap<>();
            OPS.forEach(op -> ordered.put(op, row.get(op)));
            StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "%-8d", n));
            ordered.values().forEach(v -> line.append(String.format(Locale.ROOT, " %15.2f", v)));
            System.out.println(line);
        }
    }

    private static double time(Comm world, String op, int iters) {
        byte[] small = new byte[8];
        byte[] big = new byte[64 << 10];
        double[] d1 = new double[1];
        double[] d1out = new double[1];
        double[] d8k = new double[8 << 10];
        double[] d8kout = new double[8 << 10];
        byte[] gathered = new byte[8 * world.size()];
        Runnable call = switch (op) {
            case "barrier" -> world::barrier;
            case "bcast-8B" -> () -> world.bcast(Buf.of(small), 0);
            case "bcast-64KiB" -> () -> world.bcast(Buf.of(big), 0);
            case "allreduce-8B" -> () -> world.allreduce(Buf.of(d1), Buf.of(d1out), Op.SUM);
            case "allreduce-64KiB" -> () -> world.allreduce(Buf.of(d8k), Buf.of(d8kout), Op.SUM);
            default -> () -> world.allgather(Buf.of(small), Buf.of(gathered));
        };
        // Warm up for 300 ms, as rank 0's clock says (the JIT; the heap's first collection).
        long until = System.nanoTime() + 300_000_000L;
        boolean more = true;
        while (more) {
            for (int i = 0; i < Math.max(5, iters / 4); i++) {
                call.run();
            }
            more = world.bcast(System.nanoTime() < until, 0);
        }
        world.barrier();
        long start = System.nanoTime();
        for (int i = 0; i < iters; i++) {
            call.run();
        }
        double us = (System.nanoTime() - start) / 1e3 / iters;
        return world.allreduce(us, Op.MAX);
    }
}
