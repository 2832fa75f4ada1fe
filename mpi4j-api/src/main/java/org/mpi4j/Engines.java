package org.mpi4j;

import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;
import org.mpi4j.spi.EngineProvider;
import org.mpi4j.spi.Settings;

/** Finds engines on the class path, and picks one for a job. */
final class Engines {
    /** The setting that names an engine explicitly. */
    static final String ENGINE = "mpi4j.engine";
    /** The engine used when nothing else applies. */
    static final String DEFAULT = "local";

    private Engines() {
    }

    static List<EngineProvider> all() {
        List<EngineProvider> out = new ArrayList<>();
        ClassLoader cl = Engines.class.getClassLoader();
        for (EngineProvider p : ServiceLoader.load(EngineProvider.class, cl)) {
            out.add(p);
        }
        return out;
    }

    /** The engine named in the settings, else the highest-priority one that detects its launcher, else the default. */
    static EngineProvider select(Settings settings) {
        String name = settings.get(ENGINE, null);
        if (name != null) {
            return byName(name);
        }
        EngineProvider best = null;
        for (EngineProvider p : all()) {
            if (!p.name().equals(DEFAULT) && (best == null || p.priority() > best.priority()) && p.detected(settings)) {
                best = p;
            }
        }
        return best != null ? best : byName(DEFAULT);
    }

    static EngineProvider byName(String name) {
        List<EngineProvider> all = all();
        for (EngineProvider p : all) {
            if (p.name().equals(name)) {
                return p;
            }
        }
        throw new MpiException(ErrorClass.UNSUPPORTED, "no mpi4j engine named '" + name
                + "' is on the class path (available: " + all.stream().map(EngineProvider::name).toList() + ")");
    }
}
