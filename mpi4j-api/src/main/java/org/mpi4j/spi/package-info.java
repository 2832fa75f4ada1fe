/**
 * The engine SPI: what an engine implements so the public API can run on it.
 *
 * <p>Applications never use this package. The API validates arguments and turns objects
 * into bytes; an engine sees only checked, typed operations on {@link org.mpi4j.Buf}s.
 * Engines are found with {@link java.util.ServiceLoader} through {@link EngineProvider}.
 */
package org.mpi4j.spi;
