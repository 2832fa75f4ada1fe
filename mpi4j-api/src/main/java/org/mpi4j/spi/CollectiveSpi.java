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

    /**
     * Gathers every rank's {@code send} into the root's {@code recv}, rank r's block at
     * element r × count. On the root, a null {@code send} means its block is already in
     * place; {@code recv} is not used on other ranks.
     */
    void gather(Buf send, Buf recv, int root);

    /**
     * Scatters the root's {@code send}, block r of count elements to rank r's {@code recv}.
     * On the root, a null {@code recv} leaves its block in place; {@code send} is not used on
     * other ranks.
     */
    void scatter(Buf send, Buf recv, int root);

    /**
     * Gathers every rank's {@code send} into every rank's {@code recv}, rank r's block at
     * element r × count; a null {@code send} means this rank's block is already in place.
     */
    void allgather(Buf send, Buf recv);

    /**
     * Gathers messages of any size: the root gets every rank's buffer in rank order (its own
     * included), the others null.
     */
    java.util.List<Buf> gatherAny(Buf mine, int root);

    /** Scatters messages of any size: rank r gets the root's {@code parts.get(r)}. */
    Buf scatterAny(java.util.List<Buf> parts, int root);

    /**
     * Reduces every rank's {@code send} with {@code op}, element by element, in rank order
     * (x0 ⊕ x1 ⊕ …), into the root's {@code recv}. On the root a null {@code send} means
     * {@code recv} holds its input; on other ranks {@code recv} is not used.
     */
    void reduce(Buf send, Buf recv, org.mpi4j.Op op, int root);

    /** As {@link #reduce}, with the result on every rank; a null {@code send} means in place. */
    void allreduce(Buf send, Buf recv, org.mpi4j.Op op);

    /**
     * Inclusive prefix reduction: rank r's {@code recv} gets x0 ⊕ … ⊕ xr; a null
     * {@code send} means {@code recv} holds this rank's input.
     */
    void scan(Buf send, Buf recv, org.mpi4j.Op op);

    /**
     * Exclusive prefix reduction: rank r's {@code recv} gets x0 ⊕ … ⊕ x(r-1); rank 0's
     * {@code recv} is left unchanged. A null {@code send} means {@code recv} holds the input.
     */
    void exscan(Buf send, Buf recv, org.mpi4j.Op op);
}
