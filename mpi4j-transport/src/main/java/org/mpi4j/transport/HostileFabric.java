package org.mpi4j.transport;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import org.mpi4j.Buf;

/**
 * A deliberately hostile fabric for tests, after Okio's one-byte-at-a-time source: "because
 * it is likely to trigger bugs". Wrapped around an in-JVM fabric, it
 * <ul>
 *   <li>delivers every frame later, on a delivery thread of its own, after random delays;</li>
 *   <li>interleaves frames of different sender/receiver pairs at random, while keeping each
 *       pair's frames in order, as every real transport does;</li>
 *   <li>picks a random eager limit for every message, so one program mixes eager and
 *       rendezvous messages;</li>
 *   <li>never offers {@link Transport#get}, and splits rendezvous data into fragments of
 *       random size, down to one byte.</li>
 * </ul>
 * All randomness comes from one seed, which tests print so a failure can be replayed
 * (thread scheduling aside).
 */
public final class HostileFabric implements AutoCloseable {
    private static final int WINDOW = 8;

    private final Transport[] inner;
    private final Consumer<Throwable> onFailure;
    private final SplittableRandom random;
    private final List<Delivery> pending = new ArrayList<>();
    private final Thread deliverer;
    private volatile boolean closed;

    private record Delivery(int from, int to, Frame frame, Buf payload) {
    }

    /**
     * Creates a hostile fabric over {@code inner}.
     *
     * @param seed the seed of every random choice
     * @param onFailure told if delivering a frame throws, which means a bug in the layer above
     */
    public HostileFabric(LocalFabric inner, int ranks, long seed, Consumer<Throwable> onFailure) {
        this.inner = new Transport[ranks];
        for (int r = 0; r < ranks; r++) {
            this.inner[r] = inner.transport(r);
        }
        this.onFailure = onFailure;
        this.random = new SplittableRandom(seed);
        this.deliverer = Thread.ofPlatform().name("mpi4j-hostile-delivery").daemon(true).unstarted(this::deliverLoop);
        this.deliverer.start();
    }

    /** Returns the transport rank {@code rank} sends with. */
    public Transport transport(int rank) {
        return new HostileTransport(rank, inner[rank]);
    }

    /** Stops delivering; frames still in flight are dropped. */
    @Override
    public void close() {
        closed = true;
        LockSupport.unpark(deliverer);
    }

    private int nextInt(int bound) {
        synchronized (random) {
            return random.nextInt(bound);
        }
    }

    private void deliverLoop() {
        int idle = 0;
        while (!closed) {
            Delivery d = take();
            if (d == null) {
                LockSupport.parkNanos(idle++ < 100 ? 1_000 : 200_000);
                continue;
            }
            idle = 0;
            int dice = nextInt(32);
            if (dice == 0) {
                LockSupport.parkNanos(1_000 + nextInt(50_000));
            } else if (dice < 4) {
                Thread.yield();
            }
            try {
                inner[d.from].send(d.to, d.frame, d.payload, 0);
            } catch (Throwable t) {
                closed = true;
                onFailure.accept(t);
                return;
            }
        }
    }

    /** Takes a random frame among the oldest few, but never one whose pair has an older frame waiting. */
    private Delivery take() {
        synchronized (pending) {
            int n = pending.size();
            if (n == 0) {
                return null;
            }
            int pick = nextInt(Math.min(n, WINDOW));
            Delivery chosen = pending.get(pick);
            for (int i = 0; i < pick; i++) {
                Delivery older = pending.get(i);
                if (older.from == chosen.from && older.to == chosen.to) {
                    pick = i;
                    break;
                }
            }
            return pending.remove(pick);
        }
    }

    private final class HostileTransport implements Transport {
        private final int self;
        private final Transport direct;

        HostileTransport(int self, Transport direct) {
            this.self = self;
            this.direct = direct;
        }

        @Override
        public void send(int peer, Frame frame, Buf payload, long payloadOffset) {
            Buf copy = null;
            if (frame.type == Frame.EAGER || frame.type == Frame.DATA) {
                copy = Buf.allocate(org.mpi4j.Datatype.BYTE, Math.toIntExact(frame.length));
                Buf.copy(payload, payloadOffset, copy, 0, frame.length);
            }
            Frame f = frame.copy();
            f.attachment = null;
            synchronized (pending) {
                pending.add(new Delivery(self, peer, f, copy));
            }
            LockSupport.unpark(deliverer);
        }

        @Override
        public int poll() {
            return direct.poll();
        }

        @Override
        public void parking(boolean parked) {
            direct.parking(parked);
        }

        @Override
        public long eagerLimit(int peer) {
            // Anything from nothing-is-eager to the real limit, chosen per message.
            return switch (nextInt(4)) {
                case 0 -> 0;
                case 1 -> nextInt(64);
                case 2 -> nextInt(4096);
                default -> direct.eagerLimit(peer);
            };
        }

        @Override
        public long maxFragment(int peer) {
            return 1 + nextInt(1 << nextInt(17));
        }

        @Override
        public boolean supportsGet(int peer) {
            return false;
        }

        @Override
        public void get(int peer, Object attachment, long srcOffset, Buf dst, long dstOffset, long bytes) {
            throw new UnsupportedOperationException("the hostile transport has no get");
        }
    }
}
