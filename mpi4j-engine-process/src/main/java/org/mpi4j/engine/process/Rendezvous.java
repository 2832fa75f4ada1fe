package org.mpi4j.engine.process;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The launcher's side of the control protocol ({@link Control}): where the ranks of a job
 * meet, learn of each other, and stay connected to their launcher until they finalize.
 *
 * <p>Only a process that holds the job's {@link JobSecret} gets past the handshake; any other
 * connection — a stranger, a bad proof, a replayed handshake, garbage — is logged and dropped
 * without disturbing the job.
 */
public final class Rendezvous implements Closeable {
    private static final System.Logger LOG = System.getLogger(Rendezvous.class.getName());
    /** How long a connection may take to complete its handshake. */
    static final int HANDSHAKE_MILLIS = 10_000;

    /** What the launcher hears from its ranks once they run. */
    public interface Listener {
        /** Rank {@code rank} aborted, or failed, with {@code code} for {@code reason}. */
        void onAbort(int rank, int code, String reason);

        /** Rank {@code rank} has finalized. */
        void onFinalized(int rank);

        /** Rank {@code rank} answered a dump request. */
        void onDump(int rank, String state);

        /** Rank {@code rank}'s control connection closed. */
        void onDisconnected(int rank);
    }

    private final int size;
    private final JobSecret secret;
    private final ServerSocket server;
    private final Peer[] peers;
    private final RankCard[] cards;
    private final CountDownLatch allCards;
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile Listener listener;

    private Rendezvous(int size, JobSecret secret, ServerSocket server) {
        this.size = size;
        this.secret = secret;
        this.server = server;
        this.peers = new Peer[size];
        this.cards = new RankCard[size];
        this.allCards = new CountDownLatch(size);
    }

    /**
     * Opens a rendezvous for {@code size} ranks, listening on {@code bind} (an ephemeral port).
     *
     * @throws IOException if it cannot listen
     */
    public static Rendezvous open(int size, JobSecret secret, InetAddress bind) throws IOException {
        if (size < 1) {
            throw new IllegalArgumentException("size < 1: " + size);
        }
        ServerSocket server = new ServerSocket();
        server.bind(new InetSocketAddress(bind, 0), Math.max(50, size));
        Rendezvous r = new Rendezvous(size, Objects.requireNonNull(secret, "secret"), server);
        Thread.ofPlatform().daemon().name("mpi4j-rendezvous").start(r::acceptLoop);
        return r;
    }

    /** Returns where ranks connect: {@code host:port} for their environment. */
    public InetSocketAddress address() {
        return (InetSocketAddress) server.getLocalSocketAddress();
    }

    /** Sets who hears from the ranks; set it before they start. */
    public void listener(Listener l) {
        this.listener = l;
    }

    /**
     * Waits until every rank has published its card and been sent the table.
     *
     * @return whether all did within {@code timeout}
     */
    public boolean awaitAll(Duration timeout) throws InterruptedException {
        return allCards.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
    }

    /** Returns the ranks that have not yet connected and published their card. */
    public List<Integer> missing() {
        List<Integer> m = new ArrayList<>();
        synchronized (cards) {
            for (int r = 0; r < size; r++) {
                if (cards[r] == null) {
                    m.add(r);
                }
            }
        }
        return m;
    }

    /** Returns the card rank {@code rank} published, or null if it has not yet. */
    RankCard card(int rank) {
        synchronized (cards) {
            return cards[rank];
        }
    }

    /** Tells every connected rank that the job is aborted because of {@code failedRank}. */
    public void abortAll(int failedRank, int code, String reason) {
        for (Peer p : peersNow()) {
            if (p.rank != failedRank) {
                p.trySend(Control.ABORT, out -> {
                    out.writeInt(failedRank);
                    out.writeInt(code);
                    Control.writeString(out, reason);
                });
            }
        }
    }

    /** Asks every connected rank what it is blocked in; answers come to {@link Listener#onDump}. */
    public void requestDumps() {
        for (Peer p : peersNow()) {
            p.trySend(Control.DUMP, _ -> { });
        }
    }

    private List<Peer> peersNow() {
        List<Peer> out = new ArrayList<>();
        synchronized (peers) {
            for (Peer p : peers) {
                if (p != null) {
                    out.add(p);
                }
            }
        }
        return out;
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            try {
                server.close();
            } catch (IOException ignored) {
                // closing
            }
            for (Peer p : peersNow()) {
                p.close();
            }
        }
    }

    private void acceptLoop() {
        while (!closed.get()) {
            Socket s;
            try {
                s = server.accept();
            } catch (IOException e) {
                if (!closed.get()) {
                    LOG.log(System.Logger.Level.WARNING, "rendezvous stopped accepting: " + e);
                }
                return;
            }
            // Platform threads, not virtual ones: a virtual thread's socket I/O starts the JDK's
            // pollers, threads that sit in native epoll_wait, and the JVM waits 300 ms at exit
            // for any thread in native code. A launcher that exits promptly needs none.
            Thread.ofPlatform().daemon().name("mpi4j-rendezvous-conn").stackSize(256 << 10).start(() -> serve(s));
        }
    }

    private void serve(Socket s) {
        Peer peer;
        try {
            peer = handshake(s);
        } catch (IOException | RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "rendezvous: dropped a connection from " + s.getRemoteSocketAddress()
                    + ": " + e.getMessage());
            closeQuietly(s);
            return;
        }
        try {
            peer.run();
        } finally {
            peer.close();
            Listener l = listener;
            if (l != null && !closed.get()) {
                l.onDisconnected(peer.rank);
            }
        }
    }

    private Peer handshake(Socket s) throws IOException {
        s.setSoTimeout(HANDSHAKE_MILLIS);
        s.setTcpNoDelay(true);
        DataInputStream in = new DataInputStream(new BufferedInputStream(s.getInputStream()));
        DataOutputStream out = new DataOutputStream(new BufferedOutputStream(s.getOutputStream()));
        byte[] mine = JobSecret.nonce();
        out.writeInt(Control.MAGIC);
        out.writeInt(Control.VERSION);
        out.write(mine);
        out.flush();
        if (in.readInt() != Control.MAGIC) {
            throw new java.net.ProtocolException("not an mpi4j rank (bad magic)");
        }
        int version = in.readInt();
        if (version != Control.VERSION) {
            throw new java.net.ProtocolException("control protocol version " + version + ", expected " + Control.VERSION);
        }
        int rank = in.readInt();
        byte[] theirs = Control.readExactly(in, JobSecret.NONCE_BYTES);
        byte[] proof = Control.readExactly(in, JobSecret.PROOF_BYTES);
        if (!secret.verify(proof, Control.RANK_PROVES, mine, theirs, rank)) {
            throw new java.net.ProtocolException("the proof of the job secret is wrong (claimed rank " + rank + ")");
        }
        if (rank < 0 || rank >= size) {
            throw new java.net.ProtocolException("rank " + rank + " is out of range for a job of " + size);
        }
        Peer p = new Peer(rank, s, in, out);
        synchronized (peers) {
            if (peers[rank] != null) {
                throw new java.net.ProtocolException("rank " + rank + " is already connected");
            }
            peers[rank] = p;
        }
        try {
            return publish(p, mine, theirs);
        } catch (IOException | RuntimeException e) {
            synchronized (peers) {
                peers[rank] = null; // a rank that fails here may try again
            }
            throw e;
        }
    }

    private Peer publish(Peer p, byte[] mine, byte[] theirs) throws IOException {
        int rank = p.rank;
        DataInputStream in = p.in;
        DataOutputStream out = p.out;
        out.write(secret.prove(Control.LAUNCHER_PROVES, mine, theirs, rank));
        out.flush();
        Control.Message m = Control.receive(in);
        if (m.type() != Control.CARD) {
            throw new java.net.ProtocolException("rank " + rank + " sent message type " + m.type() + " before its card");
        }
        RankCard card = RankCard.read(m.body());
        if (card.rank() != rank) {
            throw new java.net.ProtocolException("rank " + rank + " published the card of rank " + card.rank());
        }
        p.socket.setSoTimeout(0);
        boolean last;
        synchronized (cards) {
            cards[rank] = card;
            allCards.countDown();
            last = allCards.getCount() == 0;
        }
        if (last) {
            sendTable();
        }
        return p;
    }

    private void sendTable() {
        RankCard[] all;
        synchronized (cards) {
            all = cards.clone();
        }
        for (Peer p : peersNow()) {
            p.trySend(Control.TABLE, out -> {
                out.writeInt(all.length);
                for (RankCard c : all) {
                    c.write(out);
                }
            });
        }
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // closing
        }
    }

    /** One rank's control connection. */
    private final class Peer {
        final int rank;
        final Socket socket;
        final DataInputStream in;
        final DataOutputStream out;

        Peer(int rank, Socket socket, DataInputStream in, DataOutputStream out) {
            this.rank = rank;
            this.socket = socket;
            this.in = in;
            this.out = out;
        }

        void run() {
            try {
                while (true) {
                    Control.Message m = Control.receive(in);
                    Listener l = listener;
                    DataInputStream b = m.body();
                    switch (m.type()) {
                        case Control.ABORT -> {
                            int code = b.readInt();
                            String reason = Control.readString(b);
                            if (l != null) {
                                l.onAbort(rank, code, reason);
                            }
                        }
                        case Control.DUMP_REPLY -> {
                            String state = Control.readString(b);
                            if (l != null) {
                                l.onDump(rank, state);
                            }
                        }
                        case Control.FINALIZED -> {
                            if (l != null) {
                                l.onFinalized(rank);
                            }
                        }
                        default -> throw new java.net.ProtocolException("rank " + rank + " sent message type " + m.type());
                    }
                }
            } catch (IOException e) {
                if (!(e instanceof java.io.EOFException) && !(e instanceof SocketException) && !closed.get()) {
                    LOG.log(System.Logger.Level.WARNING, "rendezvous: rank " + rank + ": " + e.getMessage());
                }
            }
        }

        void trySend(byte type, Control.Body body) {
            try {
                Control.send(out, type, body);
            } catch (IOException e) {
                // the rank is gone; its disconnection is reported by its reader
            }
        }

        void close() {
            closeQuietly(socket);
        }
    }
}
