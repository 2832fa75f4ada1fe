package org.mpi4j.tools.apps;

import org.mpi4j.Comm;
import org.mpi4j.Mpi;

/** Rank 1 throws; the others wait for a message from it that never comes. */
public final class Failing {
    public static void main(String[] args) {
        try (Mpi mpi = Mpi.init(args)) {
            Comm world = mpi.world();
            if (world.rank() == 1) {
                giveUp();
            }
            world.<String>recv(1, 0);
        }
    }

    private static void giveUp() {
        throw new IllegalStateException("rank 1 gives up");
    }
}
