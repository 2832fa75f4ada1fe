package org.mpi4j.spi;

import java.util.function.Function;
import org.mpi4j.Buf;
import org.mpi4j.Status;

/**
 * A communicator as an engine implements it. Arguments are already validated: ranks are in
 * range or a wildcard / {@code PROC_NULL}, tags are in range, buffers are usable.
 * {@code PROC_NULL} never reaches the engine.
 */
public interface CommSpi {

    /** Returns this rank in the communicator. */
    int rank();

    /** Returns the communicator's size. */
    int size();

    /** Returns a short description for diagnostics, such as "WORLD" or "SELF". */
    String name();

    /** Returns the world rank of this communicator's rank {@code rank}. */
    int worldRank(int rank);

    /**
     * Returns this rank's context id for the communicator's point-to-point traffic (its
     * collectives use the next id). Other members may use other ids for the same communicator.
     */
    int context();

    /**
     * Returns this communicator on its collective context: the same ranks, but traffic that
     * can never match a receive posted on the communicator itself, not even one with
     * {@code ANY_SOURCE} and {@code ANY_TAG}. Collective algorithms and communicator
     * management talk here.
     */
    CommSpi collectiveView();

    /**
     * Returns a new communicator of this rank whose ranks are the world ranks
     * {@code members}, in order; member {@code i} receives on its context
     * {@code contexts[i]} (and the next id for collectives), which it allocated with
     * {@link RankSpi#allocateContext()}. Every member calls this with the same arrays.
     */
    CommSpi create(int[] members, int[] contexts, String name);

    /** Releases what the engine holds for this communicator; it is not used afterwards. */
    void free();

    /** Sends {@code buf}, blocking until the buffer may be reused ({@code sync}: until it is matched). */
    void send(Buf buf, int dest, int tag, boolean sync);

    /** Starts a send; the request completes when the buffer may be reused ({@code sync}: when matched). */
    AbstractRequest<Status> isend(Buf buf, int dest, int tag, boolean sync);

    /** Receives into {@code buf}, blocking until the message has arrived. */
    Status recv(Buf buf, int source, int tag);

    /** Starts a receive into {@code buf}. */
    AbstractRequest<Status> irecv(Buf buf, int source, int tag);

    /**
     * Starts a receive of a message of any type and size: the engine allocates a buffer of the
     * message's datatype and size ({@link Buf#allocate}) when it matches, and the request's
     * result is {@code decoder} applied to that buffer, computed once, on the first thread
     * that asks for it.
     */
    <T> AbstractRequest<T> irecvAny(int source, int tag, Function<? super Buf, ? extends T> decoder);

    /** Blocks until a matching message can be received, and returns its status without receiving it. */
    Status probe(int source, int tag);

    /** Returns the status of a matching message that can be received now, or null. */
    Status iprobe(int source, int tag);

    /** Blocks until a matching message arrives, and removes it from matching. */
    MessageSpi mprobe(int source, int tag);

    /** Removes a matching message from matching if one has arrived, or returns null. */
    MessageSpi improbe(int source, int tag);
}
