package org.mpi4j.tck;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.mpi4j.Buf;
import org.mpi4j.Comm;
import org.mpi4j.Message;
import org.mpi4j.Mpi;
import org.mpi4j.Received;
import org.mpi4j.Request;
import org.mpi4j.Status;
import org.mpi4j.junit.MpiTest;

/** Operations with {@link Mpi#PROC_NULL} complete at once, move nothing, and come from PROC_NULL. */
class P2pProcNullTest {

    private static void assertProcNull(Status st) {
        assertEquals(Mpi.PROC_NULL, st.source(), "source of " + st);
        assertEquals(0, st.bytes(), "bytes of " + st);
        assertEquals(0, st.count());
        assertTrue(!st.cancelled());
    }

    @MpiTest
    void blockingOperationsCompleteAtOnce(Comm world) {
        int[] buf = {1, 2, 3};
        world.send(Buf.of(buf), Mpi.PROC_NULL, 0);
        world.ssend(Buf.of(buf), Mpi.PROC_NULL, 0);
        world.send("object", Mpi.PROC_NULL, 0);
        world.ssend("object", Mpi.PROC_NULL, Mpi.TAG_UB);
        assertProcNull(world.recv(Buf.of(buf), Mpi.PROC_NULL, 0));
        assertProcNull(world.recv(Buf.of(buf), Mpi.PROC_NULL, Mpi.ANY_TAG));
        assertArrayEquals(new int[] {1, 2, 3}, buf, "nothing is written");
        Object o = world.recv(Mpi.PROC_NULL, 0);
        assertNull(o);
        Received<String> r = world.recvWithStatus(Mpi.PROC_NULL, 5);
        assertNull(r.value());
        assertProcNull(r.status());
    }

    @MpiTest
    void nonBlockingOperationsAreCompleteFromTheStart(Comm world) {
        int[] buf = {4};
        Request<Status> a = world.isend(Buf.of(buf), Mpi.PROC_NULL, 0);
        Request<Status> b = world.issend(Buf.of(buf), Mpi.PROC_NULL, 0);
        Request<Status> c = world.irecv(Buf.of(buf), Mpi.PROC_NULL, 0);
        Request<Status> d = world.isend("x", Mpi.PROC_NULL, 0);
        Request<Status> e = world.issend("x", Mpi.PROC_NULL, 0);
        Request<Object> f = world.irecv(Mpi.PROC_NULL, Mpi.ANY_TAG);
        for (Request<?> q : new Request<?>[] {a, b, c, d, e, f}) {
            assertTrue(q.test(), q + " is complete");
            assertTrue(q.toFuture().isDone(), q + "'s future is done");
        }
        assertTrue(Request.testAll(a, b, c, d, e, f));
        assertEquals(0, Request.testAny(a, b));
        assertProcNull(c.waitFor());
        assertProcNull(c.status());
        assertNull(f.waitFor());
        assertProcNull(f.status());
        assertEquals(4, buf[0]);
    }

    @MpiTest
    void probesOfProcNull(Comm world) {
        assertProcNull(world.probe(Mpi.PROC_NULL, 0));
        Optional<Status> st = world.iprobe(Mpi.PROC_NULL, Mpi.ANY_TAG);
        assertTrue(st.isPresent(), "iprobe of PROC_NULL finds the empty message at once");
        assertProcNull(st.get());

        Message m = world.mprobe(Mpi.PROC_NULL, 0);
        assertProcNull(m.status());
        int[] buf = {7};
        assertProcNull(m.recv(Buf.of(buf)));
        assertEquals(7, buf[0]);

        Optional<Message> im = world.improbe(Mpi.PROC_NULL, 0);
        assertTrue(im.isPresent());
        Object o = im.get().recv();
        assertNull(o);
    }

    @MpiTest
    void sendrecvAlongAChainEndsInProcNull(Comm world) {
        // A non-periodic shift: the last rank has no right neighbour, rank 0 no left one.
        int rank = world.rank();
        int dest = rank + 1 < world.size() ? rank + 1 : Mpi.PROC_NULL;
        int source = rank > 0 ? rank - 1 : Mpi.PROC_NULL;
        int[] in = {-1};
        Status st = world.sendrecv(Buf.of(new int[] {rank}), dest, 0, Buf.of(in), source, 0);
        if (source == Mpi.PROC_NULL) {
            assertProcNull(st);
            assertEquals(-1, in[0]);
        } else {
            assertEquals(source, st.source());
            assertEquals(source, in[0]);
        }

        int[] data = {rank * 10};
        Status rst = world.sendrecvReplace(Buf.of(data), dest, 1, source, 1);
        if (source == Mpi.PROC_NULL) {
            assertProcNull(rst);
            assertEquals(rank * 10, data[0], "sendrecvReplace from PROC_NULL leaves the buffer alone");
        } else {
            assertEquals(source * 10, data[0]);
        }

        String got = world.sendrecv("from " + rank, dest, 2, source, 2);
        assertEquals(source == Mpi.PROC_NULL ? null : "from " + source, got);
    }

    @MpiTest
    void procNullNeverMatchesWildcards(Comm world) {
        world.send(Buf.of(new int[] {1}), Mpi.PROC_NULL, 3);
        assertTrue(world.iprobe(Mpi.ANY_SOURCE, Mpi.ANY_TAG).isEmpty(), "nothing was sent");
    }
}
