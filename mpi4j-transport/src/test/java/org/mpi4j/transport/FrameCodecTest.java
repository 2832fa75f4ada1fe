package org.mpi4j.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.mpi4j.Datatype;

class FrameCodecTest {

    private static Frame sample() {
        Frame f = new Frame();
        f.type = Frame.DATA;
        f.flag = true;
        f.datatype = Datatype.DOUBLE;
        f.context = 12;
        f.source = -3;
        f.tag = Integer.MAX_VALUE;
        f.bytes = 1L << 40;
        f.sendId = Long.MIN_VALUE;
        f.recvId = 77;
        f.offset = 1L << 39;
        f.length = 4096;
        return f;
    }

    @Test
    void everyFieldRoundTrips() throws Exception {
        MemorySegment seg = MemorySegment.ofArray(new byte[FrameCodec.HEADER_BYTES + 3]);
        Frame f = sample();
        FrameCodec.encode(f, seg, 3);
        Frame g = FrameCodec.decode(seg, 3, new Frame(), 1 << 20);
        assertEquals(f.toString(), g.toString());
    }

    @Test
    void invalidHeadersAreRejectedWithTheFieldNamed() {
        MemorySegment seg = MemorySegment.ofArray(new byte[FrameCodec.HEADER_BYTES]);
        FrameCodec.encode(sample(), seg, 0);
        seg.set(ValueLayout.JAVA_BYTE, 0, (byte) 99);
        assertTrue(assertThrows(FrameCodec.ProtocolException.class, () -> FrameCodec.decode(seg, 0, new Frame(), 1 << 20))
                .getMessage().contains("unknown frame type 99"));
        FrameCodec.encode(sample(), seg, 0);
        assertTrue(assertThrows(FrameCodec.ProtocolException.class, () -> FrameCodec.decode(seg, 0, new Frame(), 100))
                .getMessage().contains("exceeds the limit of 100"));
        Frame cts = sample();
        cts.type = Frame.CTS;
        FrameCodec.encode(cts, seg, 0);
        assertTrue(assertThrows(FrameCodec.ProtocolException.class, () -> FrameCodec.decode(seg, 0, new Frame(), 1 << 20))
                .getMessage().contains("claims a payload"));
        Frame neg = sample();
        neg.length = -1;
        FrameCodec.encode(neg, seg, 0);
        assertThrows(FrameCodec.ProtocolException.class, () -> FrameCodec.decode(seg, 0, new Frame(), 1 << 20));
    }

    /** Random bytes never get past the checks with a payload beyond the limit, and never throw anything else. */
    @Test
    void randomBytesAreRejectedOrDecodedWithinLimits() {
        long seed = new Random().nextLong();
        System.out.println("seed=" + seed);
        Random rnd = new Random(seed);
        byte[] b = new byte[FrameCodec.HEADER_BYTES];
        for (int i = 0; i < 100_000; i++) {
            rnd.nextBytes(b);
            try {
                Frame f = FrameCodec.decode(MemorySegment.ofArray(b), 0, new Frame(), 1 << 16);
                assertTrue(f.length <= 1 << 16 && f.length >= 0, "seed " + seed);
            } catch (FrameCodec.ProtocolException expected) {
                // rejected, as almost all are
            }
        }
    }
}
