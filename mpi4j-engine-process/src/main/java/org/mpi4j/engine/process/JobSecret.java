package org.mpi4j.engine.process;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.mpi4j.transport.HmacSha256;
import org.mpi4j.transport.RandomBytes;

/**
 * The secret that makes a job's processes the only ones that can join it: the launcher draws
 * a fresh one per job and hands it to its ranks in the environment; every connection proves
 * knowledge of it with an HMAC over a fresh challenge, so a recorded exchange cannot be
 * replayed and the secret itself never crosses the wire.
 */
public final class JobSecret {
    /** The environment variable that carries the secret to a rank, in base64. */
    public static final String ENV = "MPI4J_SECRET";
    /** The size of a challenge (nonce) in bytes. */
    public static final int NONCE_BYTES = 32;
    /** The size of a proof (HMAC-SHA256) in bytes. */
    public static final int PROOF_BYTES = 32;

    private final byte[] key;

    private JobSecret(byte[] key) {
        this.key = key;
    }

    /** Draws a fresh random secret. */
    public static JobSecret generate() {
        return new JobSecret(RandomBytes.next(32));
    }

    /**
     * Reads a secret from its base64 form.
     *
     * @throws IllegalArgumentException if it is not base64 of at least 16 bytes
     */
    public static JobSecret parse(String base64) {
        byte[] k = Base64.getDecoder().decode(base64.trim());
        if (k.length < 16) {
            throw new IllegalArgumentException("a job secret has at least 16 bytes; this one has " + k.length);
        }
        return new JobSecret(k);
    }

    /** Returns the base64 form, for the environment of a rank. */
    public String encoded() {
        return Base64.getEncoder().encodeToString(key);
    }

    /** Returns a copy of the key, for a transport that proves it in its own handshake. */
    public byte[] bytes() {
        return key.clone();
    }

    /** Returns a fresh random challenge. */
    public static byte[] nonce() {
        return RandomBytes.next(NONCE_BYTES);
    }

    /**
     * Returns the proof that the holder of this secret speaks: an HMAC of the label (which
     * says who proves what to whom, so a proof cannot be reflected), both challenges and the
     * numbers that identify the parties.
     */
    public byte[] prove(String label, byte[] nonceA, byte[] nonceB, long... ids) {
        HmacSha256 mac = new HmacSha256(key);
        mac.update(label.getBytes(StandardCharsets.UTF_8));
        mac.update((byte) 0);
        mac.update(nonceA);
        mac.update(nonceB);
        ByteBuffer b = ByteBuffer.allocate(8 * ids.length);
        for (long id : ids) {
            b.putLong(id);
        }
        mac.update(b.array());
        return mac.doFinal();
    }

    /** Checks a proof in constant time. */
    public boolean verify(byte[] proof, String label, byte[] nonceA, byte[] nonceB, long... ids) {
        return HmacSha256.equal(proof, prove(label, nonceA, nonceB, ids));
    }

    @Override
    public String toString() {
        return "JobSecret[hidden]";
    }
}
