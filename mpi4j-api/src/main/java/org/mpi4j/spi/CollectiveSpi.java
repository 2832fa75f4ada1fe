package org.mpi4j.spi;

import java.util.List;
import java.util.function.Function;
import org.mpi4j.Buf;
import org.mpi4j.Op;

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
    List<Buf> gatherAny(Buf mine, int root);

    /** Scatters messages of any size: rank r gets the root's {@code parts.get(r)}. */
    Buf scatterAny(List<Buf> parts, int root);

    /**
     * Reduces every rank's {@code send} with {@code op}, element by element, in rank order
     * (x0 ⊕ x1 ⊕ …), into the root's {@code recv}. On the root a null {@code send} means
     * {@code recv} holds its input; on other ranks {@code recv} is not used.
     */
    void reduce(Buf send, Buf recv, Op op, int root);

    /** As {@link #reduce}, with the result on every rank; a null {@code send} means in place. */
    void allreduce(Buf send, Buf recv, Op op);

    /**
     * Inclusive prefix reduction: rank r's {@code recv} gets x0 ⊕ … ⊕ xr; a null
     * {@code send} means {@code recv} holds this rank's input.
     */
    void scan(Buf send, Buf recv, Op op);

    /**
     * Exclusive prefix reduction: rank r's {@code recv} gets x0 ⊕ … ⊕ x(r-1); rank 0's
     * {@code recv} is left unchanged. A null {@code send} means {@code recv} holds the input.
     */
    void exscan(Buf send, Buf recv, Op op);

    /**
     * Gathers blocks of different sizes: rank r's {@code send} (counts[r] elements) lands in
     * the root's {@code recv} at element displs[r]. {@code counts} and {@code displs} are used
     * on the root only; a null {@code send} on the root means its block is already in place.
     */
    void gatherv(Buf send, Buf recv, int[] counts, int[] displs, int root);

    /**
     * Scatters blocks of different sizes: rank r's {@code recv} gets counts[r] elements of
     * the root's {@code send} from element displs[r]. On the root a null {@code recv} leaves
     * its block in place.
     */
    void scatterv(Buf send, int[] counts, int[] displs, Buf recv, int root);

    /**
     * Gathers blocks of different sizes to every rank: rank r's counts[r] elements land at
     * displs[r] of every {@code recv}; a null {@code send} means this rank's block is in place.
     */
    void allgatherv(Buf send, Buf recv, int[] counts, int[] displs);

    /**
     * Every rank sends block j of its {@code send} to rank j, which stores it as block i of
     * its {@code recv} (i the sender); blocks hold recv.count() / size elements. A null
     * {@code send} means {@code recv} holds the outgoing blocks and is replaced in place.
     */
    void alltoall(Buf send, Buf recv);

    /**
     * As {@link #alltoall}, with blocks of different sizes: block j of {@code send} is
     * sendCounts[j] elements from sendDispls[j]; block i of {@code recv}, recvCounts[i]
     * elements at recvDispls[i].
     */
    void alltoallv(Buf send, int[] sendCounts, int[] sendDispls, Buf recv, int[] recvCounts, int[] recvDispls);

    /**
     * Reduces {@code send} (sum of counts elements) over all ranks element by element, in
     * rank order, and scatters the result: rank r's {@code recv} gets counts[r] elements
     * starting at the sum of the counts before r. A null {@code send} means {@code recv}
     * holds the whole input, and gets this rank's block at its start.
     */
    void reduceScatter(Buf send, Buf recv, int[] counts, Op op);

    /** Gathers messages of any size to every rank, in rank order (this rank's own included). */
    List<Buf> allgatherAny(Buf mine);

    /** Exchanges messages of any size: rank r sends {@code parts.get(j)} to rank j and gets, in rank order, what each rank sent it. */
    List<Buf> alltoallAny(List<Buf> parts);

    /**
     * Neighbour allgather on a virtual topology: this rank's {@code send} goes to every
     * destination of {@code hood}, and the message of source i lands in {@code recv}, counts[i]
     * elements at displs[i]. A {@code PROC_NULL} neighbour's slot is left as it was.
     */
    void neighborAllgatherv(Buf send, Buf recv, int[] counts, int[] displs, Neighborhood hood);

    /**
     * Neighbour all-to-all: block j of {@code send} (sendCounts[j] elements from
     * sendDispls[j]) goes to destination j; source i's block lands at recvDispls[i]
     * (recvCounts[i] elements). A {@code PROC_NULL} neighbour's slot is left as it was.
     */
    void neighborAlltoallv(Buf send, int[] sendCounts, int[] sendDispls, Buf recv, int[] recvCounts,
            int[] recvDispls, Neighborhood hood);

    /** Neighbour allgather of messages of any size: one entry per source, null for {@code PROC_NULL}. */
    List<Buf> neighborAllgatherAny(Buf mine, Neighborhood hood);

    /** Neighbour all-to-all of messages of any size: parts.get(j) to destination j; one entry per source. */
    List<Buf> neighborAlltoallAny(List<Buf> parts, Neighborhood hood);

    /**
     * Starts a non-blocking collective: {@code body} runs the blocking operations of this
     * interface, on a view of these collectives reserved now, so the operation is ordered
     * with the collectives called before and after it exactly as if it had run here; it
     * completes with body's result. Operations started this way may overlap one another
     * and blocking ones. The request fails with whatever {@code body} throws.
     *
     * @param what the operation, for diagnostics, such as {@code "ibcast(root=0)"}
     */
    <R> AbstractRequest<R> start(String what, Function<CollectiveSpi, R> body);
}
