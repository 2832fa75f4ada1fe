package org.mpi4j.transport;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import org.mpi4j.Datatype;

/**
 * The header of a {@link Frame} on a wire or in shared memory: {@value #HEADER_BYTES} bytes,
 * little-endian, fixed layout, for transports between processes (a frame's
 * {@link Frame#attachment} never leaves its process). Decoding trusts nothing: every field is
 * checked against the protocol's limits before it is used, so a corrupt or hostile header is
 * rejected with a {@link ProtocolException} and never causes an allocation.
 *
 * <pre>
 *  offset  size  field
 *   0      1     type
 *   1      1     flag (0 or 1)
 *   2      1     datatype code
 *   3      1     reserved (0)
 *   4      4     context
 *   8      4     source
 *  12      4     tag
 *  16      8     bytes     (whole message)
 *  24      8     sendId
 *  32      8     recvId
 *  40      8     offset    (of a DATA fragment)
 *  48      8     length    (payload that follows the header)
 * </pre>
 */
public final class FrameCodec {
    /** The size of an encoded header. */
    public static final int HEADER_BYTES = 56;

    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private FrameCodec() {
    }

    /** Writes {@code f}'s header at {@code at} of {@code seg}. */
    public static void encode(Frame f, MemorySegment seg, long at) {
        seg.set(ValueLayout.JAVA_BYTE, at, f.type);
        seg.set(ValueLayout.JAVA_BYTE, at + 1, (byte) (f.flag ? 1 : 0));
        seg.set(ValueLayout.JAVA_BYTE, at + 2, (byte) f.datatype.ordinal());
        seg.set(ValueLayout.JAVA_BYTE, at + 3, (byte) 0);
        seg.set(INT, at + 4, f.context);
        seg.set(INT, at + 8, f.source);
        seg.set(INT, at + 12, f.tag);
        seg.set(LONG, at + 16, f.bytes);
        seg.set(LONG, at + 24, f.sendId);
        seg.set(LONG, at + 32, f.recvId);
        seg.set(LONG, at + 40, f.offset);
        seg.set(LONG, at + 48, f.length);
    }

    /**
     * Reads the header at {@code at} of {@code seg} into {@code into} and checks it: a known
     * type, a known datatype, a flag of 0 or 1, no negative size, a payload only on frames
     * that carry one and no longer than {@code maxPayload}, a fragment within its message.
     *
     * @return {@code into}
     * @throws ProtocolException naming the first field that is not valid
     */
    public static Frame decode(MemorySegment seg, long at, Frame into, long maxPayload) throws ProtocolException {
        byte type = seg.get(ValueLayout.JAVA_BYTE, at);
        if (type < Frame.EAGER || type > Frame.CLOSE) {
            throw new ProtocolException("unknown frame type " + type);
        }
        byte flag = seg.get(ValueLayout.JAVA_BYTE, at + 1);
        if (flag != 0 && flag != 1) {
            throw new ProtocolException("flag byte " + flag + " is neither 0 nor 1");
        }
        int code = seg.get(ValueLayout.JAVA_BYTE, at + 2);
        if (code < 0 || code >= Datatype.values().length) {
            throw new ProtocolException("unknown datatype code " + code);
        }
        if (seg.get(ValueLayout.JAVA_BYTE, at + 3) != 0) {
            throw new ProtocolException("reserved header byte is not 0");
        }
        long bytes = seg.get(LONG, at + 16);
        long offset = seg.get(LONG, at + 40);
        long length = seg.get(LONG, at + 48);
        if (bytes < 0 || offset < 0 || length < 0) {
            throw new ProtocolException("negative size in " + Frame.typeName(type) + ": bytes=" + bytes + ", offset="
                    + offset + ", length=" + length);
        }
        boolean carries = type == Frame.EAGER || type == Frame.DATA;
        if (!carries && length != 0) {
            throw new ProtocolException(Frame.typeName(type) + " frame claims a payload of " + length + " bytes");
        }
        if (length > maxPayload) {
            throw new ProtocolException(Frame.typeName(type) + " payload of " + length + " bytes exceeds the limit of "
                    + maxPayload);
        }
        if (type == Frame.EAGER && length != bytes) {
            throw new ProtocolException("EAGER frame of a " + bytes + "-byte message carries " + length + " bytes");
        }
        if (type == Frame.DATA && length > Long.MAX_VALUE - offset) {
            throw new ProtocolException("DATA fragment at " + offset + " of " + length + " bytes overflows");
        }
        into.type = type;
        into.flag = flag == 1;
        into.datatype = Datatype.ofCode(code);
        into.context = seg.get(INT, at + 4);
        into.source = seg.get(INT, at + 8);
        into.tag = seg.get(INT, at + 12);
        into.bytes = bytes;
        into.sendId = seg.get(LONG, at + 24);
        into.recvId = seg.get(LONG, at + 32);
        into.offset = offset;
        into.length = length;
        into.attachment = null;
        return into;
    }

    /** A header or byte stream that breaks the wire protocol. */
    public static final class ProtocolException extends Exception {
        private static final long serialVersionUID = 1L;

        /** Creates the exception with a message naming what is wrong. */
        public ProtocolException(String message) {
            super(message);
        }
    }
}
