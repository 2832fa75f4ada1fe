package org.mpi4j.spi;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import org.mpi4j.Codec;
import org.mpi4j.ErrorClass;
import org.mpi4j.IdleStrategy;
import org.mpi4j.MpiException;

/**
 * The settings a job is created with. A setting such as {@code mpi4j.eager.limit} is looked
 * up, in order, among the values given in code, the system property of the same name, and
 * the environment variable {@code MPI4J_EAGER_LIMIT}; the first found wins.
 */
public final class Settings {
    private final Map<String, Object> values;

    private Settings(Map<String, Object> values) {
        this.values = Map.copyOf(values);
    }

    /** Returns settings holding only what system properties and the environment say. */
    public static Settings fromEnvironment() {
        return new Settings(Map.of());
    }

    /** Returns settings holding {@code values}, over system properties and the environment. */
    public static Settings of(Map<String, ?> values) {
        return new Settings(new HashMap<>(values));
    }

    /** Returns the raw value given in code, or null. */
    public Object value(String key) {
        return values.get(key);
    }

    /** Returns the setting as a string, or {@code def} if it is not set anywhere. */
    public String get(String key, String def) {
        Object v = values.get(key);
        if (v != null) {
            return v.toString();
        }
        String p = System.getProperty(key);
        if (p != null) {
            return p;
        }
        String e = System.getenv(envName(key));
        return e != null ? e : def;
    }

    /**
     * Returns the setting as an int, or {@code def}.
     *
     * @throws MpiException if it is set but not an integer within {@code [min, max]}
     */
    public int getInt(String key, int def, int min, int max) {
        String s = get(key, null);
        if (s == null) {
            return def;
        }
        int v;
        try {
            v = Integer.parseInt(s.trim());
        } catch (NumberFormatException e) {
            throw new MpiException(ErrorClass.ARG, "setting " + key + "=" + s + " is not an integer");
        }
        if (v < min || v > max) {
            throw new MpiException(ErrorClass.ARG, "setting " + key + "=" + v + " is outside [" + min + ", " + max + "]");
        }
        return v;
    }

    /** Returns the setting as a {@code T} given in code, or {@code def}. */
    public <T> T getObject(String key, Class<T> type, T def) {
        Object v = values.get(key);
        if (v == null) {
            return def;
        }
        if (!type.isInstance(v)) {
            throw new MpiException(ErrorClass.ARG, "setting " + key + " is a " + v.getClass().getName()
                    + ", expected a " + type.getName());
        }
        return type.cast(v);
    }

    /** The setting that chooses the codec of objects: a {@link Codec} given in code, or "fory" (the default) or "java". */
    public static final String CODEC = "mpi4j.codec";

    /**
     * Returns the codec the {@value #CODEC} setting chooses: an instance given in code, else
     * {@code fory} (the default) or {@code java}.
     *
     * @throws MpiException of class {@link ErrorClass#ARG} if the setting names no codec
     */
    public Codec codec() {
        if (value(CODEC) instanceof Codec c) {
            return c;
        }
        String name = get(CODEC, "fory");
        return switch (name) {
            case "fory" -> Codec.fory();
            case "java" -> Codec.java();
            default -> throw new MpiException(ErrorClass.ARG, "setting " + CODEC + "=" + name
                    + " names no codec (fory or java), and is no Codec instance");
        };
    }

    /** The setting that chooses how waiting threads idle: an {@link IdleStrategy}, or "spin", "yield" or "backoff". */
    public static final String IDLE = "mpi4j.idle";

    /**
     * Returns the idle strategy the {@value #IDLE} setting chooses: an instance given in
     * code, "spin", "yield", or "backoff" (the default), which is {@code byLoad}, the
     * engine's choice for its load.
     *
     * @throws MpiException of class {@link ErrorClass#ARG} if the setting names no strategy
     */
    public IdleStrategy idleStrategy(IdleStrategy byLoad) {
        if (value(IDLE) instanceof IdleStrategy i) {
            return i;
        }
        String name = get(IDLE, "backoff");
        return switch (name) {
            case "spin" -> IdleStrategy.spinning();
            case "yield" -> IdleStrategy.yielding();
            case "backoff" -> byLoad;
            default -> throw new MpiException(ErrorClass.ARG, "setting " + IDLE + "=" + name
                    + " names no idle strategy (spin, yield or backoff)");
        };
    }

    /** Returns a copy with {@code key} set to {@code value}. */
    public Settings with(String key, Object value) {
        Map<String, Object> m = new HashMap<>(values);
        m.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
        return new Settings(m);
    }

    /** Returns the environment variable that backs {@code key}: {@code mpi4j.eager.limit} → {@code MPI4J_EAGER_LIMIT}. */
    public static String envName(String key) {
        return key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    @Override
    public String toString() {
        return "Settings" + values;
    }
}
