package org.mpi4j.tools;

import org.mpi4j.Buf;
import org.mpi4j.Comm;
import org.mpi4j.Mpi;
import org.mpi4j.Op;

/**
 * The job that trains mpi4j's start-up caches: what nearly every program does first — join,
 * learn its rank, exchange small buffers and objects, a barrier, a broadcast, reductions,
 * a gather — and nothing of its own, so the caches hold only mpi4j's classes and stay valid
 * for any program. The {@code mpi4j} script runs it on two ranks once per build and JDK (see
 * {@link Mpi4j}).
 */
public final class StartupTraining {
    private StartupTraining() {
    }

    /**
     * Runs the training job's rank.
     *
     * @param args ignored
     */
    public static void main(String[] args) {
        try (Mpi mpi = Mpi.init(args)) {
            Comm world = mpi.world();
            int rank = world.rank();
            int size = world.size();
            world.barrier();
            int right = (rank + 1) % size;
            int left = (rank + size - 1) % size;
            double[] out = {rank, rank + 0.5};
            double[] in = new double[2];
            byte[] big = new byte[64 << 10];
            byte[] bigIn = new byte[big.length];
            for (int i = 0; i < 50; i++) {
                world.sendrecv(Buf.of(out), right, 1, Buf.of(in), left, 1);
                String s = world.sendrecv("hello from " + rank, right, 2, left, 2);
                if (s == null) {
                    throw new IllegalStateException("no greeting from rank " + left);
                }
                world.sendrecv(Buf.of(big), right, 3, Buf.of(bigIn), left, 3);
                world.bcast(Buf.of(in), 0);
                long sum = world.allreduce((long) rank, Op.SUM);
                if (sum != (long) size * (size - 1) / 2) {
                    throw new IllegalStateException("allreduce gave " + sum);
                }
                world.allreduce(Buf.of(out), Buf.of(in), Op.MAX);
                world.gather(rank, 0);
            }
            world.barrier();
        }
    }
}
