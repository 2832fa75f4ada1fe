package org.mpi4j.bench;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import com.esotericsoftware.kryo.util.Pool;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.mpi4j.ByteOutput;
import org.mpi4j.Codec;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The measurement behind the default codec (docs/codec.md): a round trip — encode into a
 * reused buffer, decode from it — of the payloads mpi4j programs send, through mpi4j's own
 * {@link Codec#fory()} and {@link Codec#java()}, and through Kryo 5 configured as fast as it
 * goes without sun.misc.Unsafe.
 *
 * <pre>
 * mpi4j-benchmarks/jmh.sh CodecBench
 * </pre>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgs = {"-Xms1g", "-Xmx1g", "--add-opens=java.base/java.lang.invoke=ALL-UNNAMED", "-Dkryo.unsafe=false"})
@State(Scope.Thread)
public class CodecBench {

    /** The small record of the seed's messages. */
    public record Point(int id, double x, double y, String label) implements Serializable {
    }

    /** The codec under test. */
    @Param({"FORY", "KRYO", "JAVA"})
    public String codec;

    /** The payload under test. */
    @Param({"POINT", "MAP", "LIST100", "DOUBLES1M", "STRING20"})
    public String payload;

    private Codec c;
    private Object value;
    private final ByteOutput out = new ByteOutput(4096);

    /** Builds the codec and payload, and checks one round trip. */
    @Setup(Level.Trial)
    public void setup() {
        c = switch (codec) {
            case "FORY" -> Codec.fory();
            case "KRYO" -> new KryoCodec();
            case "JAVA" -> Codec.java();
            default -> throw new IllegalArgumentException(codec);
        };
        value = payload(payload);
        Object back = roundTrip();
        if (!deepEquals(value, back)) {
            throw new IllegalStateException(codec + " round trip mismatch for " + payload);
        }
        System.out.println("# encoded size " + codec + " " + payload + " = " + out.size() + " bytes");
    }

    /** One encode and one decode. */
    @Benchmark
    public Object roundTrip() {
        out.reset();
        c.encode(value, out);
        return c.decode(out.array(), 0, out.size());
    }

    static Object payload(String name) {
        return switch (name) {
            case "POINT" -> new Point(7, 1.5, -2.25, "p7");
            case "MAP" -> {
                HashMap<String, Object> m = new HashMap<>();
                m.put("message", "Hello World");
                m.put("array", new int[] {1, 2, 3, 4, 5});
                m.put("number", 42);
                yield m;
            }
            case "LIST100" -> {
                ArrayList<Point> l = new ArrayList<>(100);
                for (int i = 0; i < 100; i++) {
                    l.add(new Point(i, i * 0.5, i * -1.25, "pt" + i));
                }
                yield l;
            }
            case "DOUBLES1M" -> {
                double[] d = new double[1_000_000];
                Arrays.setAll(d, i -> i * 0.001 + Math.sin(i));
                yield d;
            }
            case "STRING20" -> "abcdefghij0123456789";
            default -> throw new IllegalArgumentException(name);
        };
    }

    static boolean deepEquals(Object a, Object b) {
        if (a instanceof Map<?, ?> ma && b instanceof Map<?, ?> mb) {
            return ma.size() == mb.size() && ma.entrySet().stream()
                    .allMatch(e -> mb.containsKey(e.getKey()) && deepEquals(e.getValue(), mb.get(e.getKey())));
        }
        return Objects.deepEquals(a, b);
    }

    /** Kryo 5 behind mpi4j's codec interface: pooled instances, no registration, no Unsafe. */
    static final class KryoCodec implements Codec {
        private final Pool<Kryo> pool = new Pool<>(true, false, 16) {
            @Override
            protected Kryo create() {
                Kryo k = new Kryo();
                k.setRegistrationRequired(false);
                k.setReferences(true); // as Codec.fory(): shared and cyclic references survive
                return k;
            }
        };
        private final Output output = new Output(4096, -1);
        private final Input input = new Input();

        @Override
        public void encode(Object value, ByteOutput out) {
            Kryo k = pool.obtain();
            try {
                output.reset();
                k.writeClassAndObject(output, value);
                out.write(output.getBuffer(), 0, output.position());
            } finally {
                pool.free(k);
            }
        }

        @Override
        public Object decode(byte[] bytes, int offset, int length) {
            Kryo k = pool.obtain();
            try {
                input.setBuffer(bytes, offset, length);
                return k.readClassAndObject(input);
            } finally {
                pool.free(k);
            }
        }
    }
}
