package org.mpi4j.tools.apps;

import org.mpi4j.Mpi;

/** Every rank waits for a message nobody sends. */
public final class Hanging {
    public static void main(String[] args) {
        try (Mpi mpi = Mpi.init(args)) {
            mpi.world().<String>recv(Mpi.ANY_SOURCE, 7);
        }
    }
}
