package org.mpi4j.coll;

import org.mpi4j.Buf;
import org.mpi4j.Status;
import org.mpi4j.spi.AbstractRequest;
import org.mpi4j.spi.CommSpi;

/**
 * All-to-all exchanges: every rank sends a distinct block to every rank.
 * <ul>
 *   <li><b>bruck</b>: ceil(log2 n) rounds, each moving about half the blocks, so small
 *       blocks cost log n messages rather than n (but every block travels log n times);</li>
 *   <li><b>linear</b>: every receive and send posted at once, for medium blocks;</li>
 *   <li><b>pairwise</b>: n - 1 rounds; in round s a rank sends to rank + s and receives from
 *       rank - s, so each link carries one block at a time: for large blocks.</li>
 * </ul>
 */
final class AlltoallAlgorithms {
    private AlltoallAlgorithms() {
    }

    /** Blocks up to this size go by Bruck's algorithm on communicators of at least {@link #BRUCK_MIN_RANKS}. */
    static final long BRUCK_MAX_BLOCK_BYTES = 256;
    static final int BRUCK_MIN_RANKS = 8;
    /** Blocks up to this size are all posted at once; larger ones go pairwise. */
    static final long LINEAR_MAX_BLOCK_BYTES = 32 * 1024;

    static String choose(int n, long blockBytes) {
        if (blockBytes <= BRUCK_MAX_BLOCK_BYTES && n >= BRUCK_MIN_RANKS) {
            return "bruck";
        }
        return blockBytes <= LINEAR_MAX_BLOCK_BYTES ? "linear" : "pairwise";
    }

    /** {@code send} holds n blocks of {@code cnt} elements (never null here: in place was copied out). */
    static void alltoall(CommSpi coll, int tag, String algorithm, Buf send, Buf recv, long cnt) {
        int n = coll.size();
        int me = coll.rank();
        Blocks.copy(send, me * cnt, recv, me * cnt, cnt);
        if (n == 1) {
            return;
        }
        switch (algorithm) {
            case "bruck" -> bruck(coll, tag, send, recv, cnt);
            case "linear" -> {
                AbstractRequest<?>[] in = new AbstractRequest<?>[n];
                AbstractRequest<?>[] out = new AbstractRequest<?>[n];
                for (int s = 1; s < n; s++) {
                    int from = (me - s + n) % n;
                    in[from] = coll.irecv(recv.slice(from * cnt, cnt), from, tag);
                }
                for (int s = 1; s < n; s++) {
                    int to = (me + s) % n;
                    out[to] = coll.isend(send.slice(to * cnt, cnt), to, tag, false);
                }
                for (int r = 0; r < n; r++) {
                    if (in[r] != null) {
                        Blocks.check("alltoall", (Status) in[r].waitFor(), r, cnt);
                    }
                }
                Blocks.waitAll(out);
            }
            default -> {
                for (int s = 1; s < n; s++) {
                    int to = (me + s) % n;
                    int from = (me - s + n) % n;
                    AbstractRequest<Status> in = coll.irecv(recv.slice(from * cnt, cnt), from, tag);
                    coll.send(send.slice(to * cnt, cnt), to, tag, false);
                    Blocks.check("alltoall", in.waitFor(), from, cnt);
                }
            }
        }
    }

    /**
     * Bruck: rotate the blocks so that block i is the one for rank me + i; in round k send
     * every block whose index has bit k set to rank me + k, and take the same-numbered blocks
     * of rank me - k in their place; after the last round block i came from rank me - i.
     */
    private static void bruck(CommSpi coll, int tag, Buf send, Buf recv, long cnt) {
        int n = coll.size();
        int me = coll.rank();
        Buf work = Buf.allocate(send.datatype(), Math.toIntExact(n * cnt));
        for (int i = 0; i < n; i++) {
            Blocks.copy(send, ((me + i) % n) * cnt, work, i * cnt, cnt);
        }
        Buf packed = Buf.allocate(send.datatype(), Math.toIntExact((n / 2 + 1) * cnt));
        Buf unpacked = Buf.allocate(send.datatype(), Math.toIntExact((n / 2 + 1) * cnt));
        for (int k = 1; k < n; k <<= 1) {
            int blocks = 0;
            for (int i = 0; i < n; i++) {
                if ((i & k) != 0) {
                    Blocks.copy(work, i * cnt, packed, blocks * cnt, cnt);
                    blocks++;
                }
            }
            int to = (me + k) % n;
            int from = (me - k + n) % n;
            AbstractRequest<Status> in = coll.irecv(unpacked.slice(0, blocks * cnt), from, tag);
            coll.send(packed.slice(0, blocks * cnt), to, tag, false);
            Blocks.check("alltoall", in.waitFor(), from, blocks * cnt);
            blocks = 0;
            for (int i = 0; i < n; i++) {
                if ((i & k) != 0) {
                    Blocks.copy(unpacked, blocks * cnt, work, i * cnt, cnt);
                    blocks++;
                }
            }
        }
        for (int i = 0; i < n; i++) {
            Blocks.copy(work, i * cnt, recv, ((me - i + n) % n) * cnt, cnt);
        }
    }

    /** Blocks of different sizes, either all posted at once ("linear") or pairwise. */
    static void alltoallv(CommSpi coll, int tag, String algorithm, Buf send, int[] sendCounts, int[] sendDispls,
            Buf recv, int[] recvCounts, int[] recvDispls) {
        int n = coll.size();
        int me = coll.rank();
        if (sendCounts[me] != recvCounts[me]) {
            throw new org.mpi4j.MpiException(org.mpi4j.ErrorClass.COUNT, "alltoallv: rank " + me + " sends itself "
                    + sendCounts[me] + " elements but expects " + recvCounts[me]);
        }
        Blocks.copy(send, sendDispls[me], recv, recvDispls[me], sendCounts[me]);
        if ("pairwise".equals(algorithm)) {
            for (int s = 1; s < n; s++) {
                int to = (me + s) % n;
                int from = (me - s + n) % n;
                AbstractRequest<Status> in = coll.irecv(recv.slice(recvDispls[from], recvCounts[from]), from, tag);
                coll.send(send.slice(sendDispls[to], sendCounts[to]), to, tag, false);
                Blocks.check("alltoallv", in.waitFor(), from, recvCounts[from]);
            }
            return;
        }
        AbstractRequest<?>[] in = new AbstractRequest<?>[n];
        AbstractRequest<?>[] out = new AbstractRequest<?>[n];
        for (int s = 1; s < n; s++) {
            int from = (me - s + n) % n;
            in[from] = coll.irecv(recv.slice(recvDispls[from], recvCounts[from]), from, tag);
        }
        for (int s = 1; s < n; s++) {
            int to = (me + s) % n;
            out[to] = coll.isend(send.slice(sendDispls[to], sendCounts[to]), to, tag, false);
        }
        for (int r = 0; r < n; r++) {
            if (in[r] != null) {
                Blocks.check("alltoallv", (Status) in[r].waitFor(), r, recvCounts[r]);
            }
        }
        Blocks.waitAll(out);
    }
}
