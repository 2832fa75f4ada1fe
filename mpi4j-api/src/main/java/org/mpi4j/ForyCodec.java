package org.mpi4j;

import java.util.List;
import org.apache.fory.Fory;
import org.apache.fory.ThreadSafeFory;
import org.apache.fory.config.ForyBuilder;
import org.apache.fory.config.Language;
import org.apache.fory.memory.MemoryBuffer;
import org.apache.fory.resolver.AllowListChecker;

/**
 * {@link Codec#fory()}: Apache Fory in Java mode, chosen by measurement (see docs/codec.md):
 * 3–5× faster than Kryo on small messages and some 25× faster than Java serialization.
 *
 * <p>Reference tracking is on, so shared and cyclic object graphs arrive intact, as they do
 * with Java serialization and pickle. The Fory instance is built on first use: building it
 * costs a few hundred milliseconds, which a program that only sends buffers never pays.
 * In strict mode a STRICT {@link AllowListChecker} admits only the listed classes and Fory's
 * built-in JDK types, on encode and on decode.
 */
final class ForyCodec implements Codec {
    private final List<String> allowed;
    private volatile ThreadSafeFory fory;

    ForyCodec(List<Class<?>> allowed) {
        // Loc, mpi4j's own MINLOC/MAXLOC pair, is always allowed: strict jobs reduce with it too.
        this.allowed = allowed == null ? null : java.util.stream.Stream.concat(allowed.stream(), java.util.stream.Stream.of(Loc.class))
                .map(Class::getName).distinct().toList();
    }

    private ThreadSafeFory fory() {
        ThreadSafeFory f = fory;
        if (f == null) {
            synchronized (this) {
                f = fory;
                if (f == null) {
                    ForyBuilder b = Fory.builder()
                            .withLanguage(Language.JAVA)
                            .withRefTracking(true)
                            .requireClassRegistration(false)
                            .suppressClassRegistrationWarnings(true);
                    if (allowed != null) {
                        AllowListChecker checker = new AllowListChecker(AllowListChecker.CheckLevel.STRICT);
                        checker.allowClasses(allowed);
                        b.withTypeChecker(checker);
                    }
                    f = b.buildThreadSafeFory();
                    fory = f;
                }
            }
        }
        return f;
    }

    @Override
    public void encode(Object value, ByteOutput out) {
        byte[] array = out.array();
        MemoryBuffer buffer = MemoryBuffer.fromByteArray(array, 0, array.length);
        buffer.writerIndex(out.size());
        try {
            buffer = fory().serialize(buffer, value);
        } catch (RuntimeException e) {
            throw new MpiException(ErrorClass.CODEC, "cannot serialize " + CodecSupport.describe(value)
                    + (allowed != null ? " (strict codec: is its class on the allow-list?)" : "") + ": " + e.getMessage(), e);
        }
        out.adopt(buffer.getHeapMemory(), buffer.writerIndex());
    }

    @Override
    public Object decode(byte[] bytes, int offset, int length) {
        try {
            return fory().deserialize(MemoryBuffer.fromByteArray(bytes, offset, length));
        } catch (RuntimeException e) {
            throw new MpiException(ErrorClass.CODEC, "cannot deserialize " + length + " bytes"
                    + (allowed != null ? " (strict codec: is the class on the allow-list?)" : "") + ": " + e.getMessage(), e);
        }
    }

    @Override
    public String toString() {
        return allowed != null ? "Codec.fory(allow-list)" : "Codec.fory()";
    }
}
