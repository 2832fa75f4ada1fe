package org.mpi4j.bench;

import java.util.Arrays;
import java.util.Locale;
import org.mpi4j.Buf;
import org.mpi4j.Comm;
import org.mpi4j.Mpi;
import org.mpi4j.Op;

/**
 * Allreduce of doubles (sum) on every rank of whatever job this program joins, in the OSU
 * micro-benchmarks' manner ({@code osu_allreduce}: the average time per call, after a
 * warm-up), beside {@code c/allreduce.c}, which prints the same table.
 *
 * <pre>
 * mpirun -n 2 java … org.mpi4j.bench.AllreduceBench [elements...]
 * </pre>
 */
public final class AllreduceBench {
    private AllreduceBench() {
    }

    /** Runs the benchmark; rank 0 prints the table. */
    public static void main(String[] args) {
        int[] sizes = args.length > 0 ? Arrays.stream(args).mapToInt(Integer::parseInt).toArray()
                : new int[] {1, 1024, 128 << 10, 1 << 20};
        try (Mpi mpi = Mpi.init(args)) {
            Comm w = mpi.world();
            if (w.rank() == 0) {
                System.out.println("# mpi4j " + mpi.engine() + " engine, allreduce of doubles (sum), " + w.size() + " ranks");
                System.out.printf(Locale.ROOT, "%-10s %14s%n", "# Elements", "Avg(us)");
            }
            for (int n : sizes) {
                double[] in = new double[n];
                double[] out = new double[n];
                Arrays.fill(in, w.rank() + 1);
                int iters = n <= 1024 ? 20_000 : n <= (128 << 10) ? 400 : 60;
                // Warm-up: at least half the timed iterations and 2 s by rank 0's clock (the JIT,
                // and the heap's first collections; a large allreduce allocates its blocks).
                long until = System.nanoTime() + 2_000_000_000L;
                boolean more = true;
                while (more) {
                    for (int i = 0; i < iters / 2; i++) {
                        w.allreduce(Buf.of(in), Buf.of(out), Op.SUM);
                    }
                    more = w.bcast(System.nanoTime() < until, 0);
                }
                w.barrier();
                long start = System.nanoTime();
                for (int i = 0; i < iters; i++) {
                    w.allreduce(Buf.of(in), Buf.of(out), Op.SUM);
                }
                double us = (System.nanoTime() - start) / 1e3 / iters;
                double expected = (double) w.size() * (w.size() + 1) / 2;
                if (out[n - 1] != expected) {
                    throw new IllegalStateException("allreduce gave " + out[n - 1] + ", not " + expected);
                }
                double max = w.allreduce(us, Op.MAX);
                if (w.rank() == 0) {
                    System.out.printf(Locale.ROOT, "%-10d %14.2f%n", n, max);
                }
            }
        }
    }
}
