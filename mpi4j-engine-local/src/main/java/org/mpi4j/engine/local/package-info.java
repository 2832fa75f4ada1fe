/**
 * The local engine: every rank is a thread of this JVM. It is the embedded default, with
 * nothing to install: {@code Mpi.local(n)}, {@code mpi4j run --engine local}, and
 * {@code Mpi.init} in a plain {@code java} run (a job of one rank).
 *
 * <p>Each rank has a matching {@link org.mpi4j.matching.Endpoint}; they are connected by
 * an in-JVM {@link org.mpi4j.transport.LocalFabric} that delivers frames on the sender's
 * thread and copies large messages once, from the sender's buffer into the receiver's.
 */
package org.mpi4j.engine.local;
