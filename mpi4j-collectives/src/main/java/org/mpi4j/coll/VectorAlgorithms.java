package org.mpi4j.coll;

import java.util.ArrayList;
import java.util.List;
import org.mpi4j.Buf;
import org.mpi4j.Status;
import org.mpi4j.spi.AbstractRequest;
import org.mpi4j.spi.CommSpi;

/**
 * Gathers and scatters of blocks of different sizes, and of messages of any size. The root
 * alone knows the layout of gatherv and scatterv, so their blocks travel straight between
 * the root and each rank (what MPICH and Open MPI do too); allgatherv, where everyone knows
 * every count, goes around a ring.
 */
final class VectorAlgorithms {
    private VectorAlgorithms() {
    }

    static void gatherv(CommSpi coll, int tag, Buf send, Buf recv, int[] counts, int[] displs, int root) {
        int n = coll.size();
        int me = coll.rank();
        if (me != root) {
            coll.send(send, root, tag, false);
            return;
        }
        AbstractRequest<?>[] in = new AbstractRequest<?>[n];
        for (int r = 0; r < n; r++) {
            if (r != root) {
                in[r] = coll.irecv(recv.slice(displs[r], counts[r]), r, tag);
            }
        }
        if (send != null) {
            Blocks.copy(send, 0, recv, displs[root], counts[root]);
        }
        for (int r = 0; r < n; r++) {
            if (in[r] != null) {
                Blocks.check("gatherv", (Status) in[r].waitFor(), r, counts[r]);
            }
        }
    }

    static void scatterv(CommSpi coll, int tag, Buf send, int[] counts, int[] displs, Buf recv, int root) {
        int n = coll.size();
        int me = coll.rank();
        if (me != root) {
            Blocks.check("scatterv", coll.recv(recv, root, tag), root, recv.count());
            return;
        }
        AbstractRequest<?>[] out = new AbstractRequest<?>[n];
        for (int r = 0; r < n; r++) {
            if (r != root) {
                out[r] = coll.isend(send.slice(displs[r], counts[r]), r, tag, false);
            }
        }
        if (recv != null) {
            Blocks.copy(send, displs[root], recv, 0, counts[root]);
        }
        Blocks.waitAll(out);
    }

    /** Ring: n - 1 steps; in each, pass the block received last to the right. */
    static void allgathervRing(CommSpi coll, int tag, Buf recv, int[] counts, int[] displs) {
        int n = coll.size();
        int me = coll.rank();
        int right = (me + 1) % n;
        int left = (me - 1 + n) % n;
        for (int step = 0; step < n - 1; step++) {
            int sendBlock = (me - step + n) % n;
            int recvBlock = (me - step - 1 + n) % n;
            AbstractRequest<Status> in = coll.irecv(recv.slice(displs[recvBlock], counts[recvBlock]), left, tag);
            coll.send(recv.slice(displs[sendBlock], counts[sendBlock]), right, tag, false);
            Blocks.check("allgatherv", in.waitFor(), left, counts[recvBlock]);
        }
    }

    /**
     * Messages of any size to every rank, around a ring: n - 1 steps, each passing on the
     * message received last, so every rank sends and receives each message once.
     */
    static List<Buf> allgatherAny(CommSpi coll, int tag, Buf mine) {
        int n = coll.size();
        int me = coll.rank();
        Buf[] all = new Buf[n];
        all[me] = mine;
        int right = (me + 1) % n;
        int left = (me - 1 + n) % n;
        for (int step = 0; step < n - 1; step++) {
            int sendBlock = (me - step + n) % n;
            int recvBlock = (me - step - 1 + n) % n;
            AbstractRequest<Buf> in = coll.irecvAny(left, tag, b -> b);
            coll.send(all[sendBlock], right, tag, false);
            all[recvBlock] = in.waitFor();
        }
        return List.of(all);
    }

    /** Messages of any size, rank to rank: every receive and send posted at once, then awaited. */
    static List<Buf> alltoallAny(CommSpi coll, int tag, List<Buf> parts) {
        int n = coll.size();
        int me = coll.rank();
        List<AbstractRequest<Buf>> in = new ArrayList<>(n);
        AbstractRequest<?>[] out = new AbstractRequest<?>[n];
        for (int s = 0; s < n; s++) { // in a staggered order, so that not everyone sends to rank 0 first
            int from = (me - s + n) % n;
            in.add(from == me ? null : coll.irecvAny(from, tag, b -> b));
        }
        for (int s = 1; s < n; s++) {
            int to = (me + s) % n;
            out[to] = coll.isend(parts.get(to), to, tag, false);
        }
        Buf[] got = new Buf[n];
        got[me] = parts.get(me);
        for (int s = 1; s < n; s++) {
            got[(me - s + n) % n] = in.get(s).waitFor();
        }
        Blocks.waitAll(out);
        return List.of(got);
    }
}
