package org.mpi4j;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class CodecTest {

    record Point(int id, double x, String label) implements Serializable {
    }

    record Secret(String value) implements Serializable {
    }

    static final class Node implements Serializable {
        Node next;
        String name;
    }

    static Stream<Codec> codecs() {
        return Stream.of(Codec.fory(), Codec.java());
    }

    static Stream<Codec> strictCodecs() {
        return Stream.of(Codec.fory(List.of(Point.class)), Codec.java(List.of(Point.class)));
    }

    private static Object roundTrip(Codec codec, Object value) {
        ByteOutput out = new ByteOutput(4);
        out.write(new byte[] {9, 9, 9}, 0, 3); // decoding must honour an offset
        int start = out.size();
        codec.encode(value, out);
        return codec.decode(out.array(), start, out.size() - start);
    }

    @ParameterizedTest
    @MethodSource("codecs")
    void roundTripsRecordsCollectionsAndNull(Codec codec) {
        Map<String, Object> m = new HashMap<>();
        m.put("message", "Hello World");
        m.put("array", new int[] {1, 2, 3, 4, 5});
        m.put("number", 42);
        @SuppressWarnings("unchecked")
        Map<String, Object> back = (Map<String, Object>) roundTrip(codec, m);
        assertEquals("Hello World", back.get("message"));
        assertArrayEquals(new int[] {1, 2, 3, 4, 5}, (int[]) back.get("array"));
        assertEquals(42, back.get("number"));
        assertEquals(new Point(1, 2.5, "p"), roundTrip(codec, new Point(1, 2.5, "p")));
        List<Point> pts = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            pts.add(new Point(i, i / 2.0, "p" + i));
        }
        assertEquals(pts, roundTrip(codec, pts));
        assertNull(roundTrip(codec, null));
    }

    @ParameterizedTest
    @MethodSource("codecs")
    void keepsSharedAndCyclicReferences(Codec codec) {
        Node a = new Node();
        Node b = new Node();
        a.next = b;
        b.next = a;
        a.name = "a";
        Node back = (Node) roundTrip(codec, a);
        assertSame(back, back.next.next);
    }

    @ParameterizedTest
    @MethodSource("strictCodecs")
    void strictModeAdmitsListedAndBasicTypesOnly(Codec codec) {
        assertEquals(new Point(1, 2, "x"), roundTrip(codec, new Point(1, 2, "x")));
        assertEquals(List.of("a", 1, 2.0), roundTrip(codec, new ArrayList<>(List.of("a", 1, 2.0))));
        MpiException e = assertThrows(MpiException.class, () -> roundTrip(codec, new Secret("x")));
        assertEquals(ErrorClass.CODEC, e.errorClass());
        assertTrue(e.getMessage().contains("allow"), e.getMessage());
    }

    @ParameterizedTest
    @MethodSource("strictCodecs")
    void strictModeRefusesToDecodeUnlistedClassesFromTheWire(Codec strict) {
        Codec open = strict.toString().contains("fory") ? Codec.fory() : Codec.java();
        ByteOutput out = new ByteOutput(16);
        open.encode(new Secret("x"), out);
        MpiException e = assertThrows(MpiException.class, () -> strict.decode(out.array(), 0, out.size()));
        assertEquals(ErrorClass.CODEC, e.errorClass());
    }
}
