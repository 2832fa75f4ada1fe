package org.mpi4j.transport.tcp;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import org.mpi4j.transport.HmacSha256;
import org.mpi4j.transport.RandomBytes;

/**
 * The messages of the TCP transport's handshake and the proofs they carry. Nothing else is
 * read from a connection before the handshake has succeeded.
 *
 * <pre>
 *  client                                   server
 *  HELLO  magic, version, job size, client rank,
 *         server rank, eager limit, max fragment,
 *         client nonce (32)              ──►
 *                                        ◄──  WELCOME  magic, version, server rank, server nonce (32)
 *  PROOF  HMAC(secret, "client" ‖ HELLO ‖ WELCOME)  ──►
 *                                        ◄──  VERDICT  status, HMAC(secret, "server" ‖ status ‖ HELLO ‖ WELCOME)
 * </pre>
 *
 * Every message has a fixed size, so a party reads exactly that many bytes and never more.
 * Each side proves knowledge of the job secret over a transcript that contains a nonce the
 * other side has just drawn, so a recorded handshake cannot be replayed, and over a label
 * that says which side proves, so one side's proof cannot be reflected back as the other's.
 * The transcript also binds both ranks, the job size and the transport's limits, so two
 * ranks that disagree on them never connect. The secret never crosses the wire. The client
 * proves first: a stranger learns nothing from a server but a random nonce.
 *
 * <p>What this does not give: confidentiality or integrity of the frames after the
 * handshake. It keeps strangers (and other jobs) out; it does not stop an attacker who can
 * rewrite packets on the path.
 */
final class Handshake {
    /** "M4JT" (mpi4j transport), the first bytes of HELLO and WELCOME. */
    static final int MAGIC = 0x4D344A54;
    /** The protocol version; both sides must speak the same. */
    static final short VERSION = 1;

    static final int NONCE_BYTES = 32;
    static final int MAC_BYTES = 32;
    static final int HELLO_BYTES = 40 + NONCE_BYTES;
    static final int WELCOME_BYTES = 16 + NONCE_BYTES;
    static final int PROOF_BYTES = MAC_BYTES;
    static final int VERDICT_BYTES = 8 + MAC_BYTES;

    /** Verdict: the connection is accepted; frames follow. */
    static final byte ACCEPT = 1;
    /** Verdict: the ranks are already connected, or the other connection of a simultaneous pair wins. */
    static final byte DUPLICATE = 2;
    /** Verdict: the server no longer talks to the client's rank (it was lost or finished). */
    static final byte GONE = 3;

    private static final byte[] CLIENT_LABEL = "mpi4j-tcp-v1 client proof".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] SERVER_LABEL = "mpi4j-tcp-v1 server proof".getBytes(StandardCharsets.US_ASCII);

    private final HmacSha256 mac;

    /** Creates the prover of a job secret; the caller keeps no other copy it does not need. */
    Handshake(byte[] secret) {
        if (secret == null || secret.length == 0) {
            throw new IllegalArgumentException("unusable job secret: empty");
        }
        mac = new HmacSha256(secret);
    }

    /** Returns a fresh random nonce. */
    byte[] nonce() {
        return RandomBytes.next(NONCE_BYTES);
    }

    // ------------------------------------------------------------------ HELLO

    /** The content of a HELLO. */
    record Hello(int magic, short version, int jobSize, int clientRank, int serverRank, long eagerLimit,
            long maxFragment, byte[] nonce) {
    }

    static ByteBuffer hello(int jobSize, int clientRank, int serverRank, long eagerLimit, long maxFragment,
            byte[] nonce) {
        ByteBuffer b = ByteBuffer.allocate(HELLO_BYTES).order(ByteOrder.BIG_ENDIAN);
        b.putInt(MAGIC).putShort(VERSION).putShort((short) 0);
        b.putInt(jobSize).putInt(clientRank).putInt(serverRank).putInt(0);
        b.putLong(eagerLimit).putLong(maxFragment).put(nonce);
        return b.flip();
    }

    /** Reads a HELLO from its {@value #HELLO_BYTES} bytes (position 0), checking nothing. */
    static Hello readHello(ByteBuffer b) {
        b = b.duplicate().order(ByteOrder.BIG_ENDIAN).position(0);
        int magic = b.getInt();
        short version = b.getShort();
        b.getShort();
        int jobSize = b.getInt();
        int client = b.getInt();
        int server = b.getInt();
        b.getInt();
        long eager = b.getLong();
        long frag = b.getLong();
        byte[] nonce = new byte[NONCE_BYTES];
        b.get(nonce);
        return new Hello(magic, version, jobSize, client, server, eager, frag, nonce);
    }

    // ------------------------------------------------------------------ WELCOME

    /** The content of a WELCOME. */
    record Welcome(int magic, short version, int serverRank, byte[] nonce) {
    }

    static ByteBuffer welcome(int serverRank, byte[] nonce) {
        ByteBuffer b = ByteBuffer.allocate(WELCOME_BYTES).order(ByteOrder.BIG_ENDIAN);
        b.putInt(MAGIC).putShort(VERSION).putShort((short) 0).putInt(serverRank).putInt(0).put(nonce);
        return b.flip();
    }

    static Welcome readWelcome(ByteBuffer b) {
        b = b.duplicate().order(ByteOrder.BIG_ENDIAN).position(0);
        int magic = b.getInt();
        short version = b.getShort();
        b.getShort();
        int server = b.getInt();
        b.getInt();
        byte[] nonce = new byte[NONCE_BYTES];
        b.get(nonce);
        return new Welcome(magic, version, server, nonce);
    }

    // ------------------------------------------------------------------ proofs

    /** The client's proof over the transcript (both messages, each from position 0 to its limit). */
    byte[] clientProof(ByteBuffer hello, ByteBuffer welcome) {
        mac.update(CLIENT_LABEL);
        update(hello);
        update(welcome);
        return mac.doFinal();
    }

    /** The server's proof over its verdict and the transcript. */
    byte[] serverProof(byte status, ByteBuffer hello, ByteBuffer welcome) {
        mac.update(SERVER_LABEL);
        mac.update(status);
        update(hello);
        update(welcome);
        return mac.doFinal();
    }

    private void update(ByteBuffer b) {
        mac.update(b.duplicate().position(0));
    }

    /** Compares two proofs in time that does not depend on where they differ. */
    static boolean same(byte[] expected, byte[] actual) {
        return HmacSha256.equal(expected, actual);
    }

    static ByteBuffer proof(byte[] mac) {
        return ByteBuffer.wrap(mac.clone());
    }

    static ByteBuffer verdict(byte status, byte[] mac) {
        ByteBuffer b = ByteBuffer.allocate(VERDICT_BYTES);
        b.put(status).put(new byte[7]).put(mac);
        return b.flip();
    }

    static byte verdictStatus(ByteBuffer b) {
        return b.get(0);
    }

    /** Returns the MAC bytes of a PROOF (its whole content) or a VERDICT (after the status). */
    static byte[] macOf(ByteBuffer b, int at) {
        byte[] m = new byte[MAC_BYTES];
        b.get(at, m);
        return m;
    }

    static String statusName(byte status) {
        return switch (status) {
            case ACCEPT -> "accepted";
            case DUPLICATE -> "duplicate connection";
            case GONE -> "rank no longer reachable";
            default -> "unknown verdict " + status;
        };
    }
}
