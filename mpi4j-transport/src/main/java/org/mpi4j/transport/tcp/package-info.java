/**
 * The TCP transport of the process engine: {@link org.mpi4j.transport.tcp.TcpTransport}
 * joins ranks on different hosts (or on one host, when asked) with plain {@code java.nio}.
 *
 * <p>Every connection starts with a mutual challenge–response over the job's secret
 * ({@code Handshake}): only processes of the job can connect, and a recorded handshake
 * cannot be replayed. Strangers are logged and dropped; a job peer that breaks the wire
 * protocol, or whose connection ends without its CLOSE frame, is reported to a
 * {@link org.mpi4j.transport.tcp.PeerListener} as lost, and sends to it throw
 * {@link org.mpi4j.transport.tcp.PeerUnreachableException}.
 *
 * <p>Frames are read and delivered by whichever thread holds the reader role: a thread that
 * waits for a request and polls the transport, or, when none does, the transport's own I/O
 * thread. Senders write on their own thread; a full socket never stops reading, so ranks that
 * stream to each other cannot deadlock.
 */
package org.mpi4j.transport.tcp;
