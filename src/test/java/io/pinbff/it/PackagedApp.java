package io.pinbff.it;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One process of the packaged production jar ({@code target/quarkus-app/quarkus-run.jar}, no sandbox in
 * it), started with the JVM options of the container image and production defaults for every limit,
 * interval and budget; only the addresses come from the test. Several may share one database: that is
 * how the service runs behind a load balancer.
 */
final class PackagedApp implements AutoCloseable {

    /**
     * The production JVM options, as production runs them: bench/jvm.options (the one line the container
     * image's JAVA_OPTS and the benchmark use: the AOT cache `package` recorded, C1, serial GC, 256 MiB heap).
     */
    static final List<String> JVM_OPTIONS = productionOptions();

    private static List<String> productionOptions() {
        try {
            String line = Files.readString(Path.of("bench/jvm.options")).strip();
            List<String> options = List.of(line.split("\\s+"));
            if (options.stream().noneMatch(o -> o.startsWith("-Xmx"))) {
                throw new IllegalStateException("bench/jvm.options names no heap limit: " + line);
            }
            return options;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    final String name;
    final int port;
    final int managementPort;
    final Process process;
    final Path log;

    private PackagedApp(String name, int port, int managementPort, Process process, Path log) {
        this.name = name;
        this.port = port;
        this.managementPort = managementPort;
        this.process = process;
        this.log = log;
    }

    static PackagedApp start(String name, Map<String, String> env) throws IOException {
        Path jar = Path.of("target/quarkus-app/quarkus-run.jar");
        if (!Files.exists(jar)) {
            throw new IllegalStateException("run after package: " + jar.toAbsolutePath() + " is missing");
        }
        int port = freePort();
        int managementPort = freePort();
        Path log = Path.of("target/it-logs/" + name + ".log");
        Files.createDirectories(log.getParent());
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(JVM_OPTIONS);
        command.add("-jar");
        command.add(jar.toString());
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().putAll(env);
        builder.environment().put("QUARKUS_HTTP_PORT", String.valueOf(port));
        builder.environment().put("QUARKUS_MANAGEMENT_PORT", String.valueOf(managementPort));
        return new PackagedApp(name, port, managementPort, builder.start(), log);
    }

    String url(String path) {
        return "http://127.0.0.1:" + port + path;
    }

    /** Health, metrics and OpenAPI: the management interface. */
    String managementUrl(String path) {
        return "http://127.0.0.1:" + managementPort + path;
    }

    /** Waits until /q/health/ready answers 200; returns how long that took from now. */
    Duration awaitReady(Duration atMost) throws Exception {
        // Closed when done: an idle keep-alive connection left open holds the app's graceful shutdown
        // (Quarkus waits for open connections) until the shutdown timeout.
        try (HttpClient client = HttpClient.newHttpClient()) {
            return awaitReady(client, atMost);
        }
    }

    private Duration awaitReady(HttpClient client, Duration atMost) throws Exception {
        long start = System.nanoTime();
        long deadline = start + atMost.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException(name + " exited; see " + log.toAbsolutePath());
            }
            try {
                HttpResponse<Void> r = client.send(HttpRequest.newBuilder(URI.create(managementUrl("/q/health/ready")))
                        .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.discarding());
                if (r.statusCode() == 200) {
                    return Duration.ofNanos(System.nanoTime() - start);
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException(name + " not ready within " + atMost + "; see " + log.toAbsolutePath());
    }

    /** Resident memory in MiB and thread count, from /proc (Linux). */
    long rssMib() throws IOException {
        return procStatus("VmRSS:") / 1024;
    }

    long threads() throws IOException {
        return procStatus("Threads:");
    }

    private long procStatus(String field) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/" + process.pid() + "/status"))) {
            if (line.startsWith(field)) {
                return Long.parseLong(line.substring(field.length()).trim().split("\\s+")[0]);
            }
        }
        return -1;
    }

    /** CPU time (user + system) the process has used so far, in ms (Linux /proc, 100 ticks/s). */
    long cpuMillis() throws IOException {
        String stat = Files.readString(Path.of("/proc/" + process.pid() + "/stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return (Long.parseLong(f[11]) + Long.parseLong(f[12])) * 10;
    }

    /** Like a node dying: SIGKILL, no shutdown hooks. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor();
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    /** A new, empty database for one test class (dropped first if a previous run left it). */
    static String freshDatabase(String name) {
        try (java.sql.Connection c = java.sql.DriverManager.getConnection("jdbc:postgresql://localhost:5432/postgres",
                "postgres", "postgres"); java.sql.Statement s = c.createStatement()) {
            s.execute("drop database if exists " + name + " with (force)");
            s.execute("create database " + name);
            return name;
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException("cannot create database " + name, e);
        }
    }

    /** Closes whatever was started (nulls skipped), apps before the upstream they talk to. */
    static void closeAll(AutoCloseable... started) throws Exception {
        for (AutoCloseable c : started) {
            if (c != null) {
                c.close();
            }
        }
    }
}
