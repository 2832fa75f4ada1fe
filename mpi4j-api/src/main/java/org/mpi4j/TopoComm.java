package org.mpi4j;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;
import org.mpi4j.spi.CollectiveSpi;
import org.mpi4j.spi.CommSpi;
import org.mpi4j.spi.Neighborhood;
import org.mpi4j.spi.RankSpi;

/**
 * A communicator with a virtual topology: each rank has a list of <em>sources</em>, the
 * ranks it receives from, and of <em>destinations</em>, the ranks it sends to, and the
 * neighbour collectives exchange data along them only (MPI 4.1 §8.6).
 *
 * <p>The lists depend on the kind of topology:
 * <ul>
 *   <li>{@link CartComm}: for each dimension d in order, the rank one step back and the
 *       rank one step ahead along d (what {@link CartComm#shift shift(d, 1)} returns as
 *       source and dest), both as sources and as destinations, so {@code 2 * ndims} of each.
 *       Past the edge of a non-periodic dimension the neighbour is {@link Mpi#PROC_NULL}:
 *       nothing is sent there, and its receive slot is left as it was. In a periodic
 *       dimension of size 1 or 2 the same rank is both neighbours (itself, for size 1);
 *       as MPI 4 requires, what a rank sends ahead lands in the slot "one step back" of
 *       the receiver and what it sends back in the slot "one step ahead".</li>
 *   <li>{@link GraphComm}: the node's neighbours in the order given, as sources and as
 *       destinations; the neighbour collectives need the graph to be symmetric.</li>
 *   <li>{@link DistGraphComm}: the sources and destinations of the distributed graph.</li>
 * </ul>
 * A rank that appears several times in a list is a neighbour several times: the k-th
 * message a rank sends to it lands in the slot of its k-th appearance at the other end.
 *
 * <p>The neighbour collectives are collectives of this communicator: every rank calls them,
 * in the same order as its other collectives, and they never match point-to-point receives,
 * not even with {@link Mpi#ANY_SOURCE} and {@link Mpi#ANY_TAG}. Each comes in a blocking
 * and a non-blocking form ({@code i…}, returning a {@link Request}), in the buffer
 * vocabulary and, for allgather and all-to-all, in the object vocabulary. There is no
 * in-place form, as in MPI.
 *
 * <p>Buffer sizes say the counts, as in {@link Comm#allgather(Buf, Buf)}: a neighbour
 * allgather's {@code recv} holds {@code indegree()} blocks of {@code send.count()} elements;
 * a neighbour all-to-all's {@code send} holds {@code outdegree()} blocks and its
 * {@code recv} {@code indegree()} blocks, all of one size. A message of the wrong size
 * fails the receiving rank with the counts of both ends.
 */
public abstract sealed class TopoComm extends Comm permits CartComm, GraphComm, DistGraphComm {
    private final Neighborhood hood;

    TopoComm(RankSpi rankSpi, CommSpi spi, Neighborhood hood) {
        super(rankSpi, spi, false);
        this.hood = hood;
    }

    // ================================================================== neighbours

    /** Returns the number of sources: the blocks a neighbour collective receives (PROC_NULL ones included). */
    public int indegree() {
        return hood.sources().length;
    }

    /** Returns the number of destinations: the blocks a neighbour all-to-all sends (PROC_NULL ones included). */
    public int outdegree() {
        return hood.destinations().length;
    }

    /**
     * Returns the ranks this rank receives from in neighbour collectives, in slot order
     * ({@code MPI_Dist_graph_neighbors}' sources); {@link Mpi#PROC_NULL} past a
     * non-periodic Cartesian edge. A new array.
     */
    public int[] sources() {
        return hood.sources().clone();
    }

    /**
     * Returns the ranks this rank sends to in neighbour collectives, in block order
     * ({@code MPI_Dist_graph_neighbors}' destinations); {@link Mpi#PROC_NULL} past a
     * non-periodic Cartesian edge. A new array.
     */
    public int[] destinations() {
        return hood.destinations().clone();
    }

    /** The neighbourhood, for the engine; not to be modified. */
    final Neighborhood neighborhood() {
        return hood;
    }

    /**
     * Throws if neighbour collectives cannot run on this topology; the graph topology
     * overrides it to refuse graphs that are not symmetric.
     */
    void checkNeighborCollectives(String op) {
    }

    /**
     * Returns a new communicator with the same ranks, the same topology and a context of its
     * own, as {@code MPI_Comm_dup} does. Collective.
     */
    @Override
    public abstract TopoComm dup();

    /** The communicator {@link Comm#dup()} makes: same ranks, new context, no topology yet. */
    final CommSpi dupSpi() {
        return super.dup().spi;
    }

    // ================================================================== allgather

    /**
     * Sends {@code send} to every destination and receives one block from every source:
     * source i's block lands at element i × {@code send.count()} of {@code recv}, which holds
     * {@code indegree() * send.count()} elements of the same type. A {@link Mpi#PROC_NULL}
     * source's block is left as it was. Collective: {@code MPI_Neighbor_allgather}.
     *
     * @throws MpiException of class {@link ErrorClass#TYPE} if the buffers' types differ; of
     *     class {@link ErrorClass#COUNT} if {@code recv} does not hold indegree blocks, or (on
     *     the receiving rank) if a neighbour sends a block of another size
     */
    public void neighborAllgather(Buf send, Buf recv) {
        run(allgatherBody(send, recv));
    }

    /** Starts {@link #neighborAllgather(Buf, Buf)}; neither buffer may be touched until the request completes. */
    public Request<Void> ineighborAllgather(Buf send, Buf recv) {
        return start("ineighborAllgather", allgatherBody(send, recv));
    }

    private Function<CollectiveSpi, Void> allgatherBody(Buf send, Buf recv) {
        String op = "neighborAllgather";
        checkUsable(op);
        Objects.requireNonNull(send, "send");
        Objects.requireNonNull(recv, "recv");
        checkWritable(recv, op);
        checkTypes(op, send, recv);
        int in = indegree();
        long c = send.count();
        if (recv.count() != in * c) {
            throw new MpiException(ErrorClass.COUNT, op + ": recv holds " + recv.count() + " elements, but "
                    + in + " sources of " + c + " (send's count) need " + in * c);
        }
        int[] counts = new int[in];
        int[] displs = new int[in];
        for (int i = 0; i < in; i++) {
            counts[i] = Math.toIntExact(c);
            displs[i] = Math.toIntExact(i * c);
        }
        Buf s = sendable(send);
        Neighborhood h = hood;
        return coll -> {
            coll.neighborAllgatherv(s, recv, counts, displs, h);
            return null;
        };
    }

    /**
     * {@link #neighborAllgather(Buf, Buf)} with blocks of different sizes: source i's block,
     * {@code counts[i]} elements, lands at element {@code displs[i]} of {@code recv}. Each
     * source must send exactly {@code counts[i]} elements; blocks must not overlap.
     * Collective: {@code MPI_Neighbor_allgatherv}.
     *
     * @param counts one count per source, in slot order
     * @param displs one displacement (in elements) per source
     * @throws MpiException if the layout does not have {@code indegree()} entries, has a
     *     negative entry, a block beyond {@code recv} or overlapping blocks; if the types
     *     differ; on the receiving rank, if a source sends a block of another size
     */
    public void neighborAllgatherv(Buf send, Buf recv, int[] counts, int[] displs) {
        run(allgathervBody(send, recv, counts, displs));
    }

    /** Starts {@link #neighborAllgatherv}. */
    public Request<Void> ineighborAllgatherv(Buf send, Buf recv, int[] counts, int[] displs) {
        return start("ineighborAllgatherv", allgathervBody(send, recv, counts, displs));
    }

    private Function<CollectiveSpi, Void> allgathervBody(Buf send, Buf recv, int[] counts, int[] displs) {
        String op = "neighborAllgatherv";
        checkUsable(op);
        Objects.requireNonNull(send, "send");
        Objects.requireNonNull(recv, "recv");
        Objects.requireNonNull(counts, "counts");
        Objects.requireNonNull(displs, "displs");
        checkWritable(recv, op);
        checkTypes(op, send, recv);
        int[] cs = counts.clone();
        int[] ds = displs.clone();
        checkLayout(op, "recv", recv, "counts", cs, "displs", ds, indegree(), "sources", true);
        Buf s = sendable(send);
        Neighborhood h = hood;
        return coll -> {
            coll.neighborAllgatherv(s, recv, cs, ds, h);
            return null;
        };
    }

    /**
     * Sends {@code value} to every destination and returns, in slot order, the value each
     * source sent: {@code indegree()} entries, null for a {@link Mpi#PROC_NULL} source.
     * Each entry is a copy, decoded by the job's codec (primitive arrays travel as buffers).
     * Collective.
     */
    public <T> List<T> neighborAllgather(T value) {
        return run(allgatherObjectBody(value));
    }

    /** Starts {@link #neighborAllgather(Object)}: the request yields the list. */
    public <T> Request<List<T>> ineighborAllgather(T value) {
        return start("ineighborAllgather", allgatherObjectBody(value));
    }

    private <T> Function<CollectiveSpi, List<T>> allgatherObjectBody(T value) {
        checkUsable("neighborAllgather");
        Buf mine = encodeOwned(value);
        Neighborhood h = hood;
        return coll -> decodeList(coll.neighborAllgatherAny(mine, h));
    }

    // ================================================================== all-to-all

    /**
     * Sends block j of {@code send} to destination j and receives block i of {@code recv}
     * from source i. {@code send} holds {@code outdegree()} blocks and {@code recv}
     * {@code indegree()} blocks of one size and type. Nothing is sent to a
     * {@link Mpi#PROC_NULL} destination, and a {@code PROC_NULL} source's block is left as it
     * was. Collective: {@code MPI_Neighbor_alltoall}.
     *
     * @throws MpiException of class {@link ErrorClass#TYPE} if the types differ; of class
     *     {@link ErrorClass#COUNT} if the buffers do not hold whole blocks of one size, or (on
     *     the receiving rank) if a neighbour sends a block of another size
     */
    public void neighborAlltoall(Buf send, Buf recv) {
        run(alltoallBody(send, recv));
    }

    /** Starts {@link #neighborAlltoall(Buf, Buf)}. */
    public Request<Void> ineighborAlltoall(Buf send, Buf recv) {
        return start("ineighborAlltoall", alltoallBody(send, recv));
    }

    private Function<CollectiveSpi, Void> alltoallBody(Buf send, Buf recv) {
        String op = "neighborAlltoall";
        checkUsable(op);
        Objects.requireNonNull(send, "send");
        Objects.requireNonNull(recv, "recv");
        checkWritable(recv, op);
        checkTypes(op, send, recv);
        int in = indegree();
        int out = outdegree();
        long c = in > 0 ? recv.count() / in : out > 0 ? send.count() / out : 0;
        if (recv.count() != in * c || send.count() != out * c) {
            throw new MpiException(ErrorClass.COUNT, op + ": send holds " + send.count() + " elements and recv "
                    + recv.count() + ", but with " + out + " destinations and " + in + " sources they must hold "
                    + out + " and " + in + " blocks of one size");
        }
        int[] sc = new int[out];
        int[] sd = new int[out];
        for (int j = 0; j < out; j++) {
            sc[j] = Math.toIntExact(c);
            sd[j] = Math.toIntExact(j * c);
        }
        int[] rc = new int[in];
        int[] rd = new int[in];
        for (int i = 0; i < in; i++) {
            rc[i] = Math.toIntExact(c);
            rd[i] = Math.toIntExact(i * c);
        }
        Buf s = sendable(send);
        Neighborhood h = hood;
        return coll -> {
            coll.neighborAlltoallv(s, sc, sd, recv, rc, rd, h);
            return null;
        };
    }

    /**
     * {@link #neighborAlltoall(Buf, Buf)} with blocks of different sizes: block j of
     * {@code send}, {@code sendCounts[j]} elements from {@code sendDispls[j]}, goes to
     * destination j; source i's block lands in {@code recv}, {@code recvCounts[i]} elements
     * at {@code recvDispls[i]}. What a rank sends a neighbour must be exactly what the
     * neighbour expects from it; receive blocks must not overlap. Collective:
     * {@code MPI_Neighbor_alltoallv}.
     *
     * @throws MpiException if a layout does not have one entry per destination (send) or
     *     source (recv), has a negative entry, a block beyond its buffer, or overlapping
     *     receive blocks; if the types differ; on the receiving rank, if a neighbour sends a
     *     block of another size
     */
    public void neighborAlltoallv(Buf send, int[] sendCounts, int[] sendDispls, Buf recv, int[] recvCounts,
            int[] recvDispls) {
        run(alltoallvBody(send, sendCounts, sendDispls, recv, recvCounts, recvDispls));
    }

    /** Starts {@link #neighborAlltoallv}. */
    public Request<Void> ineighborAlltoallv(Buf send, int[] sendCounts, int[] sendDispls, Buf recv,
            int[] recvCounts, int[] recvDispls) {
        return start("ineighborAlltoallv", alltoallvBody(send, sendCounts, sendDispls, recv, recvCounts, recvDispls));
    }

    private Function<CollectiveSpi, Void> alltoallvBody(Buf send, int[] sendCounts, int[] sendDispls, Buf recv,
            int[] recvCounts, int[] recvDispls) {
        String op = "neighborAlltoallv";
        checkUsable(op);
        Objects.requireNonNull(send, "send");
        Objects.requireNonNull(recv, "recv");
        Objects.requireNonNull(sendCounts, "sendCounts");
        Objects.requireNonNull(sendDispls, "sendDispls");
        Objects.requireNonNull(recvCounts, "recvCounts");
        Objects.requireNonNull(recvDispls, "recvDispls");
        checkWritable(recv, op);
        checkTypes(op, send, recv);
        int[] sc = sendCounts.clone();
        int[] sd = sendDispls.clone();
        int[] rc = recvCounts.clone();
        int[] rd = recvDispls.clone();
        checkLayout(op, "send", send, "sendCounts", sc, "sendDispls", sd, outdegree(), "destinations", false);
        checkLayout(op, "recv", recv, "recvCounts", rc, "recvDispls", rd, indegree(), "sources", true);
        Buf s = sendable(send);
        Neighborhood h = hood;
        return coll -> {
            coll.neighborAlltoallv(s, sc, sd, recv, rc, rd, h);
            return null;
        };
    }

    /**
     * Sends {@code values.get(j)} to destination j and returns, in slot order, what each
     * source sent this rank: {@code indegree()} entries, null for a {@link Mpi#PROC_NULL}
     * source. {@code values} holds exactly one value per destination, PROC_NULL ones
     * included (theirs is encoded but not sent). Collective.
     *
     * @throws MpiException of class {@link ErrorClass#COUNT} if the list's size is not {@code outdegree()}
     */
    public <T> List<T> neighborAlltoall(List<T> values) {
        return run(alltoallObjectBody(values));
    }

    /** Starts {@link #neighborAlltoall(List)}: the request yields the list. */
    public <T> Request<List<T>> ineighborAlltoall(List<T> values) {
        return start("ineighborAlltoall", alltoallObjectBody(values));
    }

    private <T> Function<CollectiveSpi, List<T>> alltoallObjectBody(List<T> values) {
        String op = "neighborAlltoall";
        checkUsable(op);
        Objects.requireNonNull(values, "values");
        if (values.size() != outdegree()) {
            throw new MpiException(ErrorClass.COUNT, op + ": " + values.size() + " values for " + outdegree()
                    + " destinations; pass exactly one per destination, PROC_NULL ones included");
        }
        List<Buf> parts = new ArrayList<>(values.size());
        for (T v : values) {
            parts.add(encodeOwned(v));
        }
        Neighborhood h = hood;
        return coll -> decodeList(coll.neighborAlltoallAny(parts, h));
    }

    // ================================================================== helpers

    private void checkUsable(String op) {
        if (isFreed()) {
            throw new MpiException(ErrorClass.COMM, op + ": " + name() + " has been freed");
        }
        checkNeighborCollectives(op);
    }

    private <T> List<T> decodeList(List<Buf> parts) {
        List<T> out = new ArrayList<>(parts.size());
        for (Buf b : parts) {
            out.add(b == null ? null : Comm.<T>decode(codec, b));
        }
        return Collections.unmodifiableList(out);
    }

    private static void checkTypes(String op, Buf send, Buf recv) {
        if (send.datatype() != recv.datatype()) {
            throw new MpiException(ErrorClass.TYPE, op + ": send holds " + send.datatype() + " elements, recv "
                    + recv.datatype());
        }
    }

    /**
     * Checks that {@code counts} and {@code displs} give each of {@code n} neighbours a block
     * within {@code buf}, and for a receive buffer that no two blocks overlap.
     */
    private static void checkLayout(String op, String bufName, Buf buf, String countsName, int[] counts,
            String displsName, int[] displs, int n, String side, boolean disjoint) {
        if (counts.length != n || displs.length != n) {
            throw new MpiException(ErrorClass.ARG, op + ": " + countsName + " has " + counts.length + " entries and "
                    + displsName + " " + displs.length + ", but this rank has " + n + " " + side);
        }
        for (int i = 0; i < n; i++) {
            if (counts[i] < 0) {
                throw new MpiException(ErrorClass.COUNT, op + ": " + countsName + "[" + i + "] = " + counts[i]
                        + " is negative");
            }
            if (displs[i] < 0) {
                throw new MpiException(ErrorClass.ARG, op + ": " + displsName + "[" + i + "] = " + displs[i]
                        + " is negative");
            }
            if ((long) displs[i] + counts[i] > buf.count()) {
                throw new MpiException(ErrorClass.COUNT, op + ": block " + i + " (" + counts[i] + " elements at "
                        + displs[i] + ") ends beyond " + bufName + ", which holds " + buf.count());
            }
        }
        if (!disjoint) {
            return;
        }
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        java.util.Arrays.sort(order, (a, b) -> Integer.compare(displs[a], displs[b]));
        long end = 0;
        int last = -1;
        for (int i : order) {
            if (counts[i] == 0) {
                continue;
            }
            if (displs[i] < end) {
                throw new MpiException(ErrorClass.ARG, op + ": in " + bufName + " block " + i + " overlaps block "
                        + last + "; blocks that are received must not overlap");
            }
            end = (long) displs[i] + counts[i];
            last = i;
        }
    }
}
