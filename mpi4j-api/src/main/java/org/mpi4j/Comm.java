package org.mpi4j;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import org.mpi4j.spi.AbstractRequest;
import org.mpi4j.spi.CollectiveSpi;
import org.mpi4j.spi.CommSpi;
import org.mpi4j.spi.MessageSpi;
import org.mpi4j.spi.RankSpi;

/**
 * A communicator: a group of ranks that exchange messages in a context of their own.
 *
 * <p>Point-to-point messaging comes in two vocabularies, as in mpi4py, but typed:
 * <ul>
 *   <li><b>objects</b> — {@link #send(Object, int, int)}, {@link #recv(int, int)} and their
 *       kin take any value the job's {@link Codec} can encode: records, collections,
 *       strings, serializable classes. Primitive arrays sent as objects skip the codec and
 *       travel as typed buffers; they are received as arrays.</li>
 *   <li><b>buffers</b> — the same methods taking a {@link Buf} move the bytes of primitive
 *       arrays, their slices, {@code ByteBuffer}s and {@code MemorySegment}s with no
 *       serialization. A receive checks the element type and the size.</li>
 * </ul>
 *
 * <p>MPI's rules hold exactly: messages from one sender on one communicator with one tag
 * are received in the order sent; {@link Mpi#ANY_SOURCE} and {@link Mpi#ANY_TAG} match
 * anything; operations with {@link Mpi#PROC_NULL} complete at once and move nothing. Every
 * operation may be called from any thread, concurrently ({@link ThreadLevel#MULTIPLE}).
 *
 * <p>Invalid arguments throw an {@link MpiException} naming the violated condition; a
 * message too large for its buffer throws a {@link TruncationException} naming both sizes;
 * if any rank fails, every rank's blocked and later operations throw a
 * {@link JobAbortedException} naming it.
 */
public class Comm {
    private static final int SCRATCH_LIMIT = 1 << 20;
    private static final ThreadLocal<ByteOutput> SCRATCH = ThreadLocal.withInitial(() -> new ByteOutput(256));

    final RankSpi rankSpi;
    final CommSpi spi;
    final Codec codec;
    /** WORLD and SELF: they live as long as the job, and cannot be freed. */
    private final boolean predefined;
    private volatile boolean freed;
    private volatile CollectiveSpi collectives;

    Comm(RankSpi rankSpi, CommSpi spi, boolean predefined) {
        this.rankSpi = rankSpi;
        this.spi = spi;
        this.codec = rankSpi.codec();
        this.predefined = predefined;
    }

    /** How {@link #splitType} groups ranks. */
    public enum SplitType {
        /** Ranks that can share memory: those on the same host. */
        SHARED
    }

    // ================================================================== identity

    /** Returns this rank's number in the communicator, from 0 to {@code size() - 1}. */
    public int rank() {
        return spi.rank();
    }

    /** Returns the number of ranks in the communicator. */
    public int size() {
        return spi.size();
    }

    /** Returns the communicator's name, such as "WORLD" or "SELF". */
    public String name() {
        return spi.name();
    }

    /** Returns the name of the processor (host) this rank runs on. */
    public String processorName() {
        return rankSpi.processorName();
    }

    /** Returns wall-clock time in seconds since an arbitrary moment in this rank's past, like {@code MPI_Wtime}. */
    public double wtime() {
        return rankSpi.wtime();
    }

    /** Returns the resolution of {@link #wtime()} in seconds. */
    public double wtick() {
        return rankSpi.wtick();
    }

    /**
     * Aborts the whole job with {@code errorCode}: every rank's pending and later operations
     * fail with a {@link JobAbortedException} naming this rank. Never returns normally: on
     * the calling thread it throws that exception too.
     */
    public void abort(int errorCode) {
        throw rankSpi.abort(errorCode, null);
    }

    // ================================================================== communicators and groups

    /** Returns the group of this communicator's ranks, in rank order, by world rank. */
    public Group group() {
        checkNotFreed("group");
        return Group.of(worldRanks());
    }

    private int[] worldRanks() {
        int[] w = new int[spi.size()];
        for (int i = 0; i < w.length; i++) {
            w[i] = spi.worldRank(i);
        }
        return w;
    }

    /**
     * Returns a new communicator with the same ranks and a context of its own: traffic on
     * it never mixes with this one's. Collective: every rank must call it.
     */
    public Comm dup() {
        checkNotFreed("dup");
        byte[][] all = CommManagement.allgather(spi.collectiveView(), CommManagement.ints(rankSpi.allocateContext()));
        int[] contexts = new int[all.length];
        for (int r = 0; r < all.length; r++) {
            contexts[r] = CommManagement.intsOf(all[r])[0];
        }
        return new Comm(rankSpi, spi.create(worldRanks(), contexts, name() + ".dup"), false);
    }

    /**
     * Splits this communicator: ranks that pass the same {@code color} form a new
     * communicator, ordered by {@code key} and then by their rank here. Collective: every
     * rank must call it.
     *
     * @param color a non-negative color, or {@link Mpi#UNDEFINED} to join none
     * @param key the order within the new communicator
     * @return the new communicator, or null for a rank that passed {@link Mpi#UNDEFINED}
     * @throws MpiException if {@code color} is negative and not {@code UNDEFINED}
     */
    public Comm split(int color, int key) {
        checkNotFreed("split");
        if (color < 0 && color != Mpi.UNDEFINED) {
            throw new MpiException(ErrorClass.ARG, "split: color " + color + " is negative and not UNDEFINED");
        }
        byte[][] all = CommManagement.allgather(spi.collectiveView(),
                CommManagement.ints(color, key, color == Mpi.UNDEFINED ? -1 : rankSpi.allocateContext()));
        if (color == Mpi.UNDEFINED) {
            return null;
        }
        List<int[]> same = new ArrayList<>(); // {key, rank, context} of the ranks with my color
        for (int r = 0; r < all.length; r++) {
            int[] v = CommManagement.intsOf(all[r]);
            if (v[0] == color) {
                same.add(new int[] {v[1], r, v[2]});
            }
        }
        same.sort((a, b) -> a[0] != b[0] ? Integer.compare(a[0], b[0]) : Integer.compare(a[1], b[1]));
        int[] members = new int[same.size()];
        int[] contexts = new int[same.size()];
        for (int i = 0; i < members.length; i++) {
            members[i] = spi.worldRank(same.get(i)[1]);
            contexts[i] = same.get(i)[2];
        }
        return new Comm(rankSpi, spi.create(members, contexts, name() + ".split(" + color + ")"), false);
    }

    /**
     * Splits this communicator by {@code type}: with {@link SplitType#SHARED}, one
     * communicator per host, ordered by {@code key}. Collective.
     */
    public Comm splitType(SplitType type, int key) {
        Objects.requireNonNull(type, "type");
        checkNotFreed("splitType");
        byte[][] hosts = CommManagement.allgather(spi.collectiveView(),
                processorName().getBytes(java.nio.charset.StandardCharsets.UTF_8));
        int color = 0;
        while (!java.util.Arrays.equals(hosts[color], hosts[spi.rank()])) {
            color++;
        }
        return split(color, key);
    }

    /**
     * Creates a communicator of the ranks in {@code group}, which every rank of this
     * communicator must pass, and which must hold only ranks of this one. Collective.
     *
     * @return the new communicator, or null on a rank that is not in {@code group}
     * @throws MpiException if the group holds a rank that is not in this communicator
     */
    public Comm create(Group group) {
        Objects.requireNonNull(group, "group");
        checkNotFreed("create");
        int[] mine = worldRanks();
        for (int w : group.worldRanks()) {
            boolean found = false;
            for (int m : mine) {
                found |= m == w;
            }
            if (!found) {
                throw new MpiException(ErrorClass.ARG, "create: world rank " + w + " of " + group
                        + " is not in " + name());
            }
        }
        boolean member = group.rankOf(spi.worldRank(spi.rank())) != Mpi.UNDEFINED;
        byte[][] all = CommManagement.allgather(spi.collectiveView(),
                CommManagement.ints(member ? rankSpi.allocateContext() : -1));
        if (!member) {
            return null;
        }
        int[] members = group.worldRanks();
        int[] contexts = new int[members.length];
        for (int i = 0; i < members.length; i++) {
            for (int r = 0; r < mine.length; r++) {
                if (mine[r] == members[i]) {
                    contexts[i] = CommManagement.intsOf(all[r])[0];
                }
            }
        }
        return new Comm(rankSpi, spi.create(members, contexts, name() + ".create"), false);
    }

    /**
     * Compares two communicators: {@link Comparison#IDENT} for the same communicator,
     * {@link Comparison#CONGRUENT} for the same ranks in the same order in another context,
     * {@link Comparison#SIMILAR} for the same ranks in another order, else
     * {@link Comparison#UNEQUAL}.
     */
    public Comparison compare(Comm other) {
        Objects.requireNonNull(other, "other");
        if (other == this || other.spi.context() == spi.context() && other.rankSpi == rankSpi) {
            return Comparison.IDENT;
        }
        Comparison groups = group().compare(other.group());
        return groups == Comparison.IDENT ? Comparison.CONGRUENT : groups;
    }

    /**
     * Frees this communicator: it may not be used afterwards. Local: pending operations on
     * it should have completed. WORLD and SELF cannot be freed.
     *
     * @throws MpiException if this is WORLD or SELF
     */
    public void free() {
        if (predefined) {
            throw new MpiException(ErrorClass.COMM, "free: " + name() + " lives as long as the job and cannot be freed");
        }
        if (!freed) {
            freed = true;
            spi.free();
        }
    }

    /** Returns whether {@link #free()} has been called. */
    public boolean isFreed() {
        return freed;
    }

    // ================================================================== virtual topologies
    //
    // The factories of CartComm, GraphComm and DistGraphComm; the work is in Topologies.

    /**
     * Creates a communicator whose ranks form a Cartesian grid ({@code MPI_Cart_create}):
     * ranks 0 to {@code p - 1} of this communicator, {@code p} being the product of
     * {@code dims}, in row-major order (the last coordinate varies fastest). Ranks from
     * {@code p} on get null, as {@code MPI_COMM_NULL} in MPI. Collective: every rank passes
     * the same {@code dims} and {@code periods}; {@link Mpi#dimsCreate} makes balanced ones.
     *
     * <p>{@code reorder} allows the engine to number the ranks anew to fit the machine. The
     * pure-Java engines keep the order (rank r of the grid is rank r here), which MPI allows;
     * a program must not rely on it when it passes true.
     *
     * @param dims the grid's extent in each dimension, each at least 1; no dimensions make a grid of one rank
     * @param periods for each dimension, whether it wraps around
     * @param reorder whether the ranks may be renumbered
     * @return the grid communicator, or null on a rank outside the grid
     * @throws MpiException of class {@link ErrorClass#ARG} if an extent is less than 1, if
     *     {@code periods} and {@code dims} differ in length, or if the grid has more points
     *     than this communicator has ranks; of class {@link ErrorClass#TOPOLOGY} if the ranks
     *     pass different grids. Every rank throws, so none is left waiting.
     */
    public CartComm cartCreate(int[] dims, boolean[] periods, boolean reorder) {
        checkNotFreed("cartCreate");
        return Topologies.cart(this, dims, periods);
    }

    /**
     * Creates a communicator whose ranks are the nodes of a graph that every rank passes in
     * full ({@code MPI_Graph_create}): node i's neighbours are
     * {@code edges[index[i-1] .. index[i]-1]} (from 0 for node 0). The nodes are ranks 0 to
     * {@code index.length - 1} of this communicator; other ranks get null. Self-loops and
     * repeated edges are allowed. Collective: every rank passes the same graph.
     *
     * <p>{@code reorder} is handled as in {@link #cartCreate}: the pure-Java engines keep the order.
     *
     * @param index for each node, the total number of neighbours of it and the nodes before it
     * @param edges the neighbours of node 0, then of node 1, ...
     * @param reorder whether the ranks may be renumbered
     * @return the graph communicator, or null on a rank that is no node
     * @throws MpiException of class {@link ErrorClass#ARG} if {@code index} decreases or the
     *     graph has more nodes than this communicator has ranks; of class
     *     {@link ErrorClass#COUNT} if {@code edges} does not have {@code index}'s last entry;
     *     of class {@link ErrorClass#RANK} if an edge names no node; of class
     *     {@link ErrorClass#TOPOLOGY} if the ranks pass different graphs
     */
    public GraphComm graphCreate(int[] index, int[] edges, boolean reorder) {
        checkNotFreed("graphCreate");
        return Topologies.graph(this, index, edges);
    }

    /**
     * Creates a communicator with a distributed graph topology from each rank's own edges
     * ({@code MPI_Dist_graph_create_adjacent}), unweighted: {@code sources} are the ranks
     * with edges to this one, {@code destinations} those this one has edges to. Every rank
     * of this communicator is a node, in the same order. Repeats and this rank itself are
     * allowed. Collective.
     *
     * <p>Every edge must be listed at both its ends, as often at each; the call checks it,
     * and fails on every rank with {@link ErrorClass#TOPOLOGY}, naming the ranks, if not.
     * {@code reorder} is handled as in {@link #cartCreate}.
     *
     * @throws MpiException of class {@link ErrorClass#RANK} if a source or destination is not
     *     a rank of this communicator; of class {@link ErrorClass#TOPOLOGY} if an edge is
     *     listed at one end only, or if some ranks pass weights and others do not. A rank's
     *     invalid arguments make every rank throw, the others naming it.
     */
    public DistGraphComm distGraphCreateAdjacent(int[] sources, int[] destinations, boolean reorder) {
        return distGraphCreateAdjacent(sources, null, destinations, null, reorder);
    }

    /**
     * {@link #distGraphCreateAdjacent(int[], int[], boolean)} with weights: the weight of the
     * edge from {@code sources[i]} is {@code sourceWeights[i]}, that of the edge to
     * {@code destinations[j]} is {@code destWeights[j]}, each at least 0. An edge must have
     * the same weight at both its ends. Null for both means unweighted
     * ({@code MPI_UNWEIGHTED}); every rank must then pass null.
     *
     * @throws MpiException of class {@link ErrorClass#COUNT} if a weights array's length
     *     differs from its ranks'; of class {@link ErrorClass#ARG} if a weight is negative or
     *     only one of the two weights arrays is null; of class {@link ErrorClass#TOPOLOGY} if
     *     the two ends of an edge disagree on its weight; otherwise as the unweighted form
     */
    public DistGraphComm distGraphCreateAdjacent(int[] sources, int[] sourceWeights, int[] destinations,
            int[] destWeights, boolean reorder) {
        checkNotFreed("distGraphCreateAdjacent");
        return Topologies.distGraphAdjacent(this, sources, sourceWeights, destinations, destWeights);
    }

    /**
     * Creates a communicator with a distributed graph topology from edges that any rank may
     * name ({@code MPI_Dist_graph_create}), unweighted: this rank names {@code degrees[i]}
     * edges from {@code sources[i]}, to the next {@code degrees[i]} entries of
     * {@code destinations}. The call delivers every edge to both its ends (it communicates),
     * so each rank's {@link DistGraphComm#sources()} and {@link DistGraphComm#destinations()}
     * hold its edges in the order of the ranks that named them, then of their lists. Every
     * rank of this communicator is a node. Collective.
     *
     * @throws MpiException of class {@link ErrorClass#COUNT} if {@code degrees} and
     *     {@code sources} differ in length, a degree is negative or the degrees do not add up
     *     to {@code destinations.length}; of class {@link ErrorClass#RANK} if a rank is out of
     *     range. A rank's invalid arguments make every rank throw, the others naming it.
     */
    public DistGraphComm distGraphCreate(int[] sources, int[] degrees, int[] destinations, boolean reorder) {
        return distGraphCreate(sources, degrees, destinations, null, reorder);
    }

    /**
     * {@link #distGraphCreate(int[], int[], int[], boolean)} with a weight, at least 0, for
     * each entry of {@code destinations}; null means unweighted ({@code MPI_UNWEIGHTED}),
     * and then every rank must pass null.
     *
     * @throws MpiException of class {@link ErrorClass#COUNT} if {@code weights} and
     *     {@code destinations} differ in length; of class {@link ErrorClass#ARG} if a weight is
     *     negative; of class {@link ErrorClass#TOPOLOGY} if some ranks pass weights and others
     *     do not; otherwise as the unweighted form
     */
    public DistGraphComm distGraphCreate(int[] sources, int[] degrees, int[] destinations, int[] weights,
            boolean reorder) {
        checkNotFreed("distGraphCreate");
        return Topologies.distGraph(this, sources, degrees, destinations, weights);
    }

    private void checkNotFreed(String op) {
        if (freed) {
            throw new MpiException(ErrorClass.COMM, op + ": " + name() + " has been freed");
        }
    }

    // ================================================================== collectives
    //
    // Every collective is written once as a body over the engine's CollectiveSpi, after its
    // arguments have been checked on the calling thread: the blocking form runs the body
    // here, the non-blocking form hands it to CollectiveSpi.start, which orders it with the
    // calls around it.

    CollectiveSpi collectives() {
        CollectiveSpi c = collectives;
        if (c == null) {
            synchronized (this) {
                c = collectives;
                if (c == null) {
                    c = rankSpi.collectives(spi);
                    collectives = c;
                }
            }
        }
        return c;
    }

    /** Runs a collective body here: the blocking form. */
    final <R> R run(Function<CollectiveSpi, R> body) {
        return body.apply(collectives());
    }

    /** Starts a collective body: the non-blocking form. */
    final <R> Request<R> start(String what, Function<CollectiveSpi, R> body) {
        return collectives().start(what, body);
    }

    private void checkRoot(String op, int root) {
        checkNotFreed(op);
        int size = spi.size();
        if (root < 0 || root >= size) {
            throw new MpiException(ErrorClass.RANK, op + ": root " + root + " is out of range for "
                    + name() + " of size " + size + " (valid: 0.." + (size - 1) + ")");
        }
    }

    // ------------------------------------------------------------------ barrier, bcast

    /**
     * Blocks until every rank of the communicator has called it. Collective: every rank must
     * call it, and collectives in the same order on every rank.
     */
    public void barrier() {
        run(barrierBody());
    }

    /**
     * Starts a barrier: the request completes once every rank has started it. Non-blocking
     * collectives are ordered with the blocking ones by when they are called: every rank
     * must call collectives, of either kind, in the same order.
     */
    public Request<Void> ibarrier() {
        return start("ibarrier", barrierBody());
    }

    private Function<CollectiveSpi, Void> barrierBody() {
        checkNotFreed("barrier");
        return c -> {
            c.barrier();
            return null;
        };
    }

    /**
     * Broadcasts the root's buffer into every rank's buffer, which must hold the same number
     * of elements of the same type on every rank. Collective.
     *
     * @throws MpiException of class {@link ErrorClass#RANK} if {@code root} is out of range;
     *     of class {@link ErrorClass#COUNT} (or a {@link TruncationException}) on a rank whose
     *     buffer does not match the root's
     */
    public void bcast(Buf buf, int root) {
        run(bcastBody(buf, root));
    }

    /** Starts {@link #bcast(Buf, int)}; the buffer may not be touched until the request completes. */
    public Request<Void> ibcast(Buf buf, int root) {
        return start("ibcast(root=" + root + ")", bcastBody(buf, root));
    }

    private Function<CollectiveSpi, Void> bcastBody(Buf buf, int root) {
        Objects.requireNonNull(buf, "buf");
        checkRoot("bcast", root);
        if (spi.rank() != root) {
            checkWritable(buf, "bcast");
        }
        Buf b = spi.rank() == root ? sendable(buf) : buf;
        return c -> {
            c.bcast(b, root);
            return null;
        };
    }

    /**
     * Broadcasts the root's object: every rank returns it (the root its own {@code value};
     * the others a copy). The value passed on other ranks is ignored. Collective.
     *
     * <p>Java resolves a literal {@code null} argument to {@link #bcast(Buf, int)}; non-root
     * ranks pass a typed value, e.g. {@code bcast(rank == 0 ? config : null, 0)}.
     */
    public <T> T bcast(T value, int root) {
        return run(bcastObjectBody(value, root));
    }

    /** Starts {@link #bcast(Object, int)}: the request yields the root's object. */
    public <T> Request<T> ibcast(T value, int root) {
        return start("ibcast(root=" + root + ")", bcastObjectBody(value, root));
    }

    private <T> Function<CollectiveSpi, T> bcastObjectBody(T value, int root) {
        checkRoot("bcast", root);
        boolean isRoot = spi.rank() == root;
        Buf mine = isRoot ? encodeOwned(value) : null;
        return c -> {
            Buf got = c.bcastAny(mine, root);
            return isRoot ? value : Comm.<T>decode(codec, got);
        };
    }

    // ------------------------------------------------------------------ gather, scatter, allgather

    /**
     * Gathers every rank's {@code send} into the root's {@code recv}: rank r's elements land
     * at element r × count. On the root {@code recv} must hold size × count elements of the
     * same type, and a null {@code send} means the root's block is already in place; on other
     * ranks {@code recv} is ignored (it may be null). Collective.
     */
    public void gather(Buf send, Buf recv, int root) {
        run(gatherBody(send, recv, root));
    }

    /** Starts {@link #gather(Buf, Buf, int)}. */
    public Request<Void> igather(Buf send, Buf recv, int root) {
        return start("igather(root=" + root + ")", gatherBody(send, recv, root));
    }

    private Function<CollectiveSpi, Void> gatherBody(Buf send, Buf recv, int root) {
        checkRoot("gather", root);
        boolean isRoot = spi.rank() == root;
        if (!isRoot) {
            Objects.requireNonNull(send, "send");
        } else {
            Objects.requireNonNull(recv, "recv");
            checkWritable(recv, "gather");
            checkBlocks("gather", send, recv, "recv");
        }
        Buf s = send == null ? null : sendable(send);
        Buf r = isRoot ? recv : null;
        return c -> {
            c.gather(s, r, root);
            return null;
        };
    }

    /** Gathers every rank's object to the root, in rank order; other ranks get null. Collective. */
    public <T> List<T> gather(T value, int root) {
        return run(gatherObjectBody(value, root));
    }

    /** Starts {@link #gather(Object, int)}. */
    public <T> Request<List<T>> igather(T value, int root) {
        return start("igather(root=" + root + ")", gatherObjectBody(value, root));
    }

    private <T> Function<CollectiveSpi, List<T>> gatherObjectBody(T value, int root) {
        checkRoot("gather", root);
        Buf mine = encodeOwned(value);
        return c -> {
            List<Buf> parts = c.gatherAny(mine, root);
            return parts == null ? null : decodeAll(parts, value);
        };
    }

    /**
     * Gathers blocks of different sizes into the root's {@code recv}: rank r sends
     * counts[r] elements, which land at element displs[r]. {@code recv}, {@code counts} and
     * {@code displs} are used on the root only (others may pass null); on the root a null
     * {@code send} means its block is already in place. Collective.
     *
     * @throws MpiException on the root if the layout has the wrong length, a negative entry,
     *     a block beyond {@code recv} or blocks that overlap; on a rank whose count differs
     *     from the root's counts[r]
     */
    public void gatherv(Buf send, Buf recv, int[] counts, int[] displs, int root) {
        run(gathervBody(send, recv, counts, displs, root));
    }

    /** Starts {@link #gatherv}. */
    public Request<Void> igatherv(Buf send, Buf recv, int[] counts, int[] displs, int root) {
        return start("igatherv(root=" + root + ")", gathervBody(send, recv, counts, displs, root));
    }

    private Function<CollectiveSpi, Void> gathervBody(Buf send, Buf recv, int[] counts, int[] displs, int root) {
        checkRoot("gatherv", root);
        boolean isRoot = spi.rank() == root;
        int[] cs = null;
        int[] ds = null;
        if (!isRoot) {
            Objects.requireNonNull(send, "send");
        } else {
            Objects.requireNonNull(recv, "recv");
            checkWritable(recv, "gatherv");
            cs = counts.clone();
            ds = displs.clone();
            Layouts.check("gatherv", "recv", recv, cs, ds, spi.size(), true);
            Layouts.checkBlock("gatherv", send, recv, cs[root]);
        }
        Buf s = send == null ? null : sendable(send);
        int[] fc = cs;
        int[] fd = ds;
        return c -> {
            c.gatherv(s, isRoot ? recv : null, fc, fd, root);
            return null;
        };
    }

    /**
     * Scatters the root's {@code send}, size × count elements, block r to rank r's
     * {@code recv}. On the root, a null {@code recv} leaves its block in place; on other
     * ranks {@code send} is ignored (it may be null). Collective.
     */
    public void scatter(Buf send, Buf recv, int root) {
        run(scatterBody(send, recv, root));
    }

    /** Starts {@link #scatter(Buf, Buf, int)}. */
    public Request<Void> iscatter(Buf send, Buf recv, int root) {
        return start("iscatter(root=" + root + ")", scatterBody(send, recv, root));
    }

    private Function<CollectiveSpi, Void> scatterBody(Buf send, Buf recv, int root) {
        checkRoot("scatter", root);
        boolean isRoot = spi.rank() == root;
        if (isRoot) {
            Objects.requireNonNull(send, "send");
            checkBlocks("scatter", recv, send, "send");
        } else {
            Objects.requireNonNull(recv, "recv");
        }
        if (recv != null) {
            checkWritable(recv, "scatter");
        }
        Buf s = isRoot ? sendable(send) : null;
        return c -> {
            c.scatter(s, recv, root);
            return null;
        };
    }

    /**
     * Scatters the root's list, one element to each rank in rank order, and returns this
     * rank's. The list must hold exactly one value per rank; on other ranks it is ignored.
     * Collective.
     *
     * @throws MpiException of class {@link ErrorClass#COUNT} on the root if the list's size
     *     is not the communicator's
     */
    public <T> T scatter(List<T> values, int root) {
        return run(scatterObjectBody(values, root));
    }

    /** Starts {@link #scatter(List, int)}. */
    public <T> Request<T> iscatter(List<T> values, int root) {
        return start("iscatter(root=" + root + ")", scatterObjectBody(values, root));
    }

    private <T> Function<CollectiveSpi, T> scatterObjectBody(List<T> values, int root) {
        checkRoot("scatter", root);
        boolean isRoot = spi.rank() == root;
        List<Buf> parts = isRoot ? encodeEach("scatter", values) : null;
        T own = isRoot ? values.get(root) : null;
        return c -> {
            Buf mine = c.scatterAny(parts, root);
            return isRoot ? own : Comm.<T>decode(codec, mine);
        };
    }

    /**
     * Scatters blocks of different sizes: rank r's {@code recv} gets counts[r] elements of
     * the root's {@code send} from element displs[r]. {@code send}, {@code counts} and
     * {@code displs} are used on the root only; on the root a null {@code recv} leaves its
     * block in place. Collective.
     *
     * @throws MpiException on the root if the layout has the wrong length, a negative entry
     *     or a block beyond {@code send}; on a rank whose {@code recv} does not hold counts[r]
     */
    public void scatterv(Buf send, int[] counts, int[] displs, Buf recv, int root) {
        run(scattervBody(send, counts, displs, recv, root));
    }

    /** Starts {@link #scatterv}. */
    public Request<Void> iscatterv(Buf send, int[] counts, int[] displs, Buf recv, int root) {
        return start("iscatterv(root=" + root + ")", scattervBody(send, counts, displs, recv, root));
    }

    private Function<CollectiveSpi, Void> scattervBody(Buf send, int[] counts, int[] displs, Buf recv, int root) {
        checkRoot("scatterv", root);
        boolean isRoot = spi.rank() == root;
        int[] cs = null;
        int[] ds = null;
        if (isRoot) {
            Objects.requireNonNull(send, "send");
            cs = counts.clone();
            ds = displs.clone();
            Layouts.check("scatterv", "send", send, cs, ds, spi.size(), false);
            Layouts.checkBlock("scatterv", recv, send, cs[root]);
        } else {
            Objects.requireNonNull(recv, "recv");
        }
        if (recv != null) {
            checkWritable(recv, "scatterv");
        }
        Buf s = isRoot ? sendable(send) : null;
        int[] fc = cs;
        int[] fd = ds;
        return c -> {
            c.scatterv(s, fc, fd, recv, root);
            return null;
        };
    }

    /**
     * Gathers every rank's {@code send} into every rank's {@code recv}, rank r's block at
     * element r × count; a null {@code send} means this rank's block is already in place.
     * Collective.
     */
    public void allgather(Buf send, Buf recv) {
        run(allgatherBody(send, recv));
    }

    /** Starts {@link #allgather(Buf, Buf)}. */
    public Request<Void> iallgather(Buf send, Buf recv) {
        return start("iallgather", allgatherBody(send, recv));
    }

    private Function<CollectiveSpi, Void> allgatherBody(Buf send, Buf recv) {
        checkNotFreed("allgather");
        Objects.requireNonNull(recv, "recv");
        checkWritable(recv, "allgather");
        checkBlocks("allgather", send, recv, "recv");
        Buf s = send == null ? null : sendable(send);
        return c -> {
            c.allgather(s, recv);
            return null;
        };
    }

    /** Gathers every rank's object to every rank, in rank order. Collective. */
    public <T> List<T> allgather(T value) {
        return run(allgatherObjectBody(value));
    }

    /** Starts {@link #allgather(Object)}. */
    public <T> Request<List<T>> iallgather(T value) {
        return start("iallgather", allgatherObjectBody(value));
    }

    private <T> Function<CollectiveSpi, List<T>> allgatherObjectBody(T value) {
        checkNotFreed("allgather");
        Buf mine = encodeOwned(value);
        return c -> decodeAll(c.allgatherAny(mine), value);
    }

    /**
     * Gathers blocks of different sizes to every rank: rank r's counts[r] elements land at
     * element displs[r] of every rank's {@code recv}. Every rank passes the same counts and
     * displacements; a null {@code send} means this rank's block is already in place.
     * Collective.
     */
    public void allgatherv(Buf send, Buf recv, int[] counts, int[] displs) {
        run(allgathervBody(send, recv, counts, displs));
    }

    /** Starts {@link #allgatherv}. */
    public Request<Void> iallgatherv(Buf send, Buf recv, int[] counts, int[] displs) {
        return start("iallgatherv", allgathervBody(send, recv, counts, displs));
    }

    private Function<CollectiveSpi, Void> allgathervBody(Buf send, Buf recv, int[] counts, int[] displs) {
        checkNotFreed("allgatherv");
        Objects.requireNonNull(recv, "recv");
        checkWritable(recv, "allgatherv");
        int[] cs = counts.clone();
        int[] ds = displs.clone();
        Layouts.check("allgatherv", "recv", recv, cs, ds, spi.size(), true);
        Layouts.checkBlock("allgatherv", send, recv, cs[spi.rank()]);
        Buf s = send == null ? null : sendable(send);
        return c -> {
            c.allgatherv(s, recv, cs, ds);
            return null;
        };
    }

    // ------------------------------------------------------------------ alltoall

    /**
     * Every rank sends block j of its {@code send} to rank j, which stores it as block i of
     * its {@code recv}, i being the sender; both hold size × count elements. A null
     * {@code send} means {@code recv} holds the outgoing blocks and is replaced in place.
     * Collective.
     */
    public void alltoall(Buf send, Buf recv) {
        run(alltoallBody(send, recv));
    }

    /** Starts {@link #alltoall(Buf, Buf)}. */
    public Request<Void> ialltoall(Buf send, Buf recv) {
        return start("ialltoall", alltoallBody(send, recv));
    }

    private Function<CollectiveSpi, Void> alltoallBody(Buf send, Buf recv) {
        checkNotFreed("alltoall");
        Objects.requireNonNull(recv, "recv");
        checkWritable(recv, "alltoall");
        checkBlocks("alltoall", null, recv, "recv");
        if (send != null) {
            if (send.datatype() != recv.datatype()) {
                throw new MpiException(ErrorClass.TYPE, "alltoall: send holds " + send.datatype()
                        + " elements, recv " + recv.datatype());
            }
            if (send.count() != recv.count()) {
                throw new MpiException(ErrorClass.COUNT, "alltoall: send holds " + send.count()
                        + " elements, recv " + recv.count() + "; they must match");
            }
        }
        Buf s = send == null ? null : sendable(send);
        return c -> {
            c.alltoall(s, recv);
            return null;
        };
    }

    /**
     * Exchanges one object with every rank: {@code values.get(j)} goes to rank j, and the
     * result holds, in rank order, what each rank sent this one. Collective.
     *
     * @throws MpiException of class {@link ErrorClass#COUNT} if the list's size is not the communicator's
     */
    public <T> List<T> alltoall(List<T> values) {
        return run(alltoallObjectBody(values));
    }

    /** Starts {@link #alltoall(List)}. */
    public <T> Request<List<T>> ialltoall(List<T> values) {
        return start("ialltoall", alltoallObjectBody(values));
    }

    private <T> Function<CollectiveSpi, List<T>> alltoallObjectBody(List<T> values) {
        checkNotFreed("alltoall");
        List<Buf> parts = encodeEach("alltoall", values);
        T own = values.get(spi.rank());
        return c -> decodeAll(c.alltoallAny(parts), own);
    }

    /**
     * All-to-all with blocks of different sizes: block j of {@code send}, sendCounts[j]
     * elements from sendDispls[j], goes to rank j; the block from rank i lands in
     * {@code recv}, recvCounts[i] elements at recvDispls[i]. A null {@code send} means
     * {@code recv} holds the outgoing blocks, laid out as the incoming ones (sendCounts and
     * sendDispls are then ignored). Collective.
     *
     * @throws MpiException if a layout has the wrong length, a negative entry, a block
     *     beyond its buffer, or receive blocks that overlap; on a rank whose recvCounts[i]
     *     differs from what rank i sends it
     */
    public void alltoallv(Buf send, int[] sendCounts, int[] sendDispls, Buf recv, int[] recvCounts, int[] recvDispls) {
        run(alltoallvBody(send, sendCounts, sendDispls, recv, recvCounts, recvDispls));
    }

    /** Starts {@link #alltoallv}. */
    public Request<Void> ialltoallv(Buf send, int[] sendCounts, int[] sendDispls, Buf recv, int[] recvCounts,
            int[] recvDispls) {
        return start("ialltoallv", alltoallvBody(send, sendCounts, sendDispls, recv, recvCounts, recvDispls));
    }

    private Function<CollectiveSpi, Void> alltoallvBody(Buf send, int[] sendCounts, int[] sendDispls, Buf recv,
            int[] recvCounts, int[] recvDispls) {
        checkNotFreed("alltoallv");
        Objects.requireNonNull(recv, "recv");
        checkWritable(recv, "alltoallv");
        int n = spi.size();
        int[] rc = recvCounts.clone();
        int[] rd = recvDispls.clone();
        Layouts.check("alltoallv", "recv", recv, rc, rd, n, true);
        int[] sc = null;
        int[] sd = null;
        if (send != null) {
            sc = sendCounts.clone();
            sd = sendDispls.clone();
            Layouts.check("alltoallv", "send", send, sc, sd, n, false);
            if (send.datatype() != recv.datatype()) {
                throw new MpiException(ErrorClass.TYPE, "alltoallv: send holds " + send.datatype()
                        + " elements, recv " + recv.datatype());
            }
        }
        Buf s = send == null ? null : sendable(send);
        int[] fsc = sc;
        int[] fsd = sd;
        return c -> {
            c.alltoallv(s, fsc, fsd, recv, rc, rd);
            return null;
        };
    }

    // ------------------------------------------------------------------ reductions

    /**
     * Reduces every rank's {@code send} with {@code op}, element by element and in rank order
     * (x0 ⊕ x1 ⊕ … ⊕ xn-1, so operations that are not commutative work too), into the root's
     * {@code recv}. On the root a null {@code send} means {@code recv} holds its input; on
     * other ranks {@code recv} is ignored (it may be null). Collective.
     *
     * @throws MpiException if the buffers' types or counts differ, or {@code op} is not
     *     defined on their element type
     */
    public void reduce(Buf send, Buf recv, Op op, int root) {
        run(reduceBody(send, recv, op, root));
    }

    /** Starts {@link #reduce(Buf, Buf, Op, int)}. */
    public Request<Void> ireduce(Buf send, Buf recv, Op op, int root) {
        return start("ireduce(root=" + root + ")", reduceBody(send, recv, op, root));
    }

    private Function<CollectiveSpi, Void> reduceBody(Buf send, Buf recv, Op op, int root) {
        Objects.requireNonNull(op, "op");
        checkRoot("reduce", root);
        boolean isRoot = spi.rank() == root;
        if (isRoot) {
            Objects.requireNonNull(recv, "recv");
            checkWritable(recv, "reduce");
        } else {
            Objects.requireNonNull(send, "send");
        }
        checkReduction("reduce", send, isRoot ? recv : null, op);
        Buf s = send == null ? null : sendable(send);
        Buf r = isRoot ? recv : null;
        return c -> {
            c.reduce(s, r, op, root);
            return null;
        };
    }

    /**
     * Reduces every rank's {@code send} with {@code op} into every rank's {@code recv}; a null
     * {@code send} means {@code recv} holds this rank's input. Every rank gets bit-identical
     * results. Collective.
     */
    public void allreduce(Buf send, Buf recv, Op op) {
        run(allreduceBody(send, recv, op));
    }

    /** Starts {@link #allreduce(Buf, Buf, Op)}. */
    public Request<Void> iallreduce(Buf send, Buf recv, Op op) {
        return start("iallreduce", allreduceBody(send, recv, op));
    }

    private Function<CollectiveSpi, Void> allreduceBody(Buf send, Buf recv, Op op) {
        Objects.requireNonNull(op, "op");
        Objects.requireNonNull(recv, "recv");
        checkNotFreed("allreduce");
        checkWritable(recv, "allreduce");
        checkReduction("allreduce", send, recv, op);
        Buf s = send == null ? null : sendable(send);
        return c -> {
            c.allreduce(s, recv, op);
            return null;
        };
    }

    /**
     * Reduces every rank's object with {@code op}, in rank order, and returns the result on
     * the root; other ranks get null. Numbers, primitive arrays (element by element),
     * {@link Loc} and user-defined operations work as {@link Op#reduce(Object, Object)} says.
     * Collective.
     */
    public <T> T reduce(T value, Op op, int root) {
        return run(reduceObjectBody(value, op, root));
    }

    /** Starts {@link #reduce(Object, Op, int)}. */
    public <T> Request<T> ireduce(T value, Op op, int root) {
        return start("ireduce(root=" + root + ")", reduceObjectBody(value, op, root));
    }

    private <T> Function<CollectiveSpi, T> reduceObjectBody(T value, Op op, int root) {
        Objects.requireNonNull(op, "op");
        checkRoot("reduce", root);
        Buf mine = encodeOwned(value);
        return c -> {
            List<Buf> parts = c.gatherAny(mine, root);
            return parts == null ? null : fold(decodeAll(parts, value), op, parts.size());
        };
    }

    /**
     * Reduces every rank's object with {@code op}, in rank order, and returns the result on
     * every rank; each rank computes it from the same values in the same order, so all get
     * the same result. Collective.
     */
    public <T> T allreduce(T value, Op op) {
        return run(allreduceObjectBody(value, op));
    }

    /** Starts {@link #allreduce(Object, Op)}. */
    public <T> Request<T> iallreduce(T value, Op op) {
        return start("iallreduce", allreduceObjectBody(value, op));
    }

    private <T> Function<CollectiveSpi, T> allreduceObjectBody(T value, Op op) {
        Objects.requireNonNull(op, "op");
        checkNotFreed("allreduce");
        Buf mine = encodeOwned(value);
        return c -> {
            List<Buf> parts = c.allgatherAny(mine);
            return fold(decodeAll(parts, value), op, parts.size());
        };
    }

    /** Reduces a {@code long} over all ranks with {@code op}; every rank gets the result. Collective. */
    public long allreduce(long value, Op op) {
        long[] v = {value};
        allreduce(null, Buf.of(v), op);
        return v[0];
    }

    /** Reduces an {@code int} over all ranks with {@code op}; every rank gets the result. Collective. */
    public int allreduce(int value, Op op) {
        int[] v = {value};
        allreduce(null, Buf.of(v), op);
        return v[0];
    }

    /** Reduces a {@code double} over all ranks with {@code op}; every rank gets the result. Collective. */
    public double allreduce(double value, Op op) {
        double[] v = {value};
        allreduce(null, Buf.of(v), op);
        return v[0];
    }

    /**
     * Reduces a {@code long} over all ranks with {@code op} and returns the result on the
     * root; other ranks get their own {@code value} back. Collective.
     */
    public long reduce(long value, Op op, int root) {
        long[] v = {value};
        long[] out = new long[1];
        reduce(Buf.of(v), Buf.of(out), op, root);
        return spi.rank() == root ? out[0] : value;
    }

    /** As {@link #reduce(long, Op, int)}, for an {@code int}. */
    public int reduce(int value, Op op, int root) {
        int[] v = {value};
        int[] out = new int[1];
        reduce(Buf.of(v), Buf.of(out), op, root);
        return spi.rank() == root ? out[0] : value;
    }

    /** As {@link #reduce(long, Op, int)}, for a {@code double}. */
    public double reduce(double value, Op op, int root) {
        double[] v = {value};
        double[] out = new double[1];
        reduce(Buf.of(v), Buf.of(out), op, root);
        return spi.rank() == root ? out[0] : value;
    }

    /**
     * Reduces {@code send} over all ranks, element by element in rank order, and scatters the
     * result: rank r's {@code recv} gets counts[r] elements, those that start at the sum of
     * the counts before r. {@code send} holds the sum of all counts. A null {@code send}
     * means {@code recv} holds the whole input, and gets this rank's block at its start.
     * Every rank passes the same counts. Collective.
     */
    public void reduceScatter(Buf send, Buf recv, int[] counts, Op op) {
        run(reduceScatterBody("reduceScatter", send, recv, counts, op));
    }

    /** Starts {@link #reduceScatter}. */
    public Request<Void> ireduceScatter(Buf send, Buf recv, int[] counts, Op op) {
        return start("ireduceScatter", reduceScatterBody("reduceScatter", send, recv, counts, op));
    }

    /**
     * {@link #reduceScatter} with the same count on every rank: {@code send} holds
     * size × count elements and {@code recv} gets count of them. A null {@code send} means
     * {@code recv} holds the whole input. Collective.
     */
    public void reduceScatterBlock(Buf send, Buf recv, Op op) {
        run(reduceScatterBlockBody(send, recv, op));
    }

    /** Starts {@link #reduceScatterBlock}. */
    public Request<Void> ireduceScatterBlock(Buf send, Buf recv, Op op) {
        return start("ireduceScatterBlock", reduceScatterBlockBody(send, recv, op));
    }

    private Function<CollectiveSpi, Void> reduceScatterBlockBody(Buf send, Buf recv, Op op) {
        Objects.requireNonNull(recv, "recv");
        int n = spi.size();
        long block;
        if (send != null) {
            checkBlocks("reduceScatterBlock", null, send, "send");
            block = send.count() / n;
        } else {
            checkBlocks("reduceScatterBlock", null, recv, "recv");
            block = recv.count() / n;
        }
        int[] counts = new int[n];
        java.util.Arrays.fill(counts, Math.toIntExact(block));
        return reduceScatterBody("reduceScatterBlock", send, recv, counts, op);
    }

    private Function<CollectiveSpi, Void> reduceScatterBody(String name, Buf send, Buf recv, int[] counts, Op op) {
        Objects.requireNonNull(op, "op");
        Objects.requireNonNull(recv, "recv");
        Objects.requireNonNull(counts, "counts");
        checkNotFreed(name);
        checkWritable(recv, name);
        int n = spi.size();
        int[] cs = counts.clone();
        if (cs.length != n) {
            throw new MpiException(ErrorClass.ARG, name + ": counts has " + cs.length + " entries for "
                    + name() + " of " + n + " ranks");
        }
        long total = 0;
        for (int r = 0; r < n; r++) {
            if (cs[r] < 0) {
                throw new MpiException(ErrorClass.COUNT, name + ": counts[" + r + "] = " + cs[r] + " is negative");
            }
            total += cs[r];
        }
        Buf input = send != null ? send : recv;
        if (input.count() < total) {
            throw new MpiException(ErrorClass.COUNT, name + ": " + (send != null ? "send" : "recv (in place)")
                    + " holds " + input.count() + " elements, but the counts add up to " + total);
        }
        if (recv.count() < cs[spi.rank()]) {
            throw new MpiException(ErrorClass.COUNT, name + ": recv holds " + recv.count() + " elements, but this rank's"
                    + " block has " + cs[spi.rank()]);
        }
        if (send != null && send.datatype() != recv.datatype()) {
            throw new MpiException(ErrorClass.TYPE, name + ": send holds " + send.datatype() + " elements, recv "
                    + recv.datatype());
        }
        try {
            op.checkApplicable(input.datatype(), total);
        } catch (MpiException e) {
            throw new MpiException(e.errorClass(), name + ": " + e.getMessage(), e);
        }
        Buf s = send == null ? null : sendable(send);
        return c -> {
            c.reduceScatter(s, recv, cs, op);
            return null;
        };
    }

    // ------------------------------------------------------------------ prefix reductions

    /**
     * Inclusive prefix reduction: rank r's {@code recv} gets x0 ⊕ x1 ⊕ … ⊕ xr, in rank order.
     * A null {@code send} means {@code recv} holds this rank's input. Collective.
     */
    public void scan(Buf send, Buf recv, Op op) {
        run(prefixBody("scan", send, recv, op, true));
    }

    /** Starts {@link #scan(Buf, Buf, Op)}. */
    public Request<Void> iscan(Buf send, Buf recv, Op op) {
        return start("iscan", prefixBody("scan", send, recv, op, true));
    }

    /**
     * Exclusive prefix reduction: rank r's {@code recv} gets x0 ⊕ … ⊕ x(r-1); rank 0's
     * {@code recv} is left as it was, since nothing precedes it. Collective.
     */
    public void exscan(Buf send, Buf recv, Op op) {
        run(prefixBody("exscan", send, recv, op, false));
    }

    /** Starts {@link #exscan(Buf, Buf, Op)}. */
    public Request<Void> iexscan(Buf send, Buf recv, Op op) {
        return start("iexscan", prefixBody("exscan", send, recv, op, false));
    }

    private Function<CollectiveSpi, Void> prefixBody(String name, Buf send, Buf recv, Op op, boolean inclusive) {
        Objects.requireNonNull(op, "op");
        Objects.requireNonNull(recv, "recv");
        checkNotFreed(name);
        checkWritable(recv, name);
        checkReduction(name, send, recv, op);
        Buf in = send == null ? null : sendable(send);
        return c -> {
            if (inclusive) {
                c.scan(in, recv, op);
            } else {
                c.exscan(in, recv, op);
            }
            return null;
        };
    }

    /**
     * The inclusive prefix reduction of objects: x0 ⊕ … ⊕ x(this rank), in rank order, as
     * {@link Op#reduce(Object, Object)} combines them. Collective.
     */
    public <T> T scan(T value, Op op) {
        return run(prefixObjectBody("scan", value, op, true));
    }

    /** Starts {@link #scan(Object, Op)}. */
    public <T> Request<T> iscan(T value, Op op) {
        return start("iscan", prefixObjectBody("scan", value, op, true));
    }

    /**
     * The exclusive prefix reduction of objects: x0 ⊕ … ⊕ x(this rank - 1); rank 0 gets null,
     * as nothing precedes it. Collective.
     */
    public <T> T exscan(T value, Op op) {
        return run(prefixObjectBody("exscan", value, op, false));
    }

    /** Starts {@link #exscan(Object, Op)}. */
    public <T> Request<T> iexscan(T value, Op op) {
        return start("iexscan", prefixObjectBody("exscan", value, op, false));
    }

    private <T> Function<CollectiveSpi, T> prefixObjectBody(String name, T value, Op op, boolean inclusive) {
        Objects.requireNonNull(op, "op");
        checkNotFreed(name);
        Buf mine = encodeOwned(value);
        int me = spi.rank();
        return c -> {
            // Every value reaches every rank, and each folds those of the ranks before it:
            // one collective, any object, any operation, in rank order.
            List<Buf> parts = c.allgatherAny(mine);
            int upTo = inclusive ? me + 1 : me;
            return upTo == 0 ? null : fold(decodeAll(parts.subList(0, upTo), value), op, upTo);
        };
    }

    /** The inclusive prefix reduction of a {@code long}: x0 ⊕ … ⊕ x(this rank). Collective. */
    public long scan(long value, Op op) {
        long[] v = {value};
        scan(null, Buf.of(v), op);
        return v[0];
    }

    /** The inclusive prefix reduction of a {@code double}. Collective. */
    public double scan(double value, Op op) {
        double[] v = {value};
        scan(null, Buf.of(v), op);
        return v[0];
    }

    /**
     * The exclusive prefix reduction of a {@code long}: x0 ⊕ … ⊕ x(this rank - 1); rank 0 gets
     * {@code identity} back, as nothing precedes it (pass 0 for SUM, 1 for PROD). Collective.
     */
    public long exscan(long value, Op op, long identity) {
        long[] v = {value};
        long[] out = {identity};
        exscan(Buf.of(v), Buf.of(out), op);
        return out[0];
    }

    // ------------------------------------------------------------------ argument checks and object helpers

    /** Decodes gathered parts; the part at this rank's index is {@code own}, not decoded again. */
    final <T> List<T> decodeAll(List<Buf> parts, T own) {
        List<T> out = new ArrayList<>(parts.size());
        int me = spi.rank();
        for (int r = 0; r < parts.size(); r++) {
            out.add(r == me ? own : Comm.<T>decode(codec, parts.get(r)));
        }
        return out;
    }

    /** Folds the first {@code upTo} values in order: v0 ⊕ v1 ⊕ …. */
    private static <T> T fold(List<T> values, Op op, int upTo) {
        Object acc = values.get(0);
        for (int r = 1; r < upTo; r++) {
            acc = op.reduce(acc, values.get(r));
        }
        @SuppressWarnings("unchecked")
        T result = (T) acc;
        return result;
    }

    /** Encodes one value per rank, checking there is exactly one per rank. */
    final List<Buf> encodeEach(String op, List<?> values) {
        Objects.requireNonNull(values, "values");
        if (values.size() != spi.size()) {
            throw new MpiException(ErrorClass.COUNT, op + ": " + values.size() + " values for "
                    + name() + " of " + spi.size() + " ranks; pass exactly one per rank");
        }
        List<Buf> parts = new ArrayList<>(values.size());
        for (Object v : values) {
            parts.add(encodeOwned(v));
        }
        return parts;
    }

    private static void checkReduction(String op, Buf send, Buf recv, Op operation) {
        Buf any = send != null ? send : recv;
        if (any == null) {
            return;
        }
        try {
            operation.checkApplicable(any.datatype(), any.count()); // before any message moves
        } catch (MpiException e) {
            throw new MpiException(e.errorClass(), op + ": " + e.getMessage(), e);
        }
        if (send != null && recv != null) {
            if (send.datatype() != recv.datatype()) {
                throw new MpiException(ErrorClass.TYPE, op + ": send holds " + send.datatype() + " elements, recv "
                        + recv.datatype());
            }
            if (send.count() != recv.count()) {
                throw new MpiException(ErrorClass.COUNT, op + ": send holds " + send.count() + " elements, recv "
                        + recv.count() + "; they must match");
            }
        }
    }

    /** Checks that {@code all} holds one block of {@code block}'s type and count per rank. */
    private void checkBlocks(String op, Buf block, Buf all, String allName) {
        int n = spi.size();
        if (all.count() % n != 0) {
            throw new MpiException(ErrorClass.COUNT, op + ": " + allName + " holds " + all.count()
                    + " elements, not a multiple of the " + n + " ranks of " + name());
        }
        if (block != null) {
            if (block.datatype() != all.datatype()) {
                throw new MpiException(ErrorClass.TYPE, op + ": " + block.datatype() + " elements do not match "
                        + allName + "'s " + all.datatype() + " elements");
            }
            if (block.count() * n != all.count()) {
                throw new MpiException(ErrorClass.COUNT, op + ": " + allName + " holds " + all.count()
                        + " elements, but " + n + " ranks of " + block.count() + " need " + block.count() * n);
            }
        }
    }

    // ================================================================== objects

    /**
     * Sends an object, blocking until its encoding has been handed off (it may be buffered).
     *
     * @param value any value the codec can encode, or null; a primitive array or {@link Buf} is sent as a buffer
     * @param dest the receiver's rank, or {@link Mpi#PROC_NULL}
     * @param tag a tag in {@code 0..}{@link Mpi#TAG_UB}
     */
    public void send(Object value, int dest, int tag) {
        send(value, dest, tag, false, "send");
    }

    /** Sends an object synchronously: returns only once the receiver has matched the message. */
    public void ssend(Object value, int dest, int tag) {
        send(value, dest, tag, true, "ssend");
    }

    private void send(Object value, int dest, int tag, boolean sync, String op) {
        checkDest(op, dest);
        checkSendTag(op, tag);
        if (dest == Mpi.PROC_NULL) {
            return;
        }
        Buf typed = value instanceof Buf b ? b : Buf.ofArrayOrNull(value);
        if (typed != null) {
            spi.send(sendable(typed), dest, tag, sync);
            return;
        }
        ByteOutput out = SCRATCH.get();
        out.reset();
        codec.encode(value, out);
        try {
            spi.send(Buf.encoded(out.array(), out.size()), dest, tag, sync);
        } finally {
            if (out.array().length > SCRATCH_LIMIT) {
                SCRATCH.remove();
            }
        }
    }

    /** Starts sending an object; the encoding is made now, so {@code value} may change afterwards. */
    public Request<Status> isend(Object value, int dest, int tag) {
        return isend(value, dest, tag, false, "isend");
    }

    /** Starts a synchronous send of an object: the request completes once the receiver has matched it. */
    public Request<Status> issend(Object value, int dest, int tag) {
        return isend(value, dest, tag, true, "issend");
    }

    private Request<Status> isend(Object value, int dest, int tag, boolean sync, String op) {
        checkDest(op, dest);
        checkSendTag(op, tag);
        if (dest == Mpi.PROC_NULL) {
            return Done.of(rankSpi.progress(), Status.PROC_NULL, op);
        }
        return spi.isend(encodeOwned(value), dest, tag, sync);
    }

    /**
     * Receives an object, blocking until it arrives. A message sent as a buffer is received
     * as a new primitive array of its element type.
     *
     * @param source the sender's rank, {@link Mpi#ANY_SOURCE} or {@link Mpi#PROC_NULL} (which yields null)
     * @param tag the tag, or {@link Mpi#ANY_TAG}
     */
    public <T> T recv(int source, int tag) {
        return this.<T>irecv(source, tag).waitFor();
    }

    /** Receives an object together with its message's status, to learn who sent it. */
    public <T> Received<T> recvWithStatus(int source, int tag) {
        Request<T> r = irecv(source, tag);
        T value = r.waitFor();
        return new Received<>(value, r.status());
    }

    /** Starts receiving an object; the request's result is the object. */
    public <T> Request<T> irecv(int source, int tag) {
        checkSource("irecv", source);
        checkRecvTag("irecv", tag);
        if (source == Mpi.PROC_NULL) {
            return Done.ofNull(rankSpi.progress(), "irecv");
        }
        return spi.irecvAny(source, tag, b -> Comm.<T>decode(codec, b));
    }

    /**
     * Sends {@code value} to {@code dest} and receives an object from {@code source}, at
     * once, so two ranks can exchange without deadlock.
     */
    public <T> T sendrecv(Object value, int dest, int sendTag, int source, int recvTag) {
        checkDest("sendrecv", dest);
        checkSendTag("sendrecv", sendTag);
        Request<T> r = irecv(source, recvTag);
        Request<Status> s = isend(value, dest, sendTag);
        Request.waitAll(r, s);
        return r.waitFor();
    }

    // ================================================================== buffers

    /**
     * Sends a buffer, blocking until it may be reused. The engine may buffer a small message
     * and return at once, or wait for the receiver, as MPI allows; a program must not count
     * on buffering. A large message is copied once, straight into the receiver's buffer where
     * the engine can. A {@code null} buffer sends the null object, as {@code send((Object) null, ...)}.
     */
    public void send(Buf buf, int dest, int tag) {
        send((Object) buf, dest, tag, false, "send");
    }

    /** Sends a buffer synchronously: returns only once the receiver has matched the message. */
    public void ssend(Buf buf, int dest, int tag) {
        send((Object) buf, dest, tag, true, "ssend");
    }

    /**
     * Receives into a buffer, blocking until the message has arrived.
     *
     * @return the message's status; its count may be less than the buffer's
     * @throws TruncationException if the message is larger than the buffer
     * @throws MpiException of class {@link ErrorClass#TYPE} if the message's element type differs from the buffer's
     */
    public Status recv(Buf buf, int source, int tag) {
        Objects.requireNonNull(buf, "buf");
        checkSource("recv", source);
        checkRecvTag("recv", tag);
        checkWritable(buf, "recv");
        if (source == Mpi.PROC_NULL) {
            return Status.PROC_NULL;
        }
        return spi.recv(buf, source, tag);
    }

    /**
     * Starts sending a buffer; do not modify it until the request completes. A {@code null}
     * buffer sends the null object.
     */
    public Request<Status> isend(Buf buf, int dest, int tag) {
        return isendBuf(buf, dest, tag, false, "isend");
    }

    /** Starts a synchronous send of a buffer: the request completes once the receiver has matched it. */
    public Request<Status> issend(Buf buf, int dest, int tag) {
        return isendBuf(buf, dest, tag, true, "issend");
    }

    private Request<Status> isendBuf(Buf buf, int dest, int tag, boolean sync, String op) {
        return isend(buf, dest, tag, sync, op); // a null Buf is the null object
    }

    /** Starts receiving into a buffer; do not read it until the request completes. */
    public Request<Status> irecv(Buf buf, int source, int tag) {
        Objects.requireNonNull(buf, "buf");
        checkSource("irecv", source);
        checkRecvTag("irecv", tag);
        checkWritable(buf, "irecv");
        if (source == Mpi.PROC_NULL) {
            return Done.of(rankSpi.progress(), Status.PROC_NULL, "irecv");
        }
        return spi.irecv(buf, source, tag);
    }

    /**
     * Sends {@code sendBuf} to {@code dest} and receives into {@code recvBuf} from
     * {@code source}, at once, so that ranks exchanging in a ring or a halo cannot deadlock.
     * The two buffers must not overlap.
     */
    public Status sendrecv(Buf sendBuf, int dest, int sendTag, Buf recvBuf, int source, int recvTag) {
        Request<Status> r = irecv(recvBuf, source, recvTag);
        Request<Status> s = isend(sendBuf, dest, sendTag);
        Request.waitAll(r, s);
        return r.status();
    }

    /**
     * Sends the content of {@code buf} to {@code dest}, then replaces it with a message
     * received from {@code source}.
     */
    public Status sendrecvReplace(Buf buf, int dest, int sendTag, int source, int recvTag) {
        Objects.requireNonNull(buf, "buf");
        checkWritable(buf, "sendrecvReplace");
        Buf tmp = Buf.allocate(buf.datatype(), Math.toIntExact(buf.count()));
        Request<Status> r = irecv(tmp, source, recvTag);
        Request<Status> s = isend(buf, dest, sendTag);
        Request.waitAll(r, s);
        Status st = r.status();
        Buf.copy(tmp, 0, buf, 0, st.bytes());
        return st;
    }

    /** Creates an inactive persistent send of {@code buf}; each {@code start()} sends its current content. */
    public PersistentRequest sendInit(Buf buf, int dest, int tag) {
        return persistentSend(buf, dest, tag, false, "send");
    }

    /** Creates an inactive persistent synchronous send of {@code buf}. */
    public PersistentRequest ssendInit(Buf buf, int dest, int tag) {
        return persistentSend(buf, dest, tag, true, "ssend");
    }

    private PersistentRequest persistentSend(Buf buf, int dest, int tag, boolean sync, String op) {
        Objects.requireNonNull(buf, "buf");
        checkDest(op + "Init", dest);
        checkSendTag(op + "Init", tag);
        String d = op + "(dest=" + dest + ", tag=" + tag + ") on " + name();
        return new PersistentOp(rankSpi.progress(), () -> dest == Mpi.PROC_NULL
                ? Done.of(rankSpi.progress(), Status.PROC_NULL, d) : spi.isend(sendable(buf), dest, tag, sync), d);
    }

    /** Creates an inactive persistent receive into {@code buf}. */
    public PersistentRequest recvInit(Buf buf, int source, int tag) {
        Objects.requireNonNull(buf, "buf");
        checkSource("recvInit", source);
        checkRecvTag("recvInit", tag);
        checkWritable(buf, "recvInit");
        String d = "recv(source=" + source + ", tag=" + tag + ") on " + name();
        return new PersistentOp(rankSpi.progress(), () -> source == Mpi.PROC_NULL
                ? Done.of(rankSpi.progress(), Status.PROC_NULL, d) : spi.irecv(buf, source, tag), d);
    }

    // ================================================================== probes

    /** Blocks until a matching message can be received, and returns its status without receiving it. */
    public Status probe(int source, int tag) {
        checkSource("probe", source);
        checkRecvTag("probe", tag);
        if (source == Mpi.PROC_NULL) {
            return Status.PROC_NULL;
        }
        return spi.probe(source, tag);
    }

    /** Returns the status of a matching message if one can be received now. */
    public Optional<Status> iprobe(int source, int tag) {
        checkSource("iprobe", source);
        checkRecvTag("iprobe", tag);
        if (source == Mpi.PROC_NULL) {
            return Optional.of(Status.PROC_NULL);
        }
        return Optional.ofNullable(spi.iprobe(source, tag));
    }

    /**
     * Blocks until a matching message arrives and takes it out of matching: only the returned
     * {@link Message} can receive it. With {@link Mpi#PROC_NULL}, returns an empty message.
     */
    public Message mprobe(int source, int tag) {
        checkSource("mprobe", source);
        checkRecvTag("mprobe", tag);
        MessageSpi m = source == Mpi.PROC_NULL ? new NullMessage(rankSpi) : spi.mprobe(source, tag);
        return new Message(m, codec, name());
    }

    /** Takes a matching message out of matching if one has arrived. */
    public Optional<Message> improbe(int source, int tag) {
        checkSource("improbe", source);
        checkRecvTag("improbe", tag);
        MessageSpi m = source == Mpi.PROC_NULL ? new NullMessage(rankSpi) : spi.improbe(source, tag);
        return m == null ? Optional.empty() : Optional.of(new Message(m, codec, name()));
    }

    // ================================================================== helpers

    final Buf encodeOwned(Object value) {
        Buf typed = value instanceof Buf b ? b : Buf.ofArrayOrNull(value);
        if (typed != null) {
            return sendable(typed);
        }
        ByteOutput out = new ByteOutput(64);
        codec.encode(value, out);
        return Buf.encoded(out.array(), out.size());
    }

    /**
     * Turns a received buffer into the object the receiver asked for: the decoded object, or
     * the array itself for a typed message. The cast to {@code T} is the caller's claim, as
     * with any generic receive.
     */
    @SuppressWarnings("unchecked")
    static <T> T decode(Codec codec, Buf b) {
        if (b.datatype() == Datatype.OBJECT) {
            return (T) codec.decode((byte[]) b.array(), 0, Math.toIntExact(b.byteSize()));
        }
        return (T) b.array();
    }

    private void checkDest(String op, int dest) {
        checkNotFreed(op);
        if (dest == Mpi.PROC_NULL) {
            return;
        }
        int size = spi.size();
        if (dest < 0 || dest >= size) {
            throw new MpiException(ErrorClass.RANK, op + ": dest " + dest + " is out of range for "
                    + name() + " of size " + size + " (valid: 0.." + (size - 1) + " or PROC_NULL)");
        }
    }

    private void checkSource(String op, int source) {
        checkNotFreed(op);
        if (source == Mpi.PROC_NULL || source == Mpi.ANY_SOURCE) {
            return;
        }
        int size = spi.size();
        if (source < 0 || source >= size) {
            throw new MpiException(ErrorClass.RANK, op + ": source " + source + " is out of range for "
                    + name() + " of size " + size + " (valid: 0.." + (size - 1) + ", ANY_SOURCE or PROC_NULL)");
        }
    }

    private static void checkSendTag(String op, int tag) {
        if (tag < 0) {
            throw new MpiException(ErrorClass.TAG, op + ": tag " + tag + " is negative (valid: 0..TAG_UB)");
        }
    }

    private static void checkRecvTag(String op, int tag) {
        if (tag < 0 && tag != Mpi.ANY_TAG) {
            throw new MpiException(ErrorClass.TAG, op + ": tag " + tag + " is negative and not ANY_TAG");
        }
    }

    static void checkWritable(Buf buf, String op) {
        if (buf.isReadOnly()) {
            throw new MpiException(ErrorClass.BUFFER, op + ": the receive buffer " + buf + " is read-only");
        }
        if (buf.isThreadConfined()) {
            throw new MpiException(ErrorClass.BUFFER, op + ": the receive buffer " + buf + " is a segment of a"
                    + " confined arena, but a message may be copied into it by another thread of this rank;"
                    + " allocate it from Arena.ofShared() or Arena.ofAuto()");
        }
    }

    /**
     * Returns a buffer the engine may read from any thread: a segment of a confined arena is
     * copied here, on its owner's thread.
     */
    static Buf sendable(Buf buf) {
        return buf.isThreadConfined() ? buf.copyToHeap() : buf;
    }

    /** A request that is complete from the start: operations with PROC_NULL. */
    static final class Done<T> extends AbstractRequest<T> {
        private final String description;

        private Done(org.mpi4j.spi.Progress progress, String description,
                java.util.function.Function<? super Buf, ? extends T> decoder) {
            super(progress, decoder);
            this.description = description;
        }

        /** A finished buffer operation: its result is {@code status}. */
        static Done<Status> of(org.mpi4j.spi.Progress progress, Status status, String description) {
            Done<Status> d = new Done<>(progress, description + " with PROC_NULL", null);
            d.complete(status, null);
            return d;
        }

        /** A finished object receive: its result is null. */
        static <T> Done<T> ofNull(org.mpi4j.spi.Progress progress, String description) {
            Done<T> d = new Done<>(progress, description + " with PROC_NULL", _ -> null);
            d.complete(Status.PROC_NULL, null);
            return d;
        }

        @Override
        public String describe() {
            return description;
        }
    }

    /** The message a matched probe of PROC_NULL returns: empty, from nobody. */
    private record NullMessage(RankSpi rank) implements MessageSpi {
        @Override
        public Status status() {
            return Status.PROC_NULL;
        }

        @Override
        public AbstractRequest<Status> irecv(Buf buf) {
            return Done.of(rank.progress(), Status.PROC_NULL, "mrecv");
        }

        @Override
        public <T> AbstractRequest<T> irecvAny(java.util.function.Function<? super Buf, ? extends T> decoder) {
            return Done.ofNull(rank.progress(), "mrecv");
        }
    }

    @Override
    public String toString() {
        return "Comm[" + name() + ", rank " + rank() + " of " + size() + "]";
    }
}
