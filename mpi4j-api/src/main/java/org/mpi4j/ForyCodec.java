package org.mpi4j;

import java.util.List;
import org.apache.fory.Fory;
import org.apache.fory.ThreadSafeFory;
import org.apache.fory.config.Language;
import org.apache.fory.memory.MemoryBuffer;

/**
 * {@link Codec#fory()}: Apache Fory in Java mode. Reference tracking is on, so shared and
 * cyclic object graphs arrive intact. In strict mode only registered classes (and Fory's
 * built-in JDK types) are accepted, on encode and on decode.
 */
final class ForyCodec implements Codec {
    private final ThreadSafeFory fory;
    private final boolean strict;

    ForyCodec(List<Class<?>> allowed) {
        this.strict = allowed != null;
        this.fory = Fory.builder()
                .withLanguage(Language.JAVA)
                .withRefTracking(true)
                .requireClassRegistration(strict)
                .suppressClassRegistrationWarnings(true)
                .buildThreadSafeFory();
        if (strict) {
            for (Class<?> c : allowed) {
                fory.register(c);
            }
        }
    }

    @Override
    public void encode(Object value, ByteOutput out) {
        byte[] array = out.array();
        MemoryBuffer buffer = MemoryBuffer.fromByteArray(array, 0, array.length);
        buffer.writerIndex(out.size());
        try {
            buffer = fory.serialize(buffer, value);
        } catch (RuntimeException e) {
            throw new MpiException(ErrorClass.CODEC, "cannot serialize " + CodecSupport.describe(value)
                    + (strict ? " (strict codec: is its class on the allow-list?)" : "") + ": " + e.getMessage(), e);
        }
        out.adopt(buffer.getHeapMemory(), buffer.writerIndex());
    }

    @Override
    public Object decode(byte[] bytes, int offset, int length) {
        try {
            return fory.deserialize(MemoryBuffer.fromByteArray(bytes, offset, length));
        } catch (RuntimeException e) {
            throw new MpiException(ErrorClass.CODEC, "cannot deserialize " + length + " bytes"
                    + (strict ? " (strict codec: is the class on the allow-list?)" : "") + ": " + e.getMessage(), e);
        }
    }

    @Override
    public String toString() {
        return strict ? "Codec.fory(allow-list)" : "Codec.fory()";
    }
}
