package org.mpi4j.tck;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.mpi4j.Buf;
import org.mpi4j.Comm;
import org.mpi4j.Mpi;
import org.mpi4j.Request;
import org.mpi4j.Status;
import org.mpi4j.junit.MpiTest;

/**
 * MPI's ordering rules: messages from one sender with one tag arrive in the order sent
 * (non-overtaking), whatever their sizes, and wildcards tell the real source and tag.
 */
class P2pOrderTest {

    /** Elements in a large message: well above any eager limit. */
    private static final int LARGE = 64 * 1024;

    /** The size of message {@code i} of a sequence: mostly small, every 7th large, some empty. */
    private static int sizeOf(int i) {
        return i % 7 == 3 ? LARGE : i % 5 == 0 ? 1 : 2 + i % 11;
    }

    private static int[] message(int source, int seq) {
        int[] m = new int[sizeOf(seq)];
        m[0] = source * 100_000 + seq;
        for (int i = 1; i < m.length; i++) {
            m[i] = seq ^ i;
        }
        return m;
    }

    private static void check(int[] in, Status st, int source, int seq) {
        assertEquals(sizeOf(seq), st.count(), "size of message " + seq + " from " + source);
        assertEquals(source * 100_000 + seq, in[0], "message " + seq + " from " + source + " arrived in order");
        for (int i = 1; i < st.count(); i++) {
            if (in[i] != (seq ^ i)) {
                throw new AssertionError("message " + seq + " from " + source + ": element " + i + " is " + in[i]);
            }
        }
    }

    @MpiTest
    void smallAndLargeMessagesWithOneTagDoNotOvertake(Comm world) {
        int n = 60;
        List<Request<Status>> sends = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            sends.add(world.isend(Buf.of(message(world.rank(), i)), Tck.right(world), 0));
        }
        int[] in = new int[LARGE];
        for (int i = 0; i < n; i++) {
            Status st = world.recv(Buf.of(in), Tck.left(world), 0);
            check(in, st, Tck.left(world), i);
        }
        Request.waitAll(sends);
    }

    @MpiTest
    void blockingSendsDoNotOvertake(Comm world) {
        // Even ranks send all, then receive all; odd ranks the other way round.
        int n = 100;
        int[] in = new int[2];
        Runnable sendAll = () -> {
            for (int i = 0; i < n; i++) {
                world.send(Buf.of(new int[] {world.rank(), i}), Tck.right(world), 1);
            }
        };
        Runnable recvAll = () -> {
            for (int i = 0; i < n; i++) {
                world.recv(Buf.of(in), Tck.left(world), 1);
                assertArrayEquals(new int[] {Tck.left(world), i}, in);
            }
        };
        if (world.size() == 1) {
            List<Request<Status>> sends = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                sends.add(world.isend(Buf.of(new int[] {0, i}), 0, 1));
            }
            recvAll.run();
            Request.waitAll(sends);
        } else if (world.rank() % 2 == 0) {
            sendAll.run();
            recvAll.run();
        } else {
            recvAll.run();
            sendAll.run();
        }
    }

    @MpiTest
    void anyTagReceivesInSendOrderAndTellsTheTag(Comm world) {
        int n = 40;
        List<Request<Status>> sends = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            sends.add(world.isend(Buf.of(message(world.rank(), i)), Tck.right(world), 10 + i % 5));
        }
        int[] in = new int[LARGE];
        for (int i = 0; i < n; i++) {
            Status st = world.recv(Buf.of(in), Tck.left(world), Mpi.ANY_TAG);
            assertEquals(10 + i % 5, st.tag(), "the real tag of message " + i);
            check(in, st, Tck.left(world), i);
        }
        Request.waitAll(sends);
    }

    @MpiTest
    void anySourceKeepsEachSendersOrderAtEveryRoot(Comm world) {
        int size = world.size();
        int n = 15;
        for (int root = 0; root < size; root++) {
            int tag = 20 + root;
            if (world.rank() == root) {
                int[] next = new int[size];
                int[] in = new int[LARGE];
                for (int k = 0; k < n * (size - 1); k++) {
                    Status st = world.recv(Buf.of(in), Mpi.ANY_SOURCE, Mpi.ANY_TAG);
                    assertEquals(tag, st.tag());
                    int src = st.source();
                    check(in, st, src, next[src]++);
                }
                for (int r = 0; r < size; r++) {
                    assertEquals(r == root ? 0 : n, next[r], "messages from " + r);
                }
            } else {
                List<Request<Status>> sends = new ArrayList<>();
                for (int i = 0; i < n; i++) {
                    sends.add(world.isend(Buf.of(message(world.rank(), i)), root, tag));
                }
                Request.waitAll(sends);
            }
        }
    }

    @MpiTest
    void differentTagsMayBeReceivedInAnyOrder(Comm world) {
        List<Request<Status>> sends = new ArrayList<>();
        for (int tag = 0; tag < 5; tag++) {
            sends.add(world.isend(Buf.of(new int[] {tag}), Tck.right(world), tag));
        }
        int[] in = new int[1];
        for (int tag = 4; tag >= 0; tag--) {
            Status st = world.recv(Buf.of(in), Tck.left(world), tag);
            assertEquals(tag, in[0]);
            assertEquals(tag, st.tag());
        }
        Request.waitAll(sends);
    }

    @MpiTest
    void receivesMatchInPostingOrder(Comm world) {
        // Many receives posted at once, some with wildcards: the first posted takes the first message.
        int n = 30;
        int[][] in = new int[n][];
        for (int i = 0; i < n; i++) {
            in[i] = new int[sizeOf(i)];
        }
        List<Request<Status>> recvs = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            recvs.add(world.irecv(Buf.of(in[i]), i % 2 == 0 ? Tck.left(world) : Mpi.ANY_SOURCE, Mpi.ANY_TAG));
        }
        List<Request<Status>> sends = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            sends.add(world.isend(Buf.of(message(world.rank(), i)), Tck.right(world), 30 + i % 3));
        }
        Request.waitAll(sends);
        for (int i = 0; i < n; i++) {
            Status st = recvs.get(i).waitFor();
            assertEquals(30 + i % 3, st.tag());
            assertEquals(Tck.left(world), st.source());
            check(in[i], st, Tck.left(world), i);
        }
    }

    @MpiTest
    void objectsAndBuffersShareOneOrder(Comm world) {
        List<Request<Status>> sends = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            if (i % 2 == 0) {
                sends.add(world.isend("object " + i, Tck.right(world), 0));
            } else {
                sends.add(world.isend(Buf.of(new long[] {i}), Tck.right(world), 0));
            }
        }
        for (int i = 0; i < 20; i++) {
            Object got = world.recv(Tck.left(world), 0);
            if (i % 2 == 0) {
                assertEquals("object " + i, got);
            } else {
                assertArrayEquals(new long[] {i}, (long[]) got);
            }
        }
        Request.waitAll(sends);
    }
}
