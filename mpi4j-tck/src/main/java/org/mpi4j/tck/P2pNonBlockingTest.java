package org.mpi4j.tck;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.mpi4j.Buf;
import org.mpi4j.Comm;
import org.mpi4j.ErrorClass;
import org.mpi4j.Mpi;
import org.mpi4j.MpiException;
import org.mpi4j.Request;
import org.mpi4j.Status;
import org.mpi4j.junit.MpiTest;

/** Non-blocking point-to-point: isend/irecv, the wait and test families, futures, cancel. */
class P2pNonBlockingTest {

    private static final int GO = 900;

    @MpiTest
    void isendAndIrecvInARing(Comm world) {
        int[] in = new int[4];
        Request<Status> r = world.irecv(Buf.of(in), Tck.left(world), 0);
        Request<Status> s = world.isend(Buf.of(new int[] {world.rank(), 1, 2, 3}), Tck.right(world), 0);
        Request.waitAll(r, s);
        assertArrayEquals(new int[] {Tck.left(world), 1, 2, 3}, in);
        assertEquals(Tck.left(world), r.status().source());
        assertEquals(0, r.status().tag());
        assertEquals(4, r.status().count());
        assertTrue(r.test(), "a completed request tests true");
        assertEquals(r.status(), r.waitFor(), "waiting again returns at once");
    }

    @MpiTest
    void waitAnyOverEveryPeer(Comm world) {
        int size = world.size();
        List<Request<Status>> recvs = new ArrayList<>();
        int[][] in = new int[size][1];
        for (int r = 0; r < size; r++) {
            recvs.add(world.irecv(Buf.of(in[r]), r, 1));
        }
        List<Request<Status>> sends = new ArrayList<>();
        for (int r = 0; r < size; r++) {
            sends.add(world.isend(Buf.of(new int[] {world.rank() * 100 + r}), r, 1));
        }
        boolean[] done = new boolean[size];
        for (int i = 0; i < size; i++) {
            int k = Request.waitAny(recvs);
            assertTrue(k >= 0 && k < size, "index " + k);
            assertFalse(done[k], "request " + k + " completes once");
            done[k] = true;
            assertEquals(k * 100 + world.rank(), in[k][0]);
            assertEquals(k, recvs.get(k).status().source());
            recvs.set(k, null);
        }
        assertEquals(Mpi.UNDEFINED, Request.waitAny(recvs), "all null: UNDEFINED");
        assertEquals(Mpi.UNDEFINED, Request.testAny(recvs), "all null: UNDEFINED");
        assertTrue(Request.testAll(recvs), "all null: all done");
        Request.waitAll(recvs);
        Request.waitAll(sends);
    }

    @MpiTest
    void waitSomeOverEveryPeer(Comm world) {
        int size = world.size();
        Request<?>[] recvs = new Request<?>[size];
        long[][] in = new long[size][2];
        for (int r = 0; r < size; r++) {
            recvs[r] = world.irecv(Buf.of(in[r]), r, 2);
        }
        Request<?>[] sends = new Request<?>[size];
        for (int r = size - 1; r >= 0; r--) {
            sends[r] = world.isend(Buf.of(new long[] {world.rank(), r}), r, 2);
        }
        int completed = 0;
        boolean[] done = new boolean[size];
        while (completed < size) {
            int[] some = Request.waitSome(recvs);
            assertTrue(some.length > 0, "waitSome returns at least one index");
            for (int k : some) {
                assertFalse(done[k], "request " + k + " reported once");
                done[k] = true;
                assertArrayEquals(new long[] {k, world.rank()}, in[k]);
                recvs[k] = null;
                completed++;
            }
        }
        Request.waitAll(sends);
    }

    @MpiTest
    void testAnyAndTestAllBeforeAndAfterTheMessage(Comm world) {
        // Left sends to us only after we tell it to, so nothing can have arrived before.
        int[] in = new int[1];
        Request<Status> r = world.irecv(Buf.of(in), Tck.left(world), 3);
        Request<Status> r2 = world.irecv(Buf.of(new int[1]), Tck.left(world), 4);
        assertFalse(r.test());
        assertEquals(Mpi.UNDEFINED, Request.testAny(r, r2));
        assertFalse(Request.testAll(r, r2));
        assertEquals(ErrorClass.REQUEST, assertThrows(MpiException.class, r::status).errorClass(),
                "status() of a pending request");

        Request<Status> go = world.isend((Object) null, Tck.left(world), GO);
        world.recv(Tck.right(world), GO);
        go.waitFor();
        world.send(Buf.of(new int[] {world.rank()}), Tck.right(world), 3);
        int k;
        while ((k = Request.testAny(r, r2)) == Mpi.UNDEFINED) {
            Thread.yield();
        }
        // The left neighbour may already have sent its tag-4 message too (it sends it once its
        // own left has sent tag 3), and testAny may return either; but tag 3 was sent first, so
        // whichever it returns, the tag-3 receive has completed by then.
        assertTrue(k == 0 || k == 1, "testAny returned " + k);
        assertTrue(r.test(), "the tag-3 receive completes before the tag-4 one");
        assertEquals(Tck.left(world), in[0]);

        world.send(Buf.of(new int[] {7}), Tck.right(world), 4);
        while (!Request.testAll(r, r2)) {
            Thread.yield();
        }
        assertEquals(4, r2.status().tag());
    }

    @MpiTest
    void pollingWithTest(Comm world) {
        Request<String> r = world.irecv(Tck.left(world), 0);
        world.send("polled " + world.rank(), Tck.right(world), 0);
        while (!r.test()) {
            Thread.yield();
        }
        assertEquals("polled " + Tck.left(world), r.waitFor());
    }

    @MpiTest
    void futuresCompleteWithTheResult(Comm world) throws Exception {
        int[] in = new int[1];
        Request<Status> r = world.irecv(Buf.of(in), Tck.left(world), 0);
        CompletableFuture<Integer> source = r.toFuture().thenApply(Status::source);
        Request<String> rt = world.irecv(Tck.left(world), 1);
        CompletableFuture<String> text = rt.toFuture();
        Request<Status> s = world.isend(Buf.of(new int[] {world.rank()}), Tck.right(world), 0);
        CompletableFuture<Status> sent = s.toFuture();
        Request<Status> st = world.isend("future " + world.rank(), Tck.right(world), 1);
        // Completion needs progress, which waiting makes (MPI's progress rule).
        Request.waitAll(r, rt, s, st);
        assertEquals(Tck.left(world), source.get(30, TimeUnit.SECONDS));
        assertEquals(Tck.left(world), in[0]);
        assertEquals("future " + Tck.left(world), text.get(30, TimeUnit.SECONDS));
        sent.get(30, TimeUnit.SECONDS); // completed by the completing thread, perhaps just after waitAll returned

        Request<Status> a = world.isend("a", Tck.right(world), 2);
        Request<String> b = world.irecv(Tck.left(world), 2);
        CompletableFuture<Void> all = CompletableFuture.allOf(a.toFuture(),
                b.toFuture().thenAccept(v -> assertEquals("a", v)));
        Request.waitAll(a, b);
        all.get(30, TimeUnit.SECONDS);
    }

    @MpiTest(ranks = {1, 2})
    void aFutureCompletesWithoutFurtherCalls(Comm world) throws Exception {
        CompletableFuture<Object> f = world.irecv(Tck.left(world), 3).toFuture();
        Request<Status> s = world.isend("x", Tck.right(world), 3);
        assertEquals("x", f.get(30, TimeUnit.SECONDS));
        s.waitFor();
    }

    @MpiTest
    void aFutureOfACompletedRequestIsDone(Comm world) throws Exception {
        Request<Object> r = world.irecv(world.rank(), 0);
        world.send(List.of(1), world.rank(), 0);
        r.waitFor();
        CompletableFuture<Object> f = r.toFuture();
        assertTrue(f.isDone());
        assertEquals(List.of(1), f.get());
    }

    @MpiTest
    void anUnmatchedIrecvCanBeCancelled(Comm world) {
        int[] in = {-1};
        Request<Status> r = world.irecv(Buf.of(in), Tck.left(world), 77);
        r.cancel();
        Status st = r.waitFor();
        assertTrue(st.cancelled(), "cancelled: " + st);
        assertTrue(r.status().cancelled());
        assertEquals(-1, in[0], "a cancelled receive writes nothing");

        Request<Object> obj = world.irecv(Mpi.ANY_SOURCE, 78);
        obj.cancel();
        obj.waitFor();
        assertTrue(obj.status().cancelled());

        // The cancelled receives do not swallow later messages.
        Request<Status> s = world.isend(Buf.of(new int[] {world.rank()}), world.rank(), 77);
        world.recv(Buf.of(in), world.rank(), 77);
        s.waitFor();
        assertEquals(world.rank(), in[0]);
    }

    @MpiTest
    void cancellingACompletedReceiveChangesNothing(Comm world) {
        int[] in = new int[1];
        Request<Status> r = world.irecv(Buf.of(in), world.rank(), 5);
        world.send(Buf.of(new int[] {3}), world.rank(), 5);
        r.waitFor();
        r.cancel();
        assertFalse(r.waitFor().cancelled());
        assertEquals(3, in[0]);
    }

    @MpiTest
    void anIssendNobodyReceivesCanBeCancelled(Comm world) {
        Request<Status> s = world.issend(Buf.of(new int[] {world.rank()}), Tck.right(world), 79);
        Request<Status> o = world.issend("never received", Tck.right(world), 80);
        s.cancel();
        o.cancel();
        assertTrue(s.waitFor().cancelled(), "an unmatched synchronous send is cancelled");
        assertTrue(o.waitFor().cancelled());
        Tck.barrier(world);
        // The cancelled messages are gone: the receiver cannot see them.
        assertTrue(world.iprobe(Tck.left(world), 79).isEmpty(), "cancelled buffer message is not received");
        assertTrue(world.iprobe(Tck.left(world), 80).isEmpty(), "cancelled object message is not received");
        Tck.barrier(world);
    }

    @MpiTest
    void manyOutstandingRequests(Comm world) {
        int n = 200;
        List<Request<?>> all = new ArrayList<>();
        int[][] in = new int[n][2];
        for (int i = 0; i < n; i++) {
            all.add(world.irecv(Buf.of(in[i]), Tck.left(world), i % 3));
        }
        for (int i = 0; i < n; i++) {
            all.add(world.isend(Buf.of(new int[] {world.rank(), i}), Tck.right(world), i % 3));
        }
        Request.waitAll(all);
        for (int i = 0; i < n; i++) {
            assertArrayEquals(new int[] {Tck.left(world), i}, in[i], "message " + i + " in order within its tag");
        }
    }

    @MpiTest
    void waitAllSkipsNulls(Comm world) {
        Request<Status> r = world.irecv(Buf.of(new byte[1]), world.rank(), 0);
        world.send(Buf.of(new byte[] {1}), world.rank(), 0);
        Request.waitAll(null, r, null);
        Request.waitAll(Arrays.asList(null, r));
        assertTrue(r.test());
    }

    @MpiTest
    void sendrecvOfObjectsInARing(Comm world) {
        int[] mine = {world.rank(), world.size()};
        int[] got = world.sendrecv(mine, Tck.right(world), 0, Tck.left(world), 0);
        assertArrayEquals(new int[] {Tck.left(world), world.size()}, got);
    }
}
