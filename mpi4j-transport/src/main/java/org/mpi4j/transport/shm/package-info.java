/**
 * The shared-memory transport between the processes (ranks) of one host:
 * {@link org.mpi4j.transport.shm.ShmRing}, a single-producer single-consumer ring of frames in
 * a memory-mapped file, and {@link org.mpi4j.transport.shm.ShmTransport}, one per rank, with
 * one ring per ordered pair of local ranks in a job directory under {@code /dev/shm}.
 *
 * <p>Lifecycle, for the process engine:
 * <ol>
 *   <li>the launcher picks a job id and a random job token, and passes them to every rank;</li>
 *   <li>each rank constructs its {@code ShmTransport} (creating the rings it reads), then
 *       {@linkplain org.mpi4j.transport.shm.ShmTransport#connect connects} (attaching to the
 *       rings it writes, waiting for peers that start later);</li>
 *   <li>the matching layer sends and polls through it;</li>
 *   <li>at finalize, after the matching layer's CLOSE frames, each rank
 *       {@linkplain org.mpi4j.transport.shm.ShmTransport#close closes} it, which removes its
 *       files and, for the last rank, the directory;</li>
 *   <li>after every rank has exited, the launcher calls
 *       {@link org.mpi4j.transport.shm.ShmTransport#deleteJobDirectory} to remove whatever a
 *       crashed rank left.</li>
 * </ol>
 */
package org.mpi4j.transport.shm;
