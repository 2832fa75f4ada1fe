package org.mpi4j.spi;

import java.util.function.Function;
import org.mpi4j.Buf;
import org.mpi4j.Status;

/** A message taken out of matching by a matched probe, to be received exactly once. */
public interface MessageSpi {

    /** Returns the message's status. */
    Status status();

    /** Starts receiving the message into {@code buf}. */
    AbstractRequest<Status> irecv(Buf buf);

    /** Starts receiving the message into a buffer allocated for it, as {@link CommSpi#irecvAny}. */
    <T> AbstractRequest<T> irecvAny(Function<? super Buf, ? extends T> decoder);
}
