package io.pinbff.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.Optional;

/** Every tuning knob of the service, under {@code pinbff.*}; the README lists them all. */
@ConfigMapping(prefix = "pinbff")
public interface PinBffConfig {

    Solaris solaris();

    KeyCache keyCache();

    Cards cards();

    ChangeRequests changeRequests();

    Limits limits();

    Idempotency idempotency();

    Retention retention();

    /** Settings of the built-in Solaris sandbox (dev and test builds only; read by the sandbox beans). */
    java.util.Map<String, String> sandbox();

    interface Solaris {
        /** Time to open a connection to Solaris; counted inside the call's own budget below. */
        @WithDefault("2s")
        Duration connectTimeout();

        /**
         * A named configuration of Quarkus' TLS registry ({@code quarkus.tls.<name>.trust-store.*}, and
         * {@code key-store.*} for a client certificate) for the connection to Solaris. Unset: Quarkus'
         * default TLS configuration when one is set, else the JVM's trusted CAs.
         */
        Optional<String> tlsConfigurationName();

        /**
         * An HTTP proxy the connections to Solaris go through, as {@code host:port} (https is tunnelled
         * with CONNECT). Unset: straight to Solaris.
         */
        Optional<String> proxyAddress();

        /** Budget of one PIN write (direct change, SCA create, authorize, confirm); no retry. */
        @WithDefault("5s")
        Duration writeTimeout();

        /**
         * Budget of one attempt of a safe call (GET, token fetch): the whole 5 s read budget. An attempt that
         * times out could only be retried within what is left of the budget, which under a burst on a
         * saturated CPU meant a second attempt doomed to time out too, and two failures counted by the
         * breaker instead of one (BurstIT on 2 shared cores); a fast failure (5xx, reset) is still retried
         * at once within the budget.
         */
        @WithDefault("5s")
        Duration readAttemptTimeout();

        /** Retries of a safe call after the first attempt; all attempts stay within {@link #readBudget()}. */
        @WithDefault("1")
        int readRetries();

        @WithDefault("5s")
        Duration readBudget();

        @WithDefault("100ms")
        Duration retryDelay();

        @WithDefault("50ms")
        Duration retryJitter();

        Breaker breaker();

        Bulkhead bulkhead();
    }

    interface Breaker {
        /** Rolling window of calls the failure ratio is taken over; the breaker opens within this many failures. */
        @WithDefault("20")
        int window();

        @WithDefault("0.5")
        double failureRatio();

        /** How long the breaker stays open before it lets a probe through. */
        @WithDefault("10s")
        Duration delay();
    }

    interface Bulkhead {
        /**
         * Solaris calls in flight at once; one more is refused at once (503 + Retry-After), nobody waits
         * for a slot. Sized for 1,000 concurrent PIN changes with Solaris taking 1 s each.
         */
        @WithDefault("1200")
        int limit();
    }

    interface KeyCache {
        /** A cached key older than this is refreshed in the background. */
        @WithDefault("5m")
        Duration refreshAfter();

        /**
         * How often the background job checks (and retries while no key is cached). Read by the
         * {@code @Scheduled(every = "${pinbff.key-cache.check-every:5s}")} of {@code PinKeyCache}.
         */
        @WithDefault("5s")
        String checkEvery();

        /** Least time between two refreshes forced by an unknown key_id (stops key_id spraying). */
        @WithDefault("2s")
        Duration minForcedRefreshInterval();

        /** max-age the app may cache the key for. */
        @WithDefault("60s")
        Duration clientMaxAge();
    }

    interface Cards {
        /**
         * How long a card's owner and status from Solaris are reused. Solaris' card webhooks drop an entry
         * on every instance at once; this bounds the staleness a missed webhook can cause. Read by the
         * Caffeine cache {@code solaris-cards} (application.properties, {@code expire-after-write}).
         */
        @WithDefault("60s")
        Duration cacheTtl();
    }

    interface ChangeRequests {
        @WithDefault("15m")
        Duration ttl();

        /** An open request whose last Solaris sync is older than this is refreshed when polled. */
        @WithDefault("5s")
        Duration syncAfter();

        @WithDefault("3")
        int maxConfirmAttempts();

        /** How often the expiry job runs; read by the {@code @Scheduled} of {@code ChangeRequests}. */
        @WithDefault("30s")
        String sweepEvery();
    }

    interface Limits {
        @WithDefault("5")
        int perCard();

        @WithDefault("24h")
        Duration perCardWindow();

        @WithDefault("10")
        int perUser();

        @WithDefault("1h")
        Duration perUserWindow();
    }

    interface Idempotency {
        @WithDefault("24h")
        Duration ttl();
    }

    /** What the purge job ({@code io.pinbff.ops.Retention}) deletes, and how much per run; checked at start. */
    interface Retention {
        /** A COMPLETED, FAILED or EXPIRED change request, with its audit rows, is deleted this long after its last change. */
        @WithDefault("90d")
        Duration changeRequests();

        /**
         * A PIN submission's fingerprint is kept at least this long (never less than the longest attempt-limit
         * window or the Idempotency-Key TTL), and in any case while its PIN key is Solaris' current key.
         */
        @WithDefault("48h")
        Duration pinSubmissions();

        /**
         * How often each instance runs the purge (instances purging at once take disjoint rows); read by
         * the {@code @Scheduled} of {@code Retention}.
         */
        @WithDefault("1h")
        String purgeEvery();

        /** Rows deleted per transaction. */
        @WithDefault("1000")
        int batchSize();

        /** Batches per table per run at most: a large backlog is worked off over several runs. */
        @WithDefault("100")
        int maxBatchesPerRun();
    }

    Auth auth();

    Watchdog watchdog();

    Capacity capacity();

    interface Capacity {
        /** API requests worked on at once by one instance; beyond this, 503 + Retry-After at once. */
        @WithDefault("1100")
        int maxInFlight();

        /**
         * PIN submissions doing their local work before their first Solaris call at once (request checks,
         * admission round trip); the others wait in arrival order. Default: twice the processors.
         */
        Optional<Integer> intakeSlots();
    }

    interface Watchdog {
        /** Liveness goes DOWN when requests wait and none has finished for this long. */
        @WithDefault("60s")
        Duration stallAfter();
    }

    interface Auth {
        /**
         * Least time between two JWKS fetches caused by tokens with an unknown {@code kid}: a newly
         * published IdP key is accepted within this long, and forged key IDs cannot hammer the IdP.
         */
        @WithDefault("10s")
        Duration minJwksRefreshInterval();

        /** A held JWKS is fetched again after this long, so keys the identity provider retired stop working. */
        @WithDefault("5m")
        Duration jwksRefreshEvery();

        /** How long a request with a not-yet-known key ID waits for the JWKS fetch before 503 + Retry-After. */
        @WithDefault("2s")
        Duration maxKeyWait();

        /**
         * How often the background job fetches while no JWKS is held and checks a held one's age; read by
         * the {@code @Scheduled} of {@code IdpKeys}.
         */
        @WithDefault("2s")
        String jwksCheckEvery();
    }
}
