package org.mpi4j.tools.apps;

import org.mpi4j.Mpi;

/** Prints what its rank sees of the environment, a system property and its engine. */
public final class ShowsEnvironment {
    private ShowsEnvironment() {
    }

    /** Runs the program. */
    public static void main(String[] args) {
        try (Mpi mpi = Mpi.init(args)) {
            System.out.println("rank " + mpi.world().rank() + " engine " + mpi.engine() + " greeting "
                    + System.getenv("MPI4J_TEST_GREETING") + " flag " + System.getProperty("mpi4j.test.flag")
                    + " args " + String.join("|", args));
        }
    }
}
