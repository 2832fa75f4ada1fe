package org.mpi4j;

import java.util.function.Supplier;
import org.mpi4j.spi.AbstractRequest;
import org.mpi4j.spi.Progress;

/** A {@link PersistentRequest} that starts a fresh engine operation on every {@link #start()}. */
final class PersistentOp extends AbstractRequest<Status> implements PersistentRequest {
    private final Supplier<AbstractRequest<Status>> op;
    private final String description;
    private volatile AbstractRequest<Status> current;

    PersistentOp(Progress progress, Supplier<AbstractRequest<Status>> op, String description) {
        super(progress);
        this.op = op;
        this.description = description;
        complete(Status.PROC_NULL); // inactive: waiting returns at once
    }

    @Override
    public void start() {
        reactivate();
        AbstractRequest<Status> r;
        try {
            r = op.get();
        } catch (RuntimeException e) {
            fail(e);
            throw e;
        }
        current = r;
        r.onCompletion(() -> {
            try {
                complete(r.status());
            } catch (RuntimeException e) {
                fail(e);
            }
        });
    }

    @Override
    public void cancel() {
        AbstractRequest<Status> r = current;
        if (r != null) {
            r.cancel();
        }
    }

    @Override
    public String describe() {
        return "persistent " + description;
    }
}
