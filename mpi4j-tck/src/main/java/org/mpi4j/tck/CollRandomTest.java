package org.mpi4j.tck;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.mpi4j.Buf;
import org.mpi4j.Comm;
import org.mpi4j.Op;
import org.mpi4j.Request;
import org.mpi4j.junit.MpiTest;

/**
 * Random collective schedules: from one seed every rank derives the same sequence of
 * collectives (kind, root, size, blocking or not), runs it — non-blocking ones left in flight
 * and completed later in an order of the rank's own — and checks every result against what a
 * serial computation says. The seed is printed; set {@code mpi4j.test.seed} to replay.
 */
class CollRandomTest {

    private final long seed = Tck.seed();

    private enum Kind { BARRIER, BCAST, GATHER, SCATTER, ALLGATHER, ALLTOALL, REDUCE, ALLREDUCE, SCAN, REDUCE_SCATTER, BCAST_OBJECT, ALLGATHER_OBJECT }

    private record Step(Kind kind, int root, int count, boolean nonBlocking) {
    }

    private static List<Step> schedule(long seed, int n) {
        Random rnd = new Random(seed ^ n);
        List<Step> steps = new ArrayList<>();
        Kind[] kinds = Kind.values();
        for (int i = 0; i < 40; i++) {
            int count = switch (rnd.nextInt(4)) {
                case 0 -> 0;
                case 1 -> 1 + rnd.nextInt(4);
                case 2 -> 1 + rnd.nextInt(300);
                default -> 1 + rnd.nextInt(20_000);
            };
            steps.add(new Step(kinds[rnd.nextInt(kinds.length)], rnd.nextInt(n), count, rnd.nextBoolean()));
        }
        return steps;
    }

    /** Element i of rank r's input to step s. */
    private static long in(int s, int r, int i) {
        return s * 1_000_000_007L + r * 100_003L + i;
    }

    private static long[] input(int s, int r, int count) {
        long[] a = new long[count];
        for (int i = 0; i < count; i++) {
            a[i] = in(s, r, i);
        }
        return a;
    }

    @MpiTest(ranks = {1, 2, 3, 4, 5, 7, 8, 9, 16})
    void randomSchedulesMatchTheSerialReference(Comm w) {
        int n = w.size();
        int me = w.rank();
        List<Step> steps = schedule(seed, n);
        List<Runnable> checks = new ArrayList<>();
        List<Request<?>> pending = new ArrayList<>();
        for (int s = 0; s < steps.size(); s++) {
            Step st = steps.get(s);
            int c = st.count();
            int root = st.root();
            int step = s;
            String what = "step " + s + " " + st;
            Request<?> r;
            switch (st.kind()) {
                case BARRIER -> r = st.nonBlocking() ? w.ibarrier() : run(w::barrier);
                case BCAST -> {
                    long[] buf = me == root ? input(s, root, c) : new long[c];
                    r = st.nonBlocking() ? w.ibcast(Buf.of(buf), root) : run(() -> w.bcast(Buf.of(buf), root));
                    checks.add(() -> assertArrayEquals(input(step, root, c), buf, what));
                }
                case GATHER -> {
                    long[] all = me == root ? new long[n * c] : null;
                    Buf recv = all == null ? null : Buf.of(all);
                    Buf send = Buf.of(input(s, me, c));
                    r = st.nonBlocking() ? w.igather(send, recv, root) : run(() -> w.gather(send, recv, root));
                    if (all != null) {
                        checks.add(() -> {
                            for (int q = 0; q < n; q++) {
                                assertArrayEquals(input(step, q, c), java.util.Arrays.copyOfRange(all, q * c, q * c + c), what);
                            }
                        });
                    }
                }
                case SCATTER -> {
                    long[] all = new long[n * c];
                    for (int q = 0; q < n; q++) {
                        System.arraycopy(input(s, q, c), 0, all, q * c, c);
                    }
                    long[] mine = new long[c];
                    Buf send = me == root ? Buf.of(all) : null;
                    r = st.nonBlocking() ? w.iscatter(send, Buf.of(mine), root) : run(() -> w.scatter(send, Buf.of(mine), root));
                    checks.add(() -> assertArrayEquals(input(step, me, c), mine, what));
                }
                case ALLGATHER -> {
                    long[] all = new long[n * c];
                    Buf send = Buf.of(input(s, me, c));
                    r = st.nonBlocking() ? w.iallgather(send, Buf.of(all)) : run(() -> w.allgather(send, Buf.of(all)));
                    checks.add(() -> {
                        for (int q = 0; q < n; q++) {
                            assertEquals(c == 0 ? 0 : in(step, q, c - 1), c == 0 ? 0 : all[q * c + c - 1], what);
                        }
                    });
                }
                case ALLTOALL -> {
                    long[] out = new long[n * c];
                    for (int i = 0; i < out.length; i++) {
                        out[i] = in(s, me, i);
                    }
                    long[] got = new long[n * c];
                    r = st.nonBlocking() ? w.ialltoall(Buf.of(out), Buf.of(got)) : run(() -> w.alltoall(Buf.of(out), Buf.of(got)));
                    checks.add(() -> {
                        for (int q = 0; q < n; q++) {
                            for (int i = 0; i < c; i += Math.max(1, c / 7)) {
                                assertEquals(in(step, q, me * c + i), got[q * c + i], what);
                            }
                        }
                    });
                }
                case REDUCE, ALLREDUCE -> {
                    long[] res = new long[c];
                    Buf send = Buf.of(input(s, me, c));
                    boolean all = st.kind() == Kind.ALLREDUCE;
                    Buf recv = all || me == root ? Buf.of(res) : null;
                    r = all ? (st.nonBlocking() ? w.iallreduce(send, recv, Op.SUM) : run(() -> w.allreduce(send, recv, Op.SUM)))
                            : (st.nonBlocking() ? w.ireduce(send, recv, Op.SUM, root) : run(() -> w.reduce(send, recv, Op.SUM, root)));
                    if (recv != null) {
                        checks.add(() -> assertArrayEquals(sumUpTo(step, n - 1, c), res, what));
                    }
                }
                case SCAN -> {
                    long[] res = new long[c];
                    Buf send = Buf.of(input(s, me, c));
                    r = st.nonBlocking() ? w.iscan(send, Buf.of(res), Op.SUM) : run(() -> w.scan(send, Buf.of(res), Op.SUM));
                    checks.add(() -> assertArrayEquals(sumUpTo(step, me, c), res, what));
                }
                case REDUCE_SCATTER -> {
                    long[] res = new long[c];
                    int[] counts = new int[n];
                    java.util.Arrays.fill(counts, c);
                    long[] full = new long[n * c];
                    for (int i = 0; i < full.length; i++) {
                        full[i] = in(s, me, i);
                    }
                    Buf send = Buf.of(full);
                    r = st.nonBlocking() ? w.ireduceScatter(send, Buf.of(res), counts, Op.SUM)
                            : run(() -> w.reduceScatter(send, Buf.of(res), counts, Op.SUM));
                    checks.add(() -> {
                        for (int i = 0; i < c; i++) {
                            long want = 0;
                            for (int q = 0; q < n; q++) {
                                want += in(step, q, me * c + i);
                            }
                            assertEquals(want, res[i], what);
                        }
                    });
                }
                case BCAST_OBJECT -> {
                    String v = me == root ? "step " + s + " from " + root : null;
                    if (st.nonBlocking()) {
                        Request<String> got = w.ibcast(v, root);
                        r = got;
                        checks.add(() -> assertEquals("step " + step + " from " + root, got.waitFor(), what));
                    } else {
                        assertEquals("step " + s + " from " + root, w.bcast(v, root), what);
                        r = null;
                    }
                }
                case ALLGATHER_OBJECT -> {
                    List<Integer> want = new ArrayList<>();
                    for (int q = 0; q < n; q++) {
                        want.add(q * step);
                    }
                    if (st.nonBlocking()) {
                        Request<List<Integer>> got = w.iallgather(me * step);
                        r = got;
                        checks.add(() -> assertEquals(want, got.waitFor(), what));
                    } else {
                        assertEquals(want, w.allgather(me * step), what);
                        r = null;
                    }
                }
                default -> throw new IllegalStateException();
            }
            if (r != null) {
                pending.add(r);
            }
        }
        Collections.shuffle(pending, new Random(seed * 31 + me));
        for (Request<?> r : pending) {
            r.waitFor();
        }
        for (Runnable c : checks) {
            c.run();
        }
    }

    private static long[] sumUpTo(int s, int last, int c) {
        long[] sum = new long[c];
        for (int q = 0; q <= last; q++) {
            for (int i = 0; i < c; i++) {
                sum[i] += in(s, q, i);
            }
        }
        return sum;
    }

    /** Runs a blocking collective and returns no request: it has completed. */
    private static Request<?> run(Runnable blocking) {
        blocking.run();
        return null;
    }
}
