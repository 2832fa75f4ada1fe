package org.mpi4j.engine.process;

import java.io.IOException;
import org.mpi4j.Comm;
import org.mpi4j.Mpi;
import org.mpi4j.MpiException;
import org.mpi4j.Op;

/** Small programs that {@link SrunTest} starts as the tasks of a simulated SLURM step. */
final class SlurmApps {
    private SlurmApps() {
    }

    /** Every rank says who it is, and the sum of all ranks. */
    static final class Report {
        public static void main(String[] args) {
            try (Mpi mpi = Mpi.init(args)) {
                Comm world = mpi.world();
                long sum = world.allreduce((long) world.rank(), Op.SUM);
                System.out.println("rank " + world.rank() + " of " + world.size() + " engine " + mpi.engine() + " sum " + sum);
            }
        }
    }

    /**
     * Rank {@code args[1]} (default 1) throws once everyone is up. With {@code args[0]} "any",
     * the others wait for a message from any rank and print what they are told; with
     * "watched", they wait for one from the failing rank and let the exception end them.
     */
    static final class Failing {
        public static void main(String[] args) {
            int failing = args.length > 1 ? Integer.parseInt(args[1]) : 1;
            try (Mpi mpi = Mpi.init(args)) {
                Comm world = mpi.world();
                world.barrier();
                // The others say they are past the barrier before the failing rank gives up: a
                // rank may leave a barrier before the others have, and an abort that reaches
                // them inside it would not be the one the tests look for.
                if (world.rank() == failing) {
                    for (int i = 0; i < world.size() - 1; i++) {
                        world.<String>recv(Mpi.ANY_SOURCE, 1);
                    }
                    giveUp(failing);
                }
                world.send("past the barrier", failing, 1);
                if (args[0].equals("watched")) {
                    world.<String>recv(failing, 0);
                } else {
                    try {
                        world.<String>recv(Mpi.ANY_SOURCE, 0);
                    } catch (MpiException e) {
                        System.out.println("rank " + world.rank() + " was told: " + e.getMessage());
                    }
                }
            }
        }

        private static void giveUp(int rank) {
            throw new IllegalStateException("rank " + rank + " gives up");
        }
    }

    /** Rank {@code args[0]} is killed with SIGKILL once everyone is up; the others print what they are told. */
    static final class Killed {
        public static void main(String[] args) throws IOException, InterruptedException {
            int victim = Integer.parseInt(args[0]);
            try (Mpi mpi = Mpi.init(args)) {
                Comm world = mpi.world();
                world.barrier();
                if (world.rank() == victim) {
                    new ProcessBuilder("kill", "-9", Long.toString(ProcessHandle.current().pid())).start().waitFor();
                    Thread.sleep(60_000);
                }
                try {
                    world.<String>recv(Mpi.ANY_SOURCE, 0);
                } catch (MpiException e) {
                    System.out.println("rank " + world.rank() + " was told: " + e.getMessage());
                }
            }
        }
    }

    /** Rank 1 returns from main without finalizing while the others wait for it. */
    static final class NeverFinalizes {
        public static void main(String[] args) {
            Mpi mpi = Mpi.init(args);
            Comm world = mpi.world();
            world.barrier();
            if (world.rank() == 1) {
                return;
            }
            try {
                world.<String>recv(Mpi.ANY_SOURCE, 0);
            } catch (MpiException e) {
                System.out.println("rank " + world.rank() + " was told: " + e.getMessage());
            }
            mpi.close();
        }
    }
}
