/**
 * Matching: the layer every pure-Java engine shares (the role of Open MPI's PML).
 *
 * <p>A {@link org.mpi4j.matching.Endpoint} is one rank's matching engine. It keeps, per
 * communication context, the posted receives and the unexpected messages, both hashed by
 * (source, tag) so that a message finds its receive, and a receive its message, without a
 * scan; wildcard receives are ordered against exact ones by post sequence, and wildcard
 * searches of unexpected messages walk them in arrival order, which is what MPI's
 * non-overtaking rule needs.
 *
 * <p>It speaks the wire protocol of {@link org.mpi4j.transport.Frame}: small messages go
 * eagerly; large and synchronous ones by rendezvous, either copied once by the receiver
 * straight from the sender's buffer (transports that support get) or streamed in fragments.
 * Transports below only move frames.
 */
package org.mpi4j.matching;
