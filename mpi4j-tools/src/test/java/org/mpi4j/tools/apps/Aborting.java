package org.mpi4j.tools.apps;

import org.mpi4j.Comm;
import org.mpi4j.Mpi;

/** Rank 0 aborts the job with error code 3; the others wait for it. */
public final class Aborting {
    public static void main(String[] args) {
        try (Mpi mpi = Mpi.init(args)) {
            Comm world = mpi.world();
            if (world.rank() == 0) {
                world.abort(3);
            }
            world.<String>recv(0, 0);
        }
    }
}
