package org.mpi4j.tck;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.mpi4j.Buf;
import org.mpi4j.Comm;
import org.mpi4j.ErrorClass;
import org.mpi4j.Mpi;
import org.mpi4j.MpiException;
import org.mpi4j.PersistentRequest;
import org.mpi4j.Request;
import org.mpi4j.Status;
import org.mpi4j.junit.MpiTest;

/** Persistent requests: set up once, started many times. */
class P2pPersistentTest {

    @MpiTest
    void haloExchangeStartedManyTimes(Comm world) {
        double[] edge = new double[8];
        double[] halo = new double[8];
        PersistentRequest send = world.sendInit(Buf.of(edge), Tck.right(world), 0);
        PersistentRequest recv = world.recvInit(Buf.of(halo), Tck.left(world), 0);
        for (int step = 0; step < 50; step++) {
            java.util.Arrays.fill(edge, world.rank() * 1000 + step);
            PersistentRequest.startAll(send, recv);
            Request.waitAll(send, recv);
            for (double h : halo) {
                assertEquals(Tck.left(world) * 1000 + step, h, "step " + step);
            }
            assertEquals(Tck.left(world), recv.status().source());
            assertEquals(8, recv.status().count());
        }
    }

    @MpiTest
    void anInactiveRequestCompletesAtOnce(Comm world) {
        PersistentRequest recv = world.recvInit(Buf.of(new int[1]), Tck.left(world), 1);
        PersistentRequest send = world.sendInit(Buf.of(new int[1]), Tck.right(world), 1);
        long start = System.nanoTime();
        recv.waitFor();
        send.waitFor();
        assertTrue(recv.test());
        Request.waitAll(recv, send);
        assertTrue(Request.testAll(recv, send));
        assertTrue(System.nanoTime() - start < 5_000_000_000L, "waiting on inactive requests does not block");
    }

    @MpiTest
    void startingAnActiveRequestThrows(Comm world) {
        int[] in = new int[1];
        PersistentRequest recv = world.recvInit(Buf.of(in), world.rank(), 2);
        recv.start();
        MpiException e = assertThrows(MpiException.class, recv::start);
        assertEquals(ErrorClass.REQUEST, e.errorClass());
        world.send(Buf.of(new int[] {5}), world.rank(), 2);
        recv.waitFor();
        assertEquals(5, in[0]);
        recv.start(); // inactive again: may start
        world.send(Buf.of(new int[] {6}), world.rank(), 2);
        recv.waitFor();
        assertEquals(6, in[0]);
    }

    @MpiTest
    void persistentSynchronousSendsAndWildcardReceives(Comm world) {
        long[] out = new long[2];
        long[] in = new long[2];
        PersistentRequest send = world.ssendInit(Buf.of(out), Tck.right(world), 3);
        PersistentRequest recv = world.recvInit(Buf.of(in), Mpi.ANY_SOURCE, Mpi.ANY_TAG);
        for (int i = 0; i < 20; i++) {
            out[0] = world.rank();
            out[1] = i;
            PersistentRequest.startAll(List.of(recv, send));
            Request.waitAll(List.of(send, recv));
            assertArrayEquals(new long[] {Tck.left(world), i}, in);
            assertEquals(3, recv.status().tag());
        }
    }

    @MpiTest
    void waitAnyAndTestAllOverPersistentRequests(Comm world) {
        int[] in = new int[1];
        PersistentRequest recv = world.recvInit(Buf.of(in), Tck.left(world), 4);
        PersistentRequest send = world.sendInit(Buf.of(new int[] {world.rank()}), Tck.right(world), 4);
        for (int i = 0; i < 10; i++) {
            recv.start();
            send.start();
            send.waitFor();
            while (!Request.testAll(recv, send)) {
                Thread.yield();
            }
            assertEquals(Tck.left(world), in[0]);
        }
    }

    @MpiTest
    void procNullPersistentRequests(Comm world) {
        PersistentRequest send = world.sendInit(Buf.of(new int[3]), Mpi.PROC_NULL, 0);
        PersistentRequest recv = world.recvInit(Buf.of(new int[3]), Mpi.PROC_NULL, 0);
        for (int i = 0; i < 3; i++) {
            PersistentRequest.startAll(send, recv);
            assertTrue(send.test());
            assertTrue(recv.test());
            Status st = recv.waitFor();
            assertEquals(Mpi.PROC_NULL, st.source());
            assertEquals(0, st.count());
        }
    }

    @MpiTest
    void aPersistentReceiveCanBeCancelledAndStartedAgain(Comm world) {
        int[] in = {-1};
        PersistentRequest recv = world.recvInit(Buf.of(in), world.rank(), 5);
        recv.start();
        recv.cancel();
        assertTrue(recv.waitFor().cancelled());
        assertEquals(-1, in[0]);
        recv.start();
        world.send(Buf.of(new int[] {9}), world.rank(), 5);
        Status st = recv.waitFor();
        assertEquals(5, st.tag());
        assertTrue(!st.cancelled());
        assertEquals(9, in[0]);
    }
}
