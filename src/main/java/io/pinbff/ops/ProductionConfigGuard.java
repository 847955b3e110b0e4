package io.pinbff.ops;

import io.quarkus.runtime.LaunchMode;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.runtime.configuration.ConfigurationException;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.interceptor.Interceptor;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.ConfigProvider;

/**
 * A production start refuses the sandbox's settings. The Solaris and IdP settings default to the
 * built-in sandbox so that {@code ./mvnw quarkus:dev} needs no credentials; the production build has
 * no sandbox, so a production start (launch mode NORMAL) with any of them still at that default —
 * a URL of this instance's own {@code /sandbox/} paths, the sandbox's client ID, client secret or
 * issuer — stops before anything else starts, with a message naming the variables (never their
 * values) and a non-zero exit.
 */
@ApplicationScoped
public class ProductionConfigGuard {

    static final String SANDBOX_CLIENT_ID = "sandbox-client";
    static final String SANDBOX_CLIENT_SECRET = "sandbox-secret";
    static final String SANDBOX_ISSUER = "https://idp.sandbox.pinbff.local";

    void check(@Observes @Priority(Interceptor.Priority.PLATFORM_BEFORE) StartupEvent start) {
        // Dev mode, tests, and a build with the sandbox in it (the benchmark's stand-in for Solaris,
        // built with -Dpinbff.sandbox.enabled=true): there the defaults point at a sandbox that exists.
        // The production package never contains it (ProductionJarIT), so there the guard always runs.
        if (LaunchMode.current() != LaunchMode.NORMAL || sandboxBuiltIn()) {
            return;
        }
        Config config = ConfigProvider.getConfig();
        List<String> refused = refusals(config);
        if (!refused.isEmpty()) {
            throw new ConfigurationException("Refusing to start: " + String.join(", ", refused)
                    + " still point(s) at the built-in sandbox, which the production build does not have. "
                    + "Set them to the real Solaris and identity-provider values (README: Configuration).");
        }
    }

    private static boolean sandboxBuiltIn() {
        return Thread.currentThread().getContextClassLoader().getResource("io/pinbff/sandbox/SolarisSandbox.class") != null;
    }

    static List<String> refusals(Config config) {
        int ownPort = config.getOptionalValue("quarkus.http.port", Integer.class).orElse(8080);
        List<String> refused = new ArrayList<>();
        ownSandbox(config, "solaris.base-url", ownPort).ifPresent(x -> refused.add("SOLARIS_BASE_URL"));
        ownSandbox(config, "solaris.token-url", ownPort).ifPresent(x -> refused.add("SOLARIS_TOKEN_URL"));
        ownSandbox(config, "auth.jwks-url", ownPort).ifPresent(x -> refused.add("AUTH_JWKS_URL"));
        if (SANDBOX_CLIENT_ID.equals(config.getOptionalValue("quarkus.oidc-client.client-id", String.class).orElse(null))) {
            refused.add("SOLARIS_CLIENT_ID");
        }
        if (SANDBOX_CLIENT_SECRET.equals(config.getOptionalValue("quarkus.oidc-client.credentials.secret", String.class).orElse(null))) {
            refused.add("SOLARIS_CLIENT_SECRET");
        }
        if (SANDBOX_ISSUER.equals(config.getOptionalValue("auth.issuer", String.class).orElse(null))) {
            refused.add("AUTH_ISSUER");
        }
        return refused;
    }

    /** A URL of this very instance's sandbox paths: where dev mode's defaults point. */
    private static Optional<String> ownSandbox(Config config, String name, int ownPort) {
        return config.getOptionalValue(name, String.class).filter(value -> {
            try {
                URI uri = URI.create(value.trim());
                String host = uri.getHost() == null ? "" : uri.getHost();
                boolean local = host.equals("localhost") || host.startsWith("127.") || host.equals("[::1]") || host.equals("0.0.0.0");
                int port = uri.getPort() == -1 ? ("https".equals(uri.getScheme()) ? 443 : 80) : uri.getPort();
                return local && port == ownPort && uri.getPath() != null && uri.getPath().startsWith("/sandbox/");
            } catch (IllegalArgumentException e) {
                return false;
            }
        });
    }
}
