package org.mpi4j.tck;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.concurrent.locks.LockSupport;
import org.mpi4j.Buf;
import org.mpi4j.Comm;
import org.mpi4j.Request;
import org.mpi4j.Status;
import org.mpi4j.junit.MpiTest;

/** Synchronous sends complete only once a receive has matched them. */
class P2pSyncTest {

    private static final int GO = 900;

    @MpiTest
    void anIssendCompletesOnlyOnceMatched(Comm world) {
        // Right receives our message only after we tell it to: until then the send must not complete.
        for (int size : new int[] {1, 100_000}) {
            Request<Status> s = world.issend(Buf.of(new byte[size]), Tck.right(world), 1);
            for (int i = 0; i < 20; i++) {
                assertFalse(s.test(), "an unmatched issend of " + size + " bytes is not complete");
                LockSupport.parkNanos(1_000_000);
            }
            Request<Status> o = world.issend("sync " + size, Tck.right(world), 2);
            assertFalse(o.test(), "an unmatched object issend is not complete");
            Request<Status> go = world.isend((Object) null, Tck.right(world), GO);
            world.recv(Tck.left(world), GO);
            go.waitFor();
            byte[] in = new byte[size];
            world.recv(Buf.of(in), Tck.left(world), 1);
            assertEquals("sync " + size, world.recv(Tck.left(world), 2));
            Request.waitAll(s, o);
        }
    }

    @MpiTest
    void everyRootSsendsToAll(Comm world) {
        int size = world.size();
        for (int root = 0; root < size; root++) {
            if (world.rank() == root) {
                for (int r = 0; r < size; r++) {
                    if (r != root) {
                        world.ssend(Buf.of(new int[] {root, r}), r, 3);
                    }
                }
            } else {
                int[] in = new int[2];
                world.recv(Buf.of(in), root, 3);
                assertArrayEquals(new int[] {root, world.rank()}, in);
            }
        }
    }

    @MpiTest
    void ssendInARingWithAlternatingOrder(Comm world) {
        // Even ranks send first, odd ranks receive first: no deadlock at any size > 1.
        int[] in = new int[1];
        Buf out = Buf.of(new int[] {world.rank()});
        if (world.size() == 1) {
            Request<Status> r = world.irecv(Buf.of(in), 0, 4);
            world.ssend(out, 0, 4);
            r.waitFor();
        } else if (world.rank() % 2 == 0) {
            world.ssend(out, Tck.right(world), 4);
            world.recv(Buf.of(in), Tck.left(world), 4);
        } else {
            world.recv(Buf.of(in), Tck.left(world), 4);
            world.ssend(out, Tck.right(world), 4);
        }
        assertEquals(Tck.left(world), in[0]);
    }

    @MpiTest
    void ssendToAPostedReceive(Comm world) {
        long[] in = new long[4];
        Request<Status> r = world.irecv(Buf.of(in), Tck.left(world), 5);
        world.ssend(Buf.of(new long[] {world.rank(), 1, 2, 3}), Tck.right(world), 5);
        r.waitFor();
        assertArrayEquals(new long[] {Tck.left(world), 1, 2, 3}, in);
    }
}
