package org.mpi4j.junit;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Several "hosts" on one machine: network namespaces joined by veth pairs to a bridge, made
 * by the test itself and removed afterwards. Host i has address 10.77.0.(10 + i) in the
 * namespace {@code mpi4j-<address>}, so the launch agent {@code ip netns exec mpi4j-{host}}
 * starts a rank on it. Needs root and the {@code ip} command; {@link #available()} says
 * whether this machine has them.
 */
public final class NetnsHosts implements AutoCloseable {
    /** The launch agent that starts a rank on one of these hosts. */
    public static final String AGENT = "ip netns exec mpi4j-{host}";
    private static final String BRIDGE = "m4jbr0";

    private final List<String> hosts = new ArrayList<>();

    private NetnsHosts() {
    }

    /** Returns why namespaces cannot be made here, or null if they can. */
    public static String available() {
        if (!"root".equals(System.getProperty("user.name"))) {
            return "network namespaces need root";
        }
        try {
            run("ip", "-V");
            return null;
        } catch (IOException e) {
            return "no ip command: " + e.getMessage();
        }
    }

    /**
     * Makes {@code n} hosts (at most 8), removing first what an earlier run that was killed
     * may have left.
     *
     * @throws IOException if a namespace or link cannot be made (what was made is removed)
     */
    public static NetnsHosts create(int n) throws IOException {
        if (n < 1 || n > 8) {
            throw new IllegalArgumentException("1 to 8 hosts: " + n);
        }
        NetnsHosts h = new NetnsHosts();
        try {
            cleanStale();
            run("ip", "link", "add", BRIDGE, "type", "bridge");
            run("ip", "addr", "add", "10.77.0.1/24", "dev", BRIDGE);
            run("ip", "link", "set", BRIDGE, "up");
            for (int i = 1; i <= n; i++) {
                String address = "10.77.0." + (10 + i);
                String ns = "mpi4j-" + address;
                String outer = "m4jv" + i;
                String inner = "m4jp" + i;
                run("ip", "netns", "add", ns);
                h.hosts.add(address);
                run("ip", "link", "add", outer, "type", "veth", "peer", "name", inner);
                run("ip", "link", "set", inner, "netns", ns);
                run("ip", "link", "set", outer, "master", BRIDGE);
                run("ip", "link", "set", outer, "up");
                run("ip", "netns", "exec", ns, "ip", "addr", "add", address + "/24", "dev", inner);
                run("ip", "netns", "exec", ns, "ip", "link", "set", inner, "up");
                run("ip", "netns", "exec", ns, "ip", "link", "set", "lo", "up");
                run("ip", "netns", "exec", ns, "ip", "route", "add", "default", "via", "10.77.0.1");
            }
            return h;
        } catch (IOException | RuntimeException e) {
            h.close();
            throw e;
        }
    }

    /** Returns the hosts' addresses, which are also their names for the launch agent. */
    public List<String> hosts() {
        return List.copyOf(hosts);
    }

    /** Removes the namespaces and the bridge. */
    @Override
    public void close() {
        for (String address : hosts) {
            quietly("ip", "netns", "del", "mpi4j-" + address);
        }
        quietly("ip", "link", "del", BRIDGE);
    }

    /** Removes what an earlier run that was killed may have left. */
    private static void cleanStale() {
        for (int i = 1; i <= 8; i++) {
            quietly("ip", "netns", "del", "mpi4j-10.77.0." + (10 + i));
        }
        quietly("ip", "link", "del", BRIDGE);
    }

    private static void quietly(String... cmd) {
        try {
            run(cmd);
        } catch (IOException ignored) {
            // not there
        }
    }

    private static void run(String... cmd) throws IOException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        try {
            String out = new String(p.getInputStream().readAllBytes());
            if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IOException(String.join(" ", cmd) + " failed: " + out.trim());
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted: " + String.join(" ", cmd));
        }
    }
}
