package io.pinbff.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;

/**
 * The packaged production application holds no sandbox and no dev identity provider (they are
 * test code there, see pom.xml): every entry of every jar under target/quarkus-app is listed.
 */
class ProductionJarIT {

    private static final Path APP = Path.of("target/quarkus-app");

    @Test
    void noSandboxOrDevIdentityProviderInThePackagedApplication() throws IOException {
        List<String> offending = new ArrayList<>();
        List<String> ours = new ArrayList<>();
        try (Stream<Path> files = Files.walk(APP)) {
            for (Path jar : files.filter(p -> p.toString().endsWith(".jar")).toList()) {
                try (ZipFile zip = new ZipFile(jar.toFile())) {
                    zip.stream().map(e -> e.getName()).forEach(name -> {
                        if (name.startsWith("io/pinbff/")) {
                            ours.add(name);
                        }
                        if (name.contains("io/pinbff/sandbox/") || name.startsWith("sandbox/")
                                || name.contains("DevIdentityProvider") || name.contains("SolarisSandbox")) {
                            offending.add(jar.getFileName() + "!" + name);
                        }
                    });
                }
            }
        }
        // The listing is real: the application's own classes are there.
        assertThat(ours).contains("io/pinbff/rest/DirectPinResource.class", "io/pinbff/pin/PinKeyCache.class");
        assertThat(offending).as("sandbox or dev-IdP entries in the production package").isEmpty();
    }

    @Test
    void packageRecordsTheAotCacheTheProductionJvmOptionsName() throws IOException {
        String options = Files.readString(Path.of("bench/jvm.options")).strip();
        java.util.regex.Matcher cache = java.util.regex.Pattern.compile("-XX:AOTCache=(\\S+)").matcher(options);
        assertThat(cache.find()).as("bench/jvm.options names an AOT cache").isTrue();
        Path aot = Path.of(cache.group(1));
        assertThat(aot).as("written by ./mvnw package").isRegularFile();
        assertThat(Files.size(aot)).as("a real cache, not an empty file").isGreaterThan(1_000_000L);
    }

    /**
     * The cache covers the whole start-up, not only its first steps: started with the production
     * options against PostgreSQL and a Solaris stand-in, the jar finds in the cache the classes of
     * every stage on its way to ready — Flyway migrating, the connection pool and PostgreSQL driver,
     * the HTTP server, the Solaris client fetching the PIN key — and almost every class it loads from a
     * jar or the JDK. (-Xlog:class+load names the source of each class: "shared objects file" is the
     * AOT cache, jrt:/ and file: are the JDK and the jars; lambdas and proxies are made at run time.
     * A cache of the start-up only up to configuration loading, as before, held 6,817 of ~9,500.)
     */
    @Test
    void theAotCacheHoldsTheWholeStartUpToReady() throws Exception {
        Path classes = Path.of("target/it-logs/aot-start-classes.txt");
        Files.createDirectories(classes.getParent());
        Files.deleteIfExists(classes);
        FakeSolaris solaris = new FakeSolaris();
        Map<String, String> env = new HashMap<>(solaris.env(PackagedApp.freshDatabase("pinbff_it_aot")));
        env.put("JDK_JAVA_OPTIONS", "-Xlog:class+load=info:file=" + classes);
        PackagedApp app = PackagedApp.start("aot-start", env);
        try {
            app.awaitReady(Duration.ofSeconds(60));
        } finally {
            PackagedApp.closeAll(app, solaris);
        }
        List<String> loaded = Files.readAllLines(classes).stream().filter(l -> l.contains(" source: shared objects file")
                || l.contains(" source: jrt:/") || l.contains(" source: file:") || l.contains(" source: jar:")).toList();
        List<String> fromCache = loaded.stream().filter(l -> l.endsWith("source: shared objects file")).toList();
        Set<String> cached = fromCache.stream().map(l -> l.split(" ")[1]).collect(Collectors.toSet());
        List<String> missing = Stream.of("org.flywaydb.core.Flyway", "org.postgresql.jdbc.PgConnection",
                "io.agroal.pool.ConnectionPool", "io.vertx.core.http.impl.HttpServerImpl", "io.pinbff.solaris.SolarisHttp",
                "io.pinbff.pin.PinKeyCache").filter(c -> !cached.contains(c)).toList();
        assertThat(missing).as("classes of the start-up stages not found in the AOT cache").isEmpty();
        assertThat(fromCache.size()).as("of %d classes loaded to ready from the JDK or a jar, %d from the cache",
                loaded.size(), fromCache.size()).isGreaterThan(loaded.size() * 97 / 100);
    }
}
