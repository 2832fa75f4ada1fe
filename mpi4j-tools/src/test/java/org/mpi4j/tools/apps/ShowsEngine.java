package org.mpi4j.tools.apps;

import org.mpi4j.Mpi;

/** Each rank prints its rank, the job's size, its engine and the GREETING variable of its environment. */
public final class ShowsEngine {
    private ShowsEngine() {
    }

    /** Runs the program. */
    public static void main(String[] args) {
        try (Mpi mpi = Mpi.init(args)) {
            System.out.println("rank " + mpi.world().rank() + " of " + mpi.world().size() + " on " + mpi.engine()
                    + " says " + System.getenv("GREETING"));
        }
    }
}
