package org.mpi4j;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;
import org.mpi4j.spi.CommSpi;

/**
 * How topology communicators are created: {@link Comm#cartCreate}, {@link Comm#graphCreate},
 * {@link Comm#distGraphCreateAdjacent}, {@link Comm#distGraphCreate} and
 * {@link CartComm#sub}.
 *
 * <p>Every creation is one exchange among the parent's ranks ({@link CommManagement}), in
 * which each rank tells the others the context id it allocated for the new communicator,
 * as {@code dup} and {@code split} do. Here the exchange also carries what every rank must
 * agree on (the grid, the graph) and whether this rank's arguments were valid, so that:
 * <ul>
 *   <li>ranks that pass different grids or graphs all get the same
 *       {@link ErrorClass#TOPOLOGY} error, naming a rank that differs, instead of building
 *       communicators that disagree and hang later;</li>
 *   <li>a rank whose own arguments are invalid still takes part in the exchange, so the
 *       others fail with its error rather than wait for it forever.</li>
 * </ul>
 * Arguments are checked before any rank proceeds, so a failed creation leaves nothing
 * behind but a context id that is never used (ids are never reused anyway).
 *
 * <p>The distributed graphs take one more step before that exchange: an all-to-all on the
 * parent in which each rank tells each other rank about the edges between them. The
 * general form learns its in- and out-edges from it; the adjacent form checks that every
 * edge is listed at both its ends, with the same weight. That costs one small message per
 * pair of ranks, once, when the communicator is created.
 */
final class Topologies {
    private Topologies() {
    }

    /** What a rank told the others: no error, an invalid argument, or a topology that does not fit together. */
    private static final int OK = 0;
    private static final int ARGS = 1;
    private static final int INCONSISTENT = 2;

    /**
     * One rank's part of a creation exchange.
     *
     * @param context the context id it allocated, or -1 if it will not be a member
     * @param shared what every rank must pass alike (a grid, a graph's fingerprint)
     * @param own what is this rank's own (a color and key, whether it is weighted)
     * @param errorKind {@link #OK}, {@link #ARGS} or {@link #INCONSISTENT}
     * @param errorClass the class of its error, or null
     * @param error its error message, or null
     */
    private record Entry(int context, int[] shared, int[] own, int errorKind, ErrorClass errorClass, String error) {
    }

    // ================================================================== Cartesian

    static CartComm cart(Comm parent, int[] dims, boolean[] periods) {
        String op = "cartCreate";
        Objects.requireNonNull(dims, "dims");
        Objects.requireNonNull(periods, "periods");
        int[] d = dims.clone();
        boolean[] p = periods.clone();
        MpiException error = null;
        int points = 0;
        try {
            points = CartesianMath.checkGrid(op, d, p);
            CartesianMath.checkFits(d, parent.size());
        } catch (MpiException e) {
            error = e;
        }
        boolean member = error == null && parent.rank() < points;
        Entry[] all = exchange(parent, member ? parent.rankSpi.allocateContext() : -1, cartArgs(d, p), new int[0],
                error == null ? OK : ARGS, error);
        checkSame(op, all, Topologies::describeCart, "the same dims and periods");
        raise(op, all, error);
        if (!member) {
            return null;
        }
        int[] members = new int[points];
        int[] contexts = new int[points];
        for (int r = 0; r < points; r++) {
            members[r] = parent.spi.worldRank(r);
            contexts[r] = all[r].context();
        }
        CommSpi spi = parent.spi.create(members, contexts, parent.name() + ".cart(" + join(d, "x") + ")");
        return new CartComm(parent.rankSpi, spi, d, p);
    }

    static CartComm sub(CartComm cart, boolean[] remainDims) {
        String op = "cartSub";
        Objects.requireNonNull(remainDims, "remainDims");
        boolean[] remain = remainDims.clone();
        int[] dims = cart.dimsView();
        MpiException error = null;
        int[] colorKey = {-1, -1};
        try {
            colorKey = CartesianMath.subColorKey(cart.rank(), dims, remain);
        } catch (MpiException e) {
            error = e;
        }
        int[] shared = new int[remain.length + 1];
        shared[0] = remain.length;
        for (int i = 0; i < remain.length; i++) {
            shared[i + 1] = remain[i] ? 1 : 0;
        }
        Entry[] all = exchange(cart, error == null ? cart.rankSpi.allocateContext() : -1, shared, colorKey,
                error == null ? OK : ARGS, error);
        checkSame(op, all, s -> "remainDims " + Arrays.toString(flags(s, 1, s[0])), "the same remainDims");
        raise(op, all, error);
        int[] subDims = CartesianMath.subDims(dims, remain);
        boolean[] subPeriods = CartesianMath.subPeriods(cart.periodsView(), remain);
        int size = CartesianMath.gridSize(op, subDims);
        int[] members = new int[size];
        int[] contexts = new int[size];
        for (int r = 0; r < all.length; r++) {
            if (all[r].own()[0] == colorKey[0]) {
                int key = all[r].own()[1]; // the rank in the sub-grid: distinct within a color
                members[key] = cart.spi.worldRank(r);
                contexts[key] = all[r].context();
            }
        }
        List<Integer> kept = new ArrayList<>();
        for (int i = 0; i < remain.length; i++) {
            if (remain[i]) {
                kept.add(i);
            }
        }
        String name = cart.name() + ".sub(" + String.join(",", kept.stream().map(String::valueOf).toList()) + ")";
        return new CartComm(cart.rankSpi, cart.spi.create(members, contexts, name), subDims, subPeriods);
    }

    private static int[] cartArgs(int[] dims, boolean[] periods) {
        int[] a = new int[2 + dims.length + periods.length];
        a[0] = dims.length;
        System.arraycopy(dims, 0, a, 1, dims.length);
        a[1 + dims.length] = periods.length;
        for (int i = 0; i < periods.length; i++) {
            a[2 + dims.length + i] = periods[i] ? 1 : 0;
        }
        return a;
    }

    private static String describeCart(int[] a) {
        int nd = a[0];
        return "dims " + Arrays.toString(Arrays.copyOfRange(a, 1, 1 + nd)) + " and periods "
                + Arrays.toString(flags(a, 2 + nd, a[1 + nd]));
    }

    private static boolean[] flags(int[] a, int from, int n) {
        boolean[] b = new boolean[n];
        for (int i = 0; i < n; i++) {
            b[i] = a[from + i] != 0;
        }
        return b;
    }

    // ================================================================== graphs

    static GraphComm graph(Comm parent, int[] index, int[] edges) {
        String op = "graphCreate";
        Objects.requireNonNull(index, "index");
        Objects.requireNonNull(edges, "edges");
        int[] ix = index.clone();
        int[] ed = edges.clone();
        int nnodes = ix.length;
        MpiException error = null;
        try {
            GraphMath.validate(nnodes, ix, ed);
            GraphMath.checkFits(nnodes, parent.size());
        } catch (MpiException e) {
            error = e;
        }
        boolean member = error == null && parent.rank() < nnodes;
        long print = fingerprint(ix, ed);
        int[] shared = {nnodes, ed.length, (int) (print >>> 32), (int) print};
        Entry[] all = exchange(parent, member ? parent.rankSpi.allocateContext() : -1, shared, new int[0],
                error == null ? OK : ARGS, error);
        checkSame(op, all, s -> "a graph of " + s[0] + " nodes and " + s[1] + " edges (fingerprint "
                + Long.toHexString((long) s[2] << 32 | s[3] & 0xFFFFFFFFL) + ")", "the same index and edges");
        raise(op, all, error);
        if (!member) {
            return null;
        }
        int[] members = new int[nnodes];
        int[] contexts = new int[nnodes];
        for (int r = 0; r < nnodes; r++) {
            members[r] = parent.spi.worldRank(r);
            contexts[r] = all[r].context();
        }
        return new GraphComm(parent.rankSpi, parent.spi.create(members, contexts, parent.name() + ".graph"), ix, ed);
    }

    /** A 64-bit FNV-1a hash of a graph, to tell ranks that pass different graphs apart without sending them. */
    private static long fingerprint(int[] index, int[] edges) {
        long h = 0xCBF29CE484222325L;
        h = mix(h, index.length);
        for (int v : index) {
            h = mix(h, v);
        }
        h = mix(h, edges.length);
        for (int v : edges) {
            h = mix(h, v);
        }
        return h;
    }

    private static long mix(long h, int v) {
        for (int shift = 0; shift < 32; shift += 8) {
            h = (h ^ (v >>> shift & 0xFF)) * 0x100000001B3L;
        }
        return h;
    }

    // ================================================================== distributed graphs

    static DistGraphComm distGraphAdjacent(Comm parent, int[] sources, int[] sourceWeights, int[] destinations,
            int[] destWeights) {
        String op = "distGraphCreateAdjacent";
        Objects.requireNonNull(sources, "sources");
        Objects.requireNonNull(destinations, "destinations");
        int[] src = sources.clone();
        int[] dst = destinations.clone();
        int[] sw = sourceWeights == null ? null : sourceWeights.clone();
        int[] dw = destWeights == null ? null : destWeights.clone();
        int n = parent.size();
        int me = parent.rank();
        MpiException error = null;
        try {
            if ((sw == null) != (dw == null)) {
                throw new MpiException(ErrorClass.ARG, op + ": sourceWeights is " + (sw == null ? "null" : "given")
                        + " but destWeights is " + (dw == null ? "null" : "given")
                        + "; pass weights for both (weighted) or neither (unweighted)");
            }
            GraphMath.validateAdjacency(n, src, sw, dst, dw);
        } catch (MpiException e) {
            error = e;
        }
        boolean weighted = sw != null;
        // Each rank tells each rank the weights of its edges to it, in order; every edge is then
        // checked at its destination against the sources listed there.
        List<int[]> parts = new ArrayList<>(n);
        for (int r = 0; r < n; r++) {
            parts.add(error != null ? new int[] {-1} : edgesTo(r, dst, dw));
        }
        List<int[]> got = parent.alltoall(parts);
        MpiException inconsistent = null;
        if (error == null) {
            inconsistent = checkAtDestination(op, me, src, sw, got);
        }
        MpiException mine = error != null ? error : inconsistent;
        Entry[] all = exchange(parent, parent.rankSpi.allocateContext(), new int[0], new int[] {weighted ? 1 : 0},
                error != null ? ARGS : inconsistent != null ? INCONSISTENT : OK, mine);
        raise(op, all, mine);
        checkWeighting(op, all);
        return create(parent, all, src, sw, dst, dw, ".distGraph");
    }

    /** {@code {1 if weighted, count, weights...}} of the entries of {@code dst} that are {@code r}. */
    private static int[] edgesTo(int r, int[] dst, int[] dw) {
        int count = 0;
        for (int d : dst) {
            count += d == r ? 1 : 0;
        }
        int[] part = new int[2 + (dw == null ? 0 : count)];
        part[0] = dw == null ? 0 : 1;
        part[1] = count;
        int k = 2;
        for (int j = 0; j < dst.length && dw != null; j++) {
            if (dst[j] == r) {
                part[k++] = dw[j];
            }
        }
        return part;
    }

    /** Compares what each rank says it sends here with the sources listed here; returns the first mismatch. */
    private static MpiException checkAtDestination(String op, int me, int[] src, int[] sw, List<int[]> got) {
        for (int s = 0; s < got.size(); s++) {
            int[] part = got.get(s);
            if (part[0] < 0) {
                continue; // that rank's arguments are invalid: its own error says so
            }
            int listed = 0;
            for (int v : src) {
                listed += v == s ? 1 : 0;
            }
            if (listed != part[1]) {
                return new MpiException(ErrorClass.TOPOLOGY, op + ": rank " + s + " lists rank " + me + " "
                        + times(part[1]) + " in its destinations, but rank " + me + " lists rank " + s + " "
                        + times(listed) + " in its sources; every edge must be listed at both its ends");
            }
            if (sw != null && part[0] == 1) {
                int k = 0;
                for (int i = 0; i < src.length; i++) {
                    if (src[i] == s) {
                        int theirs = part[2 + k];
                        if (theirs != sw[i]) {
                            return new MpiException(ErrorClass.TOPOLOGY, op + ": edge " + (k + 1) + " of "
                                    + part[1] + " from rank " + s + " to rank " + me + " has weight " + theirs
                                    + " at rank " + s + " but " + sw[i] + " at rank " + me + " (sourceWeights[" + i
                                    + "]); an edge has one weight");
                        }
                        k++;
                    }
                }
            }
        }
        return null;
    }

    private static String times(int k) {
        return k == 1 ? "once" : k + " times";
    }

    static DistGraphComm distGraph(Comm parent, int[] sources, int[] degrees, int[] destinations, int[] weights) {
        String op = "distGraphCreate";
        Objects.requireNonNull(sources, "sources");
        Objects.requireNonNull(degrees, "degrees");
        Objects.requireNonNull(destinations, "destinations");
        int[] src = sources.clone();
        int[] deg = degrees.clone();
        int[] dst = destinations.clone();
        int[] w = weights == null ? null : weights.clone();
        int n = parent.size();
        MpiException error = null;
        try {
            checkEdgeList(op, n, src, deg, dst, w);
        } catch (MpiException e) {
            error = e;
        }
        boolean weighted = w != null;
        // Every edge this rank names goes to both its ends, as {0, to, weight} to its
        // source and {1, from, weight} to its destination, in the order given.
        int[][] edgeParts = new int[n][];
        int[] fill = new int[n];
        if (error == null) {
            int[] per = new int[n];
            for (int i = 0, e = 0; i < src.length; i++) {
                for (int k = 0; k < deg[i]; k++, e++) {
                    per[src[i]]++;
                    per[dst[e]]++;
                }
            }
            for (int r = 0; r < n; r++) {
                edgeParts[r] = new int[1 + 3 * per[r]];
                fill[r] = 1;
            }
            for (int i = 0, e = 0; i < src.length; i++) {
                for (int k = 0; k < deg[i]; k++, e++) {
                    int u = src[i];
                    int v = dst[e];
                    int wt = w == null ? 1 : w[e];
                    int[] a = edgeParts[u];
                    a[fill[u]++] = 0;
                    a[fill[u]++] = v;
                    a[fill[u]++] = wt;
                    int[] b = edgeParts[v];
                    b[fill[v]++] = 1;
                    b[fill[v]++] = u;
                    b[fill[v]++] = wt;
                }
            }
        }
        List<int[]> parts = new ArrayList<>(n);
        for (int r = 0; r < n; r++) {
            parts.add(error != null ? new int[] {-1} : edgeParts[r]);
        }
        List<int[]> got = parent.alltoall(parts);
        // In-edges and out-edges in the order of the ranks that named them, then of their lists:
        // the same order at both ends, so repeated edges pair up.
        IntList in = new IntList();
        IntList inW = new IntList();
        IntList out = new IntList();
        IntList outW = new IntList();
        for (int[] part : got) {
            if (part[0] < 0) {
                continue;
            }
            for (int k = 1; k < part.length; k += 3) {
                (part[k] == 0 ? out : in).add(part[k + 1]);
                (part[k] == 0 ? outW : inW).add(part[k + 2]);
            }
        }
        Entry[] all = exchange(parent, parent.rankSpi.allocateContext(), new int[0], new int[] {weighted ? 1 : 0},
                error != null ? ARGS : OK, error);
        raise(op, all, error);
        checkWeighting(op, all);
        return create(parent, all, in.toArray(), weighted ? inW.toArray() : null, out.toArray(),
                weighted ? outW.toArray() : null, ".distGraph");
    }

    private static void checkEdgeList(String op, int n, int[] src, int[] deg, int[] dst, int[] w) {
        if (src.length != deg.length) {
            throw new MpiException(ErrorClass.COUNT, op + ": sources has length " + src.length
                    + " but degrees has length " + deg.length + "; give one degree per source");
        }
        long total = 0;
        for (int i = 0; i < src.length; i++) {
            if (src[i] < 0 || src[i] >= n) {
                throw new MpiException(ErrorClass.RANK, op + ": sources[" + i + "] = " + src[i]
                        + " is out of range for a communicator of size " + n + " (valid: 0.." + (n - 1) + ")");
            }
            if (deg[i] < 0) {
                throw new MpiException(ErrorClass.COUNT, op + ": degrees[" + i + "] = " + deg[i] + " is negative");
            }
            total += deg[i];
        }
        if (total != dst.length) {
            throw new MpiException(ErrorClass.COUNT, op + ": the degrees add up to " + total
                    + " but destinations has length " + dst.length);
        }
        for (int j = 0; j < dst.length; j++) {
            if (dst[j] < 0 || dst[j] >= n) {
                throw new MpiException(ErrorClass.RANK, op + ": destinations[" + j + "] = " + dst[j]
                        + " is out of range for a communicator of size " + n + " (valid: 0.." + (n - 1) + ")");
            }
        }
        if (w != null) {
            if (w.length != dst.length) {
                throw new MpiException(ErrorClass.COUNT, op + ": weights has length " + w.length
                        + " but destinations has length " + dst.length);
            }
            for (int j = 0; j < w.length; j++) {
                if (w[j] < 0) {
                    throw new MpiException(ErrorClass.ARG, op + ": weights[" + j + "] = " + w[j] + " is negative");
                }
            }
        }
    }

    /** MPI: weights are given by every rank or by none. */
    private static void checkWeighting(String op, Entry[] all) {
        for (int r = 1; r < all.length; r++) {
            if (all[r].own()[0] != all[0].own()[0]) {
                throw new MpiException(ErrorClass.TOPOLOGY, op + ": rank " + r + " passes "
                        + (all[r].own()[0] == 1 ? "weights" : "no weights (null: unweighted)") + " but rank 0 passes "
                        + (all[0].own()[0] == 1 ? "weights" : "none (null: unweighted)")
                        + "; either every rank passes weights or none does");
            }
        }
    }

    private static DistGraphComm create(Comm parent, Entry[] all, int[] src, int[] sw, int[] dst, int[] dw,
            String suffix) {
        int n = all.length;
        int[] members = new int[n];
        int[] contexts = new int[n];
        for (int r = 0; r < n; r++) {
            members[r] = parent.spi.worldRank(r);
            contexts[r] = all[r].context();
        }
        return new DistGraphComm(parent.rankSpi, parent.spi.create(members, contexts, parent.name() + suffix),
                src, sw, dst, dw);
    }

    // ================================================================== the exchange

    /** Every rank's entry, on every rank: one {@link CommManagement#allgather} on the parent's collective context. */
    private static Entry[] exchange(Comm parent, int context, int[] shared, int[] own, int errorKind,
            MpiException error) {
        byte[] message = error == null ? new byte[0] : String.valueOf(error.getMessage()).getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(4 * (6 + shared.length + own.length) + message.length);
        b.putInt(context).putInt(shared.length);
        for (int v : shared) {
            b.putInt(v);
        }
        b.putInt(own.length);
        for (int v : own) {
            b.putInt(v);
        }
        b.putInt(errorKind).putInt(error == null ? -1 : error.errorClass().ordinal()).putInt(message.length).put(message);
        byte[][] all = CommManagement.allgather(parent.spi.collectiveView(), b.array());
        Entry[] out = new Entry[all.length];
        for (int r = 0; r < all.length; r++) {
            ByteBuffer in = ByteBuffer.wrap(all[r]);
            int ctx = in.getInt();
            int[] sh = new int[in.getInt()];
            for (int i = 0; i < sh.length; i++) {
                sh[i] = in.getInt();
            }
            int[] ow = new int[in.getInt()];
            for (int i = 0; i < ow.length; i++) {
                ow[i] = in.getInt();
            }
            int kind = in.getInt();
            int cls = in.getInt();
            byte[] msg = new byte[in.getInt()];
            in.get(msg);
            out[r] = new Entry(ctx, sh, ow, kind, cls < 0 ? null : ErrorClass.values()[cls],
                    cls < 0 ? null : new String(msg, StandardCharsets.UTF_8));
        }
        return out;
    }

    /** Fails on every rank alike if some rank's shared arguments differ from rank 0's. */
    private static void checkSame(String op, Entry[] all, Function<int[], String> describe, String what) {
        for (int r = 1; r < all.length; r++) {
            if (!Arrays.equals(all[r].shared(), all[0].shared())) {
                throw new MpiException(ErrorClass.TOPOLOGY, op + ": rank " + r + " passed "
                        + describe.apply(all[r].shared()) + ", but rank 0 passed " + describe.apply(all[0].shared())
                        + "; every rank must pass " + what);
            }
        }
    }

    /**
     * Throws this rank's own error if it has one; else the first invalid arguments of any
     * rank, else the first inconsistency any rank found, naming that rank.
     */
    private static void raise(String op, Entry[] all, MpiException mine) {
        if (mine != null) {
            throw mine;
        }
        for (int kind : new int[] {ARGS, INCONSISTENT}) {
            for (int r = 0; r < all.length; r++) {
                Entry e = all[r];
                if (e.errorKind() == kind) {
                    String m = e.error();
                    String detail = m.startsWith(op + ": ") ? m.substring(op.length() + 2) : m;
                    throw new MpiException(e.errorClass(), op + ": on rank " + r + ", " + detail);
                }
            }
        }
    }

    private static String join(int[] values, String separator) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < values.length; i++) {
            sb.append(i == 0 ? "" : separator).append(values[i]);
        }
        return sb.toString();
    }

    /** A growable int array. */
    private static final class IntList {
        private int[] a = new int[8];
        private int n;

        void add(int v) {
            if (n == a.length) {
                a = Arrays.copyOf(a, 2 * n);
            }
            a[n++] = v;
        }

        int[] toArray() {
            return Arrays.copyOf(a, n);
        }
    }
}
