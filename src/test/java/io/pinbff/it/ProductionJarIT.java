package io.pinbff.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
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
}
