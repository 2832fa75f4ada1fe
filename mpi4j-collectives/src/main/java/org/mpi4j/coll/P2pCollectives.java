package org.mpi4j.coll;

import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.mpi4j.Buf;
import org.mpi4j.ErrorClass;
import org.mpi4j.MpiException;
import org.mpi4j.Op;
import org.mpi4j.Status;
import org.mpi4j.spi.AbstractRequest;
import org.mpi4j.spi.CollectiveSpi;
import org.mpi4j.spi.CommSpi;
import org.mpi4j.spi.Neighborhood;
import org.mpi4j.spi.Progress;
import org.mpi4j.spi.Settings;

/**
 * The collectives of one communicator on one rank, for engines that have only
 * point-to-point: named algorithms over the communicator's collective context.
 *
 * <p>Settings (each names an algorithm, forcing it whatever the decision table says):
 * <ul>
 *   <li>{@code mpi4j.coll.barrier} — {@code dissemination} (default) or {@code linear};</li>
 *   <li>{@code mpi4j.coll.bcast} — {@code binomial} (default above two ranks),
 *       {@code linear}, or {@code scatter-allgather} (van de Geijn's: the root scatters the
 *       buffer in n pieces down a binomial tree, then a ring allgather assembles it
 *       everywhere; the default for large buffers on four or more ranks);</li>
 *   <li>{@code mpi4j.coll.gather}, {@code mpi4j.coll.scatter} — {@code binomial} (default
 *       above two ranks) or {@code linear};</li>
 *   <li>{@code mpi4j.coll.allgather} — {@code recursive-doubling} (default for powers of
 *       two), {@code bruck} (default otherwise, for small blocks) or {@code ring} (default
 *       otherwise, for large blocks);</li>
 *   <li>{@code mpi4j.coll.reduce} — {@code binomial} (default) or {@code linear};</li>
 *   <li>{@code mpi4j.coll.allreduce} — {@code recursive-doubling} (default for small
 *       messages), {@code ring} (reduce-scatter then allgather, Rabenseifner's shape: the
 *       default for large ones) or {@code reduce-bcast}. Operations that are not
 *       commutative always run as {@code reduce-bcast}, the one that keeps rank order;</li>
 *   <li>{@code mpi4j.coll.scan} (also for exscan) — {@code recursive-doubling} (default) or
 *       {@code linear} (a chain from rank 0);</li>
 *   <li>{@code mpi4j.coll.alltoall} — {@code bruck} (default for blocks up to 256 bytes on
 *       eight or more ranks), {@code linear} (every message posted at once; default up to
 *       32 KiB blocks) or {@code pairwise} (default for larger blocks);</li>
 *   <li>{@code mpi4j.coll.alltoallv} — {@code linear} (default) or {@code pairwise};</li>
 *   <li>{@code mpi4j.coll.reduce_scatter} (also for reduceScatterBlock) — {@code ring}
 *       (default for commutative operations on at least 32 KiB) or {@code reduce-scatterv}
 *       (a reduce to rank 0 then a scatterv: the only one for operations that are not
 *       commutative, and the default for small messages).</li>
 * </ul>
 *
 * <p>gatherv and scatterv go straight between the root and each rank; allgatherv and the
 * allgather of messages of any size go around a ring.
 *
 * <p>Every call takes the next number of a per-communicator sequence as its tag, on the
 * collective context: calls come in the same order on every rank, so the numbers agree, and
 * the messages of two calls never mix. A non-blocking collective takes its number when it
 * is started, and runs on a virtual thread of its own.
 */
public final class P2pCollectives implements CollectiveSpi {
    /** The setting that forces the barrier algorithm. */
    public static final String BARRIER = "mpi4j.coll.barrier";
    /** The setting that forces the bcast algorithm. */
    public static final String BCAST = "mpi4j.coll.bcast";

    /** The setting that forces the gather algorithm. */
    public static final String GATHER = "mpi4j.coll.gather";
    /** The setting that forces the scatter algorithm. */
    public static final String SCATTER = "mpi4j.coll.scatter";
    /** The setting that forces the allgather algorithm. */
    public static final String ALLGATHER = "mpi4j.coll.allgather";

    /** The setting that forces the reduce algorithm. */
    public static final String REDUCE = "mpi4j.coll.reduce";
    /** The setting that forces the allreduce algorithm. */
    public static final String ALLREDUCE = "mpi4j.coll.allreduce";

    /** The setting that forces the scan and exscan algorithm. */
    public static final String SCAN = "mpi4j.coll.scan";

    /** The setting that forces the alltoall algorithm. */
    public static final String ALLTOALL = "mpi4j.coll.alltoall";
    /** The setting that forces the alltoallv algorithm. */
    public static final String ALLTOALLV = "mpi4j.coll.alltoallv";
    /** The setting that forces the reduceScatter and reduceScatterBlock algorithm. */
    public static final String REDUCE_SCATTER = "mpi4j.coll.reduce_scatter";

    static final List<String> ALLTOALLS = List.of("bruck", "linear", "pairwise");
    static final List<String> ALLTOALLVS = List.of("linear", "pairwise");
    static final List<String> REDUCE_SCATTERS = List.of("ring", "reduce-scatterv");
    /** From this total size a commutative reduce-scatter goes around the ring. */
    static final long REDUCE_SCATTER_RING_BYTES = 32 * 1024;
    /** From this size (and four ranks) bcast scatters and allgathers instead of forwarding whole buffers down a tree. */
    static final long BCAST_SCATTER_ALLGATHER_BYTES = 256 * 1024;

    static final List<String> SCANS = List.of("recursive-doubling", "linear");
    static final List<String> REDUCES = List.of("binomial", "linear");
    static final List<String> ALLREDUCES = List.of("recursive-doubling", "ring", "reduce-bcast");

    /** From this size allreduce moves the data around a ring (bandwidth) instead of doubling (latency). */
    static final long ALLREDUCE_RING_BYTES = 256 * 1024;

    static final List<String> BARRIERS = List.of("dissemination", "linear");
    static final List<String> BCASTS = List.of("binomial", "linear", "scatter-allgather");
    static final List<String> GATHERS = List.of("binomial", "linear");
    static final List<String> SCATTERS = List.of("binomial", "linear");
    static final List<String> ALLGATHERS = List.of("recursive-doubling", "bruck", "ring");

    /** Above this block size, allgather on a non-power-of-two prefers the ring's bandwidth to Bruck's latency. */
    static final long ALLGATHER_RING_BYTES = 64 * 1024;

    /** Tags run in [0, 2^30): far from the tag communicator management uses. */
    private static final int TAG_MASK = (1 << 30) - 1;
    private static final Buf EMPTY = Buf.of(new byte[0]);

    private final CommSpi coll;
    private final Progress progress;
    /** For a view made by {@link #start}: the tag every operation of the view uses; else -1. */
    private final int fixedTag;
    private final String alltoallAlgorithm;
    private final String alltoallvAlgorithm;
    private final String reduceScatterAlgorithm;
    private final String barrierAlgorithm;
    private final String bcastAlgorithm;
    private final String gatherAlgorithm;
    private final String scatterAlgorithm;
    private final String allgatherAlgorithm;
    private final String reduceAlgorithm;
    private final String allreduceAlgorithm;
    private final String scanAlgorithm;
    private final AtomicInteger calls = new AtomicInteger();

    /**
     * Creates the collectives of a communicator.
     *
     * @param collectiveView the communicator on its collective context ({@link CommSpi#collectiveView()})
     * @param progress the rank's progress, which requests of non-blocking collectives wait with
     * @param settings where forced algorithms are named
     * @throws MpiException if a setting names no algorithm
     */
    public P2pCollectives(CommSpi collectiveView, Progress progress, Settings settings) {
        this.coll = Objects.requireNonNull(collectiveView, "collectiveView");
        this.progress = Objects.requireNonNull(progress, "progress");
        this.fixedTag = -1;
        this.alltoallAlgorithm = forced(settings, ALLTOALL, ALLTOALLS);
        this.alltoallvAlgorithm = forced(settings, ALLTOALLV, ALLTOALLVS);
        this.reduceScatterAlgorithm = forced(settings, REDUCE_SCATTER, REDUCE_SCATTERS);
        this.barrierAlgorithm = forced(settings, BARRIER, BARRIERS);
        this.bcastAlgorithm = forced(settings, BCAST, BCASTS);
        this.gatherAlgorithm = forced(settings, GATHER, GATHERS);
        this.scatterAlgorithm = forced(settings, SCATTER, SCATTERS);
        this.allgatherAlgorithm = forced(settings, ALLGATHER, ALLGATHERS);
        this.reduceAlgorithm = forced(settings, REDUCE, REDUCES);
        this.allreduceAlgorithm = forced(settings, ALLREDUCE, ALLREDUCES);
        this.scanAlgorithm = forced(settings, SCAN, SCANS);
    }

    private static String forced(Settings settings, String key, List<String> names) {
        String v = settings.get(key, null);
        if (v != null && !names.contains(v)) {
            throw new MpiException(ErrorClass.ARG, "setting " + key + "=" + v + " names no algorithm; choose one of " + names);
        }
        return v;
    }

    /** The tag of the next collective call: the same on every rank, as calls come in the same order. */
    private int nextTag() {
        return fixedTag >= 0 ? fixedTag : calls.getAndIncrement() & TAG_MASK;
    }

    /** A view whose every operation uses {@code tag}: the reservation {@link #start} makes. */
    private P2pCollectives(P2pCollectives of, int tag) {
        this.coll = of.coll;
        this.progress = of.progress;
        this.fixedTag = tag;
        this.alltoallAlgorithm = of.alltoallAlgorithm;
        this.alltoallvAlgorithm = of.alltoallvAlgorithm;
        this.reduceScatterAlgorithm = of.reduceScatterAlgorithm;
        this.barrierAlgorithm = of.barrierAlgorithm;
        this.bcastAlgorithm = of.bcastAlgorithm;
        this.gatherAlgorithm = of.gatherAlgorithm;
        this.scatterAlgorithm = of.scatterAlgorithm;
        this.allgatherAlgorithm = of.allgatherAlgorithm;
        this.reduceAlgorithm = of.reduceAlgorithm;
        this.allreduceAlgorithm = of.allreduceAlgorithm;
        this.scanAlgorithm = of.scanAlgorithm;
    }

    // ================================================================== non-blocking

    /**
     * Reserves the next tag now, in program order, and runs {@code body} against a view that
     * uses only that tag, on a virtual thread. Operations inside one body run one after the
     * other, and each of them completes every message it starts before the next begins, so
     * sharing the tag cannot mix their messages.
     */
    @Override
    public <R> AbstractRequest<R> start(String what, Function<CollectiveSpi, R> body) {
        P2pCollectives view = new P2pCollectives(this, nextTag());
        CollectiveRequest<R> request = new CollectiveRequest<>(progress, what + " on " + coll.name());
        Thread.ofVirtual().name("mpi4j-" + what).start(() -> {
            try {
                request.completeWithValue(DONE, body.apply(view));
            } catch (RuntimeException e) {
                request.fail(e);
            } catch (Error e) {
                request.fail(new MpiException(ErrorClass.INTERN, what + " failed: " + e, e));
                throw e;
            }
        });
        return request;
    }

    private static final Status DONE = new Status(org.mpi4j.Mpi.ANY_SOURCE, org.mpi4j.Mpi.ANY_TAG,
            org.mpi4j.Datatype.BYTE, 0, false);

    /** The request of a non-blocking collective. */
    private static final class CollectiveRequest<R> extends AbstractRequest<R> {
        private final String description;

        CollectiveRequest(Progress progress, String description) {
            super(progress);
            this.description = description;
        }

        @Override
        public String describe() {
            return description;
        }
    }

    // ================================================================== barrier

    @Override
    public void barrier() {
        int tag = nextTag();
        switch (barrierAlgorithm != null ? barrierAlgorithm : "dissemination") {
            case "linear" -> barrierLinear(tag);
            default -> barrierDissemination(tag);
        }
    }

    /**
     * Dissemination: in round k every rank signals rank + 2^k and waits for rank - 2^k;
     * after ceil(log2 n) rounds each rank has heard, directly or not, from every other.
     */
    private void barrierDissemination(int tag) {
        int n = coll.size();
        int r = coll.rank();
        for (int k = 1; k < n; k <<= 1) {
            AbstractRequest<Status> in = coll.irecv(Buf.of(new byte[0]), (r - k + n) % n, tag);
            coll.send(EMPTY, (r + k) % n, tag, false);
            in.waitFor();
        }
    }

    /** Linear: everyone signals rank 0, which then releases everyone. */
    private void barrierLinear(int tag) {
        int n = coll.size();
        if (coll.rank() == 0) {
            for (int r = 1; r < n; r++) {
                coll.recv(Buf.of(new byte[0]), r, tag);
            }
            for (int r = 1; r < n; r++) {
                coll.send(EMPTY, r, tag, false);
            }
        } else {
            coll.send(EMPTY, 0, tag, false);
            coll.recv(Buf.of(new byte[0]), 0, tag);
        }
    }

    // ================================================================== bcast

    private String bcastAlgorithm() {
        if (bcastAlgorithm != null) {
            return bcastAlgorithm;
        }
        return coll.size() <= 2 ? "linear" : "binomial";
    }

    @Override
    public void bcast(Buf buf, int root) {
        int tag = nextTag();
        int n = coll.size();
        boolean scatterAllgather = bcastAlgorithm != null ? bcastAlgorithm.equals("scatter-allgather")
                : n >= 4 && buf.byteSize() >= BCAST_SCATTER_ALLGATHER_BYTES;
        if (scatterAllgather && n > 1) {
            bcastScatterAllgather(buf, root, tag);
            return;
        }
        Buf got = broadcast(coll.rank() == root ? buf : null, buf, root, tag);
        if (coll.rank() != root && got.byteSize() != buf.byteSize()) {
            throw new MpiException(ErrorClass.COUNT, "bcast: root " + root + " broadcast " + got.byteSize()
                    + " bytes, but this rank's buffer holds " + buf.byteSize() + " bytes (" + buf.count()
                    + " " + buf.datatype() + " elements); every rank must pass the same count");
        }
    }

    /**
     * Van de Geijn's broadcast for large buffers: piece c of the buffer (elements
     * count·c/n up to count·(c+1)/n) belongs to relative rank c. The root sends each binomial
     * subtree its pieces, which are contiguous, straight into place; then a ring allgather
     * over relative ranks completes every buffer. Each rank moves about twice the buffer,
     * whatever n is, where a tree moves it log n times down its deepest path.
     */
    private void bcastScatterAllgather(Buf buf, int root, int tag) {
        int n = coll.size();
        int me = coll.rank();
        int rel = (me - root + n) % n;
        long count = buf.count();
        long[] start = new long[n + 1];
        for (int c = 0; c <= n; c++) {
            start[c] = count * c / n;
        }
        int subtree = subtreeSize(rel, n);
        if (rel != 0) {
            int mask = 1;
            while ((rel & mask) == 0) {
                mask <<= 1;
            }
            int parent = (rel - mask + root) % n;
            long want = start[rel + subtree] - start[rel];
            Blocks.check("bcast", coll.recv(buf.slice(start[rel], want), parent, tag), parent, want);
        }
        int top = 1;
        while (top < subtree) {
            top <<= 1;
        }
        for (int mask = top >> 1; mask > 0; mask >>= 1) {
            int child = rel + mask;
            if (child < n && mask < subtree) {
                int size = Math.min(mask, n - child);
                coll.send(buf.slice(start[child], start[child + size] - start[child]), (child + root) % n, tag, false);
            }
        }
        int right = (me + 1) % n;
        int left = (me - 1 + n) % n;
        for (int step = 0; step < n - 1; step++) {
            int sendPiece = (rel - step + n) % n;
            int recvPiece = (rel - step - 1 + n) % n;
            long want = start[recvPiece + 1] - start[recvPiece];
            AbstractRequest<Status> in = coll.irecv(buf.slice(start[recvPiece], want), left, tag);
            coll.send(buf.slice(start[sendPiece], start[sendPiece + 1] - start[sendPiece]), right, tag, false);
            Blocks.check("bcast", in.waitFor(), left, want);
        }
    }

    @Override
    public Buf bcastAny(Buf rootBuf, int root) {
        return broadcast(rootBuf, null, root, nextTag());
    }

    /**
     * Broadcasts the root's {@code data}. A non-root receives into {@code into}, or into a
     * buffer allocated for the message when {@code into} is null, forwards exactly what it
     * received, and returns it. A buffer too small for the message fails the receive with a
     * truncation error on that rank, which then fails as a rank (the job aborts; nobody hangs).
     */
    private Buf broadcast(Buf data, Buf into, int root, int tag) {
        int n = coll.size();
        int me = coll.rank();
        if (n == 1) {
            return data;
        }
        if (bcastAlgorithm().equals("linear")) { // scatter-allgather needs every size known: trees do the rest
            if (me == root) {
                sendToAll(data, root, tag);
                return data;
            }
            return receive(into, root, tag);
        }
        // Binomial tree over ranks relative to the root: a rank receives from the rank that
        // differs in its lowest set bit, then sends to the ranks that add each lower bit.
        int rel = (me - root + n) % n;
        Buf have = data;
        int mask = 1;
        while (mask < n) {
            if ((rel & mask) != 0) {
                have = receive(into, (rel - mask + root) % n, tag);
                break;
            }
            mask <<= 1;
        }
        mask >>= 1;
        while (mask > 0) {
            if (rel + mask < n) {
                coll.send(have, (rel + mask + root) % n, tag, false);
            }
            mask >>= 1;
        }
        return have;
    }

    private Buf receive(Buf into, int from, int tag) {
        if (into == null) {
            return coll.<Buf>irecvAny(from, tag, b -> b).waitFor();
        }
        Status st = coll.recv(into, from, tag);
        return st.bytes() == into.byteSize() ? into : into.slice(0, st.count());
    }

    private void sendToAll(Buf data, int root, int tag) {
        int n = coll.size();
        AbstractRequest<?>[] sends = new AbstractRequest<?>[n];
        for (int r = 0; r < n; r++) {
            if (r != root) {
                sends[r] = coll.isend(data, r, tag, false);
            }
        }
        for (AbstractRequest<?> s : sends) {
            if (s != null) {
                s.waitFor();
            }
        }
    }

    // ================================================================== gather

    @Override
    public void gather(Buf send, Buf recv, int root) {
        int tag = nextTag();
        int n = coll.size();
        int me = coll.rank();
        String algorithm = gatherAlgorithm != null ? gatherAlgorithm : n <= 2 ? "linear" : "binomial";
        if (algorithm.equals("linear")) {
            if (me != root) {
                coll.send(send, root, tag, false);
                return;
            }
            long cnt = recv.count() / n;
            AbstractRequest<?>[] in = new AbstractRequest<?>[n];
            for (int r = 0; r < n; r++) {
                if (r != root) {
                    in[r] = coll.irecv(recv.slice(r * cnt, cnt), r, tag);
                }
            }
            if (send != null) {
                Buf.copy(send, 0, recv.slice(root * cnt, cnt), 0, send.byteSize());
            }
            for (int r = 0; r < n; r++) {
                if (in[r] != null) {
                    checkBlock("gather", (Status) in[r].waitFor(), r, cnt);
                }
            }
            return;
        }
        // Binomial: each rank collects its subtree's blocks, in relative rank order, and passes
        // them to its parent; the root finally rotates them into rank order.
        Buf mine = send != null ? send : recv.slice(root * (recv.count() / n), recv.count() / n);
        long cnt = mine.count();
        int rel = (me - root + n) % n;
        int subtree = subtreeSize(rel, n);
        Buf tmp = Buf.allocate(mine.datatype(), Math.toIntExact(subtree * cnt));
        Buf.copy(mine, 0, tmp, 0, mine.byteSize());
        int have = 1;
        for (int mask = 1; mask < n; mask <<= 1) {
            if ((rel & mask) != 0) {
                coll.send(tmp.slice(0, have * cnt), (rel - mask + root) % n, tag, false);
                return;
            }
            int child = rel + mask;
            if (child < n) {
                int size = Math.min(mask, n - child);
                Status st = coll.recv(tmp.slice(have * cnt, size * cnt), (child + root) % n, tag);
                checkBlock("gather", st, (child + root) % n, size * cnt);
                have += size;
            }
        }
        for (int r = 0; r < n; r++) { // tmp holds relative ranks 0..n-1
            int rank = (r + root) % n;
            if (rank != root || send != null) {
                Buf.copy(tmp, r * cnt * mine.datatype().extent(), recv.slice(rank * cnt, cnt), 0, cnt * mine.datatype().extent());
            }
        }
    }

    /** The number of relative ranks in the binomial subtree rooted at relative rank {@code rel}. */
    private static int subtreeSize(int rel, int n) {
        int mask = 1;
        while (mask < n && (rel & mask) == 0) {
            mask <<= 1;
        }
        return Math.min(mask, n - rel);
    }

    private static void checkBlock(String op, Status st, int from, long expected) {
        if (st.count() != expected) {
            throw new MpiException(ErrorClass.COUNT, op + ": rank " + from + " sent " + st.count() + " elements where "
                    + expected + " were expected; every rank must pass the same count");
        }
    }

    // ================================================================== scatter

    @Override
    public void scatter(Buf send, Buf recv, int root) {
        int tag = nextTag();
        int n = coll.size();
        int me = coll.rank();
        String algorithm = scatterAlgorithm != null ? scatterAlgorithm : n <= 2 ? "linear" : "binomial";
        if (algorithm.equals("linear")) {
            if (me != root) {
                checkBlock("scatter", coll.recv(recv, root, tag), root, recv.count());
                return;
            }
            long cnt = send.count() / n;
            AbstractRequest<?>[] out = new AbstractRequest<?>[n];
            for (int r = 0; r < n; r++) {
                if (r != root) {
                    out[r] = coll.isend(send.slice(r * cnt, cnt), r, tag, false);
                }
            }
            if (recv != null) {
                Buf.copy(send.slice(root * cnt, cnt), 0, recv, 0, recv.byteSize());
            }
            for (AbstractRequest<?> o : out) {
                if (o != null) {
                    o.waitFor();
                }
            }
            return;
        }
        // Binomial: the root holds every block in relative rank order and hands each child its
        // subtree's blocks; each rank keeps the first block and passes the rest down.
        int rel = (me - root + n) % n;
        int subtree = subtreeSize(rel, n);
        Buf tmp;
        long cnt;
        if (rel == 0) {
            cnt = send.count() / n;
            tmp = Buf.allocate(send.datatype(), Math.toIntExact(send.count()));
            long blockBytes = cnt * send.datatype().extent();
            for (int r = 0; r < n; r++) {
                Buf.copy(send, ((r + root) % n) * blockBytes, tmp, r * blockBytes, blockBytes);
            }
        } else {
            cnt = recv.count();
            tmp = Buf.allocate(recv.datatype(), Math.toIntExact(subtree * cnt));
            int mask = 1;
            while ((rel & mask) == 0) {
                mask <<= 1;
            }
            Status st = coll.recv(tmp, (rel - mask + root) % n, tag);
            checkBlock("scatter", st, root, subtree * cnt);
        }
        int top = 1;
        while (top < subtree) {
            top <<= 1;
        }
        for (int mask = top >> 1; mask > 0; mask >>= 1) {
            int child = rel + mask;
            if (child < n && mask < subtree) {
                int size = Math.min(mask, n - child);
                coll.send(tmp.slice(mask * cnt, size * cnt), (child + root) % n, tag, false);
            }
        }
        if (recv != null) {
            Buf.copy(tmp, 0, recv, 0, recv.byteSize());
        }
    }

    // ================================================================== allgather

    @Override
    public void allgather(Buf send, Buf recv) {
        int tag = nextTag();
        int n = coll.size();
        int me = coll.rank();
        long cnt = recv.count() / n;
        if (send != null) {
            Buf.copy(send, 0, recv.slice(me * cnt, cnt), 0, send.byteSize());
        }
        if (n == 1) {
            return;
        }
        boolean powerOfTwo = (n & (n - 1)) == 0;
        String algorithm = allgatherAlgorithm;
        if (algorithm == null) {
            algorithm = powerOfTwo ? "recursive-doubling"
                    : cnt * recv.datatype().extent() > ALLGATHER_RING_BYTES ? "ring" : "bruck";
        }
        switch (algorithm) {
            case "recursive-doubling" -> {
                if (powerOfTwo) {
                    allgatherRecursiveDoubling(recv, cnt, tag);
                } else {
                    allgatherBruck(recv, cnt, tag); // recursive doubling needs 2^k ranks
                }
            }
            case "bruck" -> allgatherBruck(recv, cnt, tag);
            default -> allgatherRing(recv, cnt, tag);
        }
    }

    /** Ring: n - 1 steps; in each, pass the block received last to the right. */
    private void allgatherRing(Buf recv, long cnt, int tag) {
        int n = coll.size();
        int me = coll.rank();
        int right = (me + 1) % n;
        int left = (me - 1 + n) % n;
        for (int step = 0; step < n - 1; step++) {
            int sendBlock = (me - step + n) % n;
            int recvBlock = (me - step - 1 + n) % n;
            AbstractRequest<Status> in = coll.irecv(recv.slice(recvBlock * cnt, cnt), left, tag);
            coll.send(recv.slice(sendBlock * cnt, cnt), right, tag, false);
            checkBlock("allgather", in.waitFor(), left, cnt);
        }
    }

    /** Recursive doubling (2^k ranks): exchange everything held with the partner at distance 1, 2, 4, ... */
    private void allgatherRecursiveDoubling(Buf recv, long cnt, int tag) {
        int n = coll.size();
        int me = coll.rank();
        for (int mask = 1; mask < n; mask <<= 1) {
            int partner = me ^ mask;
            int mine = me & ~(mask - 1);
            int theirs = partner & ~(mask - 1);
            AbstractRequest<Status> in = coll.irecv(recv.slice(theirs * cnt, mask * cnt), partner, tag);
            coll.send(recv.slice(mine * cnt, mask * cnt), partner, tag, false);
            checkBlock("allgather", in.waitFor(), partner, mask * cnt);
        }
    }

    /**
     * Bruck: ceil(log2 n) steps for any n. Work in an order rotated so this rank's block comes
     * first; at step k send the first k blocks to rank - k and append those of rank + k; rotate
     * back at the end.
     */
    private void allgatherBruck(Buf recv, long cnt, int tag) {
        int n = coll.size();
        int me = coll.rank();
        long blockBytes = cnt * recv.datatype().extent();
        Buf tmp = Buf.allocate(recv.datatype(), Math.toIntExact(n * cnt));
        Buf.copy(recv, me * blockBytes, tmp, 0, blockBytes);
        int have = 1;
        for (int k = 1; k < n; k <<= 1) {
            int blocks = Math.min(k, n - have);
            int to = (me - k + n) % n;
            int from = (me + k) % n;
            AbstractRequest<Status> in = coll.irecv(tmp.slice(have * cnt, blocks * cnt), from, tag);
            coll.send(tmp.slice(0, blocks * cnt), to, tag, false);
            checkBlock("allgather", in.waitFor(), from, blocks * cnt);
            have += blocks;
        }
        for (int i = 0; i < n; i++) { // tmp block i is rank me + i's
            Buf.copy(tmp, i * blockBytes, recv, ((me + i) % n) * blockBytes, blockBytes);
        }
    }

    // ================================================================== messages of any size

    @Override
    public List<Buf> gatherAny(Buf mine, int root) {
        int tag = nextTag();
        int n = coll.size();
        if (coll.rank() != root) {
            coll.send(mine, root, tag, false);
            return null;
        }
        List<AbstractRequest<Buf>> in = new java.util.ArrayList<>(n);
        for (int r = 0; r < n; r++) {
            in.add(r == root ? null : coll.<Buf>irecvAny(r, tag, b -> b));
        }
        List<Buf> out = new java.util.ArrayList<>(n);
        for (int r = 0; r < n; r++) {
            out.add(r == root ? mine : in.get(r).waitFor());
        }
        return out;
    }

    @Override
    public Buf scatterAny(List<Buf> parts, int root) {
        int tag = nextTag();
        int n = coll.size();
        if (coll.rank() != root) {
            return coll.<Buf>irecvAny(root, tag, b -> b).waitFor();
        }
        AbstractRequest<?>[] out = new AbstractRequest<?>[n];
        for (int r = 0; r < n; r++) {
            if (r != root) {
                out[r] = coll.isend(parts.get(r), r, tag, false);
            }
        }
        for (AbstractRequest<?> o : out) {
            if (o != null) {
                o.waitFor();
            }
        }
        return parts.get(root);
    }

    // ================================================================== reduce

    @Override
    public void reduce(Buf send, Buf recv, Op op, int root) {
        int tag = nextTag();
        reduce(send, recv, op, root, tag);
    }

    private void reduce(Buf send, Buf recv, Op op, int root, int tag) {
        int n = coll.size();
        int me = coll.rank();
        Buf input = send != null ? send : recv;
        if (n == 1) {
            if (send != null) {
                Buf.copy(send, 0, recv, 0, send.byteSize());
            }
            return;
        }
        String algorithm = reduceAlgorithm != null ? reduceAlgorithm : "binomial";
        if (algorithm.equals("linear")) {
            if (me != root) {
                coll.send(input, root, tag, false);
                return;
            }
            // Everyone's input, combined in rank order: acc = x0 ⊕ x1 ⊕ ... ⊕ x(n-1).
            Buf acc = null;
            for (int r = 0; r < n; r++) {
                Buf x = r == me ? copyOf(input) : receiveBlock("reduce", r, input, tag);
                if (acc != null) {
                    op.reduce(acc, x); // x = acc ⊕ x, acc holding the lower ranks
                }
                acc = x;
            }
            Buf.copy(acc, 0, recv, 0, acc.byteSize());
            return;
        }
        // Binomial over ranks relative to a tree root of 0, so that every combination joins a
        // lower block with the higher block beside it: rank order holds for any operation.
        // The result then goes from rank 0 to the root, if the root is another rank.
        Buf acc = copyOf(input);
        for (int mask = 1; mask < n; mask <<= 1) {
            if ((me & mask) != 0) {
                coll.send(acc, me - mask, tag, false);
                break;
            }
            int child = me + mask;
            if (child < n) {
                Buf theirs = receiveBlock("reduce", child, input, tag);
                op.reduce(acc, theirs);
                acc = theirs;
            }
        }
        if (root == 0) {
            if (me == 0) {
                Buf.copy(acc, 0, recv, 0, acc.byteSize());
            }
        } else if (me == 0) {
            coll.send(acc, root, tag, false);
        } else if (me == root) {
            coll.recv(recv, 0, tag);
        }
    }

    /**
     * A block for one call's incoming chunks, kept for the next call: the ring allreduce
     * would otherwise allocate a chunk's worth (4 MiB of an 8 MiB allreduce on two ranks)
     * every call, which a JVM pays in collections and, while its heap grows, in page faults.
     * A view's calls run one at a time (collectives on a communicator are ordered), and every
     * view of a non-blocking collective has its own.
     */
    private Buf scratch(org.mpi4j.Datatype type, int count) {
        Buf s = scratch;
        if (s == null || s.datatype() != type || s.count() < count) {
            s = Buf.allocate(type, count);
            scratch = s;
        }
        return s.slice(0, count);
    }

    private Buf scratch;

    private Buf receiveBlock(String what, int from, Buf like, int tag) {
        Buf b = Buf.allocate(like.datatype(), Math.toIntExact(like.count()));
        checkBlock(what, coll.recv(b, from, tag), from, like.count());
        return b;
    }

    private static Buf copyOf(Buf b) {
        return b.copyToHeap();
    }

    // ================================================================== allreduce

    @Override
    public void allreduce(Buf send, Buf recv, Op op) {
        int tag = nextTag();
        int n = coll.size();
        if (send != null) {
            Buf.copy(send, 0, recv, 0, send.byteSize());
        }
        if (n == 1) {
            return;
        }
        String algorithm = allreduceAlgorithm;
        if (!op.isCommutative()) {
            algorithm = "reduce-bcast";
        } else if (algorithm == null) {
            algorithm = recv.byteSize() >= ALLREDUCE_RING_BYTES && recv.count() >= n ? "ring" : "recursive-doubling";
        }
        switch (algorithm) {
            case "ring" -> allreduceRing(recv, op, tag);
            case "recursive-doubling" -> allreduceRecursiveDoubling(recv, op, tag);
            default -> {
                reduce(null, recv, op, 0, tag);
                Buf got = broadcast(coll.rank() == 0 ? recv : null, recv, 0, tag);
                if (got != recv) {
                    throw new MpiException(ErrorClass.INTERN, "allreduce: short broadcast");
                }
            }
        }
    }

    /**
     * Recursive doubling for any n: the ranks beyond the largest power of two p first fold
     * their data into rank - p; the first p ranks then exchange and combine with the partner
     * at distance 1, 2, 4, ...; the folded ranks finally get the result back. Both partners
     * combine lower ⊕ higher, so every rank computes bit-identical results.
     */
    private void allreduceRecursiveDoubling(Buf data, Op op, int tag) {
        int n = coll.size();
        int me = coll.rank();
        int p = Integer.highestOneBit(n);
        if (me >= p) {
            coll.send(data, me - p, tag, false);
            coll.recv(data, me - p, tag);
            return;
        }
        if (me + p < n) {
            Buf extra = receiveBlock("allreduce", me + p, data, tag);
            op.reduce(data, extra); // extra = mine ⊕ theirs (theirs is the higher rank)
            Buf.copy(extra, 0, data, 0, data.byteSize());
        }
        Buf theirs = Buf.allocate(data.datatype(), Math.toIntExact(data.count()));
        for (int mask = 1; mask < p; mask <<= 1) {
            int partner = me ^ mask;
            AbstractRequest<Status> in = coll.irecv(theirs, partner, tag);
            coll.send(data, partner, tag, false);
            checkBlock("allreduce", in.waitFor(), partner, data.count());
            if (partner < me) {
                op.reduce(theirs, data); // data = theirs ⊕ mine
            } else {
                op.reduce(data, theirs); // theirs = mine ⊕ theirs
                Buf.copy(theirs, 0, data, 0, data.byteSize());
            }
        }
        if (me + p < n) {
            coll.send(data, me + p, tag, false);
        }
    }

    /**
     * Ring, in Rabenseifner's two halves: a reduce-scatter around the ring leaves each rank
     * with the full reduction of one chunk (n - 1 steps), then an allgather around the ring
     * hands every chunk to every rank (n - 1 steps). Each rank sends and receives about twice
     * the data once, whatever n is: the choice for large messages. Commutative operations only.
     */
    private void allreduceRing(Buf data, Op op, int tag) {
        int n = coll.size();
        int me = coll.rank();
        long count = data.count();
        long[] start = new long[n + 1];
        for (int c = 0; c <= n; c++) {
            start[c] = count * c / n;
        }
        int right = (me + 1) % n;
        int left = (me - 1 + n) % n;
        Buf tmp = scratch(data.datatype(), Math.toIntExact(start[1] - start[0] + count / n + 1));
        for (int step = 0; step < n - 1; step++) {
            int sendChunk = (me - step + n) % n;
            int recvChunk = (me - step - 1 + n) % n;
            long rlen = start[recvChunk + 1] - start[recvChunk];
            Buf in = tmp.slice(0, rlen);
            AbstractRequest<Status> r = coll.irecv(in, left, tag);
            coll.send(data.slice(start[sendChunk], start[sendChunk + 1] - start[sendChunk]), right, tag, false);
            checkBlock("allreduce", r.waitFor(), left, rlen);
            op.reduce(in, data.slice(start[recvChunk], rlen));
        }
        for (int step = 0; step < n - 1; step++) {
            int sendChunk = (me + 1 - step + n) % n;
            int recvChunk = (me - step + n) % n;
            long rlen = start[recvChunk + 1] - start[recvChunk];
            AbstractRequest<Status> r = coll.irecv(data.slice(start[recvChunk], rlen), left, tag);
            coll.send(data.slice(start[sendChunk], start[sendChunk + 1] - start[sendChunk]), right, tag, false);
            checkBlock("allreduce", r.waitFor(), left, rlen);
        }
    }

    // ================================================================== scan, exscan

    @Override
    public void scan(Buf send, Buf recv, Op op) {
        prefix(send, recv, op, true, nextTag());
    }

    @Override
    public void exscan(Buf send, Buf recv, Op op) {
        prefix(send, recv, op, false, nextTag());
    }

    private void prefix(Buf send, Buf recv, Op op, boolean inclusive, int tag) {
        int n = coll.size();
        int me = coll.rank();
        Buf mine = copyOf(send != null ? send : recv);
        if ("linear".equals(scanAlgorithm)) {
            // A chain: rank r gets x0 ⊕ … ⊕ x(r-1) from rank r - 1, and passes on that ⊕ xr.
            Buf before = null;
            if (me > 0) {
                before = receiveBlock(inclusive ? "scan" : "exscan", me - 1, mine, tag);
            }
            Buf through = mine;
            if (before != null) {
                through = copyOf(mine);
                op.reduce(before, through); // through = before ⊕ mine
            }
            if (me + 1 < n) {
                coll.send(through, me + 1, tag, false);
            }
            Buf result = inclusive ? through : before;
            if (result != null) {
                Buf.copy(result, 0, recv, 0, result.byteSize());
            }
            return;
        }
        // Recursive doubling: "partial" is the reduction of the block of ranks this rank has
        // heard of so far, the partner's block beside it; the result takes in only the blocks
        // of lower ranks (and, inclusive, this rank's own).
        Buf partial = mine;
        Buf result = inclusive ? copyOf(mine) : null;
        Buf theirs = Buf.allocate(mine.datatype(), Math.toIntExact(mine.count()));
        for (int mask = 1; mask < n; mask <<= 1) {
            int partner = me ^ mask;
            if (partner >= n) {
                continue;
            }
            AbstractRequest<Status> in = coll.irecv(theirs, partner, tag);
            coll.send(partial, partner, tag, false);
            checkBlock(inclusive ? "scan" : "exscan", in.waitFor(), partner, mine.count());
            if (partner < me) {
                op.reduce(theirs, partial); // partial = theirs ⊕ partial
                if (result == null) {
                    result = copyOf(theirs);
                } else {
                    op.reduce(theirs, result); // result = theirs ⊕ result
                }
            } else {
                Buf next = copyOf(theirs);
                op.reduce(partial, next); // next = partial ⊕ theirs
                partial = next;
            }
        }
        if (result != null) {
            Buf.copy(result, 0, recv, 0, result.byteSize());
        }
    }
    // ================================================================== v-forms

    @Override
    public void gatherv(Buf send, Buf recv, int[] counts, int[] displs, int root) {
        VectorAlgorithms.gatherv(coll, nextTag(), send, recv, counts, displs, root);
    }

    @Override
    public void scatterv(Buf send, int[] counts, int[] displs, Buf recv, int root) {
        VectorAlgorithms.scatterv(coll, nextTag(), send, counts, displs, recv, root);
    }

    @Override
    public void allgatherv(Buf send, Buf recv, int[] counts, int[] displs) {
        int tag = nextTag();
        int me = coll.rank();
        if (send != null) {
            Blocks.copy(send, 0, recv, displs[me], counts[me]);
        }
        VectorAlgorithms.allgathervRing(coll, tag, recv, counts, displs);
    }

    @Override
    public List<Buf> allgatherAny(Buf mine) {
        return VectorAlgorithms.allgatherAny(coll, nextTag(), mine);
    }

    // ================================================================== alltoall

    @Override
    public void alltoall(Buf send, Buf recv) {
        int tag = nextTag();
        long cnt = recv.count() / coll.size();
        Buf from = send != null ? send : recv.copyToHeap();
        String algorithm = alltoallAlgorithm != null ? alltoallAlgorithm
                : AlltoallAlgorithms.choose(coll.size(), cnt * recv.datatype().extent());
        AlltoallAlgorithms.alltoall(coll, tag, algorithm, from, recv, cnt);
    }

    @Override
    public void alltoallv(Buf send, int[] sendCounts, int[] sendDispls, Buf recv, int[] recvCounts, int[] recvDispls) {
        int tag = nextTag();
        Buf from = send;
        if (send == null) { // in place: the outgoing blocks are laid out as the incoming ones
            from = recv.copyToHeap();
            sendCounts = recvCounts;
            sendDispls = recvDispls;
        }
        AlltoallAlgorithms.alltoallv(coll, tag, alltoallvAlgorithm != null ? alltoallvAlgorithm : "linear", from,
                sendCounts, sendDispls, recv, recvCounts, recvDispls);
    }

    @Override
    public List<Buf> alltoallAny(List<Buf> parts) {
        return VectorAlgorithms.alltoallAny(coll, nextTag(), parts);
    }

    // ================================================================== reduce-scatter

    @Override
    public void reduceScatter(Buf send, Buf recv, int[] counts, Op op) {
        int tag = nextTag();
        int n = coll.size();
        int me = coll.rank();
        long[] start = Blocks.starts(counts);
        Buf input = send != null ? send : recv;
        String algorithm = reduceScatterAlgorithm;
        if (!op.isCommutative()) {
            algorithm = "reduce-scatterv";
        } else if (algorithm == null) {
            algorithm = start[n] * input.datatype().extent() >= REDUCE_SCATTER_RING_BYTES ? "ring" : "reduce-scatterv";
        }
        if (n == 1) {
            if (send != null) {
                Blocks.copy(send, 0, recv, 0, counts[0]);
            }
            return;
        }
        if (algorithm.equals("ring")) {
            reduceScatterRing(input.slice(0, start[n]).copyToHeap(), recv, start, op, tag);
            return;
        }
        // Reduce to rank 0 in rank order, then hand out the blocks.
        Buf whole = me == 0 ? Buf.allocate(input.datatype(), Math.toIntExact(start[n])) : null;
        reduce(input.slice(0, start[n]), whole, op, 0, tag);
        int[] displs = new int[n];
        for (int r = 0; r < n; r++) {
            displs[r] = Math.toIntExact(start[r]);
        }
        VectorAlgorithms.scatterv(coll, tag, whole, counts, displs, recv.slice(0, counts[me]), 0);
    }

    /**
     * Ring reduce-scatter (commutative operations): in step s a rank sends its partial sum of
     * block me - s - 1 to the right and folds the left neighbour's partial sum of block
     * me - s - 2 into its own; after n - 1 steps its own block holds everyone's contribution.
     */
    private void reduceScatterRing(Buf work, Buf recv, long[] start, Op op, int tag) {
        int n = coll.size();
        int me = coll.rank();
        int right = (me + 1) % n;
        int left = (me - 1 + n) % n;
        long largest = 0;
        for (int r = 0; r < n; r++) {
            largest = Math.max(largest, start[r + 1] - start[r]);
        }
        Buf tmp = Buf.allocate(work.datatype(), Math.toIntExact(largest));
        for (int step = 0; step < n - 1; step++) {
            int sendBlock = (me - step - 1 + 2 * n) % n;
            int recvBlock = (me - step - 2 + 2 * n) % n;
            long rlen = start[recvBlock + 1] - start[recvBlock];
            Buf in = tmp.slice(0, rlen);
            AbstractRequest<Status> r = coll.irecv(in, left, tag);
            coll.send(work.slice(start[sendBlock], start[sendBlock + 1] - start[sendBlock]), right, tag, false);
            Blocks.check("reduceScatter", r.waitFor(), left, rlen);
            op.reduce(in, work.slice(start[recvBlock], rlen));
        }
        Blocks.copy(work, start[me], recv, 0, start[me + 1] - start[me]);
    }

    // ================================================================== neighbours

    @Override
    public void neighborAllgatherv(Buf send, Buf recv, int[] counts, int[] displs, Neighborhood hood) {
        NeighborAlgorithms.allgatherv(coll, nextTag(), send, recv, counts, displs, hood);
    }

    @Override
    public void neighborAlltoallv(Buf send, int[] sendCounts, int[] sendDispls, Buf recv, int[] recvCounts,
            int[] recvDispls, Neighborhood hood) {
        NeighborAlgorithms.alltoallv(coll, nextTag(), send, sendCounts, sendDispls, recv, recvCounts, recvDispls, hood);
    }

    @Override
    public List<Buf> neighborAllgatherAny(Buf mine, Neighborhood hood) {
        return NeighborAlgorithms.allgatherAny(coll, nextTag(), mine, hood);
    }

    @Override
    public List<Buf> neighborAlltoallAny(List<Buf> parts, Neighborhood hood) {
        return NeighborAlgorithms.alltoallAny(coll, nextTag(), parts, hood);
    }
}
