package org.mpi4j.matching;

import java.util.Arrays;
import java.util.function.Consumer;

/**
 * An open-addressing hash map from {@code long} to objects, with no boxing: the matching
 * hot path looks keys up on every message. Not thread-safe; the endpoint's lock guards it.
 */
final class LongMap<V> {
    private long[] keys;
    private Object[] values;
    private int size;
    private int mask;

    LongMap() {
        this(16);
    }

    LongMap(int capacity) {
        int cap = Integer.highestOneBit(Math.max(4, capacity) * 2 - 1);
        keys = new long[cap];
        values = new Object[cap];
        mask = cap - 1;
    }

    private static int hash(long key) {
        long h = key * 0x9E3779B97F4A7C15L;
        return (int) (h ^ (h >>> 32));
    }

    @SuppressWarnings("unchecked")
    V get(long key) {
        int i = hash(key) & mask;
        while (true) {
            Object v = values[i];
            if (v == null) {
                return null;
            }
            if (keys[i] == key) {
                return (V) v;
            }
            i = (i + 1) & mask;
        }
    }

    @SuppressWarnings("unchecked")
    V put(long key, V value) {
        if (value == null) {
            throw new IllegalArgumentException("null value");
        }
        int i = hash(key) & mask;
        while (true) {
            Object v = values[i];
            if (v == null) {
                keys[i] = key;
                values[i] = value;
                if (++size * 2 > keys.length) {
                    rehash(keys.length * 2);
                }
                return null;
            }
            if (keys[i] == key) {
                values[i] = value;
                return (V) v;
            }
            i = (i + 1) & mask;
        }
    }

    @SuppressWarnings("unchecked")
    V remove(long key) {
        int i = hash(key) & mask;
        while (true) {
            Object v = values[i];
            if (v == null) {
                return null;
            }
            if (keys[i] == key) {
                values[i] = null;
                size--;
                // Backward-shift deletion keeps probe chains intact without tombstones.
                int gap = i;
                int j = (i + 1) & mask;
                while (values[j] != null) {
                    int home = hash(keys[j]) & mask;
                    if (((j - home) & mask) >= ((j - gap) & mask)) {
                        keys[gap] = keys[j];
                        values[gap] = values[j];
                        values[j] = null;
                        gap = j;
                    }
                    j = (j + 1) & mask;
                }
                return (V) v;
            }
            i = (i + 1) & mask;
        }
    }

    int size() {
        return size;
    }

    @SuppressWarnings("unchecked")
    void forEachValue(Consumer<? super V> action) {
        for (Object v : values.clone()) {
            if (v != null) {
                action.accept((V) v);
            }
        }
    }

    void clear() {
        Arrays.fill(values, null);
        size = 0;
    }

    private void rehash(int capacity) {
        long[] oldKeys = keys;
        Object[] oldValues = values;
        keys = new long[capacity];
        values = new Object[capacity];
        mask = capacity - 1;
        size = 0;
        for (int i = 0; i < oldKeys.length; i++) {
            if (oldValues[i] != null) {
                @SuppressWarnings("unchecked")
                V v = (V) oldValues[i];
                put(oldKeys[i], v);
            }
        }
    }
}
