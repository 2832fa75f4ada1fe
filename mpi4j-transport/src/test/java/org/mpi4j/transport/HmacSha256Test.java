package org.mpi4j.transport;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.Random;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

/** mpi4j's own HMAC-SHA256 agrees with RFC 4231 and with the JDK's {@code Mac}, byte for byte. */
class HmacSha256Test {
    private static final HexFormat HEX = HexFormat.of();

    private static byte[] hex(String s) {
        return HEX.parseHex(s);
    }

    private static byte[] repeat(int b, int n) {
        byte[] a = new byte[n];
        java.util.Arrays.fill(a, (byte) b);
        return a;
    }

    private static String mac(byte[] key, byte[] data) {
        HmacSha256 m = new HmacSha256(key);
        m.update(data);
        return HEX.formatHex(m.doFinal());
    }

    @Test
    void rfc4231TestVectors() {
        // RFC 4231, test cases 1, 2, 3, 4, 6 and 7 (5 truncates the output)
        assertEquals("b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7",
                mac(repeat(0x0b, 20), "Hi There".getBytes(StandardCharsets.US_ASCII)));
        assertEquals("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
                mac("Jefe".getBytes(StandardCharsets.US_ASCII),
                        "what do ya want for nothing?".getBytes(StandardCharsets.US_ASCII)));
        assertEquals("773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe",
                mac(repeat(0xaa, 20), repeat(0xdd, 50)));
        assertEquals("82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b",
                mac(hex("0102030405060708090a0b0c0d0e0f10111213141516171819"), repeat(0xcd, 50)));
        assertEquals("60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54",
                mac(repeat(0xaa, 131), "Test Using Larger Than Block-Size Key - Hash Key First"
                        .getBytes(StandardCharsets.US_ASCII)));
        assertEquals("9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2",
                mac(repeat(0xaa, 131), ("This is a test using a larger than block-size key and a larger than "
                        + "block-size data. The key needs to be hashed before being used by the HMAC algorithm.")
                        .getBytes(StandardCharsets.US_ASCII)));
    }

    @Test
    void agreesWithTheJdkOnRandomKeysMessagesAndSplits() throws Exception {
        long seed = System.nanoTime();
        System.out.println("HmacSha256Test seed " + seed);
        Random random = new Random(seed);
        Mac jdk = Mac.getInstance("HmacSHA256");
        for (int trial = 0; trial < 400; trial++) {
            byte[] key = new byte[1 + random.nextInt(trial % 10 == 0 ? 200 : 64)];
            random.nextBytes(key);
            // lengths around every padding boundary, and some long ones
            int length = trial < 200 ? trial : random.nextInt(5000);
            byte[] data = new byte[length];
            random.nextBytes(data);
            jdk.init(new SecretKeySpec(key, "HmacSHA256"));
            byte[] expected = jdk.doFinal(data);

            HmacSha256 mine = new HmacSha256(key);
            // the same message fed in random pieces, as bytes, arrays and buffers
            int at = 0;
            while (at < length) {
                int n = Math.min(length - at, random.nextInt(150));
                switch (random.nextInt(4)) {
                    case 0 -> {
                        mine.update(data[at]);
                        n = 1;
                    }
                    case 1 -> mine.update(java.util.Arrays.copyOfRange(data, at, at + n));
                    case 2 -> mine.update(ByteBuffer.wrap(data, at, n));
                    default -> {
                        ByteBuffer direct = ByteBuffer.allocateDirect(n);
                        direct.put(data, at, n).flip();
                        mine.update(direct);
                        assertFalse(direct.hasRemaining(), "update consumes the buffer");
                    }
                }
                at += n;
            }
            assertArrayEquals(expected, mine.doFinal(), "seed " + seed + ", trial " + trial + ", " + length + " bytes");
            // and the instance is ready for the next message
            mine.update(data);
            assertArrayEquals(expected, mine.doFinal(), "seed " + seed + ", second use of trial " + trial);
        }
    }

    @Test
    void comparesInFullAndRejectsEmptyKeys() {
        byte[] a = hex("00112233");
        assertTrue(HmacSha256.equal(a, a.clone()));
        assertFalse(HmacSha256.equal(a, hex("00112234")));
        assertFalse(HmacSha256.equal(a, hex("001122")));
        assertFalse(HmacSha256.equal(a, null));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new HmacSha256(new byte[0]));
        assertTrue(e.getMessage().contains("empty"), e.getMessage());
    }

    @Test
    void randomBytesDiffer() {
        byte[] x = RandomBytes.next(32);
        byte[] y = RandomBytes.next(32);
        assertEquals(32, x.length);
        assertFalse(java.util.Arrays.equals(x, y), "two draws of 32 random bytes are equal");
    }
}
