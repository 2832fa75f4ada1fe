package org.mpi4j.engine.process;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.ProtocolException;
import java.nio.charset.StandardCharsets;

/**
 * The control protocol between the launcher and its ranks: one TCP connection per rank,
 * kept open for the job's life. After a mutual challenge–response on the job secret, the rank
 * sends its {@link RankCard}; when every rank has, the launcher sends each the table of all.
 * Then either side may send:
 * <ul>
 *   <li>{@link #ABORT} — rank to launcher: this rank aborts (or failed) with a code and a
 *       reason; launcher to rank: the job is aborted because of rank r;</li>
 *   <li>{@link #DUMP} / {@link #DUMP_REPLY} — the launcher asks what a rank is blocked in
 *       (on {@code --timeout}), and the rank answers;</li>
 *   <li>{@link #FINALIZED} — the rank has finalized, and exits normally soon.</li>
 * </ul>
 * A rank that loses its control connection has lost its launcher, and ends itself: no orphans.
 *
 * <p>Messages are an int length, a type byte and a body; the length is checked against
 * {@link #MAX_MESSAGE} before anything is allocated.
 */
final class Control {
    static final int MAGIC = 0x4D50494A; // "MPIJ"
    static final int VERSION = 1;
    static final int MAX_MESSAGE = 1 << 20;
    static final int MAX_STRING = 256 * 1024;

    static final byte CARD = 1;
    static final byte TABLE = 2;
    static final byte ABORT = 3;
    static final byte DUMP = 4;
    static final byte DUMP_REPLY = 5;
    static final byte FINALIZED = 6;

    static final String RANK_PROVES = "mpi4j control: rank to launcher";
    static final String LAUNCHER_PROVES = "mpi4j control: launcher to rank";

    private Control() {
    }

    /** A message: its type and its body, ready to read. */
    record Message(byte type, DataInputStream body) {
    }

    static void send(DataOutputStream out, byte type, Body body) throws IOException {
        ByteArrayOutputStream buf = new ByteArrayOutputStream(64);
        DataOutputStream b = new DataOutputStream(buf);
        body.write(b);
        b.flush();
        synchronized (out) {
            out.writeInt(buf.size() + 1);
            out.writeByte(type);
            buf.writeTo(out);
            out.flush();
        }
    }

    static Message receive(DataInputStream in) throws IOException {
        int length = in.readInt();
        if (length < 1 || length > MAX_MESSAGE) {
            throw new ProtocolException("control message of " + length + " bytes (limit " + MAX_MESSAGE + ")");
        }
        byte type = in.readByte();
        byte[] body = in.readNBytes(length - 1);
        if (body.length != length - 1) {
            throw new java.io.EOFException("control connection closed inside a message");
        }
        return new Message(type, new DataInputStream(new ByteArrayInputStream(body)));
    }

    static void writeString(DataOutputStream out, String s) throws IOException {
        byte[] b = (s == null ? "" : s).getBytes(StandardCharsets.UTF_8);
        if (b.length > MAX_STRING) {
            b = java.util.Arrays.copyOf(b, MAX_STRING);
        }
        out.writeInt(b.length);
        out.write(b);
    }

    static String readString(DataInputStream in) throws IOException {
        int n = in.readInt();
        if (n < 0 || n > MAX_STRING) {
            throw new ProtocolException("string of " + n + " bytes in a control message (limit " + MAX_STRING + ")");
        }
        return new String(in.readNBytes(n), StandardCharsets.UTF_8);
    }

    static byte[] readExactly(DataInputStream in, int n) throws IOException {
        byte[] b = in.readNBytes(n);
        if (b.length != n) {
            throw new java.io.EOFException("connection closed during the handshake");
        }
        return b;
    }

    /** Writes a message body. */
    @FunctionalInterface
    interface Body {
        void write(DataOutputStream out) throws IOException;
    }
}
