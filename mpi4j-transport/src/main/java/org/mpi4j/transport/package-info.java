/**
 * Transports: they move frames between ranks and nothing else. Matching, ordering and the
 * eager and rendezvous protocols live one layer up, in {@code org.mpi4j.matching}, written
 * once for every transport.
 *
 * <p>A transport's capabilities are data ({@link org.mpi4j.transport.Transport#eagerLimit},
 * {@link org.mpi4j.transport.Transport#maxFragment},
 * {@link org.mpi4j.transport.Transport#supportsGet}), so the protocol layer picks the best
 * path for each peer: the in-JVM transport copies a large message once, straight from the
 * sender's buffer; transports between processes stream it in fragments.
 */
package org.mpi4j.transport;
