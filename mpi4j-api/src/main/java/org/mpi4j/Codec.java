package org.mpi4j;

import java.util.Collection;

/**
 * Turns objects into bytes and back for the object vocabulary of {@link Comm}.
 *
 * <p>The object path is built on the byte path: {@code send(obj)} encodes the object and
 * sends the bytes as a message of {@link Datatype#OBJECT}; {@code recv} receives the bytes
 * and decodes them. Primitive arrays sent as objects skip the codec altogether and travel
 * as typed buffers.
 *
 * <p>Implementations must be safe for use by many threads at once. Each world has its own
 * codec instance; none is shared through global state.
 *
 * @see #fory()
 */
public interface Codec {

    /**
     * Appends the encoding of {@code value} (which may be null) to {@code out}.
     *
     * @throws MpiException of class {@link ErrorClass#CODEC} if the value cannot be encoded
     */
    void encode(Object value, ByteOutput out);

    /**
     * Decodes one object from {@code length} bytes of {@code bytes} starting at {@code offset}.
     *
     * @throws MpiException of class {@link ErrorClass#CODEC} if the bytes cannot be decoded,
     *     or name a class the codec does not allow
     */
    Object decode(byte[] bytes, int offset, int length);

    /**
     * Returns the default codec: Apache Fory, in Java mode, with reference tracking (shared
     * and cyclic references survive) and no class registration needed. The docs explain the
     * choice, measured against Kryo and Java serialization.
     */
    static Codec fory() {
        return new ForyCodec(null);
    }

    /**
     * Returns a strict Fory codec that encodes and decodes only the listed classes (and the
     * JDK's own basic types: boxed primitives, strings, arrays, common collections and
     * maps). Anything else fails with an {@link ErrorClass#CODEC} exception, on encode and
     * before any of its fields are read on decode. For deployments that must not decode
     * arbitrary classes from the wire.
     */
    static Codec fory(Collection<Class<?>> allowed) {
        return new ForyCodec(java.util.List.copyOf(allowed));
    }

    /**
     * Returns a codec that uses Java serialization: slower and larger, but needs nothing
     * beyond {@link java.io.Serializable}.
     */
    static Codec java() {
        return new JavaCodec(null);
    }

    /**
     * Returns a Java-serialization codec that decodes only the listed classes (and the JDK's
     * basic types), through an {@link java.io.ObjectInputFilter}.
     */
    static Codec java(Collection<Class<?>> allowed) {
        return new JavaCodec(java.util.List.copyOf(allowed));
    }
}
