package org.mpi4j.tck;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.mpi4j.Buf;
import org.mpi4j.Comm;
import org.mpi4j.ErrorClass;
import org.mpi4j.Mpi;
import org.mpi4j.MpiException;
import org.mpi4j.junit.MpiTest;

/** alltoall and alltoallv: buffers and objects, in place, every algorithm, sizes from 0 to MiBs. */
class CollAlltoallTest {

    private final long seed = Tck.seed();

    /** Element i of the block rank {@code from} sends rank {@code to}. */
    private static int value(int from, int to, int i) {
        return from * 1_000_000 + to * 10_000 + i % 10_000;
    }

    private static int[] outgoing(int me, int n, int cnt) {
        int[] out = new int[n * cnt];
        for (int to = 0; to < n; to++) {
            for (int i = 0; i < cnt; i++) {
                out[to * cnt + i] = value(me, to, i);
            }
        }
        return out;
    }

    private static int[] incoming(int me, int n, int cnt) {
        int[] in = new int[n * cnt];
        for (int from = 0; from < n; from++) {
            for (int i = 0; i < cnt; i++) {
                in[from * cnt + i] = value(from, me, i);
            }
        }
        return in;
    }

    static void checkAlltoall(Comm world, int[] counts) {
        int n = world.size();
        int me = world.rank();
        for (int cnt : counts) {
            int[] got = new int[n * cnt];
            world.alltoall(Buf.of(outgoing(me, n, cnt)), Buf.of(got));
            assertArrayEquals(incoming(me, n, cnt), got, "alltoall of " + cnt + " per block");
            int[] inPlace = outgoing(me, n, cnt);
            world.alltoall(null, Buf.of(inPlace));
            assertArrayEquals(incoming(me, n, cnt), inPlace, "alltoall in place, " + cnt + " per block");
        }
    }

    @MpiTest(ranks = {1, 2, 3, 4, 5, 6, 7, 8, 9, 16})
    void alltoallOfBuffers(Comm world) {
        checkAlltoall(world, new int[] {0, 1, 7, 100, 9000});
    }

    @MpiTest(ranks = {1, 3, 4})
    void alltoallOfMebibyteBlocks(Comm world) {
        checkAlltoall(world, new int[] {(1 << 20) / 4 + 3});
    }

    @MpiTest(ranks = {1, 2, 3, 4, 7})
    void alltoallOfObjects(Comm world) {
        int n = world.size();
        int me = world.rank();
        List<String> out = new ArrayList<>();
        for (int to = 0; to < n; to++) {
            out.add(me + "->" + to);
        }
        List<String> expected = new ArrayList<>();
        for (int from = 0; from < n; from++) {
            expected.add(from + "->" + me);
        }
        assertEquals(expected, world.alltoall(out));
        List<int[]> arrays = new ArrayList<>();
        for (int to = 0; to < n; to++) {
            arrays.add(new int[to + me]);
        }
        List<int[]> back = world.alltoall(arrays);
        for (int from = 0; from < n; from++) {
            assertEquals(from + me, back.get(from).length);
        }
    }

    /** A layout drawn per (from, to) pair from the shared seed, so sender and receiver agree. */
    private static int pairCount(long seed, int from, int to, int max) {
        long x = (seed + 1) * 0x9E3779B97F4A7C15L + from * 0xBF58476D1CE4E5B9L + to * 0x94D049BB133111EBL;
        x ^= x >>> 31;
        return (int) Math.floorMod(x, max + 1);
    }

    @MpiTest(ranks = {1, 2, 3, 4, 5, 6, 7, 8, 9, 16})
    void alltoallvWithShuffledLayouts(Comm world) {
        int n = world.size();
        int me = world.rank();
        for (int max : new int[] {0, 4, 3000}) {
            Random rnd = new Random(seed ^ me ^ max);
            int[] sc = new int[n];
            int[] rc = new int[n];
            for (int r = 0; r < n; r++) {
                sc[r] = pairCount(seed ^ max, me, r, max);
                rc[r] = pairCount(seed ^ max, r, me, max);
            }
            int[] sd = shuffledDispls(sc, rnd);
            int[] rd = shuffledDispls(rc, rnd);
            int[] send = new int[end(sc, sd)];
            for (int to = 0; to < n; to++) {
                for (int i = 0; i < sc[to]; i++) {
                    send[sd[to] + i] = value(me, to, i);
                }
            }
            int[] recv = new int[end(rc, rd) + 1];
            Arrays.fill(recv, -1);
            int[] expected = recv.clone();
            for (int from = 0; from < n; from++) {
                for (int i = 0; i < rc[from]; i++) {
                    expected[rd[from] + i] = value(from, me, i);
                }
            }
            world.alltoallv(Buf.of(send), sc, sd, Buf.of(recv), rc, rd);
            assertArrayEquals(expected, recv, "alltoallv, max " + max);
        }
    }

    private static int[] shuffledDispls(int[] counts, Random rnd) {
        Integer[] order = new Integer[counts.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        java.util.Collections.shuffle(Arrays.asList(order), rnd);
        int[] d = new int[counts.length];
        int at = 0;
        for (int r : order) {
            at += rnd.nextInt(2);
            d[r] = at;
            at += counts[r];
        }
        return d;
    }

    private static int end(int[] counts, int[] displs) {
        int e = 0;
        for (int r = 0; r < counts.length; r++) {
            e = Math.max(e, displs[r] + counts[r]);
        }
        return e;
    }

    @MpiTest(ranks = {1, 2, 5})
    void alltoallvInPlace(Comm world) {
        int n = world.size();
        int me = world.rank();
        int[] counts = new int[n];
        int[] displs = new int[n];
        for (int r = 0, at = 0; r < n; r++) {
            counts[r] = 3; // in place, what goes out is laid out as what comes in
            displs[r] = at;
            at += 3;
        }
        int[] data = outgoing(me, n, 3);
        world.alltoallv(null, null, null, Buf.of(data), counts, displs);
        assertArrayEquals(incoming(me, n, 3), data);
    }

    @MpiTest(ranks = {2, 3})
    void misuseIsNamed(Comm world) {
        int n = world.size();
        MpiException notMultiple = assertThrows(MpiException.class,
                () -> world.alltoall(Buf.of(new int[n + 1]), Buf.of(new int[n + 1])));
        assertEquals(ErrorClass.COUNT, notMultiple.errorClass());
        MpiException sizes = assertThrows(MpiException.class,
                () -> world.alltoall(Buf.of(new int[n]), Buf.of(new int[2 * n])));
        assertTrue(sizes.getMessage().contains("must match"), sizes.getMessage());
        MpiException types = assertThrows(MpiException.class,
                () -> world.alltoall(Buf.of(new long[n]), Buf.of(new int[n])));
        assertEquals(ErrorClass.TYPE, types.errorClass());
        MpiException list = assertThrows(MpiException.class, () -> world.alltoall(List.of("only one")));
        assertTrue(list.getMessage().contains("1 values"), list.getMessage());
        int[] ones = new int[n];
        Arrays.fill(ones, 1);
        MpiException self = assertThrows(MpiException.class, () -> world.alltoallv(Buf.of(new int[n]), ones,
                new int[n], Buf.of(new int[n]), ones, new int[n]));
        assertTrue(self.getMessage().contains("overlaps"), self.getMessage());
    }

    @Test
    void everyAlgorithmCanBeForcedByName() {
        for (String algorithm : List.of("bruck", "linear", "pairwise")) {
            for (int n : new int[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 16}) {
                Mpi.local(n).set("mpi4j.coll.alltoall", algorithm).set("mpi4j.coll.alltoallv",
                        algorithm.equals("bruck") ? "linear" : algorithm).timeout(Duration.ofSeconds(60)).execute(w -> {
                            checkAlltoall(w, new int[] {0, 1, 5, 700});
                            int[] counts = new int[w.size()];
                            int[] displs = new int[w.size()];
                            for (int r = 0; r < w.size(); r++) {
                                counts[r] = 2;
                                displs[r] = 2 * (w.size() - 1 - r); // blocks in reverse order
                            }
                            int[] out = new int[2 * w.size()];
                            for (int to = 0; to < w.size(); to++) {
                                out[displs[to]] = value(w.rank(), to, 0);
                                out[displs[to] + 1] = value(w.rank(), to, 1);
                            }
                            int[] in = new int[2 * w.size()];
                            w.alltoallv(Buf.of(out), counts, displs, Buf.of(in), counts, displs);
                            for (int from = 0; from < w.size(); from++) {
                                assertEquals(value(from, w.rank(), 1), in[displs[from] + 1], algorithm + " from " + from);
                            }
                        });
            }
        }
    }
}
