/**
 * JUnit support for testing MPI code: {@link org.mpi4j.junit.MpiTest} runs a test method on
 * every rank of a job, per rank count and per engine, with a watchdog that turns a hang into
 * a failure describing what every rank was blocked in.
 */
package org.mpi4j.junit;
