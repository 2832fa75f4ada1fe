package org.mpi4j.transport;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * HMAC-SHA256 (RFC 2104 over FIPS 180-4), the proof in every mpi4j handshake: a rank proves
 * to its launcher, and to each TCP peer, that it holds the job's secret.
 *
 * <p>Why not {@code javax.crypto.Mac}: the first {@code Mac.getInstance} of a JVM loads and
 * initialises the security-provider framework, about 80 ms here (40 ms even from an AOT
 * cache), and {@code SecureRandom} another 40 ms — paid by the launcher and by every rank,
 * on the start-up path of every job, where Open MPI spends 0.46 s in all. The algorithm is
 * small and fixed; this class is checked against the JDK's {@code Mac} on RFC 4231's test
 * vectors and on random keys and messages. It is not a general cryptographic library:
 * mpi4j uses it only for proofs of a shared secret.
 *
 * <p>An instance holds one key and is used like {@code Mac}: {@code update} any number of
 * times, then {@link #doFinal()}, which returns the proof and makes the instance ready for
 * the next message. Instances are not thread-safe.
 */
public final class HmacSha256 {
    /** The size of a proof, in bytes. */
    public static final int BYTES = 32;
    private static final int BLOCK = 64;
    private static final int[] K = {
        0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
        0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
        0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
        0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
        0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
        0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
        0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
        0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
    };
    private static final int[] H0 = {
        0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
    };

    private final byte[] innerPad = new byte[BLOCK];
    private final byte[] outerPad = new byte[BLOCK];
    private final Sha256 sha = new Sha256();

    /**
     * Creates a MAC with {@code key} (any length; RFC 2104 hashes keys longer than a block).
     *
     * @throws IllegalArgumentException if the key is empty
     */
    public HmacSha256(byte[] key) {
        if (key == null || key.length == 0) {
            throw new IllegalArgumentException("an HMAC key must not be empty");
        }
        byte[] k = key;
        if (k.length > BLOCK) {
            sha.update(k, 0, k.length);
            k = sha.digest();
        }
        for (int i = 0; i < BLOCK; i++) {
            byte b = i < k.length ? k[i] : 0;
            innerPad[i] = (byte) (b ^ 0x36);
            outerPad[i] = (byte) (b ^ 0x5c);
        }
        if (k != key) {
            Arrays.fill(k, (byte) 0);
        }
        sha.update(innerPad, 0, BLOCK);
    }

    /** Adds one byte to the message. */
    public void update(byte b) {
        sha.update(new byte[] {b}, 0, 1);
    }

    /** Adds {@code bytes} to the message. */
    public void update(byte[] bytes) {
        sha.update(bytes, 0, bytes.length);
    }

    /** Adds the bytes from {@code buffer}'s position to its limit, and moves its position to the limit. */
    public void update(ByteBuffer buffer) {
        if (buffer.hasArray()) {
            int n = buffer.remaining();
            sha.update(buffer.array(), buffer.arrayOffset() + buffer.position(), n);
            buffer.position(buffer.limit());
        } else {
            byte[] chunk = new byte[Math.min(buffer.remaining(), 4096)];
            while (buffer.hasRemaining()) {
                int n = Math.min(chunk.length, buffer.remaining());
                buffer.get(chunk, 0, n);
                sha.update(chunk, 0, n);
            }
        }
    }

    /** Returns the MAC of everything added since the last call, and starts a new message. */
    public byte[] doFinal() {
        byte[] inner = sha.digest();
        sha.update(outerPad, 0, BLOCK);
        sha.update(inner, 0, inner.length);
        byte[] mac = sha.digest();
        sha.update(innerPad, 0, BLOCK);
        return mac;
    }

    /** Compares two MACs in time that does not depend on where they differ. */
    public static boolean equal(byte[] a, byte[] b) {
        if (a == null || b == null || a.length != b.length) {
            return false;
        }
        int diff = 0;
        for (int i = 0; i < a.length; i++) {
            diff |= a[i] ^ b[i];
        }
        return diff == 0;
    }

    /** SHA-256 (FIPS 180-4), incremental; {@link #digest} resets it. */
    static final class Sha256 {
        private final int[] h = H0.clone();
        private final int[] w = new int[64];
        private final byte[] block = new byte[BLOCK];
        private int filled;
        private long length;

        void update(byte[] bytes, int offset, int count) {
            length += count;
            while (count > 0) {
                if (filled == 0 && count >= BLOCK) {
                    compress(bytes, offset);
                    offset += BLOCK;
                    count -= BLOCK;
                    continue;
                }
                int n = Math.min(BLOCK - filled, count);
                System.arraycopy(bytes, offset, block, filled, n);
                filled += n;
                offset += n;
                count -= n;
                if (filled == BLOCK) {
                    compress(block, 0);
                    filled = 0;
                }
            }
        }

        byte[] digest() {
            long bits = length * 8;
            block[filled++] = (byte) 0x80;
            if (filled > BLOCK - 8) {
                Arrays.fill(block, filled, BLOCK, (byte) 0);
                compress(block, 0);
                filled = 0;
            }
            Arrays.fill(block, filled, BLOCK - 8, (byte) 0);
            for (int i = 0; i < 8; i++) {
                block[BLOCK - 1 - i] = (byte) (bits >>> (8 * i));
            }
            compress(block, 0);
            byte[] out = new byte[BYTES];
            for (int i = 0; i < 8; i++) {
                out[4 * i] = (byte) (h[i] >>> 24);
                out[4 * i + 1] = (byte) (h[i] >>> 16);
                out[4 * i + 2] = (byte) (h[i] >>> 8);
                out[4 * i + 3] = (byte) h[i];
            }
            System.arraycopy(H0, 0, h, 0, 8);
            Arrays.fill(block, (byte) 0);
            filled = 0;
            length = 0;
            return out;
        }

        private void compress(byte[] in, int offset) {
            for (int t = 0; t < 16; t++) {
                int p = offset + 4 * t;
                w[t] = (in[p] & 0xff) << 24 | (in[p + 1] & 0xff) << 16 | (in[p + 2] & 0xff) << 8 | (in[p + 3] & 0xff);
            }
            for (int t = 16; t < 64; t++) {
                int x = w[t - 15];
                int y = w[t - 2];
                int s0 = Integer.rotateRight(x, 7) ^ Integer.rotateRight(x, 18) ^ (x >>> 3);
                int s1 = Integer.rotateRight(y, 17) ^ Integer.rotateRight(y, 19) ^ (y >>> 10);
                w[t] = w[t - 16] + s0 + w[t - 7] + s1;
            }
            int a = h[0];
            int b = h[1];
            int c = h[2];
            int d = h[3];
            int e = h[4];
            int f = h[5];
            int g = h[6];
            int hh = h[7];
            for (int t = 0; t < 64; t++) {
                int s1 = Integer.rotateRight(e, 6) ^ Integer.rotateRight(e, 11) ^ Integer.rotateRight(e, 25);
                int ch = (e & f) ^ (~e & g);
                int t1 = hh + s1 + ch + K[t] + w[t];
                int s0 = Integer.rotateRight(a, 2) ^ Integer.rotateRight(a, 13) ^ Integer.rotateRight(a, 22);
                int maj = (a & b) ^ (a & c) ^ (b & c);
                int t2 = s0 + maj;
                hh = g;
                g = f;
                f = e;
                e = d + t1;
                d = c;
                c = b;
                b = a;
                a = t1 + t2;
            }
            h[0] += a;
            h[1] += b;
            h[2] += c;
            h[3] += d;
            h[4] += e;
            h[5] += f;
            h[6] += g;
            h[7] += hh;
        }
    }
}
