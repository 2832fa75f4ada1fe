package org.mpi4j.tck;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.mpi4j.Buf;
import org.mpi4j.Comm;
import org.mpi4j.Datatype;
import org.mpi4j.Mpi;
import org.mpi4j.Request;
import org.mpi4j.Status;
import org.mpi4j.junit.MpiTest;

/**
 * Random message schedules: every rank derives the same list of messages (source, dest,
 * tag, size, kind) from one seed, posts its sends and receives in a random interleaving,
 * and checks every message. The seed is printed; set {@code mpi4j.test.seed} to replay.
 */
class P2pRandomTest {

    /** Shared by all ranks of an invocation: one seed per job. */
    private final long seed = Tck.seed();

    /** One message of the schedule. */
    record Msg(int id, int source, int dest, int tag, int bytes, boolean asObject) {
    }

    private static List<Msg> schedule(long seed, int size, int count) {
        Random rnd = new Random(seed ^ size);
        List<Msg> out = new ArrayList<>();
        for (int id = 0; id < count; id++) {
            int src = rnd.nextInt(size);
            int dst = rnd.nextInt(size);
            int tag = rnd.nextInt(4);
            // Sizes spread over orders of magnitude: mostly small, sometimes up to ~256 KiB.
            int bytes = rnd.nextInt(10) == 0 ? rnd.nextInt(256 * 1024) : rnd.nextInt(1 << rnd.nextInt(12));
            out.add(new Msg(id, src, dst, tag, bytes, rnd.nextInt(4) == 0));
        }
        return out;
    }

    /**
     * Returns {@code ops} in a random order that keeps the relative order of operations with
     * the same key (the same peer and tag), which MPI's ordering rule needs.
     */
    private static <T> List<T> interleave(List<T> ops, java.util.function.Function<T, Object> key, Random rnd) {
        List<Object> keys = new ArrayList<>();
        for (T op : ops) {
            keys.add(key.apply(op));
        }
        Collections.shuffle(keys, rnd);
        Map<Object, List<T>> byKey = new HashMap<>();
        for (T op : ops) {
            byKey.computeIfAbsent(key.apply(op), _ -> new ArrayList<>()).add(op);
        }
        Map<Object, Integer> next = new HashMap<>();
        List<T> out = new ArrayList<>();
        for (Object k : keys) {
            int i = next.merge(k, 1, Integer::sum) - 1;
            out.add(byKey.get(k).get(i));
        }
        return out;
    }

    @MpiTest(ranks = {1, 2, 3, 4, 7})
    void randomScheduleOfNonBlockingMessages(Comm world) {
        int size = world.size();
        int me = world.rank();
        List<Msg> all = schedule(seed, size, 60 * size);
        Random rnd = new Random(seed + me);

        List<Msg> sends = interleave(all.stream().filter(m -> m.source() == me).toList(),
                m -> List.of(m.dest(), m.tag()), rnd);
        // Receives name their source, or (half the time) ANY_SOURCE when this rank gets
        // messages from only one source with that tag, so any match is the right one.
        List<Msg> recvs = interleave(all.stream().filter(m -> m.dest() == me).toList(),
                m -> List.of(m.source(), m.tag()), rnd);
        Map<Integer, java.util.Set<Integer>> sourcesByTag = new HashMap<>();
        for (Msg m : recvs) {
            sourcesByTag.computeIfAbsent(m.tag(), _ -> new java.util.HashSet<>()).add(m.source());
        }

        List<Request<?>> pending = new ArrayList<>();
        Map<Msg, Object> inbox = new HashMap<>();
        Map<Msg, Request<?>> recvRequests = new HashMap<>();
        int s = 0;
        int r = 0;
        while (s < sends.size() || r < recvs.size()) {
            boolean doSend = r == recvs.size() || (s < sends.size() && rnd.nextBoolean());
            if (doSend) {
                Msg m = sends.get(s++);
                byte[] payload = Tck.bytes(m.id(), m.bytes());
                pending.add(m.asObject() ? world.isend((Object) payload, m.dest(), m.tag())
                        : world.isend(Buf.of(payload), m.dest(), m.tag()));
            } else {
                Msg m = recvs.get(r++);
                boolean anySource = sourcesByTag.get(m.tag()).size() == 1 && rnd.nextBoolean();
                int source = anySource ? Mpi.ANY_SOURCE : m.source();
                Request<?> q;
                if (m.asObject()) {
                    q = world.<byte[]>irecv(source, m.tag());
                } else {
                    byte[] in = new byte[m.bytes()];
                    inbox.put(m, in);
                    q = world.irecv(Buf.of(in), source, m.tag());
                }
                recvRequests.put(m, q);
                pending.add(q);
            }
        }
        Request.waitAll(pending);
        for (Msg m : recvs) {
            Request<?> q = recvRequests.get(m);
            Status st = q.status();
            assertEquals(m.source(), st.source(), "source of " + m);
            assertEquals(m.tag(), st.tag(), "tag of " + m);
            byte[] got = m.asObject() ? (byte[]) q.waitFor() : (byte[]) inbox.get(m);
            assertEquals(m.bytes(), m.asObject() ? got.length : (int) st.bytes(), "size of " + m + " (seed=" + seed + ")");
            int bad = Tck.mismatch(got, 0, m.bytes(), m.id());
            if (bad >= 0) {
                throw new AssertionError("message " + m + ": byte " + bad + " differs (seed=" + seed + ")");
            }
            assertEquals(Datatype.BYTE, st.datatype());
        }
    }

    @MpiTest
    void cancelledReceivesRaceWithArrivingMessages(Comm world) {
        // Receives are posted and some cancelled at random while the messages arrive. Each
        // message must be taken exactly once: the receives that were not cancelled get the
        // first messages in posting order, a drain gets the rest, and a cancelled receive
        // writes nothing.
        Random rnd = new Random(seed + world.rank());
        int n = 40;
        List<Request<Status>> sends = new ArrayList<>();
        int[][] in = new int[n][];
        List<Request<Status>> recvs = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            in[i] = new int[] {-1};
            recvs.add(world.irecv(Buf.of(in[i]), Tck.left(world), 11));
            if (rnd.nextInt(4) == 0) {
                recvs.get(rnd.nextInt(recvs.size())).cancel();
            }
            if (rnd.nextBoolean()) {
                sends.add(world.isend(Buf.of(new int[] {sends.size()}), Tck.right(world), 11));
            }
        }
        while (sends.size() < n) {
            sends.add(world.isend(Buf.of(new int[] {sends.size()}), Tck.right(world), 11));
        }
        for (int i = 0; i < n; i += 1 + rnd.nextInt(3)) {
            recvs.get(i).cancel();
        }
        Request.waitAll(recvs);
        List<Integer> got = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Status st = recvs.get(i).status();
            if (st.cancelled()) {
                assertEquals(-1, in[i][0], "receive " + i + " was cancelled but wrote (seed=" + seed + ")");
            } else {
                got.add(in[i][0]);
            }
        }
        int[] drain = new int[1];
        while (got.size() < n) {
            world.recv(Buf.of(drain), Tck.left(world), 11);
            got.add(drain[0]);
        }
        List<Integer> expected = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            expected.add(i);
        }
        assertEquals(expected, got, "each message once, in order (seed=" + seed + ")");
        Request.waitAll(sends);
    }

    @MpiTest
    void cancelledAnySourceReceivesRaceWithManySenders(Comm world) {
        // Every other rank sends to rank 0 with send and synchronous send mixed; rank 0 posts
        // ANY_SOURCE receives and cancels some at random. Each message is taken once, and each
        // sender's messages in order.
        Random rnd = new Random(seed * 31 + world.rank());
        int n = 30;
        int size = world.size();
        if (world.rank() == 0) {
            int total = n * (size - 1);
            List<Request<Status>> recvs = new ArrayList<>();
            int[][] in = new int[total][];
            for (int i = 0; i < total; i++) {
                in[i] = new int[] {-1, -1};
                recvs.add(world.irecv(Buf.of(in[i]), Mpi.ANY_SOURCE, 3));
                if (rnd.nextInt(3) == 0) {
                    recvs.get(rnd.nextInt(recvs.size())).cancel();
                }
            }
            Request.waitAll(recvs);
            int[] next = new int[size];
            int got = 0;
            for (int i = 0; i < total; i++) {
                Status st = recvs.get(i).status();
                if (st.cancelled()) {
                    assertEquals(-1, in[i][0], "a cancelled receive wrote (seed=" + seed + ")");
                    continue;
                }
                assertEquals(st.source(), in[i][0], "status source (seed=" + seed + ")");
                assertEquals(next[st.source()]++, in[i][1], "order from " + st.source() + " (seed=" + seed + ")");
                got++;
            }
            int[] drain = new int[2];
            for (; got < total; got++) {
                Status st = world.recv(Buf.of(drain), Mpi.ANY_SOURCE, 3);
                assertEquals(next[st.source()]++, drain[1], "order from " + st.source() + " (seed=" + seed + ")");
            }
        } else {
            List<Request<Status>> sends = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                Buf b = Buf.of(new int[] {world.rank(), i});
                sends.add(rnd.nextBoolean() ? world.isend(b, 0, 3) : world.issend(b, 0, 3));
            }
            Request.waitAll(sends);
        }
    }
}
