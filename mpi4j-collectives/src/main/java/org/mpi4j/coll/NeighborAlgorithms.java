package org.mpi4j.coll;

import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import org.mpi4j.Buf;
import org.mpi4j.ErrorClass;
import org.mpi4j.Mpi;
import org.mpi4j.MpiException;
import org.mpi4j.Status;
import org.mpi4j.spi.AbstractRequest;
import org.mpi4j.spi.CommSpi;
import org.mpi4j.spi.Neighborhood;

/**
 * Neighbour collectives over point-to-point: every receive posted at once, then every send,
 * then all awaited — one message per edge, with the call's one tag on the collective
 * context, so no exchange can deadlock and none can match a user's receive.
 *
 * <p>A neighbour that appears several times sends several messages with the same tag, so
 * which message fills which slot follows from MPI's order rule: messages from one sender
 * with one tag match receives in the order both were made. Sends go in destination order;
 * receives from one source are posted in the order of {@link Neighborhood#pairing()} (the
 * sender's destination index of each slot) where there is one, else in slot order (graphs,
 * whose repeated edges pair up in list order). Messages to this rank itself are copied, the
 * k-th self-destination's block to the k-th self-source's slot (by pairing where given).
 * {@link Mpi#PROC_NULL} neighbours are skipped: nothing is sent, and their slot is left as it
 * was (null in the lists of the object forms).
 */
final class NeighborAlgorithms {
    private NeighborAlgorithms() {
    }

    static void allgatherv(CommSpi coll, int tag, Buf send, Buf recv, int[] counts, int[] displs, Neighborhood hood) {
        int me = coll.rank();
        int[] src = hood.sources();
        int[] dst = hood.destinations();
        int[] self = selfBlocks(hood, me);
        for (int i = 0; i < src.length; i++) {
            if (self[i] >= 0 && counts[i] != send.count()) {
                throw new MpiException(ErrorClass.COUNT, "neighborAllgatherv: this rank sends " + send.count()
                        + " elements, but expects counts[" + i + "] = " + counts[i] + " from itself");
            }
        }
        AbstractRequest<?>[] in = new AbstractRequest<?>[src.length];
        for (int i : receiveOrder(hood)) {
            if (src[i] != Mpi.PROC_NULL && src[i] != me) {
                in[i] = coll.irecv(recv.slice(displs[i], counts[i]), src[i], tag);
            }
        }
        AbstractRequest<?>[] out = new AbstractRequest<?>[dst.length];
        for (int j = 0; j < dst.length; j++) {
            if (dst[j] != Mpi.PROC_NULL && dst[j] != me) {
                out[j] = coll.isend(send, dst[j], tag, false);
            }
        }
        for (int i = 0; i < src.length; i++) {
            if (self[i] >= 0) {
                Blocks.copy(send, 0, recv, displs[i], counts[i]);
            }
        }
        finish("neighborAllgather", in, src, counts, out);
    }

    static void alltoallv(CommSpi coll, int tag, Buf send, int[] sendCounts, int[] sendDispls, Buf recv,
            int[] recvCounts, int[] recvDispls, Neighborhood hood) {
        int me = coll.rank();
        int[] src = hood.sources();
        int[] dst = hood.destinations();
        int[] self = selfBlocks(hood, me);
        for (int i = 0; i < src.length; i++) {
            if (self[i] >= 0 && sendCounts[self[i]] != recvCounts[i]) {
                throw new MpiException(ErrorClass.COUNT, "neighborAlltoallv: this rank sends itself "
                        + sendCounts[self[i]] + " elements (block " + self[i] + ") but expects recvCounts[" + i
                        + "] = " + recvCounts[i]);
            }
        }
        AbstractRequest<?>[] in = new AbstractRequest<?>[src.length];
        for (int i : receiveOrder(hood)) {
            if (src[i] != Mpi.PROC_NULL && src[i] != me) {
                in[i] = coll.irecv(recv.slice(recvDispls[i], recvCounts[i]), src[i], tag);
            }
        }
        AbstractRequest<?>[] out = new AbstractRequest<?>[dst.length];
        for (int j = 0; j < dst.length; j++) {
            if (dst[j] != Mpi.PROC_NULL && dst[j] != me) {
                out[j] = coll.isend(send.slice(sendDispls[j], sendCounts[j]), dst[j], tag, false);
            }
        }
        for (int i = 0; i < src.length; i++) {
            if (self[i] >= 0) {
                Blocks.copy(send, sendDispls[self[i]], recv, recvDispls[i], recvCounts[i]);
            }
        }
        finish("neighborAlltoall", in, src, recvCounts, out);
    }

    static List<Buf> allgatherAny(CommSpi coll, int tag, Buf mine, Neighborhood hood) {
        int me = coll.rank();
        int[] src = hood.sources();
        int[] dst = hood.destinations();
        int[] self = selfBlocks(hood, me);
        @SuppressWarnings("unchecked")
        AbstractRequest<Buf>[] in = new AbstractRequest[src.length];
        for (int i : receiveOrder(hood)) {
            if (src[i] != Mpi.PROC_NULL && src[i] != me) {
                in[i] = coll.irecvAny(src[i], tag, b -> b);
            }
        }
        AbstractRequest<?>[] out = new AbstractRequest<?>[dst.length];
        for (int j = 0; j < dst.length; j++) {
            if (dst[j] != Mpi.PROC_NULL && dst[j] != me) {
                out[j] = coll.isend(mine, dst[j], tag, false);
            }
        }
        Buf[] got = new Buf[src.length];
        for (int i = 0; i < src.length; i++) {
            if (self[i] >= 0) {
                got[i] = mine.copyToHeap(); // a copy, as from any other neighbour
            }
        }
        finish("neighborAllgather", in, src, null, out);
        for (int i = 0; i < src.length; i++) {
            if (in[i] != null) {
                got[i] = in[i].waitFor();
            }
        }
        return Collections.unmodifiableList(Arrays.asList(got));
    }

    static List<Buf> alltoallAny(CommSpi coll, int tag, List<Buf> parts, Neighborhood hood) {
        int me = coll.rank();
        int[] src = hood.sources();
        int[] dst = hood.destinations();
        int[] self = selfBlocks(hood, me);
        @SuppressWarnings("unchecked")
        AbstractRequest<Buf>[] in = new AbstractRequest[src.length];
        for (int i : receiveOrder(hood)) {
            if (src[i] != Mpi.PROC_NULL && src[i] != me) {
                in[i] = coll.irecvAny(src[i], tag, b -> b);
            }
        }
        AbstractRequest<?>[] out = new AbstractRequest<?>[dst.length];
        for (int j = 0; j < dst.length; j++) {
            if (dst[j] != Mpi.PROC_NULL && dst[j] != me) {
                out[j] = coll.isend(parts.get(j), dst[j], tag, false);
            }
        }
        Buf[] got = new Buf[src.length];
        for (int i = 0; i < src.length; i++) {
            if (self[i] >= 0) {
                got[i] = parts.get(self[i]).copyToHeap();
            }
        }
        finish("neighborAlltoall", in, src, null, out);
        for (int i = 0; i < src.length; i++) {
            if (in[i] != null) {
                got[i] = in[i].waitFor();
            }
        }
        return Collections.unmodifiableList(Arrays.asList(got));
    }

    /**
     * Waits for every posted receive and send, and checks that each receive brought the count
     * its slot expects ({@code counts} null: any size). A failure (a wrong count, a truncated
     * message) is thrown only once every request has completed, so this rank's messages still
     * reach its neighbours and none of them is left waiting for it.
     */
    private static void finish(String op, AbstractRequest<?>[] in, int[] src, int[] counts, AbstractRequest<?>[] out) {
        RuntimeException first = null;
        for (int i = 0; i < in.length; i++) {
            if (in[i] == null) {
                continue;
            }
            try {
                Object result = in[i].waitFor();
                if (counts != null) {
                    Blocks.check(op, (Status) result, src[i], counts[i]);
                }
            } catch (RuntimeException e) {
                first = first == null ? e : first;
            }
        }
        for (AbstractRequest<?> r : out) {
            if (r == null) {
                continue;
            }
            try {
                r.waitFor();
            } catch (RuntimeException e) {
                first = first == null ? e : first;
            }
        }
        if (first != null) {
            throw first;
        }
    }

    /**
     * The slots in the order their receives are posted: by pairing (the sender's destination
     * index, which is the order the sender sends in) where there is one, else in slot order.
     * Only the relative order of slots with the same source matters.
     */
    static int[] receiveOrder(Neighborhood hood) {
        int n = hood.sources().length;
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        int[] pairing = hood.pairing();
        if (pairing != null) {
            Arrays.sort(order, (a, b) -> Integer.compare(pairing[a], pairing[b])); // stable
        }
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            out[i] = order[i];
        }
        return out;
    }

    /**
     * For each slot whose source is this rank, the index of this rank's own destination
     * block it gets; -1 for the other slots. With a pairing that is the pairing; without, the
     * k-th self-source gets the k-th self-destination.
     */
    static int[] selfBlocks(Neighborhood hood, int me) {
        int[] src = hood.sources();
        int[] dst = hood.destinations();
        int[] pairing = hood.pairing();
        int[] out = new int[src.length];
        Arrays.fill(out, -1);
        int next = 0;
        for (int i = 0; i < src.length; i++) {
            if (src[i] != me) {
                continue;
            }
            if (pairing != null) {
                int j = pairing[i];
                if (j < 0 || j >= dst.length || dst[j] != me) {
                    throw new MpiException(ErrorClass.INTERN, "neighbor collective: slot " + i + " of rank " + me
                            + " pairs with destination " + j + ", which is not this rank, in " + hood);
                }
                out[i] = j;
            } else {
                while (next < dst.length && dst[next] != me) {
                    next++;
                }
                if (next == dst.length) {
                    throw new MpiException(ErrorClass.TOPOLOGY, "neighbor collective: rank " + me + " lists itself"
                            + " more often among its sources than among its destinations, in " + hood);
                }
                out[i] = next++;
            }
        }
        return out;
    }
}
