package org.mpi4j.tck;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.mpi4j.Buf;
import org.mpi4j.Comm;
import org.mpi4j.ErrorClass;
import org.mpi4j.Mpi;
import org.mpi4j.MpiException;
import org.mpi4j.junit.MpiTest;

/** Gather, scatter and allgather: every root, buffers and objects, in place, every algorithm. */
class CollGatherScatterTest {

    private static final int[] COUNTS = {0, 1, 5, 3000};

    private static long value(int rank, int i) {
        return rank * 1_000_000L + i;
    }

    @MpiTest(ranks = {1, 2, 3, 4, 5, 6, 7, 8, 9, 16})
    void gatherAndScatterOfBuffersFromEveryRoot(Comm world) {
        int n = world.size();
        for (int root = 0; root < n; root++) {
            for (int cnt : COUNTS) {
                long[] mine = new long[cnt];
                for (int i = 0; i < cnt; i++) {
                    mine[i] = value(world.rank(), i);
                }
                long[] all = world.rank() == root ? new long[n * cnt] : null;
                world.gather(Buf.of(mine), all == null ? null : Buf.of(all), root);
                if (world.rank() == root) {
                    for (int r = 0; r < n; r++) {
                        for (int i = 0; i < cnt; i++) {
                            assertEquals(value(r, i), all[r * cnt + i], "gather root " + root + " block " + r);
                        }
                    }
                }
                long[] back = new long[cnt];
                world.scatter(all == null ? null : Buf.of(all), Buf.of(back), root);
                assertArrayEquals(mine, back, "scatter root " + root + ", " + cnt + " per rank");
            }
        }
    }

    @MpiTest(ranks = {1, 2, 3, 5, 8})
    void inPlaceForms(Comm world) {
        int n = world.size();
        int root = n - 1;
        int[] all = new int[n * 3];
        if (world.rank() == root) {
            all[root * 3] = 42; // the root's block is already where it belongs
            world.gather(null, Buf.of(all), root);
            for (int r = 0; r < n; r++) {
                assertEquals(r == root ? 42 : r, all[r * 3]);
            }
            world.scatter(Buf.of(all), null, root);
        } else {
            world.gather(Buf.of(new int[] {world.rank(), 0, 0}), null, root);
            int[] mine = new int[3];
            world.scatter(null, Buf.of(mine), root);
            assertEquals(world.rank(), mine[0]);
        }
        int[] gathered = new int[n];
        gathered[world.rank()] = world.rank() * 10;
        world.allgather(null, Buf.of(gathered));
        for (int r = 0; r < n; r++) {
            assertEquals(r * 10, gathered[r]);
        }
    }

    @MpiTest(ranks = {1, 2, 3, 4, 5, 6, 7, 8, 9, 16})
    void allgatherOfBuffers(Comm world) {
        int n = world.size();
        for (int cnt : new int[] {0, 1, 4, 20_000}) {
            double[] mine = new double[cnt];
            for (int i = 0; i < cnt; i++) {
                mine[i] = value(world.rank(), i);
            }
            double[] all = new double[n * cnt];
            world.allgather(Buf.of(mine), Buf.of(all));
            for (int r = 0; r < n; r++) {
                for (int i = 0; i < cnt; i++) {
                    assertEquals(value(r, i), all[r * cnt + i], cnt + " per rank, block " + r);
                }
            }
        }
    }

    @MpiTest(ranks = {1, 2, 3, 4, 7})
    void objectsFromEveryRoot(Comm world) {
        int n = world.size();
        for (int root = 0; root < n; root++) {
            List<String> got = world.gather("rank " + world.rank(), root);
            if (world.rank() == root) {
                List<String> expected = new ArrayList<>();
                for (int r = 0; r < n; r++) {
                    expected.add("rank " + r);
                }
                assertEquals(expected, got);
            } else {
                assertNull(got);
            }
            List<List<Integer>> chunks = null;
            if (world.rank() == root) {
                chunks = new ArrayList<>();
                for (int r = 0; r < n; r++) {
                    chunks.add(List.of(r, r * r));
                }
            }
            assertEquals(List.of(world.rank(), world.rank() * world.rank()), world.scatter(chunks, root));
        }
        List<int[]> everyone = world.allgather(new int[] {world.rank()});
        for (int r = 0; r < n; r++) {
            assertArrayEquals(new int[] {r}, everyone.get(r));
        }
    }

    @MpiTest(ranks = {2, 3})
    void misuseIsNamed(Comm world) {
        int n = world.size();
        if (world.rank() == 0) {
            MpiException e = assertThrows(MpiException.class,
                    () -> world.gather(Buf.of(new int[2]), Buf.of(new int[2 * n + 1]), 0));
            assertEquals(ErrorClass.COUNT, e.errorClass());
            MpiException t = assertThrows(MpiException.class,
                    () -> world.gather(Buf.of(new int[2]), Buf.of(new long[2 * n]), 0));
            assertEquals(ErrorClass.TYPE, t.errorClass());
            MpiException l = assertThrows(MpiException.class, () -> world.scatter(List.of(1), 0));
            assertTrue(l.getMessage().contains("1 values"), l.getMessage());
        }
        MpiException r = assertThrows(MpiException.class, () -> world.gather("x", n));
        assertEquals(ErrorClass.RANK, r.errorClass());
    }

    @Test
    void everyAlgorithmCanBeForcedByName() {
        for (String gather : List.of("binomial", "linear")) {
            for (String allgather : List.of("recursive-doubling", "bruck", "ring")) {
                for (int n : new int[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 16}) {
                    Mpi.local(n).set("mpi4j.coll.gather", gather).set("mpi4j.coll.scatter", gather)
                            .set("mpi4j.coll.allgather", allgather).timeout(Duration.ofSeconds(60)).execute(w -> {
                                for (int root = 0; root < w.size(); root++) {
                                    int[] all = new int[w.size() * 2];
                                    w.gather(Buf.of(new int[] {w.rank(), root}), w.rank() == root ? Buf.of(all) : null, root);
                                    int[] mine = new int[2];
                                    w.scatter(w.rank() == root ? Buf.of(all) : null, Buf.of(mine), root);
                                    assertArrayEquals(new int[] {w.rank(), root}, mine, gather + " root " + root);
                                }
                                int[] every = new int[w.size() * 3];
                                w.allgather(Buf.of(new int[] {w.rank(), 1, 2}), Buf.of(every));
                                for (int r = 0; r < w.size(); r++) {
                                    assertEquals(r, every[r * 3], allgather + " block " + r);
                                }
                            });
                }
            }
        }
    }
}
