package org.mpi4j;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.mpi4j.spi.AbstractRequest;
import org.mpi4j.spi.CommSpi;

/**
 * What creating a communicator takes: one exchange among the parent's ranks, in which each
 * tells the others the context id it allocated for the new communicator (ids are local to
 * each rank, so no agreement and no retry is needed, however many threads create
 * communicators at once) and, for a split, its color and key. It travels on the parent's
 * collective context, so it never disturbs the parent's point-to-point traffic.
 *
 * <p>The exchanges are linear (everything to rank 0, the table back to everyone): simple,
 * and cheap next to what a communicator is then used for. They use the tag
 * {@link #TAG}, which no collective algorithm uses.
 */
final class CommManagement {
    /** The tag of communicator-management traffic on a collective context. */
    static final int TAG = Integer.MAX_VALUE - 1;

    private CommManagement() {
    }

    /** Every member's {@code mine}, in rank order, on every member. */
    static byte[][] allgather(CommSpi coll, byte[] mine) {
        int n = coll.size();
        if (n == 1) {
            return new byte[][] {mine};
        }
        if (coll.rank() != 0) {
            coll.send(Buf.of(mine), 0, TAG, false);
            byte[] table = coll.<byte[]>irecvAny(0, TAG, b -> (byte[]) b.array()).waitFor();
            return unpack(table, n);
        }
        List<AbstractRequest<byte[]>> parts = new ArrayList<>(n);
        for (int r = 1; r < n; r++) {
            parts.add(coll.irecvAny(r, TAG, b -> (byte[]) b.array()));
        }
        byte[][] all = new byte[n][];
        all[0] = mine;
        for (int r = 1; r < n; r++) {
            all[r] = parts.get(r - 1).waitFor();
        }
        byte[] table = pack(all);
        List<Request<Status>> sends = new ArrayList<>(n);
        for (int r = 1; r < n; r++) {
            sends.add(coll.isend(Buf.of(table), r, TAG, false));
        }
        Request.waitAll(sends);
        return all;
    }

    /** Decodes {@link #ints} back. */
    static int[] intsOf(byte[] bytes) {
        ByteBuffer b = ByteBuffer.wrap(bytes);
        int[] out = new int[bytes.length / 4];
        for (int i = 0; i < out.length; i++) {
            out[i] = b.getInt();
        }
        return out;
    }

    static byte[] ints(int... values) {
        ByteBuffer b = ByteBuffer.allocate(4 * values.length);
        for (int v : values) {
            b.putInt(v);
        }
        return b.array();
    }

    private static byte[] pack(byte[][] parts) {
        int size = 4 * parts.length;
        for (byte[] p : parts) {
            size += p.length;
        }
        ByteBuffer b = ByteBuffer.allocate(size);
        for (byte[] p : parts) {
            b.putInt(p.length);
        }
        for (byte[] p : parts) {
            b.put(p);
        }
        return b.array();
    }

    private static byte[][] unpack(byte[] table, int n) {
        ByteBuffer b = ByteBuffer.wrap(table);
        byte[][] parts = new byte[n][];
        for (int i = 0; i < n; i++) {
            parts[i] = new byte[b.getInt()];
        }
        for (byte[] p : parts) {
            b.get(p);
        }
        return parts;
    }
}
