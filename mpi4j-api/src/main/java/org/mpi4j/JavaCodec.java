package org.mpi4j;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.ObjectInputFilter;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.OutputStream;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/** {@link Codec#java()}: Java serialization, with an optional allow-list. */
final class JavaCodec implements Codec {
    private final ObjectInputFilter filter;

    JavaCodec(List<Class<?>> allowed) {
        if (allowed == null) {
            filter = null;
        } else {
            Set<String> names = allowed.stream().map(Class::getName).collect(Collectors.toUnmodifiableSet());
            filter = info -> {
                Class<?> c = info.serialClass();
                if (c == null) {
                    return ObjectInputFilter.Status.UNDECIDED;
                }
                while (c.isArray()) {
                    c = c.getComponentType();
                }
                if (c.isPrimitive() || names.contains(c.getName()) || CodecSupport.isBasicJdkType(c)) {
                    return ObjectInputFilter.Status.ALLOWED;
                }
                return ObjectInputFilter.Status.REJECTED;
            };
        }
    }

    @Override
    public void encode(Object value, ByteOutput out) {
        try (ObjectOutputStream oos = new ObjectOutputStream(new OutputStream() {
            @Override
            public void write(int b) {
                out.write(b);
            }

            @Override
            public void write(byte[] b, int off, int len) {
                out.write(b, off, len);
            }
        })) {
            oos.writeObject(value);
        } catch (IOException e) {
            throw new MpiException(ErrorClass.CODEC, "cannot serialize " + CodecSupport.describe(value) + ": " + e, e);
        }
    }

    @Override
    public Object decode(byte[] bytes, int offset, int length) {
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes, offset, length))) {
            if (filter != null) {
                in.setObjectInputFilter(filter);
            }
            return in.readObject();
        } catch (java.io.InvalidClassException e) {
            throw new MpiException(ErrorClass.CODEC, "refused to deserialize a class that is not on the allow-list: "
                    + e.getMessage(), e);
        } catch (IOException | ClassNotFoundException e) {
            throw new MpiException(ErrorClass.CODEC, "cannot deserialize " + length + " bytes: " + e, e);
        }
    }

    @Override
    public String toString() {
        return filter == null ? "Codec.java()" : "Codec.java(allow-list)";
    }
}
