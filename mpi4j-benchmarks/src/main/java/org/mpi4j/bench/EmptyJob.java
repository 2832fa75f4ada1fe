package org.mpi4j.bench;

import org.mpi4j.Mpi;

/**
 * An MPI program that does nothing but join its job and leave it: what {@code mpi4j run -n 2}
 * costs on its own, beside {@code c/empty.c} under {@code mpirun} (compare-process.sh).
 */
public final class EmptyJob {
    private EmptyJob() {
    }

    /**
     * Joins, waits at a barrier, and finalizes.
     *
     * @param args ignored
     */
    public static void main(String[] args) {
        try (Mpi mpi = Mpi.init(args)) {
            mpi.world().barrier();
        }
    }
}
