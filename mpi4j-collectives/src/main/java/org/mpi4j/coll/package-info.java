/**
 * Collectives built only on point-to-point: each operation has several named algorithms
 * (barrier: dissemination, linear; bcast: binomial, linear; more to come), a decision table
 * picks one by communicator size and message size, and a setting forces any of them by name
 * ({@code mpi4j.coll.bcast=linear}), for tests and benchmarks.
 *
 * <p>Everything travels on the communicator's collective context, so it can never match a
 * user's receive; each call takes the next tag of its communicator, which every rank
 * computes alike because MPI has every rank call collectives in the same order.
 */
package org.mpi4j.coll;
