package org.mpi4j.tools.apps;

import java.io.IOException;
import org.mpi4j.Comm;
import org.mpi4j.Mpi;
import org.mpi4j.MpiException;

/**
 * Rank 1 is killed with SIGKILL (or exits with the status given as argument) while every
 * other rank waits for it; they print what they were told and end.
 */
public final class DiesHard {
    private DiesHard() {
    }

    /** Runs the program. */
    public static void main(String[] args) throws IOException, InterruptedException {
        try (Mpi mpi = Mpi.init(args)) {
            Comm world = mpi.world();
            world.barrier(); // everyone is up
            if (world.rank() == 1) {
                if (args.length > 0) {
                    System.exit(Integer.parseInt(args[0]));
                }
                new ProcessBuilder("kill", "-9", Long.toString(ProcessHandle.current().pid())).start().waitFor();
                Thread.sleep(60_000);
            }
            try {
                world.<String>recv(1, 0);
            } catch (MpiException e) {
                System.out.println("rank " + world.rank() + " was told: " + e.getMessage());
            }
        }
    }
}
