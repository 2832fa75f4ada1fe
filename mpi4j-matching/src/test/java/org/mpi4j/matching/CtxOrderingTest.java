package org.mpi4j.matching;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import org.junit.jupiter.api.Test;
import org.mpi4j.Buf;
import org.mpi4j.IdleStrategy;
import org.mpi4j.Mpi;
import org.mpi4j.transport.Frame;
import org.mpi4j.transport.Transport;

/** The ordering rules of one context's queues, checked directly. */
class CtxOrderingTest {
    private static final int ANY_S = Mpi.ANY_SOURCE;
    private static final int ANY_T = Mpi.ANY_TAG;

    private final Endpoint ep = new Endpoint(0, 4, new NullTransport(), IdleStrategy.spinning());
    private final MatchingComm comm = (MatchingComm) ep.comm(Endpoint.WORLD_CONTEXT, null, "WORLD");
    private final Ctx ctx = new Ctx(0);
    private long seq;

    private PostedRecv<?> post(int source, int tag) {
        RecvRequest<?> r = new RecvRequest<>(ep, comm, source, tag, source, null, b -> b, "recv");
        r.seq = seq++;
        ctx.post(r);
        return r;
    }

    private static Unexpected msg(int source, int tag) {
        Frame f = new Frame();
        f.type = Frame.EAGER;
        f.source = source;
        f.tag = tag;
        return Unexpected.of(source, f, null, 0);
    }

    @Test
    void anArrivalTakesTheEarliestPostedReceiveThatAcceptsIt() {
        PostedRecv<?> anyAny = post(ANY_S, ANY_T);
        PostedRecv<?> exact = post(1, 5);
        PostedRecv<?> anyTag = post(1, ANY_T);
        PostedRecv<?> anySource = post(ANY_S, 5);
        assertSame(anyAny, ctx.takePosted(1, 5));
        assertSame(exact, ctx.takePosted(1, 5));
        assertSame(anyTag, ctx.takePosted(1, 5));
        assertSame(anySource, ctx.takePosted(1, 5));
        assertNull(ctx.takePosted(1, 5));
        assertEquals(0, ctx.postedCount());
    }

    @Test
    void exactReceivesOnlyMatchTheirOwnSourceAndTag() {
        PostedRecv<?> a = post(2, 7);
        assertNull(ctx.takePosted(2, 8));
        assertNull(ctx.takePosted(3, 7));
        assertSame(a, ctx.takePosted(2, 7));
    }

    @Test
    void aReceiveTakesTheEarliestArrivedMessageItAccepts() {
        Unexpected m1 = msg(1, 5);
        Unexpected m2 = msg(2, 6);
        Unexpected m3 = msg(1, 6);
        Unexpected m4 = msg(1, 5);
        for (Unexpected m : new Unexpected[] {m1, m2, m3, m4}) {
            ctx.addUnexpected(m);
        }
        assertSame(m3, ctx.takeUnexpected(1, 6));
        assertSame(m1, ctx.takeUnexpected(ANY_S, 5));
        assertSame(m2, ctx.takeUnexpected(ANY_S, ANY_T));
        assertSame(m4, ctx.peekUnexpected(1, ANY_T));
        assertSame(m4, ctx.takeUnexpected(1, 5));
        assertNull(ctx.takeUnexpected(ANY_S, ANY_T));
        assertEquals(0, ctx.unexpectedCount());
    }

    @Test
    void cancellingRemovesOnlyThatReceive() {
        PostedRecv<?> a = post(1, ANY_T);
        PostedRecv<?> b = post(1, ANY_T);
        assertEquals(true, ctx.removePosted(a));
        assertEquals(false, ctx.removePosted(a));
        assertSame(b, ctx.takePosted(1, 3));
    }

    private static final class NullTransport implements Transport {
        @Override
        public void send(int peer, Frame frame, Buf payload, long payloadOffset) {
        }

        @Override
        public long eagerLimit(int peer) {
            return 0;
        }

        @Override
        public long maxFragment(int peer) {
            return 1;
        }

        @Override
        public boolean supportsGet(int peer) {
            return false;
        }

        @Override
        public void get(int peer, Object attachment, long srcOffset, Buf dst, long dstOffset, long bytes) {
        }
    }
}
