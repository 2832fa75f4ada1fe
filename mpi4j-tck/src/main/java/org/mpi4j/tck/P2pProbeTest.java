package org.mpi4j.tck;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import org.mpi4j.Buf;
import org.mpi4j.Comm;
import org.mpi4j.Datatype;
import org.mpi4j.ErrorClass;
import org.mpi4j.Message;
import org.mpi4j.Mpi;
import org.mpi4j.MpiException;
import org.mpi4j.Request;
import org.mpi4j.Status;
import org.mpi4j.junit.MpiTest;

/** Probes: probe, iprobe, and the matched probes mprobe and improbe. */
class P2pProbeTest {

    private static final int GO = 900;

    @MpiTest
    void probeTellsTypeAndSizeBeforeReceiving(Comm world) {
        int left = Tck.left(world);
        for (Datatype t : Tck.PRIMITIVES) {
            int n = 3 + world.rank();
            Request<Status> s = world.isend(Tck.buf(Tck.array(t, n, world.rank())), Tck.right(world), t.ordinal());
            Status st = world.probe(left, t.ordinal());
            int expected = 3 + left;
            assertEquals(new Status(left, t.ordinal(), t, (long) expected * t.extent(), false), st);
            assertEquals(expected, st.count());
            Object in = Tck.array(t, st.count(), -5);
            Status got = world.recv(Tck.buf(in), left, t.ordinal());
            assertEquals(st, got, "the probed message is the one received");
            assertTrue(Tck.same(Tck.array(t, expected, left), in), Tck.show(in));
            s.waitFor();
        }
    }

    @MpiTest
    void probeWithWildcardsTellsTheRealSourceAndTag(Comm world) {
        Request<Status> s = world.isend(Buf.of(new short[] {(short) world.rank()}), Tck.right(world), 40 + world.rank());
        Status st = world.probe(Mpi.ANY_SOURCE, Mpi.ANY_TAG);
        assertEquals(Tck.left(world), st.source());
        assertEquals(40 + Tck.left(world), st.tag());
        assertEquals(Datatype.SHORT, st.datatype());
        short[] in = new short[1];
        world.recv(Buf.of(in), st.source(), st.tag());
        assertEquals(Tck.left(world), in[0]);
        s.waitFor();
    }

    @MpiTest
    void probeDoesNotConsume(Comm world) {
        Request<Status> s = world.isend("twice", world.rank(), 1);
        Status a = world.probe(world.rank(), 1);
        Status b = world.probe(Mpi.ANY_SOURCE, 1);
        assertEquals(a, b);
        assertEquals("twice", world.recv(world.rank(), 1));
        assertTrue(world.iprobe(world.rank(), 1).isEmpty(), "received now");
        s.waitFor();
    }

    @MpiTest
    void iprobeIsEmptyUntilTheMessageArrives(Comm world) {
        // Left sends only after we tell it to, so nothing can have arrived before.
        assertTrue(world.iprobe(Tck.left(world), 2).isEmpty());
        assertTrue(world.iprobe(Mpi.ANY_SOURCE, 2).isEmpty());
        Request<Status> go = world.isend((Object) null, Tck.left(world), GO);
        world.recv(Tck.right(world), GO);
        Request<Status> s = world.isend(Buf.of(new float[] {1f, 2f}), Tck.right(world), 2);
        Optional<Status> st;
        while ((st = world.iprobe(Mpi.ANY_SOURCE, Mpi.ANY_TAG)).isEmpty()) {
            Thread.yield();
        }
        assertEquals(new Status(Tck.left(world), 2, Datatype.FLOAT, 8, false), st.get());
        world.recv(Buf.of(new float[2]), Tck.left(world), 2);
        Request.waitAll(go, s);
    }

    @MpiTest
    void mprobeThenReceiveExactlyThatMessage(Comm world) {
        int size = world.size();
        for (int root = 0; root < size; root++) {
            if (world.rank() == root) {
                for (int i = 0; i < size - 1; i++) {
                    Message m = world.mprobe(Mpi.ANY_SOURCE, root);
                    Status st = m.status();
                    assertEquals(Datatype.INT, st.datatype());
                    assertEquals(st.source() + 1, st.count());
                    int[] in = new int[st.count()];
                    Status got = m.recv(Buf.of(in));
                    assertEquals(st.source(), got.source());
                    assertEquals(st.source(), in[0]);
                    MpiException again = assertThrows(MpiException.class, () -> m.recv(Buf.of(in)));
                    assertEquals(ErrorClass.REQUEST, again.errorClass());
                    assertTrue(again.getMessage().contains("already received"), again.getMessage());
                    assertThrows(MpiException.class, m::recv);
                }
            } else {
                int[] out = new int[world.rank() + 1];
                out[0] = world.rank();
                world.send(Buf.of(out), root, root);
            }
        }
    }

    @MpiTest
    void aMatchedMessageIsInvisibleToOtherReceives(Comm world) {
        Request<Status> s1 = world.isend(Buf.of(new int[] {1}), world.rank(), 3);
        Request<Status> s2 = world.isend(Buf.of(new int[] {2}), world.rank(), 3);
        Message first = world.mprobe(world.rank(), 3);
        // Probes and receives now see only the second message.
        int[] in = new int[1];
        world.recv(Buf.of(in), Mpi.ANY_SOURCE, 3);
        assertEquals(2, in[0]);
        assertTrue(world.iprobe(world.rank(), 3).isEmpty());
        first.recv(Buf.of(in));
        assertEquals(1, in[0]);
        Request.waitAll(s1, s2);
    }

    @MpiTest
    void improbeUntilAMessageArrives(Comm world) {
        assertTrue(world.improbe(Tck.left(world), 4).isEmpty());
        Request<Status> go = world.isend((Object) null, Tck.left(world), GO);
        world.recv(Tck.right(world), GO);
        Request<Status> s = world.isend(List.of("improbe", world.rank()), Tck.right(world), 4);
        Optional<Message> m;
        while ((m = world.improbe(Mpi.ANY_SOURCE, 4)).isEmpty()) {
            Thread.yield();
        }
        assertEquals(Datatype.OBJECT, m.get().status().datatype());
        assertEquals(Tck.left(world), m.get().status().source());
        List<Object> got = m.get().recv();
        assertEquals(List.of("improbe", Tck.left(world)), got);
        Request.waitAll(go, s);
    }

    @MpiTest
    void matchedMessagesReceivedAsObjectsAndNonBlocking(Comm world) {
        Request<Status> s1 = world.isend(new double[] {world.rank(), 0.5}, Tck.right(world), 5);
        Request<Status> s2 = world.isend("second", Tck.right(world), 5);
        Message a = world.mprobe(Tck.left(world), 5);
        Message b = world.mprobe(Tck.left(world), 5);
        assertEquals(Datatype.DOUBLE, a.status().datatype());
        assertEquals(Datatype.OBJECT, b.status().datatype());
        Request<String> rb = b.irecv();
        double[] got = a.recv();
        assertArrayEquals(new double[] {Tck.left(world), 0.5}, got);
        assertEquals("second", rb.waitFor());
        assertEquals(Tck.left(world), rb.status().source());
        Request.waitAll(s1, s2);
    }

    @MpiTest
    void aTruncatedMatchedReceiveStillConsumesTheMessage(Comm world) {
        Request<Status> s = world.isend(Buf.of(new long[4]), world.rank(), 6);
        Message m = world.mprobe(world.rank(), 6);
        assertEquals(4, m.status().count());
        assertThrows(MpiException.class, () -> m.recv(Buf.of(new long[2])));
        assertFalse(world.iprobe(world.rank(), 6).isPresent());
        s.waitFor(); // the send completes normally: its message was received, if truncated
    }
}
