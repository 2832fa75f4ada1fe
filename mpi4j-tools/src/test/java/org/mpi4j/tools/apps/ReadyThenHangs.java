package org.mpi4j.tools.apps;

import org.mpi4j.Mpi;

/** Every rank says it is ready, then waits for a message nobody sends. */
public final class ReadyThenHangs {
    private ReadyThenHangs() {
    }

    /** Runs the program. */
    public static void main(String[] args) {
        try (Mpi mpi = Mpi.init(args)) {
            System.out.println("rank " + mpi.world().rank() + " ready");
            System.out.flush();
            mpi.world().<String>recv(Mpi.ANY_SOURCE, 7);
        }
    }
}
