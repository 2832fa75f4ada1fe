package org.mpi4j.matching;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class LongMapTest {

    @Test
    void behavesLikeHashMapUnderRandomOperations() {
        long seed = Long.getLong("mpi4j.test.seed", System.nanoTime());
        System.out.println("LongMapTest seed=" + seed);
        SplittableRandom rnd = new SplittableRandom(seed);
        LongMap<Long> map = new LongMap<>(2);
        Map<Long, Long> ref = new HashMap<>();
        for (int i = 0; i < 200_000; i++) {
            // A small key space with clustered keys makes collisions and backward shifts common.
            long key = (long) rnd.nextInt(-40, 40) << 32 | rnd.nextInt(0, 64);
            switch (rnd.nextInt(3)) {
                case 0 -> assertEquals(ref.put(key, (long) i), map.put(key, (long) i), "seed=" + seed);
                case 1 -> assertEquals(ref.remove(key), map.remove(key), "seed=" + seed);
                default -> assertEquals(ref.get(key), map.get(key), "seed=" + seed);
            }
            assertEquals(ref.size(), map.size(), "seed=" + seed);
        }
        long[] sum = {0};
        map.forEachValue(v -> sum[0] += v);
        assertEquals(ref.values().stream().mapToLong(Long::longValue).sum(), sum[0]);
    }
}
