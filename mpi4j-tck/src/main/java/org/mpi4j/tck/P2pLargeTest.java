package org.mpi4j.tck;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import org.mpi4j.Buf;
import org.mpi4j.Comm;
import org.mpi4j.Datatype;
import org.mpi4j.Request;
import org.mpi4j.Status;
import org.mpi4j.junit.MpiTest;

/** Messages from empty to 16 MiB, across the eager and rendezvous protocols. */
class P2pLargeTest {

    /** Sizes in bytes, around the usual protocol and fragment boundaries. */
    static final int[] SIZES = {0, 1, 7, 8, 1023, 1024, 4096, 65535, 65536, 1 << 20};

    private static void assertPattern(byte[] got, int n, long salt, String what) {
        int bad = Tck.mismatch(got, 0, n, salt);
        if (bad >= 0) {
            throw new AssertionError(what + ": byte " + bad + " of " + n + " differs");
        }
    }

    /** Exchanges {@code n} bytes around the ring with sendrecv. */
    private static void ring(Comm world, int n) {
        byte[] in = new byte[n];
        Status st = world.sendrecv(Buf.of(Tck.bytes(world.rank(), n)), Tck.right(world), 0, Buf.of(in), Tck.left(world), 0);
        assertEquals(n, st.bytes());
        assertPattern(in, n, Tck.left(world), "sendrecv of " + n + " bytes");
    }

    /** Exchanges {@code n} bytes around the ring with blocking sends and receives. */
    private static void blockingRing(Comm world, int n) {
        byte[] out = Tck.bytes(world.rank() + 100, n);
        byte[] in = new byte[n];
        if (world.size() == 1) {
            Request<Status> r = world.irecv(Buf.of(in), 0, 1);
            world.send(Buf.of(out), 0, 1);
            r.waitFor();
        } else if (world.rank() % 2 == 0) {
            world.send(Buf.of(out), Tck.right(world), 1);
            world.recv(Buf.of(in), Tck.left(world), 1);
        } else {
            world.recv(Buf.of(in), Tck.left(world), 1);
            world.send(Buf.of(out), Tck.right(world), 1);
        }
        assertPattern(in, n, Tck.left(world) + 100, "send/recv of " + n + " bytes");
    }

    @MpiTest(ranks = {1, 2, 3, 4})
    void everySizeAroundTheRing(Comm world) {
        for (int n : SIZES) {
            ring(world, n);
        }
    }

    @MpiTest(ranks = {1, 2, 3})
    void everySizeWithBlockingSendAndRecv(Comm world) {
        for (int n : SIZES) {
            blockingRing(world, n);
        }
    }

    @MpiTest(ranks = 2, timeoutSeconds = 120)
    void sixteenMebibytes(Comm world) {
        ring(world, 16 << 20);
        blockingRing(world, 16 << 20);
    }

    @MpiTest(ranks = {1, 2, 3})
    void largeMessagesOfEveryBufferKind(Comm world) {
        int n = 1 << 20;
        int left = Tck.left(world);
        // direct ByteBuffer -> heap ByteBuffer
        ByteBuffer out = ByteBuffer.allocateDirect(n);
        out.put(Tck.bytes(world.rank(), n)).flip();
        ByteBuffer in = ByteBuffer.allocate(n);
        world.sendrecv(Buf.of(out), Tck.right(world), 0, Buf.of(in), left, 0);
        assertPattern(in.array(), n, left, "ByteBuffer");

        // off-heap doubles -> double[]
        try (Arena arena = Arena.ofShared()) {
            MemorySegment seg = arena.allocate(ValueLayout.JAVA_DOUBLE, n / 8);
            for (int i = 0; i < n / 8; i++) {
                seg.setAtIndex(ValueLayout.JAVA_DOUBLE, i, world.rank() * 1e6 + i);
            }
            double[] d = new double[n / 8];
            world.sendrecv(Buf.of(seg, Datatype.DOUBLE), Tck.right(world), 1, Buf.of(d), left, 1);
            for (int i = 0; i < d.length; i++) {
                if (d[i] != left * 1e6 + i) {
                    throw new AssertionError("double " + i + " is " + d[i]);
                }
            }
        }

        // a slice of a long[] -> a slice of a long[]
        long[] longs = new long[n / 8 + 10];
        for (int i = 0; i < longs.length; i++) {
            longs[i] = world.rank() * 1_000_000L + i;
        }
        long[] lin = new long[n / 8 + 20];
        world.sendrecv(Buf.of(longs, 10, n / 8), Tck.right(world), 2, Buf.of(lin, 20, n / 8), left, 2);
        for (int i = 0; i < n / 8; i++) {
            if (lin[20 + i] != left * 1_000_000L + 10 + i) {
                throw new AssertionError("long " + i + " is " + lin[20 + i]);
            }
        }
        assertEquals(0, lin[19]);

        // a large array as an object
        byte[] big = world.sendrecv(Tck.bytes(world.rank(), n), Tck.right(world), 3, left, 3);
        assertEquals(n, big.length);
        assertPattern(big, n, left, "byte[] as an object");

        // booleans
        boolean[] bools = new boolean[n];
        for (int i = 0; i < n; i++) {
            bools[i] = (i + world.rank()) % 3 == 0;
        }
        boolean[] bin = new boolean[n];
        world.sendrecv(Buf.of(bools), Tck.right(world), 4, Buf.of(bin), left, 4);
        boolean[] expected = new boolean[n];
        for (int i = 0; i < n; i++) {
            expected[i] = (i + left) % 3 == 0;
        }
        assertArrayEquals(expected, bin);
    }

    @MpiTest(ranks = {1, 2, 3})
    void largeMessagesIntoLargerBuffers(Comm world) {
        int n = 300_000;
        byte[] in = new byte[n + 12345];
        Status st = world.sendrecv(Buf.of(Tck.bytes(world.rank(), n)), Tck.right(world), 0, Buf.of(in), Tck.left(world), 0);
        assertEquals(n, st.bytes());
        assertPattern(in, n, Tck.left(world), "prefix");
        assertEquals(0, in[n]);
    }
}
