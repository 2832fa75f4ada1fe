package org.mpi4j.matching;

/**
 * An endpoint's lock, and the counters written under it, padded so that no other rank's
 * data shares their cache lines. Ranks of one JVM have their endpoints allocated side by
 * side; without the padding every lock and unlock by one rank stole a line from the other
 * (an empty message took about twice as long).
 */
final class MatchLock extends MatchLockFields {
    @SuppressWarnings("unused")
    private long p10, p11, p12, p13, p14, p15, p16, p17;
}

/** The fields of {@link MatchLock}; a superclass so that its padding is laid out after them. */
abstract class MatchLockFields {
    /** Post order of receives and matched probes. */
    long postSeq;
    /** The next rendezvous id. */
    long nextId = 1;
    /** The next context id to allocate: WORLD has 0 and 1, SELF 2 and 3. */
    int nextContext = 4;
}
