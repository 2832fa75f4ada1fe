package org.mpi4j.tck;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;


import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.reflect.Array;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.mpi4j.Buf;
import org.mpi4j.Comm;
import org.mpi4j.Datatype;
import org.mpi4j.ErrorClass;
import org.mpi4j.Mpi;
import org.mpi4j.MpiException;
import org.mpi4j.Request;
import org.mpi4j.Status;
import org.mpi4j.junit.MpiTest;

/** Point-to-point with buffers: every kind of {@link Buf}, rings, every root. */
class P2pBufferTest {

    @MpiTest
    void ringOfEveryPrimitiveType(Comm world) {
        int left = Tck.left(world);
        int right = Tck.right(world);
        for (Datatype t : Tck.PRIMITIVES) {
            Object sent = Tck.array(t, 33, world.rank());
            Object got = Tck.array(t, 33, -1);
            Status st = world.sendrecv(Tck.buf(sent), right, t.ordinal(), Tck.buf(got), left, t.ordinal());
            assertTrue(Tck.same(Tck.array(t, 33, left), got), t + ": " + Tck.show(got));
            assertEquals(new Status(left, t.ordinal(), t, 33L * t.extent(), false), st, t.toString());
            assertEquals(33, st.count());
        }
    }

    @MpiTest
    void blockingSendAndRecvInARing(Comm world) {
        // A correct program does not count on a send being buffered: even ranks send first,
        // odd ranks receive first, which cannot deadlock at any size.
        int[] out = {world.rank(), 42};
        int[] in = new int[2];
        Status st = Tck.sendThenRecv(world, Buf.of(out), Buf.of(in), 3);
        assertArrayEquals(new int[] {Tck.left(world), 42}, in);
        assertEquals(Tck.left(world), st.source());
        assertEquals(3, st.tag());
    }

    @MpiTest
    void slicesWithOffsetsOfEveryType(Comm world) {
        int left = Tck.left(world);
        for (Datatype t : Tck.PRIMITIVES) {
            Object sent = Tck.array(t, 20, world.rank());
            Object got = Tck.array(t, 20, 999);
            Object before = Tck.array(t, 20, 999);
            Status st = world.sendrecv(Tck.buf(sent, 5, 10), Tck.right(world), 7, Tck.buf(got, 3, 12), left, 7);
            assertEquals(10, st.count(), t.toString());
            Object expectedSource = Tck.array(t, 20, left);
            for (int i = 0; i < 20; i++) {
                Object expected = i >= 3 && i < 13 ? Array.get(expectedSource, i + 2) : Array.get(before, i);
                assertEquals(expected, Array.get(got, i), t + " element " + i + " of " + Tck.show(got));
            }
        }
    }

    @MpiTest
    void aShorterMessageFillsThePrefixOfTheBuffer(Comm world) {
        int[] in = new int[10];
        Arrays.fill(in, -1);
        Status st = world.sendrecv(Buf.of(new int[] {1, 2, 3, 4, world.rank()}), Tck.right(world), 0,
                Buf.of(in), Tck.left(world), 0);
        assertEquals(5, st.count());
        assertEquals(20, st.bytes());
        assertArrayEquals(new int[] {1, 2, 3, 4, Tck.left(world), -1, -1, -1, -1, -1}, in);
    }

    @MpiTest
    void emptyMessages(Comm world) {
        for (Datatype t : Tck.PRIMITIVES) {
            Object got = Tck.array(t, 4, 5);
            Status st = world.sendrecv(Tck.buf(Tck.array(t, 0, 0)), Tck.right(world), 1, Tck.buf(got), Tck.left(world), 1);
            assertEquals(0, st.count(), t.toString());
            assertEquals(0, st.bytes(), t.toString());
            assertEquals(t, st.datatype());
            assertTrue(Tck.same(Tck.array(t, 4, 5), got), "an empty message leaves the buffer alone");
        }
    }

    @MpiTest
    void heapAndDirectByteBuffers(Comm world) {
        int left = Tck.left(world);
        for (boolean directOut : new boolean[] {false, true}) {
            for (boolean directIn : new boolean[] {false, true}) {
                ByteBuffer out = directOut ? ByteBuffer.allocateDirect(64) : ByteBuffer.allocate(64);
                byte[] payload = Tck.bytes(world.rank(), 40);
                out.position(8);
                out.put(payload);
                out.position(8).limit(48);
                ByteBuffer in = directIn ? ByteBuffer.allocateDirect(64) : ByteBuffer.allocate(64);
                in.position(16);
                Status st = world.sendrecv(Buf.of(out), Tck.right(world), 2, Buf.of(in), left, 2);
                assertEquals(40, st.bytes());
                assertEquals(Datatype.BYTE, st.datatype());
                assertEquals(8, out.position(), "sending leaves the position alone");
                assertEquals(16, in.position(), "receiving leaves the position alone");
                byte[] got = new byte[40];
                in.get(16, got);
                assertArrayEquals(Tck.bytes(left, 40), got, "out direct=" + directOut + ", in direct=" + directIn);
                assertEquals(0, in.get(15));
                assertEquals(0, in.get(56));
            }
        }
    }

    @MpiTest
    void readOnlyByteBufferCanBeSent(Comm world) {
        ByteBuffer ro = ByteBuffer.wrap(Tck.bytes(world.rank(), 100)).asReadOnlyBuffer();
        byte[] in = new byte[100];
        world.sendrecv(Buf.of(ro), Tck.right(world), 0, Buf.of(in), Tck.left(world), 0);
        assertArrayEquals(Tck.bytes(Tck.left(world), 100), in);
    }

    @MpiTest
    void memorySegmentsWithADatatype(Comm world) {
        int left = Tck.left(world);
        int n = 100;
        try (Arena arena = Arena.ofShared()) {
            // segment of doubles -> double[]
            MemorySegment out = arena.allocate(ValueLayout.JAVA_DOUBLE, n);
            for (int i = 0; i < n; i++) {
                out.setAtIndex(ValueLayout.JAVA_DOUBLE, i, world.rank() + i * 0.5);
            }
            double[] in = new double[n];
            Status st = world.sendrecv(Buf.of(out, Datatype.DOUBLE), Tck.right(world), 0, Buf.of(in), left, 0);
            assertEquals(new Status(left, 0, Datatype.DOUBLE, 8L * n, false), st);
            for (int i = 0; i < n; i++) {
                assertEquals(left + i * 0.5, in[i]);
            }

            // long[] -> segment of longs
            long[] longs = (long[]) Tck.array(Datatype.LONG, n, world.rank());
            MemorySegment seg = arena.allocate(ValueLayout.JAVA_LONG, n);
            world.sendrecv(Buf.of(longs), Tck.right(world), 1, Buf.of(seg, Datatype.LONG), left, 1);
            assertArrayEquals((long[]) Tck.array(Datatype.LONG, n, left), seg.toArray(ValueLayout.JAVA_LONG));

            // a byte view of a segment, a slice of it, and a heap segment of ints
            MemorySegment bytes = arena.allocate(256);
            MemorySegment.copy(Tck.bytes(world.rank(), 256), 0, bytes, ValueLayout.JAVA_BYTE, 0, 256);
            MemorySegment inBytes = arena.allocate(256);
            world.sendrecv(Buf.of(bytes.asSlice(16, 128)), Tck.right(world), 2, Buf.of(inBytes.asSlice(64, 128)), left, 2);
            byte[] got = inBytes.asSlice(64, 128).toArray(ValueLayout.JAVA_BYTE);
            assertArrayEquals(Arrays.copyOfRange(Tck.bytes(left, 256), 16, 144), got);
            assertEquals(0, inBytes.get(ValueLayout.JAVA_BYTE, 63));

            int[] heapInts = new int[8];
            world.sendrecv(Buf.of(new int[] {world.rank(), 1, 2, 3, 4, 5, 6, 7}), Tck.right(world), 3,
                    Buf.of(MemorySegment.ofArray(heapInts), Datatype.INT), left, 3);
            assertArrayEquals(new int[] {left, 1, 2, 3, 4, 5, 6, 7}, heapInts);
        }
    }

    @MpiTest(ranks = {1, 2, 3})
    void segmentsOfConfinedArenasCanBeSentButNotReceivedInto(Comm world) {
        // Only its owner thread may touch a confined segment, and the engine may copy on another
        // thread: a send copies it first, on the caller's thread; a receive into one is refused.
        for (int n : new int[] {16, 1 << 20}) {
            try (Arena arena = Arena.ofConfined(); Arena shared = Arena.ofShared()) {
                MemorySegment out = arena.allocate(n);
                MemorySegment.copy(Tck.bytes(world.rank(), n), 0, out, ValueLayout.JAVA_BYTE, 0, n);
                MemorySegment in = shared.allocate(n);
                world.sendrecv(Buf.of(out), Tck.right(world), 0, Buf.of(in), Tck.left(world), 0);
                assertArrayEquals(Tck.bytes(Tck.left(world), n), in.toArray(ValueLayout.JAVA_BYTE), n + " bytes");
                MpiException e = assertThrows(MpiException.class, () -> world.irecv(Buf.of(arena.allocate(n)), 0, 0));
                assertEquals(ErrorClass.BUFFER, e.errorClass());
                assertTrue(e.getMessage().contains("confined"), e.getMessage());
            }
        }
    }

    @MpiTest
    void nativeByteOrderOnTheWire(Comm world) {
        // Multi-byte elements travel in the platform's byte order: ints received into an INT
        // view of a byte[] read back through a native-order ByteBuffer.
        byte[] in = new byte[8];
        world.sendrecv(Buf.of(new int[] {world.rank(), 0x01020304}), Tck.right(world), 0,
                Buf.of(MemorySegment.ofArray(in), Datatype.INT), Tck.left(world), 0);
        ByteBuffer bb = ByteBuffer.wrap(in).order(ByteOrder.nativeOrder());
        assertEquals(Tck.left(world), bb.getInt(0));
        assertEquals(0x01020304, bb.getInt(4));
    }

    @MpiTest
    void everyRootSendsToAll(Comm world) {
        int size = world.size();
        int rank = world.rank();
        for (int root = 0; root < size; root++) {
            if (rank == root) {
                List<Request<Status>> sends = new ArrayList<>();
                for (int r = 0; r < size; r++) {
                    if (r != root) {
                        sends.add(world.isend(Buf.of(new int[] {root, r, 7}), r, root));
                    }
                }
                Request.waitAll(sends);
            } else {
                int[] in = new int[3];
                Status st = world.recv(Buf.of(in), root, root);
                assertArrayEquals(new int[] {root, rank, 7}, in);
                assertEquals(root, st.source());
            }
        }
    }

    @MpiTest
    void allSendToEveryRoot(Comm world) {
        int size = world.size();
        int rank = world.rank();
        for (int root = 0; root < size; root++) {
            int tag = 100 + root;
            if (rank == root) {
                boolean[] seen = new boolean[size];
                for (int i = 0; i < size - 1; i++) {
                    long[] in = new long[2];
                    Status st = world.recv(Buf.of(in), Mpi.ANY_SOURCE, tag);
                    assertEquals(st.source(), (int) in[0], "status names the real source");
                    assertEquals(root, in[1]);
                    assertEquals(tag, st.tag());
                    assertFalse(seen[st.source()], "one message from " + st.source());
                    seen[st.source()] = true;
                }
                for (int r = 0; r < size; r++) {
                    assertEquals(r != root, seen[r], "heard from rank " + r);
                }
            } else {
                world.send(Buf.of(new long[] {rank, root}), root, tag);
            }
        }
    }

    @MpiTest
    void sendrecvReplaceInARing(Comm world) {
        for (Datatype t : Tck.PRIMITIVES) {
            Object data = Tck.array(t, 50, world.rank());
            Status st = world.sendrecvReplace(Tck.buf(data), Tck.right(world), 4, Tck.left(world), 4);
            assertTrue(Tck.same(Tck.array(t, 50, Tck.left(world)), data), t + ": " + Tck.show(data));
            assertEquals(Tck.left(world), st.source());
            assertEquals(50, st.count());
        }
    }

    @MpiTest
    void sendrecvReplaceOfASlice(Comm world) {
        int[] data = {-1, world.rank(), world.rank() * 2, -1};
        world.sendrecvReplace(Buf.of(data, 1, 2), Tck.right(world), 0, Tck.left(world), 0);
        assertArrayEquals(new int[] {-1, Tck.left(world), Tck.left(world) * 2, -1}, data);
    }

    @MpiTest
    void theSameBufUsedForManySends(Comm world) {
        int[] out = {world.rank()};
        Buf view = Buf.of(out);
        int[] in = new int[1];
        Buf into = Buf.of(in);
        for (int i = 0; i < 20; i++) {
            out[0] = world.rank() * 1000 + i;
            world.sendrecv(view, Tck.right(world), 0, into, Tck.left(world), 0);
            assertEquals(Tck.left(world) * 1000 + i, in[0]);
        }
    }

    @MpiTest
    void selfCommunicator(Comm world) {
        Comm self = Mpi.init().self();
        assertEquals(1, self.size());
        assertEquals(0, self.rank());
        double[] in = new double[3];
        Status st = self.sendrecv(Buf.of(new double[] {world.rank(), 2, 3}), 0, 9, Buf.of(in), 0, 9);
        assertArrayEquals(new double[] {world.rank(), 2, 3}, in);
        assertEquals(0, st.source());
        Request<Status> r = self.irecv(Buf.of(in), 0, 10);
        self.send(Buf.of(new double[] {4, 5, 6}), 0, 10);
        r.waitFor();
        assertArrayEquals(new double[] {4, 5, 6}, in);
    }

    @MpiTest
    void selfIsSeparateFromWorld(Comm world) {
        // A message on SELF never matches a receive on WORLD, even with wildcards.
        Comm self = Mpi.init().self();
        Request<Status> s1 = self.isend(Buf.of(new int[] {1}), 0, 0);
        Request<Status> s2 = world.isend(Buf.of(new int[] {2}), world.rank(), 0);
        int[] in = new int[1];
        world.recv(Buf.of(in), Mpi.ANY_SOURCE, Mpi.ANY_TAG);
        assertEquals(2, in[0]);
        self.recv(Buf.of(in), Mpi.ANY_SOURCE, Mpi.ANY_TAG);
        assertEquals(1, in[0]);
        Request.waitAll(s1, s2);
    }
}
