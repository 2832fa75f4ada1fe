package org.mpi4j.tck;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.function.Executable;
import org.mpi4j.Buf;
import org.mpi4j.Comm;
import org.mpi4j.Datatype;
import org.mpi4j.ErrorClass;
import org.mpi4j.Mpi;
import org.mpi4j.MpiException;
import org.mpi4j.Request;
import org.mpi4j.Status;
import org.mpi4j.TruncationException;
import org.mpi4j.junit.MpiTest;

/** Misuse gets a precise exception of the right {@link ErrorClass}; the job goes on. */
class P2pErrorsTest {

    private static MpiException assertMpi(ErrorClass expected, Executable call, String... mentions) {
        MpiException e = assertThrows(MpiException.class, call);
        assertEquals(expected, e.errorClass(), "class of: " + e.getMessage());
        for (String m : mentions) {
            assertTrue(e.getMessage().toLowerCase(Locale.ROOT).contains(m.toLowerCase(Locale.ROOT)),
                    "'" + e.getMessage() + "' mentions " + m);
        }
        return e;
    }

    @MpiTest
    void aMessageLargerThanTheBufferIsTruncated(Comm world) {
        Request<Status> s = world.isend(Buf.of(new int[10]), Tck.right(world), 0);
        TruncationException e = assertThrows(TruncationException.class,
                () -> world.recv(Buf.of(new int[5]), Tck.left(world), 0));
        assertEquals(ErrorClass.TRUNCATE, e.errorClass());
        assertEquals(40, e.messageBytes());
        assertEquals(20, e.bufferBytes());
        assertTrue(e.getMessage().contains("40") && e.getMessage().contains("20"), e.getMessage());

        s.waitFor(); // the send completes normally: its message was received, if truncated

        // The truncated message was consumed; the next one is received normally.
        s = world.isend(Buf.of(new int[] {world.rank(), 1}), Tck.right(world), 0);
        int[] in = new int[2];
        world.recv(Buf.of(in), Tck.left(world), 0);
        assertArrayEquals(new int[] {Tck.left(world), 1}, in);
        s.waitFor();
    }

    @MpiTest
    void aTruncatedIrecvFailsItsWaitsAndItsFuture(Comm world) {
        Request<Status> r = world.irecv(Buf.of(new byte[3]), Tck.left(world), 1);
        Request<Status> r2 = world.irecv(Buf.of(new byte[3]), Tck.left(world), 2);
        CompletableFuture<Status> f = r.toFuture();
        world.send(Buf.of(new byte[4]), Tck.right(world), 1);
        world.send(Buf.of(new byte[3]), Tck.right(world), 2);
        TruncationException e = assertThrows(TruncationException.class, r::waitFor);
        assertEquals(4, e.messageBytes());
        assertEquals(3, e.bufferBytes());
        assertThrows(TruncationException.class, () -> Request.waitAll(r, r2), "waitAll throws the failure");
        assertTrue(r2.test(), "after waiting for all of them");
        ExecutionException fe = assertThrows(ExecutionException.class, () -> f.get(30, TimeUnit.SECONDS));
        assertInstanceOf(TruncationException.class, fe.getCause());
    }

    @MpiTest(ranks = {1, 2, 3})
    void aLargeMessageIsTruncatedToo(Comm world) {
        Request<Status> s = world.isend(Buf.of(new byte[1 << 20]), Tck.right(world), 3);
        TruncationException e = assertThrows(TruncationException.class,
                () -> world.recv(Buf.of(new byte[1024]), Tck.left(world), 3));
        assertEquals(1 << 20, e.messageBytes());
        assertEquals(1024, e.bufferBytes());
        assertTrue(e.getMessage().contains("1048576") && e.getMessage().contains("1024"), e.getMessage());
        s.waitFor();
    }

    @MpiTest
    void aMatchedProbeTellsTheSizeToAvoidTruncation(Comm world) {
        Request<Status> s = world.isend(Buf.of(new double[6]), Tck.right(world), 4);
        TruncationException e = assertThrows(TruncationException.class,
                () -> world.mprobe(Tck.left(world), 4).recv(Buf.of(new double[5])));
        assertEquals(48, e.messageBytes());
        assertEquals(40, e.bufferBytes());
        s.waitFor();
    }

    @MpiTest
    void theElementTypeMustMatch(Comm world) {
        // A mismatched message is consumed like a truncated one, and its send completes.
        Request<Status> s1 = world.isend(Buf.of(new double[2]), Tck.right(world), 5);
        assertMpi(ErrorClass.TYPE, () -> world.recv(Buf.of(new int[4]), Tck.left(world), 5), "DOUBLE", "INT");

        Request<Status> s2 = world.isend("an object", Tck.right(world), 6);
        assertMpi(ErrorClass.TYPE, () -> world.recv(Buf.of(new byte[100]), Tck.left(world), 6), "OBJECT");

        Request<Status> s3 = world.isend(Buf.of(new long[1]), Tck.right(world), 7);
        assertMpi(ErrorClass.TYPE, () -> world.recv(Buf.of(ByteBuffer.allocate(8)), Tck.left(world), 7), "LONG", "BYTE");
        Request.waitAll(s1, s2, s3);
        assertTrue(world.iprobe(Tck.left(world), Mpi.ANY_TAG).isEmpty(), "the mismatched messages were consumed");
    }

    @MpiTest
    void theTypeMismatchIsReportedByANonBlockingReceiveToo(Comm world) {
        Request<Status> r = world.irecv(Buf.of(new float[2]), Tck.left(world), 8);
        world.send(Buf.of(new int[2]), Tck.right(world), 8);
        assertMpi(ErrorClass.TYPE, r::waitFor, "INT", "FLOAT");
    }

    @MpiTest
    void ranksOutOfRange(Comm world) {
        int size = world.size();
        Buf b = Buf.of(new int[1]);
        assertMpi(ErrorClass.RANK, () -> world.send(b, size, 0), "dest " + size, "out of range");
        assertMpi(ErrorClass.RANK, () -> world.send(b, -3, 0), "dest -3");
        assertMpi(ErrorClass.RANK, () -> world.send(b, Mpi.ANY_SOURCE, 0), "dest -1");
        assertMpi(ErrorClass.RANK, () -> world.send("o", size + 5, 0), "dest " + (size + 5));
        assertMpi(ErrorClass.RANK, () -> world.ssend(b, size, 0), "dest " + size);
        assertMpi(ErrorClass.RANK, () -> world.isend(b, size, 0), "dest " + size);
        assertMpi(ErrorClass.RANK, () -> world.issend("o", size, 0), "dest " + size);
        assertMpi(ErrorClass.RANK, () -> world.recv(b, size, 0), "source " + size, "out of range");
        assertMpi(ErrorClass.RANK, () -> world.recv(-4, 0), "source -4");
        assertMpi(ErrorClass.RANK, () -> world.irecv(b, size, 0), "source " + size);
        assertMpi(ErrorClass.RANK, () -> world.probe(size, 0), "source " + size);
        assertMpi(ErrorClass.RANK, () -> world.iprobe(size, 0), "source " + size);
        assertMpi(ErrorClass.RANK, () -> world.mprobe(size, 0), "source " + size);
        assertMpi(ErrorClass.RANK, () -> world.improbe(-9, 0), "source -9");
        assertMpi(ErrorClass.RANK, () -> world.sendInit(b, size, 0), "dest " + size);
        assertMpi(ErrorClass.RANK, () -> world.recvInit(b, size, 0), "source " + size);
        assertMpi(ErrorClass.RANK, () -> world.sendrecv(b, size, 0, Buf.of(new int[1]), 0, 0), "dest " + size);
        assertMpi(ErrorClass.RANK, () -> world.sendrecv("o", 0, 0, size, 0), "source " + size);
    }

    @MpiTest
    void invalidTags(Comm world) {
        Buf b = Buf.of(new int[1]);
        int me = world.rank();
        assertMpi(ErrorClass.TAG, () -> world.send(b, me, -7), "tag -7");
        assertMpi(ErrorClass.TAG, () -> world.send(b, me, Mpi.ANY_TAG), "tag -1");
        assertMpi(ErrorClass.TAG, () -> world.send("o", me, -2), "tag -2");
        assertMpi(ErrorClass.TAG, () -> world.isend(b, me, -7), "tag -7");
        assertMpi(ErrorClass.TAG, () -> world.ssend(b, me, -7), "tag -7");
        assertMpi(ErrorClass.TAG, () -> world.sendInit(b, me, -7), "tag -7");
        assertMpi(ErrorClass.TAG, () -> world.recv(b, me, -7), "tag -7");
        assertMpi(ErrorClass.TAG, () -> world.irecv(me, -7), "tag -7");
        assertMpi(ErrorClass.TAG, () -> world.probe(me, -7), "tag -7");
        assertMpi(ErrorClass.TAG, () -> world.recvInit(b, me, -7), "tag -7");
        // The largest tag is valid.
        Request<Status> s = world.isend(b, me, Mpi.TAG_UB);
        assertEquals(Mpi.TAG_UB, world.recv(Buf.of(new int[1]), me, Mpi.TAG_UB).tag());
        s.waitFor();
    }

    @MpiTest(ranks = 1)
    void invalidCountsOffsetsAndLengths(Comm world) {
        int[] a = new int[5];
        assertMpi(ErrorClass.COUNT, () -> Buf.of(a, 3, 10), "offset 3", "length 10", "5");
        assertMpi(ErrorClass.COUNT, () -> Buf.of(a, -1, 2), "offset < 0");
        assertMpi(ErrorClass.COUNT, () -> Buf.of(new double[2], 0, -1), "length < 0");
        assertMpi(ErrorClass.COUNT, () -> Buf.of(new boolean[2], 2, 1), "exceeds");
        assertMpi(ErrorClass.COUNT, () -> Buf.allocate(Datatype.INT, -1), "count < 0");
    }

    @MpiTest(ranks = 1)
    void unusableBuffers(Comm world) {
        ByteBuffer ro = ByteBuffer.allocate(8).asReadOnlyBuffer();
        assertMpi(ErrorClass.BUFFER, () -> world.recv(Buf.of(ro), 0, 0), "read-only");
        assertMpi(ErrorClass.BUFFER, () -> world.irecv(Buf.of(ro), 0, 0), "read-only");
        assertMpi(ErrorClass.BUFFER, () -> world.recvInit(Buf.of(ro), 0, 0), "read-only");
        assertMpi(ErrorClass.BUFFER, () -> Buf.of(MemorySegment.ofArray(new byte[7]), Datatype.INT), "7", "4");
        assertMpi(ErrorClass.ARG, () -> Buf.of(MemorySegment.ofArray(new byte[8]), Datatype.OBJECT));
        assertMpi(ErrorClass.ARG, () -> Buf.of(MemorySegment.ofArray(new byte[8]), Datatype.BOOLEAN));
        assertThrows(NullPointerException.class, () -> world.recv((Buf) null, 0, 0));
        // send(null, ...) resolves to the Buf overload in Java; it sends the null object, as users mean.
        Request<Status> s = world.isend((Buf) null, 0, 0);
        Object received = world.recv(0, 0);
        assertNull(received);
        s.waitFor();
    }

    @MpiTest
    void anUnencodableObjectFailsAtTheSender(Comm world) {
        Runnable notSerializable = () -> { };
        assertMpi(ErrorClass.CODEC, () -> world.send(notSerializable, Tck.right(world), 9), "serializ");
        assertMpi(ErrorClass.CODEC, () -> world.isend(notSerializable, Tck.right(world), 9), "serializ");
        // Nothing was sent; the next message on the same tag is the one received.
        Request<Status> s = world.isend("fine", Tck.right(world), 9);
        assertEquals("fine", world.recv(Tck.left(world), 9));
        s.waitFor();
    }

    @MpiTest(ranks = 1)
    void localJobArguments(Comm world) {
        assertMpi(ErrorClass.ARG, () -> Mpi.local(0), "ranks < 1");
        assertMpi(ErrorClass.ARG, () -> Mpi.local(1).timeout(java.time.Duration.ZERO), "positive");
    }
}
