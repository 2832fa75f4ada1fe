package org.mpi4j.transport.shm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.mpi4j.Buf;
import org.mpi4j.Datatype;
import org.mpi4j.ErrorClass;
import org.mpi4j.MpiException;
import org.mpi4j.transport.Frame;
import org.mpi4j.transport.FrameHandler;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ShmRingTest {
    private static final long TOKEN = 0x1234_5678_9ABC_DEF0L;

    private Path dir;
    private final List<ShmRing> rings = new ArrayList<>();

    @BeforeEach
    void makeDirectory() throws IOException {
        dir = ShmTransport.jobDirectory("test-ring-" + ProcessHandle.current().pid() + "-" + System.nanoTime());
        Files.createDirectories(dir);
    }

    @AfterEach
    void cleanUp() throws IOException {
        for (ShmRing r : rings) {
            r.close();
        }
        ShmTransport.deleteJobDirectory(dir);
        assertFalse(Files.exists(dir));
    }

    private ShmRing[] pair(long capacity) throws IOException {
        Path file = ShmTransport.ringFile(dir, 1, 0);
        ShmRing consumer = ShmRing.create(file, capacity, 1, 0, TOKEN);
        rings.add(consumer);
        ShmRing producer = ShmRing.attach(file, capacity, 1, 0, TOKEN);
        rings.add(producer);
        return new ShmRing[] {producer, consumer};
    }

    static byte[] pattern(long seq, int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (seq * 31 + i * 7 + (i >>> 8));
        }
        return b;
    }

    static Frame data(long seq, int length) {
        Frame f = new Frame();
        f.type = Frame.DATA;
        f.recvId = seq;
        f.offset = seq * 3;
        f.length = length;
        return f;
    }

    /** Records what it gets: the frame's fields and a copy of its payload. */
    static final class Recorder implements FrameHandler {
        final List<String> frames = new ArrayList<>();
        final List<byte[]> payloads = new ArrayList<>();

        @Override
        public void onFrame(int peer, Frame frame, Buf payload, long payloadOffset) {
            frames.add(peer + ":" + frame);
            byte[] copy = new byte[Math.toIntExact(frame.length)];
            if (frame.length > 0) {
                payload.copyTo(payloadOffset, MemorySegment.ofArray(copy), 0, frame.length);
            }
            payloads.add(copy);
        }
    }

    @Test
    void recordsOfEverySizeWrapAround() throws IOException {
        long capacity = 4096;
        ShmRing[] p = pair(capacity);
        ShmRing producer = p[0];
        ShmRing consumer = p[1];
        int max = Math.toIntExact(producer.maxPayload());
        assertEquals(capacity / 2 - 64, max);
        Recorder rec = new Recorder();
        long seq = 0;
        // One record at a time, then two at a time (so padding happens behind a pending record).
        for (int inFlight = 1; inFlight <= 2; inFlight++) {
            for (int size = 0; size <= max; size++) {
                List<byte[]> sent = new ArrayList<>();
                for (int k = 0; k < inFlight; k++) {
                    int n = k == 0 ? size : max - size;
                    byte[] b = pattern(seq, n);
                    if (!producer.tryWrite(data(seq, n), Buf.of(b), 0)) {
                        break; // two large records may not fit together
                    }
                    sent.add(b);
                    seq++;
                }
                rec.payloads.clear();
                rec.frames.clear();
                assertEquals(sent.size(), consumer.read(rec, 1, 10));
                for (int k = 0; k < sent.size(); k++) {
                    assertArrayEquals(sent.get(k), rec.payloads.get(k), "size " + size + ", record " + k);
                }
                assertEquals(0, consumer.read(rec, 1, 10));
            }
        }
        assertTrue(seq > 2 * (max + 1L), "wrapped many times");
    }

    @Test
    void payloadIsReadFromAnOffsetIntoTheSendersBuffer() throws IOException {
        ShmRing[] p = pair(4096);
        byte[] big = pattern(5, 300);
        Frame f = data(9, 100);
        assertTrue(p[0].tryWrite(f, Buf.of(big), 150));
        Recorder rec = new Recorder();
        assertEquals(1, p[1].read(rec, 1, 1));
        byte[] expected = new byte[100];
        System.arraycopy(big, 150, expected, 0, 100);
        assertArrayEquals(expected, rec.payloads.get(0));
        assertEquals("1:" + f, rec.frames.get(0));
    }

    @Test
    void everyFrameFieldSurvives() throws IOException {
        ShmRing[] p = pair(4096);
        Frame f = new Frame();
        f.type = Frame.EAGER;
        f.context = 6;
        f.source = 3;
        f.tag = 77;
        f.datatype = Datatype.DOUBLE;
        f.bytes = 16;
        f.length = 16;
        double[] d = {1.5, -2.25};
        assertTrue(p[0].tryWrite(f, Buf.of(d), 0));
        Frame g = new Frame();
        g.type = Frame.RTS;
        g.context = 8;
        g.source = 1;
        g.tag = Integer.MAX_VALUE;
        g.datatype = Datatype.LONG;
        g.bytes = 1L << 40;
        g.sendId = -5;
        g.flag = true;
        assertTrue(p[0].tryWrite(g, null, 0));
        Recorder rec = new Recorder();
        assertEquals(2, p[1].read(rec, 1, 5));
        assertEquals(List.of("1:" + f, "1:" + g), rec.frames);
        ByteBuffer bb = ByteBuffer.wrap(rec.payloads.get(0)).order(java.nio.ByteOrder.nativeOrder());
        assertEquals(1.5, bb.getDouble(0));
        assertEquals(-2.25, bb.getDouble(8));
    }

    @Test
    void aFullRingRefusesUntilTheConsumerReleases() throws IOException {
        long capacity = 4096;
        ShmRing[] p = pair(capacity);
        int written = 0;
        while (p[0].tryWrite(data(written, 0), null, 0)) { // 64-byte records
            written++;
        }
        // Every byte but the 8 of the terminator word can hold records.
        assertEquals((capacity - 8) / 64, written);
        assertFalse(p[0].tryWrite(data(99, 0), null, 0));
        Recorder rec = new Recorder();
        assertEquals(1, p[1].read(rec, 1, 1));
        assertTrue(p[0].tryWrite(data(written, 0), null, 0), "room after one record was read");
        assertFalse(p[0].tryWrite(data(99, 0), null, 0));
        assertEquals(written, p[1].read(rec, 1, 1000));
        for (int i = 0; i <= written; i++) {
            assertTrue(rec.frames.get(i).contains("recvId=" + i + ","), rec.frames.get(i));
        }
        // A record of the largest size always fits into an empty ring, wherever the ring's position.
        int max = Math.toIntExact(p[0].maxPayload());
        for (int i = 0; i < 20; i++) {
            assertTrue(p[0].tryWrite(data(i, max), Buf.of(new byte[max]), 0));
            assertEquals(1, p[1].read(rec, 1, 1));
            assertTrue(p[0].tryWrite(data(i, 8 * i), Buf.of(new byte[8 * i]), 0));
            assertEquals(1, p[1].read(rec, 1, 1));
        }
    }

    @Test
    void oversizedPayloadsAndPayloadsOnControlFramesAreRefused() throws IOException {
        ShmRing[] p = pair(4096);
        int tooBig = Math.toIntExact(p[0].maxPayload()) + 1;
        assertThrows(IllegalArgumentException.class, () -> p[0].tryWrite(data(0, tooBig), Buf.of(new byte[tooBig]), 0));
        Frame cts = new Frame();
        cts.type = Frame.CTS;
        cts.length = 4;
        assertThrows(IllegalArgumentException.class, () -> p[0].tryWrite(cts, Buf.of(new byte[4]), 0));
    }

    @Test
    void randomSizesBetweenTwoThreads() throws Exception {
        long seed = Long.getLong("shm.seed", System.nanoTime());
        System.out.println("ShmRingTest.randomSizesBetweenTwoThreads seed = " + seed + " (rerun with -Dshm.seed=" + seed + ")");
        ShmRing[] p = pair(1 << 16);
        int count = 200_000;
        int max = Math.toIntExact(p[0].maxPayload());
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread producer = Thread.ofPlatform().start(() -> {
            try {
                Random rnd = new Random(seed);
                byte[] buf = new byte[max];
                for (int i = 0; i < count; i++) {
                    int n = sizeFor(rnd, max);
                    for (int j = 0; j < n; j++) {
                        buf[j] = (byte) (i + j);
                    }
                    Frame f = data(i, n);
                    while (!p[0].tryWrite(f, Buf.of(buf), 0)) {
                        Thread.onSpinWait();
                    }
                }
            } catch (Throwable t) {
                failure.set(t);
            }
        });
        Random rnd = new Random(seed);
        long[] next = {0};
        FrameHandler check = (peer, f, payload, off) -> {
            long i = next[0]++;
            int n = sizeFor(rnd, max);
            assertEquals(i, f.recvId, "order");
            assertEquals(n, f.length, "length of record " + i);
            MemorySegment s = payload.segment();
            for (int j = 0; j < n; j++) {
                if (s.get(ValueLayout.JAVA_BYTE, off + j) != (byte) (i + j)) {
                    throw new AssertionError("record " + i + " byte " + j + " (seed " + seed + ")");
                }
            }
        };
        while (next[0] < count && failure.get() == null) {
            if (p[1].read(check, 1, 64) == 0) {
                Thread.onSpinWait();
            }
        }
        producer.join();
        assertNull(failure.get());
        assertEquals(count, next[0]);
    }

    private static int sizeFor(Random rnd, int max) {
        return switch (rnd.nextInt(4)) {
            case 0 -> rnd.nextInt(16);
            case 1 -> rnd.nextInt(256);
            case 2 -> rnd.nextInt(4096);
            default -> rnd.nextInt(max + 1);
        };
    }

    private static Frame cts(long id) {
        Frame f = new Frame();
        f.type = Frame.CTS;
        f.sendId = id;
        return f;
    }

    @Test
    void framesWithoutPayloadAreReleasedBeforeTheirHandlerRuns() throws IOException {
        ShmRing[] p = pair(4096);
        int written = 0;
        while (p[0].tryWrite(cts(written), null, 0)) {
            written++;
        }
        boolean[] roomInHandler = new boolean[1];
        int[] calls = {0};
        FrameHandler h = (peer, f, payload, off) -> {
            if (calls[0]++ == 0) {
                // The ring was full; this CTS's space is already free, so a sender can go on
                // (as the matching layer's CTS handler does: it streams DATA from inside it).
                roomInHandler[0] = p[0].tryWrite(cts(1000), null, 0);
            }
        };
        assertEquals(written + 1, p[1].read(h, 1, 1000));
        assertTrue(roomInHandler[0]);
    }

    @Test
    void aPayloadStaysValidAndPinnedDuringItsHandler() throws IOException {
        ShmRing[] p = pair(4096);
        assertTrue(p[0].tryWrite(data(1, 100), Buf.of(pattern(1, 100)), 0));
        int written = 1;
        while (p[0].tryWrite(cts(written), null, 0)) {
            written++;
        }
        boolean[] roomInHandler = {true};
        FrameHandler h = (peer, f, payload, off) -> {
            if (f.type == Frame.DATA) {
                roomInHandler[0] = p[0].tryWrite(cts(1000), null, 0);
                byte[] got = new byte[100];
                payload.copyTo(off, MemorySegment.ofArray(got), 0, 100);
                assertArrayEquals(pattern(1, 100), got);
            }
        };
        assertEquals(written, p[1].read(h, 1, 1000));
        assertFalse(roomInHandler[0], "the payload's space is not released while its handler runs");
        assertTrue(p[0].tryWrite(cts(1001), null, 0), "released afterwards");
    }

    @Test
    void aHandlerMayReadAgainOnItsThread() throws IOException {
        ShmRing[] p = pair(4096);
        assertTrue(p[0].tryWrite(cts(0), null, 0));
        assertTrue(p[0].tryWrite(cts(1), null, 0));
        assertTrue(p[0].tryWrite(data(2, 100), Buf.of(pattern(2, 100)), 0));
        assertTrue(p[0].tryWrite(data(3, 1900), Buf.of(pattern(3, 1900)), 0));
        assertTrue(p[0].tryWrite(cts(4), null, 0));
        List<String> seen = new ArrayList<>();
        FrameHandler[] h = new FrameHandler[1];
        h[0] = (peer, f, payload, off) -> {
            seen.add(Frame.typeName(f.type) + (f.type == Frame.CTS ? f.sendId : f.recvId));
            if (f.type == Frame.CTS && f.sendId == 0) {
                assertEquals(1, p[1].read(h[0], 1, 1)); // nested: the next record
                assertEquals("CTS1", seen.get(seen.size() - 1));
                assertEquals(0, f.sendId, "the outer frame is not overwritten by the nested one");
            }
            if (f.type == Frame.DATA && f.recvId == 2) {
                assertEquals(2, p[1].read(h[0], 1, 10)); // DATA3 and CTS4, while DATA2 is pinned
                // DATA2's space is still held: a record needing it cannot be written.
                assertFalse(p[0].tryWrite(data(9, 1900), Buf.of(new byte[1900]), 0));
                byte[] got = new byte[100];
                payload.copyTo(off, MemorySegment.ofArray(got), 0, 100);
                assertArrayEquals(pattern(2, 100), got, "a pinned payload stays valid during its handler");
                assertEquals(2, f.recvId);
            }
        };
        assertEquals(2, p[1].read(h[0], 1, 10), "CTS0 and DATA2 at the outer level");
        assertEquals(List.of("CTS0", "CTS1", "DATA2", "DATA3", "CTS4"), seen);
        assertTrue(p[0].tryWrite(data(9, 1900), Buf.of(new byte[1900]), 0), "all released afterwards");
    }

    @Test
    void closingIsSeenByTheOtherEnd() throws IOException {
        ShmRing[] p = pair(4096);
        assertTrue(p[1].producerAttached());
        assertFalse(p[1].producerClosed());
        assertTrue(p[0].tryWrite(data(1, 8), Buf.of(new byte[8]), 0));
        assertFalse(p[0].markProducerClosed(), "the consumer is still open");
        assertTrue(p[1].producerClosed());
        assertFalse(p[1].drainedAndClosed(), "a record is still to be read");
        assertEquals(1, p[1].read(new Recorder(), 1, 10));
        assertTrue(p[1].drainedAndClosed());
        assertTrue(p[1].markConsumerClosed(), "the producer had attached");
        assertTrue(p[0].consumerClosed());
    }

    @Test
    void corruptOrForeignHeadersAreRejectedOnAttach() throws IOException {
        Path file = ShmTransport.ringFile(dir, 1, 0);
        rings.add(ShmRing.create(file, 4096, 1, 0, TOKEN));
        assertRejected(file, 4096, 1, 0, TOKEN + 1, "not of this job");
        assertRejected(file, 4096, 2, 0, TOKEN, "expected 2 to 0");
        assertRejected(file, 8192, 1, 0, TOKEN, "capacity 4096, expected 8192");
        byte[] original = Files.readAllBytes(file);

        poke(file, ShmRing.OFF_CAPACITY + 1, (byte) 0x55);
        assertRejected(file, 4096, 1, 0, TOKEN, "checksum");
        poke(file, ShmRing.OFF_CAPACITY + 1, original[(int) ShmRing.OFF_CAPACITY + 1]);

        poke(file, ShmRing.OFF_MAGIC, (byte) 'x');
        assertRejected(file, 4096, 1, 0, TOKEN, "not an mpi4j ring");
        poke(file, ShmRing.OFF_MAGIC, original[0]);

        poke(file, ShmRing.OFF_VERSION, (byte) 9);
        assertRejected(file, 4096, 1, 0, TOKEN, "version 9");
        poke(file, ShmRing.OFF_VERSION, original[(int) ShmRing.OFF_VERSION]);

        rings.add(ShmRing.attach(file, 4096, 1, 0, TOKEN)); // intact again
        assertRejected(file, 4096, 1, 0, TOKEN, "already has a producer");

        Path foreign = dir.resolve("2-0.ring");
        byte[] junk = new byte[8192];
        new Random(1).nextBytes(junk);
        Files.write(foreign, junk);
        assertRejected(foreign, 4096, 2, 0, TOKEN, "not an mpi4j ring");
        Files.write(foreign, new byte[100]);
        assertRejected(foreign, 4096, 2, 0, TOKEN, "too small");
        assertThrows(java.nio.file.NoSuchFileException.class,
                () -> ShmRing.attach(dir.resolve("3-0.ring"), 4096, 3, 0, TOKEN));
    }

    @Test
    void aCorruptRecordFailsTheReaderNamingTheRing() throws IOException {
        ShmRing[] p = pair(4096);
        assertTrue(p[0].tryWrite(data(1, 8), Buf.of(new byte[8]), 0));
        Recorder rec = new Recorder();
        assertEquals(1, p[1].read(rec, 1, 1));
        assertTrue(p[0].tryWrite(data(2, 8), Buf.of(new byte[8]), 0));
        // Scribble over the committed record's word (at 80: after the first, 8 + 56 + 8 bytes)
        try (FileChannel ch = FileChannel.open(p[1].file(), StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(new byte[] {1, 2, 3, 4, 5, 6, 7, 8}), ShmRing.HEADER_BYTES + 72);
        }
        MpiException e = assertThrows(MpiException.class, () -> p[1].read(rec, 1, 1));
        assertEquals(ErrorClass.INTERN, e.errorClass());
        assertTrue(e.getMessage().contains("from rank 1 to rank 0") && e.getMessage().contains("corrupt"),
                e.getMessage());
        assertThrows(MpiException.class, () -> p[1].read(rec, 1, 1), "stays broken");
    }

    @Test
    void largeCopiesGoThroughMemcpyWhereNativeAccessIsEnabled() throws IOException {
        assertEquals(NativeCopy.class.getModule().isNativeAccessEnabled(), NativeCopy.enabled());
        MemorySegment ring = java.lang.foreign.Arena.ofAuto().allocate(1 << 20);
        Random rnd = new Random(7);
        for (int n : new int[] {0, 1, 100, (int) NativeCopy.THRESHOLD - 1, (int) NativeCopy.THRESHOLD, 300_001}) {
            byte[] src = new byte[n + 13];
            rnd.nextBytes(src);
            NativeCopy.copy(MemorySegment.ofArray(src), 13, ring, 8, n);
            byte[] back = new byte[n];
            NativeCopy.copy(ring, 8, MemorySegment.ofArray(back), 0, n);
            assertArrayEquals(java.util.Arrays.copyOfRange(src, 13, n + 13), back, "size " + n);
        }
        // Every payload size through the ring, on both sides of the threshold.
        ShmRing[] p = pair(1 << 17);
        Recorder rec = new Recorder();
        for (int n = (int) NativeCopy.THRESHOLD - 40; n < NativeCopy.THRESHOLD + 40; n++) {
            byte[] b = pattern(n, n + 5);
            assertTrue(p[0].tryWrite(data(n, n), Buf.of(b), 5));
            assertEquals(1, p[1].read(rec, 1, 1));
            assertArrayEquals(java.util.Arrays.copyOfRange(b, 5, n + 5), rec.payloads.get(rec.payloads.size() - 1));
        }
    }

    @Test
    void capacityMustBeAPowerOfTwo() {
        Path file = ShmTransport.ringFile(dir, 1, 0);
        assertThrows(IllegalArgumentException.class, () -> ShmRing.create(file, 5000, 1, 0, TOKEN));
        assertThrows(IllegalArgumentException.class, () -> ShmRing.create(file, 2048, 1, 0, TOKEN));
    }

    private static void poke(Path file, long offset, byte value) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(new byte[] {value}), offset);
        }
    }

    private static void assertRejected(Path file, long capacity, int producer, int consumer, long token, String why) {
        ShmRing.InvalidRingException e = assertThrows(ShmRing.InvalidRingException.class,
                () -> ShmRing.attach(file, capacity, producer, consumer, token));
        assertTrue(e.getMessage().contains(why), e.getMessage() + " should say " + why);
    }
}
