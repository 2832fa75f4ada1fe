package org.mpi4j.coll;

import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import org.mpi4j.Buf;
import org.mpi4j.ErrorClass;
import org.mpi4j.MpiException;
import org.mpi4j.Status;
import org.mpi4j.spi.AbstractRequest;
import org.mpi4j.spi.CollectiveSpi;
import org.mpi4j.spi.CommSpi;
import org.mpi4j.spi.Settings;

/**
 * The collectives of one communicator on one rank, for engines that have only
 * point-to-point: named algorithms over the communicator's collective context.
 *
 * <p>Settings (each names an algorithm, forcing it whatever the decision table says):
 * <ul>
 *   <li>{@code mpi4j.coll.barrier} — {@code dissemination} (default) or {@code linear};</li>
 *   <li>{@code mpi4j.coll.bcast} — {@code binomial} (default above two ranks) or
 *       {@code linear}.</li>
 * </ul>
 */
public final class P2pCollectives implements CollectiveSpi {
    /** The setting that forces the barrier algorithm. */
    public static final String BARRIER = "mpi4j.coll.barrier";
    /** The setting that forces the bcast algorithm. */
    public static final String BCAST = "mpi4j.coll.bcast";

    static final List<String> BARRIERS = List.of("dissemination", "linear");
    static final List<String> BCASTS = List.of("binomial", "linear");

    /** Tags run in [0, 2^30): far from the tag communicator management uses. */
    private static final int TAG_MASK = (1 << 30) - 1;
    private static final Buf EMPTY = Buf.of(new byte[0]);

    private final CommSpi coll;
    private final String barrierAlgorithm;
    private final String bcastAlgorithm;
    private final AtomicInteger calls = new AtomicInteger();

    /**
     * Creates the collectives of a communicator.
     *
     * @param collectiveView the communicator on its collective context ({@link CommSpi#collectiveView()})
     * @param settings where forced algorithms are named
     */
    public P2pCollectives(CommSpi collectiveView, Settings settings) {
        this.coll = Objects.requireNonNull(collectiveView, "collectiveView");
        this.barrierAlgorithm = forced(settings, BARRIER, BARRIERS);
        this.bcastAlgorithm = forced(settings, BCAST, BCASTS);
    }

    private static String forced(Settings settings, String key, List<String> names) {
        String v = settings.get(key, null);
        if (v != null && !names.contains(v)) {
            throw new MpiException(ErrorClass.ARG, "setting " + key + "=" + v + " names no algorithm; choose one of " + names);
        }
        return v;
    }

    /** The tag of the next collective call: the same on every rank, as calls come in the same order. */
    private int nextTag() {
        return calls.getAndIncrement() & TAG_MASK;
    }

    // ================================================================== barrier

    @Override
    public void barrier() {
        int tag = nextTag();
        switch (barrierAlgorithm != null ? barrierAlgorithm : "dissemination") {
            case "linear" -> barrierLinear(tag);
            default -> barrierDissemination(tag);
        }
    }

    /**
     * Dissemination: in round k every rank signals rank + 2^k and waits for rank - 2^k;
     * after ceil(log2 n) rounds each rank has heard, directly or not, from every other.
     */
    private void barrierDissemination(int tag) {
        int n = coll.size();
        int r = coll.rank();
        for (int k = 1; k < n; k <<= 1) {
            AbstractRequest<Status> in = coll.irecv(Buf.of(new byte[0]), (r - k + n) % n, tag);
            coll.send(EMPTY, (r + k) % n, tag, false);
            in.waitFor();
        }
    }

    /** Linear: everyone signals rank 0, which then releases everyone. */
    private void barrierLinear(int tag) {
        int n = coll.size();
        if (coll.rank() == 0) {
            for (int r = 1; r < n; r++) {
                coll.recv(Buf.of(new byte[0]), r, tag);
            }
            for (int r = 1; r < n; r++) {
                coll.send(EMPTY, r, tag, false);
            }
        } else {
            coll.send(EMPTY, 0, tag, false);
            coll.recv(Buf.of(new byte[0]), 0, tag);
        }
    }

    // ================================================================== bcast

    private String bcastAlgorithm() {
        if (bcastAlgorithm != null) {
            return bcastAlgorithm;
        }
        return coll.size() <= 2 ? "linear" : "binomial";
    }

    @Override
    public void bcast(Buf buf, int root) {
        Buf got = broadcast(coll.rank() == root ? buf : null, buf, root, nextTag());
        if (coll.rank() != root && got.byteSize() != buf.byteSize()) {
            throw new MpiException(ErrorClass.COUNT, "bcast: root " + root + " broadcast " + got.byteSize()
                    + " bytes, but this rank's buffer holds " + buf.byteSize() + " bytes (" + buf.count()
                    + " " + buf.datatype() + " elements); every rank must pass the same count");
        }
    }

    @Override
    public Buf bcastAny(Buf rootBuf, int root) {
        return broadcast(rootBuf, null, root, nextTag());
    }

    /**
     * Broadcasts the root's {@code data}. A non-root receives into {@code into}, or into a
     * buffer allocated for the message when {@code into} is null, forwards exactly what it
     * received, and returns it. A buffer too small for the message fails the receive with a
     * truncation error on that rank, which then fails as a rank (the job aborts; nobody hangs).
     */
    private Buf broadcast(Buf data, Buf into, int root, int tag) {
        int n = coll.size();
        int me = coll.rank();
        if (n == 1) {
            return data;
        }
        if (bcastAlgorithm().equals("linear")) {
            if (me == root) {
                sendToAll(data, root, tag);
                return data;
            }
            return receive(into, root, tag);
        }
        // Binomial tree over ranks relative to the root: a rank receives from the rank that
        // differs in its lowest set bit, then sends to the ranks that add each lower bit.
        int rel = (me - root + n) % n;
        Buf have = data;
        int mask = 1;
        while (mask < n) {
            if ((rel & mask) != 0) {
                have = receive(into, (rel - mask + root) % n, tag);
                break;
            }
            mask <<= 1;
        }
        mask >>= 1;
        while (mask > 0) {
            if (rel + mask < n) {
                coll.send(have, (rel + mask + root) % n, tag, false);
            }
            mask >>= 1;
        }
        return have;
    }

    private Buf receive(Buf into, int from, int tag) {
        if (into == null) {
            return coll.<Buf>irecvAny(from, tag, b -> b).waitFor();
        }
        Status st = coll.recv(into, from, tag);
        return st.bytes() == into.byteSize() ? into : into.slice(0, st.count());
    }

    private void sendToAll(Buf data, int root, int tag) {
        int n = coll.size();
        AbstractRequest<?>[] sends = new AbstractRequest<?>[n];
        for (int r = 0; r < n; r++) {
            if (r != root) {
                sends[r] = coll.isend(data, r, tag, false);
            }
        }
        for (AbstractRequest<?> s : sends) {
            if (s != null) {
                s.waitFor();
            }
        }
    }
}
