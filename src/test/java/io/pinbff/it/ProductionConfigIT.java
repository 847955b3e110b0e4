package io.pinbff.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The packaged production jar refuses to start with the sandbox's defaults (issue: deploy hygiene):
 * a clear message naming the variables, a non-zero exit, and it never listens.
 */
class ProductionConfigIT {

    static FakeSolaris solaris;
    static String database;

    @BeforeAll
    static void start() {
        solaris = new FakeSolaris();
        database = PackagedApp.freshDatabase("pinbff_it_prodconfig");
    }

    @AfterAll
    static void stop() throws Exception {
        PackagedApp.closeAll(solaris);
    }

    @Test
    void refusesEverySandboxDefaultAndNamesIt() throws Exception {
        Map<String, String> env = new HashMap<>(solaris.env(database));
        for (String name : List.of("SOLARIS_BASE_URL", "SOLARIS_TOKEN_URL", "SOLARIS_CLIENT_ID", "SOLARIS_CLIENT_SECRET",
                "AUTH_JWKS_URL", "AUTH_ISSUER")) {
            env.remove(name);
        }
        String log = exitLog("prodconfig-defaults", env);
        assertThat(log).contains("Refusing to start: SOLARIS_BASE_URL, SOLARIS_TOKEN_URL, AUTH_JWKS_URL, SOLARIS_CLIENT_ID, "
                + "SOLARIS_CLIENT_SECRET, AUTH_ISSUER still point(s) at the built-in sandbox");
        assertThat(log).doesNotContain("sandbox-secret").doesNotContain("Listening on");
    }

    @Test
    void refusesOneLeftOverDefault() throws Exception {
        Map<String, String> env = new HashMap<>(solaris.env(database));
        env.put("SOLARIS_CLIENT_SECRET", "sandbox-secret"); // copied from dev mode
        String log = exitLog("prodconfig-secret", env);
        assertThat(log).contains("Refusing to start: SOLARIS_CLIENT_SECRET still point(s) at the built-in sandbox");
        assertThat(log).doesNotContain("sandbox-secret");
    }

    /** Starts the jar, expects it to exit non-zero by itself within 60 s, returns its output. */
    private static String exitLog(String name, Map<String, String> env) throws Exception {
        PackagedApp app = PackagedApp.start(name, env);
        try {
            assertThat(app.process.waitFor(60, TimeUnit.SECONDS)).as(name + " exits by itself").isTrue();
            assertThat(app.process.exitValue()).as(name + " exit code").isNotZero();
            return Files.readString(app.log);
        } finally {
            app.close();
        }
    }
}
