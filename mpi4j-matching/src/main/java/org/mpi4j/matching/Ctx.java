package org.mpi4j.matching;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.mpi4j.Mpi;

/**
 * One communication context's matching state: posted receives and unexpected messages,
 * each hashed by (source, tag). Guarded by the endpoint's lock.
 *
 * <p>Ordering. A message must match the <em>earliest posted</em> receive that accepts it.
 * Exact and wildcard receives live in different queues, so an arriving (s, t) looks at the
 * heads of at most four queues — (s, t), (s, ANY), (ANY, t), (ANY, ANY) — and takes the one
 * with the lowest post sequence; the wildcard queues are only consulted when a wildcard
 * receive is posted at all. A receive must match the <em>earliest arrived</em> message it
 * accepts: for an exact (s, t) that is the head of that FIFO; a wildcard receive walks the
 * arrival list. Either way, messages of one sender with one tag leave in the order they
 * came, which is MPI's non-overtaking rule.
 */
class Ctx {
    final int id;
    private final LongMap<ArrayDeque<PostedRecv<?>>> posted = new LongMap<>();
    private int anySourcePosted;
    private int anyTagPosted;
    private int postedCount;

    private final LongMap<ArrayDeque<Unexpected>> unexpected = new LongMap<>();
    private Unexpected head;
    private Unexpected tail;
    private int unexpectedCount;

    final List<ProbeRequest> probes = new ArrayList<>(0);

    /**
     * Emptied queues kept for reuse. A queue leaves its map when it empties (so a program
     * that uses many tags once does not keep a queue per tag), and the next message or
     * receive with that (source, tag) — in a ping-pong, the very next — needs one again:
     * without these, every message would allocate a queue, and a young JVM pays a page
     * fault per 4 KiB of fresh heap (10 µs here) until its first collection.
     */
    private final ArrayDeque<ArrayDeque<PostedRecv<?>>> sparePosted = new ArrayDeque<>(SPARES);
    private final ArrayDeque<ArrayDeque<Unexpected>> spareUnexpected = new ArrayDeque<>(SPARES);
    private static final int SPARES = 16;

    Ctx(int id) {
        this.id = id;
    }

    static long key(int source, int tag) {
        return ((long) source << 32) | (tag & 0xFFFFFFFFL);
    }

    // ---------------------------------------------------------------- posted receives

    void post(PostedRecv<?> r) {
        long k = key(r.source, r.tag);
        ArrayDeque<PostedRecv<?>> q = posted.get(k);
        if (q == null) {
            q = sparePosted.isEmpty() ? new ArrayDeque<>(4) : sparePosted.pollFirst();
            posted.put(k, q);
        }
        q.addLast(r);
        postedCount++;
        if (r.source == Mpi.ANY_SOURCE) {
            anySourcePosted++;
        }
        if (r.tag == Mpi.ANY_TAG) {
            anyTagPosted++;
        }
    }

    /** Removes and returns the earliest posted receive that accepts (source, tag), or null. */
    PostedRecv<?> takePosted(int source, int tag) {
        if (postedCount == 0) {
            return null;
        }
        long bestKey = key(source, tag);
        ArrayDeque<PostedRecv<?>> best = posted.get(bestKey);
        if (anyTagPosted > 0) {
            long k = key(source, Mpi.ANY_TAG);
            ArrayDeque<PostedRecv<?>> q = posted.get(k);
            if (earlier(q, best)) {
                best = q;
                bestKey = k;
            }
        }
        if (anySourcePosted > 0) {
            long k = key(Mpi.ANY_SOURCE, tag);
            ArrayDeque<PostedRecv<?>> q = posted.get(k);
            if (earlier(q, best)) {
                best = q;
                bestKey = k;
            }
            if (anyTagPosted > 0) {
                k = key(Mpi.ANY_SOURCE, Mpi.ANY_TAG);
                q = posted.get(k);
                if (earlier(q, best)) {
                    best = q;
                    bestKey = k;
                }
            }
        }
        if (best == null) {
            return null;
        }
        PostedRecv<?> r = best.pollFirst();
        if (best.isEmpty()) {
            posted.remove(bestKey);
            spare(sparePosted, best);
        }
        unposted(r);
        return r;
    }

    /** Keeps an emptied queue for reuse, up to {@link #SPARES}. */
    private static <E> void spare(ArrayDeque<ArrayDeque<E>> spares, ArrayDeque<E> emptied) {
        if (spares.size() < SPARES) {
            spares.addLast(emptied);
        }
    }

    private static boolean earlier(ArrayDeque<PostedRecv<?>> q, ArrayDeque<PostedRecv<?>> best) {
        return q != null && (best == null || q.peekFirst().seq < best.peekFirst().seq);
    }

    /** Removes a specific posted receive (cancel, failure); returns whether it was posted. */
    boolean removePosted(PostedRecv<?> r) {
        long k = key(r.source, r.tag);
        ArrayDeque<PostedRecv<?>> q = posted.get(k);
        if (q == null || !q.remove(r)) {
            return false;
        }
        if (q.isEmpty()) {
            posted.remove(k);
            spare(sparePosted, q);
        }
        unposted(r);
        return true;
    }

    private void unposted(PostedRecv<?> r) {
        postedCount--;
        if (r.source == Mpi.ANY_SOURCE) {
            anySourcePosted--;
        }
        if (r.tag == Mpi.ANY_TAG) {
            anyTagPosted--;
        }
    }

    void forEachPosted(Consumer<PostedRecv<?>> action) {
        List<PostedRecv<?>> all = new ArrayList<>(postedCount);
        posted.forEachValue(all::addAll);
        all.forEach(action);
    }

    int postedCount() {
        return postedCount;
    }

    // ---------------------------------------------------------------- unexpected messages

    void addUnexpected(Unexpected u) {
        long k = key(u.source, u.tag);
        ArrayDeque<Unexpected> q = unexpected.get(k);
        if (q == null) {
            q = spareUnexpected.isEmpty() ? new ArrayDeque<>(4) : spareUnexpected.pollFirst();
            unexpected.put(k, q);
        }
        q.addLast(u);
        u.prev = tail;
        u.next = null;
        if (tail == null) {
            head = u;
        } else {
            tail.next = u;
        }
        tail = u;
        unexpectedCount++;
    }

    /** Returns the earliest arrived message that (source, tag) accepts, or null. */
    Unexpected peekUnexpected(int source, int tag) {
        if (unexpectedCount == 0) {
            return null;
        }
        if (source != Mpi.ANY_SOURCE && tag != Mpi.ANY_TAG) {
            ArrayDeque<Unexpected> q = unexpected.get(key(source, tag));
            return q == null ? null : q.peekFirst();
        }
        for (Unexpected u = head; u != null; u = u.next) {
            if (u.matches(source, tag)) {
                return u;
            }
        }
        return null;
    }

    /** Removes and returns the earliest arrived message that (source, tag) accepts, or null. */
    Unexpected takeUnexpected(int source, int tag) {
        Unexpected u = peekUnexpected(source, tag);
        if (u != null) {
            unlink(u);
        }
        return u;
    }

    /** Finds an unmatched rendezvous message by its sender's id, for cancellation. */
    Unexpected findRendezvous(int peer, long sendId) {
        for (Unexpected u = head; u != null; u = u.next) {
            if (u.rendezvous && u.peer == peer && u.sendId == sendId) {
                return u;
            }
        }
        return null;
    }

    void unlink(Unexpected u) {
        long k = key(u.source, u.tag);
        ArrayDeque<Unexpected> q = unexpected.get(k);
        if (q.peekFirst() == u) {
            q.pollFirst();
        } else {
            q.remove(u);
        }
        if (q.isEmpty()) {
            unexpected.remove(k);
            spare(spareUnexpected, q);
        }
        if (u.prev == null) {
            head = u.next;
        } else {
            u.prev.next = u.next;
        }
        if (u.next == null) {
            tail = u.prev;
        } else {
            u.next.prev = u.prev;
        }
        u.prev = null;
        u.next = null;
        unexpectedCount--;
    }

    int unexpectedCount() {
        return unexpectedCount;
    }

    /** Removes and returns the blocking probes that {@code u} satisfies. */
    List<ProbeRequest> takeProbes(Unexpected u) {
        if (probes.isEmpty()) {
            return null;
        }
        List<ProbeRequest> out = null;
        for (int i = 0; i < probes.size(); i++) {
            ProbeRequest p = probes.get(i);
            if (u.matches(p.source, p.tag)) {
                if (out == null) {
                    out = new ArrayList<>(2);
                }
                out.add(p);
                probes.remove(i--);
            }
        }
        return out;
    }
}

/**
 * A context's state, padded at its end: contexts of different ranks are written by
 * different threads and must not share a cache line.
 */
final class PaddedCtx extends Ctx {
    @SuppressWarnings("unused")
    private long p0, p1, p2, p3, p4, p5, p6, p7;

    PaddedCtx(int id) {
        super(id);
    }
}
