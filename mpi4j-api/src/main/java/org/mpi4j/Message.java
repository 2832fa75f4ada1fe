package org.mpi4j;

import java.util.Objects;
import org.mpi4j.spi.MessageSpi;

/**
 * A message taken out of matching by {@link Comm#mprobe} or {@link Comm#improbe}: no other
 * receive can take it, so a thread can learn its size and type and then receive exactly it,
 * even while other threads receive on the same communicator.
 *
 * <pre>{@code
 * Message m = comm.mprobe(Mpi.ANY_SOURCE, 0);
 * double[] data = new double[m.status().count()];
 * m.recv(Buf.of(data));
 * }</pre>
 *
 * A message is received once; a second receive throws.
 */
public final class Message {
    private final MessageSpi spi;
    private final Codec codec;
    private final String where;
    private boolean received;

    Message(MessageSpi spi, Codec codec, String where) {
        this.spi = spi;
        this.codec = codec;
        this.where = where;
    }

    /** Returns the message's status: source, tag, type and size. */
    public Status status() {
        return spi.status();
    }

    /** Receives the message into {@code buf}, blocking until it has arrived. */
    public Status recv(Buf buf) {
        return irecv(buf).waitFor();
    }

    /** Starts receiving the message into {@code buf}. */
    public Request<Status> irecv(Buf buf) {
        Objects.requireNonNull(buf, "buf");
        Comm.checkWritable(buf, "mrecv");
        claim();
        return spi.irecv(buf);
    }

    /** Receives the message as an object (a primitive array if it was sent as one). */
    public <T> T recv() {
        return this.<T>irecv().waitFor();
    }

    /** Starts receiving the message as an object. */
    public <T> Request<T> irecv() {
        claim();
        return spi.irecvAny(b -> Comm.<T>decode(codec, b));
    }

    private synchronized void claim() {
        if (received) {
            throw new MpiException(ErrorClass.REQUEST, "mrecv: the message from " + where + " was already received");
        }
        received = true;
    }

    @Override
    public String toString() {
        return "Message" + spi.status();
    }
}
