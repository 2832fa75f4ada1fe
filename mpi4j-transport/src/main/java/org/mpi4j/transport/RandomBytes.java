package org.mpi4j.transport;

import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.security.SecureRandom;

/**
 * Unpredictable bytes for job secrets and handshake challenges: the kernel's generator
 * ({@code /dev/urandom}) read directly, which is what {@code SecureRandom} reads on Linux
 * too, without the 40 ms its first use costs each JVM on the start-up path (see
 * {@link HmacSha256}). Where there is no {@code /dev/urandom}, {@code SecureRandom}.
 */
public final class RandomBytes {
    private static final Object LOCK = new Object();
    private static InputStream urandom;
    private static SecureRandom fallback;

    private RandomBytes() {
    }

    /** Returns {@code count} fresh random bytes. */
    public static byte[] next(int count) {
        byte[] b = new byte[count];
        fill(b);
        return b;
    }

    /** Fills {@code bytes} with fresh random bytes. */
    public static void fill(byte[] bytes) {
        synchronized (LOCK) {
            if (fallback == null) {
                try {
                    if (urandom == null) {
                        urandom = new FileInputStream("/dev/urandom");
                    }
                    if (urandom.readNBytes(bytes, 0, bytes.length) == bytes.length) {
                        return;
                    }
                } catch (IOException e) {
                    // no kernel generator here: fall back below
                }
                fallback = new SecureRandom();
            }
            fallback.nextBytes(bytes);
        }
    }
}
