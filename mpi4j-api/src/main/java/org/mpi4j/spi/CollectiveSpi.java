package org.mpi4j.spi;

import org.mpi4j.Buf;

/**
 * The collective operations of one communicator on one rank, as an engine provides them:
 * the pure-Java engines run named algorithms over point-to-point on the communicator's
 * collective context; the native engine calls its MPI library's own. Arguments are
 * validated by the API; every rank of the communicator calls the same operations in the
 * same order, as MPI requires.
 */
public interface CollectiveSpi {

    /** Returns when every rank has entered the barrier. */
    void barrier();

    /** Copies {@code buf} of rank {@code root} into {@code buf} of every other rank. */
    void bcast(Buf buf, int root);

    /**
     * Broadcasts a message whose size only the root knows: the root passes its buffer, the
     * others null, and every rank gets the root's content (the root its own buffer back).
     */
    Buf bcastAny(Buf rootBuf, int root);
}
