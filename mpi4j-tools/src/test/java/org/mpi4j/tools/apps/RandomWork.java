package org.mpi4j.tools.apps;

import java.io.IOException;
import java.util.Random;
import org.mpi4j.Buf;
import org.mpi4j.Comm;
import org.mpi4j.JobAbortedException;
import org.mpi4j.Mpi;
import org.mpi4j.Op;

/**
 * A seeded random schedule of collectives and point-to-point exchanges; at step
 * {@code killStep} rank {@code victim} kills itself with SIGKILL. Arguments: seed, victim,
 * killStep. The others print what they were told and end.
 */
public final class RandomWork {
    private RandomWork() {
    }

    /** Runs the program. */
    public static void main(String[] args) throws IOException, InterruptedException {
        long seed = Long.parseLong(args[0]);
        int victim = Integer.parseInt(args[1]);
        int killStep = Integer.parseInt(args[2]);
        try (Mpi mpi = Mpi.init(args)) {
            Comm w = mpi.world();
            Random rnd = new Random(seed); // the same schedule on every rank
            int n = w.size();
            try {
                for (int step = 0; step < 1_000_000; step++) {
                    if (step == killStep && w.rank() == victim) {
                        new ProcessBuilder("kill", "-9", Long.toString(ProcessHandle.current().pid())).start().waitFor();
                        Thread.sleep(60_000);
                    }
                    int size = rnd.nextInt(3) == 0 ? 1 + rnd.nextInt(100_000) : 1 + rnd.nextInt(64);
                    int root = rnd.nextInt(n);
                    switch (rnd.nextInt(5)) {
                        case 0 -> w.allreduce(Buf.of(new long[size]), Buf.of(new long[size]), Op.SUM);
                        case 1 -> w.bcast(Buf.of(new byte[size]), root);
                        case 2 -> w.alltoall(Buf.of(new byte[size * n]), Buf.of(new byte[size * n]));
                        case 3 -> w.sendrecv(Buf.of(new byte[size]), (w.rank() + 1) % n, 5, Buf.of(new byte[size]),
                                (w.rank() + n - 1) % n, 5);
                        default -> w.barrier();
                    }
                }
            } catch (JobAbortedException e) {
                System.out.println("rank " + w.rank() + " was told: " + e.getMessage());
            }
        }
    }
}
