package org.mpi4j.transport;

import org.mpi4j.Datatype;

/**
 * One unit of the wire protocol: a fixed header, and for {@link #EAGER} and {@link #DATA}
 * frames a payload passed beside it. Which fields mean something depends on the type:
 *
 * <pre>
 *  type        context source tag datatype bytes sendId recvId offset length flag
 *  EAGER       x       x      x   x        x                           x (payload)
 *  RTS         x       x      x   x        x     x                           x = sync
 *  CTS                                           x      x
 *  DATA                                                 x      x      x (payload)
 *  FIN                                           x
 *  CANCEL      x                                 x
 *  CANCEL_ACK                                    x                           x = cancelled
 *  CLOSE
 * </pre>
 *
 * Frames are mutable so a transport can decode into a reused instance; a transport that
 * keeps a frame beyond a call keeps a {@link #copy()}.
 */
public final class Frame {
    /** A whole small message, payload included. */
    public static final byte EAGER = 1;
    /** Request to send: the envelope of a large or synchronous message, without its data. */
    public static final byte RTS = 2;
    /** Clear to send: the receiver matched an RTS and waits for the data. */
    public static final byte CTS = 3;
    /** A fragment of a rendezvous message's data, at {@link #offset}. */
    public static final byte DATA = 4;
    /** The receiver has taken the data of a rendezvous message: the send is complete. */
    public static final byte FIN = 5;
    /** The sender asks to cancel an unmatched rendezvous send. */
    public static final byte CANCEL = 6;
    /** The answer to {@link #CANCEL}: whether the send was cancelled. */
    public static final byte CANCEL_ACK = 7;
    /** The sender has finalized: it will send nothing more. */
    public static final byte CLOSE = 8;

    /** The frame type: one of the constants above. */
    public byte type;
    /** The communication context (one per communicator and purpose). */
    public int context;
    /** The sender's rank in the communicator. */
    public int source;
    /** The message tag. */
    public int tag;
    /** The message's element type. */
    public Datatype datatype = Datatype.BYTE;
    /** The whole message's size in bytes. */
    public long bytes;
    /** The sender's id for a rendezvous send. */
    public long sendId;
    /** The receiver's id for a rendezvous receive. */
    public long recvId;
    /** The offset of a {@link #DATA} fragment in its message. */
    public long offset;
    /** The payload's length in bytes. */
    public long length;
    /** A type-specific flag (see the table above). */
    public boolean flag;
    /**
     * For {@link #RTS} over a transport that {@linkplain Transport#supportsGet supports get}:
     * the sender's buffer, for the receiver to copy from directly. Never crosses a process.
     */
    public Object attachment;

    // In-JVM queueing (LocalFabric): the frame is its own queue node.
    volatile Frame next;
    int from;
    byte[] carried;

    /** Returns an independent copy of this frame. */
    public Frame copy() {
        Frame f = new Frame();
        f.type = type;
        f.context = context;
        f.source = source;
        f.tag = tag;
        f.datatype = datatype;
        f.bytes = bytes;
        f.sendId = sendId;
        f.recvId = recvId;
        f.offset = offset;
        f.length = length;
        f.flag = flag;
        f.attachment = attachment;
        return f;
    }

    /** Returns the name of a frame type. */
    public static String typeName(byte type) {
        return switch (type) {
            case EAGER -> "EAGER";
            case RTS -> "RTS";
            case CTS -> "CTS";
            case DATA -> "DATA";
            case FIN -> "FIN";
            case CANCEL -> "CANCEL";
            case CANCEL_ACK -> "CANCEL_ACK";
            case CLOSE -> "CLOSE";
            default -> "type " + type;
        };
    }

    @Override
    public String toString() {
        return typeName(type) + "[ctx=" + context + ", src=" + source + ", tag=" + tag + ", " + datatype
                + ", bytes=" + bytes + ", sendId=" + sendId + ", recvId=" + recvId + ", offset=" + offset
                + ", length=" + length + ", flag=" + flag + "]";
    }
}
