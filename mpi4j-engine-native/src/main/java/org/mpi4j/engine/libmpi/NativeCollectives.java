package org.mpi4j.engine.libmpi;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.mpi4j.Buf;
import org.mpi4j.Datatype;
import org.mpi4j.ErrorClass;
import org.mpi4j.MpiException;
import org.mpi4j.Op;
import org.mpi4j.spi.AbstractRequest;
import org.mpi4j.spi.CollectiveSpi;
import org.mpi4j.spi.Neighborhood;

/**
 * The collectives of one communicator, delegated to the MPI library's own tuned
 * implementations on the communicator's MPI twin.
 *
 * <p>Data moves as bytes ({@code MPI_BYTE}, counts scaled by the element size) except in
 * reductions, which pass the element's MPI type and the library's own operation where MPI
 * defines it with mpi4j's meaning (sums, products, bitwise operations on integers, logical
 * ones on booleans); every other operation — user-defined, {@code MINLOC}/{@code MAXLOC},
 * minimum and maximum of floating-point values (whose treatment of NaN differs) — runs as
 * a Java upcall ({@link NativeOps}). Java arrays are staged through native memory of the
 * call; native buffers are passed as they are.
 *
 * <p>Neighbour collectives and non-blocking collectives run mpi4j's own algorithms over the
 * engine's point-to-point ({@code fallback}), which travels over MPI too.
 */
final class NativeCollectives implements CollectiveSpi {
    private final NativeRank rank;
    private final LibMpi mpi;
    private final long comm;
    private final int size;
    private final int me;
    private final CollectiveSpi fallback;

    NativeCollectives(NativeRank rank, long comm, int size, int me, CollectiveSpi fallback) {
        this.rank = rank;
        this.mpi = rank.mpi();
        this.comm = comm;
        this.size = size;
        this.me = me;
        this.fallback = fallback;
    }

    // ------------------------------------------------------------------ memory

    /** The buffer's memory as native memory holding its content: its own, or a copy in {@code a}. */
    private static MemorySegment in(Scratch a, Buf b) {
        if (b == null) {
            return MemorySegment.NULL;
        }
        MemorySegment s = b.segment();
        if (s != null && s.isNative()) {
            return s;
        }
        MemorySegment copy = a.allocate(Math.max(1, b.byteSize()), 8);
        b.copyTo(0, copy, 0, b.byteSize());
        return copy;
    }

    /** Native memory to receive into {@code b}: its own, or fresh memory to copy back with {@link #back}. */
    private static MemorySegment out(Scratch a, Buf b) {
        if (b == null) {
            return MemorySegment.NULL;
        }
        MemorySegment s = b.segment();
        if (s != null && s.isNative()) {
            return s;
        }
        MemorySegment m = a.allocate(Math.max(1, b.byteSize()), 8);
        b.copyTo(0, m, 0, b.byteSize()); // receivers may leave parts untouched (PROC_NULL, rank 0 of exscan)
        return m;
    }

    /**
     * Native memory to receive into {@code b} where the call writes all of it: as
     * {@link #out}, without first copying {@code b}'s content in (a third copy of every
     * byte of a large allreduce).
     */
    private static MemorySegment fresh(Scratch a, Buf b) {
        MemorySegment s = b.segment();
        if (s != null && s.isNative()) {
            return s;
        }
        return a.allocate(Math.max(1, b.byteSize()), 8);
    }

    private static void back(Buf b, MemorySegment m) {
        if (b != null && m != b.segment()) {
            b.copyFrom(m, 0, 0, b.byteSize());
        }
    }

    private static int bytes(long n, String what) {
        if (n > Integer.MAX_VALUE) {
            throw new MpiException(ErrorClass.COUNT, what + ": " + n + " bytes in one call; the native engine passes"
                    + " at most " + Integer.MAX_VALUE + " to MPI");
        }
        return (int) n;
    }

    private static MemorySegment ints(Scratch a, int[] v, int scale) {
        MemorySegment s = a.allocate(ValueLayout.JAVA_INT, Math.max(1, v.length));
        for (int i = 0; i < v.length; i++) {
            s.setAtIndex(ValueLayout.JAVA_INT, i, bytes((long) v[i] * scale, "a count or displacement"));
        }
        return s;
    }

    private void check(int rc, String call) {
        mpi.check(rc, call);
    }

    private RuntimeException wrap(Throwable e, String call) {
        if (e instanceof RuntimeException r) {
            return r;
        }
        if (e instanceof Error err) {
            throw err;
        }
        return new MpiException(ErrorClass.INTERN, call + ": " + e, e);
    }

    // ------------------------------------------------------------------ collectives

    @Override
    public void barrier() {
        try {
            check((int) mpi.barrier.invokeExact(comm), "MPI_Barrier");
        } catch (Throwable e) {
            throw wrap(e, "MPI_Barrier");
        }
    }

    @Override
    public void bcast(Buf buf, int root) {
        try (Scratch a = Scratch.open()) {
            MemorySegment m = me == root ? in(a, buf) : fresh(a, buf);
            check((int) mpi.bcast.invokeExact(m, bytes(buf.byteSize(), "bcast"), mpi.abi.byteType, root, comm), "MPI_Bcast");
            if (me != root) {
                back(buf, m);
            }
        } catch (Throwable e) {
            throw wrap(e, "MPI_Bcast");
        }
    }

    @Override
    public Buf bcastAny(Buf rootBuf, int root) {
        long[] head = new long[2];
        if (me == root) {
            head[0] = rootBuf.datatype().ordinal();
            head[1] = rootBuf.count();
        }
        bcast(Buf.of(head), root);
        Buf b = me == root ? rootBuf : Buf.allocate(Datatype.values()[(int) head[0]], Math.toIntExact(head[1]));
        bcast(b, root);
        return b;
    }

    @Override
    public void gather(Buf send, Buf recv, int root) {
        try (Scratch a = Scratch.open()) {
            boolean isRoot = me == root;
            long block = send != null ? send.byteSize() : recv.byteSize() / size;
            MemorySegment s = send == null ? mpi.abi.inPlace : in(a, send);
            MemorySegment r = !isRoot ? MemorySegment.NULL : send == null ? in(a, recv) : fresh(a, recv);
            int n = bytes(block, "gather");
            check((int) mpi.gather.invokeExact(s, n, mpi.abi.byteType, r, n, mpi.abi.byteType, root, comm), "MPI_Gather");
            if (isRoot) {
                back(recv, r);
            }
        } catch (Throwable e) {
            throw wrap(e, "MPI_Gather");
        }
    }

    @Override
    public void scatter(Buf send, Buf recv, int root) {
        try (Scratch a = Scratch.open()) {
            boolean isRoot = me == root;
            long block = recv != null ? recv.byteSize() : send.byteSize() / size;
            MemorySegment s = isRoot ? in(a, send) : MemorySegment.NULL;
            MemorySegment r = recv == null ? mpi.abi.inPlace : fresh(a, recv);
            int n = bytes(block, "scatter");
            check((int) mpi.scatter.invokeExact(s, n, mpi.abi.byteType, r, n, mpi.abi.byteType, root, comm), "MPI_Scatter");
            if (recv != null) {
                back(recv, r);
            }
        } catch (Throwable e) {
            throw wrap(e, "MPI_Scatter");
        }
    }

    @Override
    public void allgather(Buf send, Buf recv) {
        try (Scratch a = Scratch.open()) {
            int n = bytes(recv.byteSize() / size, "allgather");
            MemorySegment s = send == null ? mpi.abi.inPlace : in(a, send);
            MemorySegment r = send == null ? in(a, recv) : fresh(a, recv);
            check((int) mpi.allgather.invokeExact(s, n, mpi.abi.byteType, r, n, mpi.abi.byteType, comm), "MPI_Allgather");
            back(recv, r);
        } catch (Throwable e) {
            throw wrap(e, "MPI_Allgather");
        }
    }

    @Override
    public List<Buf> gatherAny(Buf mine, int root) {
        long[] head = {mine.datatype().ordinal(), mine.count(), mine.byteSize()};
        long[] heads = new long[3 * size];
        gather(Buf.of(head), me == root ? Buf.of(heads) : null, root);
        if (me != root) {
            gatherv(Buf.of(bytesOf(mine)), null, null, null, root);
            return null;
        }
        int[] counts = new int[size];
        int[] displs = new int[size];
        long total = 0;
        for (int r = 0; r < size; r++) {
            counts[r] = bytes(heads[3 * r + 2], "gatherAny");
            displs[r] = bytes(total, "gatherAny");
            total += counts[r];
        }
        byte[] all = new byte[bytes(total, "gatherAny")];
        gatherv(Buf.of(bytesOf(mine)), Buf.of(all), counts, displs, root);
        return split(all, heads, displs);
    }

    private static byte[] bytesOf(Buf b) {
        byte[] out = new byte[Math.toIntExact(b.byteSize())];
        MemorySegment m = MemorySegment.ofArray(out);
        b.copyTo(0, m, 0, out.length);
        return out;
    }

    private static List<Buf> split(byte[] all, long[] heads, int[] displs) {
        List<Buf> out = new ArrayList<>(displs.length);
        MemorySegment m = MemorySegment.ofArray(all);
        for (int r = 0; r < displs.length; r++) {
            Buf b = Buf.allocate(Datatype.values()[(int) heads[3 * r]], Math.toIntExact(heads[3 * r + 1]));
            b.copyFrom(m, displs[r], 0, heads[3 * r + 2]);
            out.add(b);
        }
        return out;
    }

    @Override
    public Buf scatterAny(List<Buf> parts, int root) {
        long[] heads = new long[3 * size];
        if (me == root) {
            for (int r = 0; r < size; r++) {
                Buf p = parts.get(r);
                heads[3 * r] = p.datatype().ordinal();
                heads[3 * r + 1] = p.count();
                heads[3 * r + 2] = p.byteSize();
            }
        }
        long[] head = new long[3];
        scatter(me == root ? Buf.of(heads) : null, Buf.of(head), root);
        byte[] mine = new byte[bytes(head[2], "scatterAny")];
        if (me == root) {
            int[] counts = new int[size];
            int[] displs = new int[size];
            long total = 0;
            for (int r = 0; r < size; r++) {
                counts[r] = bytes(heads[3 * r + 2], "scatterAny");
                displs[r] = bytes(total, "scatterAny");
                total += counts[r];
            }
            byte[] all = new byte[bytes(total, "scatterAny")];
            MemorySegment m = MemorySegment.ofArray(all);
            for (int r = 0; r < size; r++) {
                parts.get(r).copyTo(0, m, displs[r], counts[r]);
            }
            scatterv(Buf.of(all), counts, displs, Buf.of(mine), root);
        } else {
            scatterv(null, null, null, Buf.of(mine), root);
        }
        Buf b = Buf.allocate(Datatype.values()[(int) head[0]], Math.toIntExact(head[1]));
        b.copyFrom(MemorySegment.ofArray(mine), 0, 0, mine.length);
        return b;
    }

    @Override
    public void reduce(Buf send, Buf recv, Op op, int root) {
        reduction("MPI_Reduce", send, recv, op, root);
    }

    @Override
    public void allreduce(Buf send, Buf recv, Op op) {
        reduction("MPI_Allreduce", send, recv, op, -1);
    }

    @Override
    public void scan(Buf send, Buf recv, Op op) {
        reduction("MPI_Scan", send, recv, op, -1);
    }

    @Override
    public void exscan(Buf send, Buf recv, Op op) {
        reduction("MPI_Exscan", send, recv, op, -1);
    }

    private void reduction(String call, Buf send, Buf recv, Op op, int root) {
        Buf typed = send != null ? send : recv;
        Datatype type = typed.datatype();
        int count = Math.toIntExact(typed.count());
        NativeOps.Handle h = rank.ops().handle(op, type);
        try (Scratch a = Scratch.open()) {
            boolean receives = root < 0 || me == root;
            MemorySegment s = send == null ? mpi.abi.inPlace : in(a, send);
            // Exscan leaves rank 0's result as it was: only there must recv's content come along.
            MemorySegment r = !receives ? MemorySegment.NULL : send == null ? in(a, recv)
                    : call.equals("MPI_Exscan") ? out(a, recv) : fresh(a, recv);
            long dt = h.datatype();
            int n = count / h.countDivisor();
            int rc = switch (call) {
                case "MPI_Reduce" -> (int) mpi.reduce.invokeExact(s, r, n, dt, h.op(), root, comm);
                case "MPI_Allreduce" -> (int) mpi.allreduce.invokeExact(s, r, n, dt, h.op(), comm);
                case "MPI_Scan" -> (int) mpi.scan.invokeExact(s, r, n, dt, h.op(), comm);
                default -> (int) mpi.exscan.invokeExact(s, r, n, dt, h.op(), comm);
            };
            h.rethrow();
            check(rc, call);
            if (receives) {
                back(recv, r);
            }
        } catch (Throwable e) {
            throw wrap(e, call);
        }
    }

    /**
     * Gathers blocks of different sizes. MPI leaves a sender whose count differs from the
     * root's layout undefined; mpi4j names it. So the senders' sizes go to the root first (one
     * small gather), the data moves as each rank sent it (no rank is left waiting), and the
     * root then fails with a COUNT error naming the first rank whose size differs.
     */
    @Override
    public void gatherv(Buf send, Buf recv, int[] counts, int[] displs, int root) {
        boolean isRoot = me == root;
        Buf typed = send != null ? send : recv;
        int ext = typed.datatype().extent();
        long mine = send != null ? send.byteSize() : (long) counts[me] * ext;
        long[] sizes = new long[size];
        gather(Buf.of(new long[] {mine}), isRoot ? Buf.of(sizes) : null, root);
        int wrong = -1;
        if (isRoot) {
            for (int r = 0; r < size && wrong < 0; r++) {
                if (sizes[r] != (long) counts[r] * ext) {
                    wrong = r;
                }
            }
        }
        if (wrong >= 0) {
            int[] actual = new int[size];
            int[] at = new int[size];
            long total = 0;
            for (int r = 0; r < size; r++) {
                actual[r] = bytes(sizes[r], "gatherv");
                at[r] = bytes(total, "gatherv");
                total += sizes[r];
            }
            byte[] scratch = new byte[bytes(total, "gatherv")];
            Buf mineBuf = send != null ? send : recv.slice((long) displs[me], counts[me]);
            gathervBytes(mineBuf, Buf.of(scratch), actual, at, root, 1);
            throw new MpiException(ErrorClass.COUNT, "gatherv: rank " + wrong + " sent " + sizes[wrong] / ext
                    + " elements where the root's layout expects " + counts[wrong]);
        }
        gathervBytes(send, recv, counts, displs, root, ext);
    }

    private void gathervBytes(Buf send, Buf recv, int[] counts, int[] displs, int root, int ext) {
        try (Scratch a = Scratch.open()) {
            boolean isRoot = me == root;
            MemorySegment s = send == null ? mpi.abi.inPlace : in(a, send);
            int n = send == null ? 0 : bytes(send.byteSize(), "gatherv");
            MemorySegment r = isRoot ? out(a, recv) : MemorySegment.NULL;
            MemorySegment c = isRoot ? ints(a, counts, ext) : MemorySegment.NULL;
            MemorySegment d = isRoot ? ints(a, displs, ext) : MemorySegment.NULL;
            check((int) mpi.gatherv.invokeExact(s, n, mpi.abi.byteType, r, c, d, mpi.abi.byteType, root, comm),
                    "MPI_Gatherv");
            if (isRoot) {
                back(recv, r);
            }
        } catch (Throwable e) {
            throw wrap(e, "MPI_Gatherv");
        }
    }

    @Override
    public void scatterv(Buf send, int[] counts, int[] displs, Buf recv, int root) {
        try (Scratch a = Scratch.open()) {
            boolean isRoot = me == root;
            Buf typed = recv != null ? recv : send;
            int ext = typed.datatype().extent();
            MemorySegment s = isRoot ? in(a, send) : MemorySegment.NULL;
            MemorySegment c = isRoot ? ints(a, counts, ext) : MemorySegment.NULL;
            MemorySegment d = isRoot ? ints(a, displs, ext) : MemorySegment.NULL;
            MemorySegment r = recv == null ? mpi.abi.inPlace : out(a, recv);
            int n = recv == null ? 0 : bytes(recv.byteSize(), "scatterv");
            check((int) mpi.scatterv.invokeExact(s, c, d, mpi.abi.byteType, r, n, mpi.abi.byteType, root, comm),
                    "MPI_Scatterv");
            if (recv != null) {
                back(recv, r);
            }
        } catch (Throwable e) {
            throw wrap(e, "MPI_Scatterv");
        }
    }

    @Override
    public void allgatherv(Buf send, Buf recv, int[] counts, int[] displs) {
        try (Scratch a = Scratch.open()) {
            int ext = recv.datatype().extent();
            MemorySegment s = send == null ? mpi.abi.inPlace : in(a, send);
            int n = send == null ? 0 : bytes(send.byteSize(), "allgatherv");
            MemorySegment r = out(a, recv);
            check((int) mpi.allgatherv.invokeExact(s, n, mpi.abi.byteType, r, ints(a, counts, ext), ints(a, displs, ext),
                    mpi.abi.byteType, comm), "MPI_Allgatherv");
            back(recv, r);
        } catch (Throwable e) {
            throw wrap(e, "MPI_Allgatherv");
        }
    }

    @Override
    public void alltoall(Buf send, Buf recv) {
        try (Scratch a = Scratch.open()) {
            int n = bytes(recv.byteSize() / size, "alltoall");
            MemorySegment s = send == null ? mpi.abi.inPlace : in(a, send);
            MemorySegment r = send == null ? in(a, recv) : fresh(a, recv);
            check((int) mpi.alltoall.invokeExact(s, n, mpi.abi.byteType, r, n, mpi.abi.byteType, comm), "MPI_Alltoall");
            back(recv, r);
        } catch (Throwable e) {
            throw wrap(e, "MPI_Alltoall");
        }
    }

    @Override
    public void alltoallv(Buf send, int[] sendCounts, int[] sendDispls, Buf recv, int[] recvCounts,
            int[] recvDispls) {
        try (Scratch a = Scratch.open()) {
            int ext = recv.datatype().extent();
            MemorySegment s = send == null ? mpi.abi.inPlace : in(a, send);
            MemorySegment sc = send == null ? MemorySegment.NULL : ints(a, sendCounts, ext);
            MemorySegment sd = send == null ? MemorySegment.NULL : ints(a, sendDispls, ext);
            MemorySegment r = send == null ? in(a, recv) : out(a, recv);
            check((int) mpi.alltoallv.invokeExact(s, sc, sd, mpi.abi.byteType, r, ints(a, recvCounts, ext),
                    ints(a, recvDispls, ext), mpi.abi.byteType, comm), "MPI_Alltoallv");
            back(recv, r);
        } catch (Throwable e) {
            throw wrap(e, "MPI_Alltoallv");
        }
    }

    @Override
    public void reduceScatter(Buf send, Buf recv, int[] counts, Op op) {
        Buf typed = send != null ? send : recv;
        NativeOps.Handle h = rank.ops().handle(op, typed.datatype());
        try (Scratch a = Scratch.open()) {
            MemorySegment s = send == null ? mpi.abi.inPlace : in(a, send);
            MemorySegment r = send == null ? in(a, recv) : fresh(a, recv);
            int[] units = new int[counts.length];
            for (int i = 0; i < counts.length; i++) {
                units[i] = counts[i] / h.countDivisor();
            }
            check((int) mpi.reduceScatter.invokeExact(s, r, ints(a, units, 1), h.datatype(), h.op(), comm),
                    "MPI_Reduce_scatter");
            h.rethrow();
            back(recv, r);
        } catch (Throwable e) {
            throw wrap(e, "MPI_Reduce_scatter");
        }
    }

    @Override
    public List<Buf> allgatherAny(Buf mine) {
        long[] head = {mine.datatype().ordinal(), mine.count(), mine.byteSize()};
        long[] heads = new long[3 * size];
        allgather(Buf.of(head), Buf.of(heads));
        int[] counts = new int[size];
        int[] displs = new int[size];
        long total = 0;
        for (int r = 0; r < size; r++) {
            counts[r] = bytes(heads[3 * r + 2], "allgatherAny");
            displs[r] = bytes(total, "allgatherAny");
            total += counts[r];
        }
        byte[] all = new byte[bytes(total, "allgatherAny")];
        allgatherv(Buf.of(bytesOf(mine)), Buf.of(all), counts, displs);
        return split(all, heads, displs);
    }

    @Override
    public List<Buf> alltoallAny(List<Buf> parts) {
        long[] heads = new long[3 * size];
        int[] sendCounts = new int[size];
        int[] sendDispls = new int[size];
        long total = 0;
        for (int r = 0; r < size; r++) {
            Buf p = parts.get(r);
            heads[3 * r] = p.datatype().ordinal();
            heads[3 * r + 1] = p.count();
            heads[3 * r + 2] = p.byteSize();
            sendCounts[r] = bytes(p.byteSize(), "alltoallAny");
            sendDispls[r] = bytes(total, "alltoallAny");
            total += sendCounts[r];
        }
        byte[] out = new byte[bytes(total, "alltoallAny")];
        MemorySegment om = MemorySegment.ofArray(out);
        for (int r = 0; r < size; r++) {
            parts.get(r).copyTo(0, om, sendDispls[r], sendCounts[r]);
        }
        long[] theirs = new long[3 * size];
        alltoall(Buf.of(heads), Buf.of(theirs));
        int[] recvCounts = new int[size];
        int[] recvDispls = new int[size];
        long in = 0;
        for (int r = 0; r < size; r++) {
            recvCounts[r] = bytes(theirs[3 * r + 2], "alltoallAny");
            recvDispls[r] = bytes(in, "alltoallAny");
            in += recvCounts[r];
        }
        byte[] got = new byte[bytes(in, "alltoallAny")];
        alltoallv(Buf.of(out), sendCounts, sendDispls, Buf.of(got), recvCounts, recvDispls);
        return split(got, theirs, recvDispls);
    }

    @Override
    public void neighborAllgatherv(Buf send, Buf recv, int[] counts, int[] displs, Neighborhood hood) {
        fallback.neighborAllgatherv(send, recv, counts, displs, hood);
    }

    @Override
    public void neighborAlltoallv(Buf send, int[] sendCounts, int[] sendDispls, Buf recv, int[] recvCounts,
            int[] recvDispls, Neighborhood hood) {
        fallback.neighborAlltoallv(send, sendCounts, sendDispls, recv, recvCounts, recvDispls, hood);
    }

    @Override
    public List<Buf> neighborAllgatherAny(Buf mine, Neighborhood hood) {
        return fallback.neighborAllgatherAny(mine, hood);
    }

    @Override
    public List<Buf> neighborAlltoallAny(List<Buf> parts, Neighborhood hood) {
        return fallback.neighborAlltoallAny(parts, hood);
    }

    @Override
    public <R> AbstractRequest<R> start(String what, Function<CollectiveSpi, R> body) {
        return fallback.start(what, body);
    }
}
