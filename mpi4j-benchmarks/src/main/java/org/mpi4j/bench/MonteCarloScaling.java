package org.mpi4j.bench;

import java.util.Locale;
import org.mpi4j.Comm;
import org.mpi4j.Mpi;
import org.mpi4j.Op;
import org.mpi4j.examples.MonteCarloPi;

/**
 * Strong and weak scaling of the seed's Monte Carlo π (chapter 7), beside
 * {@code c/montecarlo.c}, which prints the same table: on the first k ranks of the job, for k
 * = 1, 2, 4, … up to its size, the best of three timed runs of
 * {@link MonteCarloPi#countInside} — the example's own loop — followed by a sum of the
 * counts.
 *
 * <pre>
 * mpi4j run -n 4 -cp benchmarks.jar org.mpi4j.bench.MonteCarloScaling strong|weak [samples]
 * </pre>
 *
 * <p>Strong scaling: {@code samples} in all (default 10⁸), shared by the k ranks; efficiency
 * is T(1) / (k·T(k)). Weak scaling: {@code samples} per rank; efficiency is T(1) / T(k).
 */
public final class MonteCarloScaling {
    private MonteCarloScaling() {
    }

    /** Runs the study; rank 0 prints the table. */
    public static void main(String[] args) {
        boolean weak = args.length > 0 && args[0].equals("weak");
        long samples = args.length > 1 ? Long.parseLong(args[1]) : 100_000_000L;
        try (Mpi mpi = Mpi.init(args)) {
            Comm world = mpi.world();
            if (world.rank() == 0) {
                System.out.println("# Monte Carlo pi, " + (weak ? "weak" : "strong") + " scaling, " + samples
                        + (weak ? " samples per rank" : " samples in all") + ", mpi4j " + mpi.engine() + " engine");
                System.out.printf(Locale.ROOT, "%-8s %12s %12s%n", "# ranks", "time (s)", "efficiency");
            }
            double t1 = 0;
            for (int k = 1; k <= world.size(); k *= 2) {
                Comm part = world.split(world.rank() < k ? 0 : Mpi.UNDEFINED, world.rank());
                double best = Double.MAX_VALUE;
                if (part != null) {
                    long mine = weak ? samples : samples / k + (part.rank() < samples % k ? 1 : 0);
                    for (int round = 0; round < 3; round++) {
                        part.barrier();
                        long start = System.nanoTime();
                        long inside = MonteCarloPi.countInside(MonteCarloPi.streamOf(42, part.rank()), mine);
                        long total = part.allreduce(inside, Op.SUM);
                        double secs = part.allreduce((System.nanoTime() - start) / 1e9, Op.MAX);
                        if (total < 0) {
                            throw new IllegalStateException("negative count");
                        }
                        best = Math.min(best, secs);
                    }
                    part.free();
                }
                world.barrier();
                if (world.rank() == 0) {
                    if (k == 1) {
                        t1 = best;
                    }
                    double efficiency = weak ? t1 / best : t1 / (k * best);
                    System.out.printf(Locale.ROOT, "%-8d %12.4f %12.3f%n", k, best, efficiency);
                }
            }
        }
    }
}
