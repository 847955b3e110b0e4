package io.pinbff.bench;

import io.pinbff.demo.DemoClient;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.interfaces.RSAPublicKey;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The load generator of bench/run.sh: loopback only, bounded request counts and durations. All
 * app-side work (JWE encryption, device signatures, user tokens) is prepared before any timed part.
 *
 * <pre>java -cp target/bench-classes io.pinbff.bench.Load BFF_URL SANDBOX_URL RESULTS_FILE [REQUESTS]</pre>
 *
 * Its own source set (src/bench/java), compiled with {@code io.pinbff.demo.DemoClient} from
 * src/test/java into target/bench-classes by {@code ./mvnw -Pbench …} (see the {@code bench} profile
 * in pom.xml): neither on the test classpath nor in the application.
 */
public final class Load {

    record Customer(String person, String card, String device, String token) {}

    record Result(String name, int requests, int errors, double seconds, long[] nanos) {
        double perSecond() {
            return requests / seconds;
        }

        double ms(double quantile) {
            if (nanos.length == 0) {
                return Double.NaN;
            }
            int index = (int) Math.min(nanos.length - 1, Math.ceil(quantile * nanos.length) - 1);
            return nanos[Math.max(0, index)] / 1e6;
        }
    }

    private static final Duration POLL_DURATION = Duration.ofSeconds(10);
    private static final int POLL_MAX = 200_000;

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();
    private final String bff;
    private final String sandbox;
    /** A plain reverse proxy (nginx) in front of the sandbox, the anchor for "one more hop"; or null. */
    private final String proxy = System.getenv("PROXY_URL");
    private String solarisToken;
    private String kid;
    private RSAPublicKey key;
    private PrivateKey deviceKey;

    Load(String bff, String sandbox) {
        this.bff = bff;
        this.sandbox = sandbox;
    }

    private static final String USAGE =
            "usage: java -cp target/bench-classes io.pinbff.bench.Load BFF_URL SANDBOX_URL RESULTS_FILE [REQUESTS]";

    public static void main(String[] args) throws Exception {
        if (args.length < 3 || args.length > 4 || Arrays.asList(args).contains("--help")) {
            System.err.println(USAGE);
            System.exit(args.length == 1 && args[0].equals("--help") ? 0 : 2);
        }
        int requests = args.length > 3 ? Integer.parseInt(args[3]) : 2000;
        Load load = new Load(args[0], args[1]);
        List<Result> results = load.run(requests);
        StringBuilder table = new StringBuilder();
        table.append("| scenario | requests | errors | req/s | p50 ms | p90 ms | p99 ms | max ms |\n");
        table.append("|---|---:|---:|---:|---:|---:|---:|---:|\n");
        for (Result r : results) {
            table.append(String.format(Locale.ROOT, "| %s | %d | %d | %.0f | %.2f | %.2f | %.2f | %.2f |%n", r.name(),
                    r.requests(), r.errors(), r.perSecond(), r.ms(0.50), r.ms(0.90), r.ms(0.99), r.ms(1.0)));
        }
        table.append('\n');
        for (int c : new int[] { 1, 32 }) {
            Result direct = find(results, "direct PIN change, sandbox only, c=" + c);
            Result viaBff = find(results, "direct PIN change, through the BFF, c=" + c);
            table.append(String.format(Locale.ROOT, "- BFF overhead at c=%d: p50 +%.2f ms, p99 x%.2f (%.2f ms vs %.2f ms)%n", c,
                    viaBff.ms(0.5) - direct.ms(0.5), viaBff.ms(0.99) / direct.ms(0.99), viaBff.ms(0.99), direct.ms(0.99)));
            results.stream().filter(r -> r.name().equals("direct PIN change, through nginx (plain proxy), c=" + c)).findFirst()
                    .ifPresent(viaProxy -> table.append(String.format(Locale.ROOT,
                            "- plain proxy (nginx) overhead at c=%d: p50 +%.2f ms, p99 x%.2f (%.2f ms vs %.2f ms)%n", c,
                            viaProxy.ms(0.5) - direct.ms(0.5), viaProxy.ms(0.99) / direct.ms(0.99), viaProxy.ms(0.99),
                            direct.ms(0.99))));
        }
        System.out.print(table);
        Files.writeString(Path.of(args[2]), table.toString());
    }

    private static Result find(List<Result> results, String name) {
        return results.stream().filter(r -> r.name().equals(name)).findFirst().orElseThrow();
    }

    List<Result> run(int requests) throws Exception {
        solarisToken = field(send(HttpRequest.newBuilder(URI.create(sandbox + "/sandbox/solaris/oauth/token"))
                .header("Authorization", "Basic " + Base64.getEncoder().encodeToString((System.getenv().getOrDefault("BENCH_CLIENT_ID", "sandbox-client") + ":"
                        + System.getenv().getOrDefault("BENCH_CLIENT_SECRET", "sandbox-secret")).getBytes(StandardCharsets.UTF_8)))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("grant_type=client_credentials")).build(), 200), "access_token");
        String jwk = send(HttpRequest.newBuilder(URI.create(sandbox + "/sandbox/solaris/v1/cards/pin_keys/latest"))
                .header("Authorization", "Bearer " + solarisToken).GET().build(), 200);
        kid = field(jwk, "kid");
        key = DemoClient.rsa(field(jwk, "n"), field(jwk, "e"));
        deviceKey = DemoClient.ecKey(Files.readString(Path.of(DemoClient.DEVICE_KEY)));

        // Cards enough that no card sees more than 4 changes (limit 5/day) and no person more than 9 (10/h).
        int directTotal = 4 * requests + 400;
        List<Customer> direct = customers(directTotal / 4 + 1);
        List<Customer> polled = customers(64);
        List<Customer> flows = customers(200);
        System.out.printf("prepared %d customers%n", direct.size() + polled.size() + flows.size());

        List<Result> results = new ArrayList<>();
        List<String[]> warm = prepare(direct, 0, 200);
        runDirect("warm-up sandbox", sandbox, warm, 8, true);
        runDirect("warm-up BFF", bff, warm, 8, false);
        int offset = 200;
        for (int concurrency : new int[] { 1, 32 }) {
            List<String[]> prepared = prepare(direct, offset, requests);
            offset += requests;
            results.add(runDirect("direct PIN change, sandbox only, c=" + concurrency, sandbox, prepared, concurrency, true));
            phase("begin", "direct-c" + concurrency);
            results.add(runDirect("direct PIN change, through the BFF, c=" + concurrency, bff, prepared, concurrency, false));
            phase("end", "direct-c" + concurrency);
            if (proxy != null) {
                results.add(runDirect("direct PIN change, through nginx (plain proxy), c=" + concurrency, proxy, prepared,
                        concurrency, true));
            }
        }
        results.addAll(polling(polled));
        phase("begin", "flow");
        results.add(flows(flows, 8));
        phase("end", "flow");
        return results;
    }

    /**
     * Tells {@code $BENCH_PHASE_HOOK} (bench/run.sh with PROFILE=async: starts and stops the profiler in the
     * BFF) that a measured phase begins or ends, and waits for it, so each path gets a profile of its own.
     */
    private static void phase(String what, String name) throws Exception {
        String hook = System.getenv("BENCH_PHASE_HOOK");
        if (hook != null && !hook.isBlank()) {
            new ProcessBuilder(hook, what, name).inheritIO().start().waitFor();
        }
    }

    /** [card, device, body, user token] per request; each body a fresh JWE of a non-weak PIN, signed. */
    private List<String[]> prepare(List<Customer> customers, int offset, int count) throws Exception {
        List<String[]> prepared = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            Customer c = customers.get((offset + i) % customers.size());
            String jwe = DemoClient.encrypt("{\"pin\":\"" + pin() + "\"}", kid, key);
            String body = "{\"device_id\":\"" + c.device() + "\",\"encrypted_pin\":\"" + jwe + "\",\"key_id\":\"" + kid
                    + "\",\"signature\":\"" + DemoClient.sign(jwe, deviceKey) + "\"}";
            prepared.add(new String[] { c.card(), c.device(), body, c.token() });
        }
        return prepared;
    }

    private Result runDirect(String name, String base, List<String[]> prepared, int concurrency, boolean toSandbox) throws Exception {
        return measure(name, prepared.size(), concurrency, i -> {
            String[] p = prepared.get(i);
            String url = toSandbox ? base + "/sandbox/solaris/v1/cards/" + p[0] + "/pin_update_requests" : base + "/v1/cards/" + p[0] + "/pin";
            return HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/json")
                    .header("Authorization", "Bearer " + (toSandbox ? solarisToken : p[3]))
                    .POST(HttpRequest.BodyPublishers.ofString(p[2])).build();
        }, 204, null);
    }

    private List<Result> polling(List<Customer> customers) throws Exception {
        String[] ids = new String[customers.size()];
        String[] etags = new String[customers.size()];
        for (int i = 0; i < customers.size(); i++) {
            Customer c = customers.get(i);
            String jwe = DemoClient.encrypt("{\"pin\":\"" + pin() + "\"}", kid, key);
            HttpResponse<String> created = http.send(HttpRequest.newBuilder(URI.create(bff + "/v1/cards/" + c.card() + "/pin-change-requests"))
                    .header("Authorization", "Bearer " + c.token()).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"encrypted_pin\":\"" + jwe + "\",\"key_id\":\"" + kid + "\"}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            ids[i] = field(created.body(), "id");
            etags[i] = created.headers().firstValue("ETag").orElse("");
        }
        // For an external load generator (wrk in bench/run.sh): one request's URL, token and tag.
        Files.writeString(Path.of("target/bench/poll-target.txt"),
                bff + "/v1/pin-change-requests/" + ids[0] + "\n" + customers.get(0).token() + "\n" + etags[0] + "\n");
        List<Result> results = new ArrayList<>();
        for (boolean conditional : new boolean[] { false, true }) {
            String phase = conditional ? "poll-304" : "poll-200";
            phase("begin", phase);
            results.add(measure("status polling" + (conditional ? " with If-None-Match" : "") + ", c=64", POLL_MAX, 64, i -> {
                int k = i % ids.length;
                HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(bff + "/v1/pin-change-requests/" + ids[k]))
                        .header("Authorization", "Bearer " + customers.get(k).token());
                if (conditional) {
                    b.header("If-None-Match", etags[k]);
                }
                return b.GET().build();
            }, conditional ? 304 : 200, POLL_DURATION));
            phase("end", phase);
        }
        return results;
    }

    /** Whole change-request flows: create, authorise (mobile_number), confirm with the TAN, poll. */
    private Result flows(List<Customer> customers, int concurrency) throws Exception {
        List<String> bodies = new ArrayList<>();
        for (int i = 0; i < customers.size(); i++) {
            bodies.add("{\"encrypted_pin\":\"" + DemoClient.encrypt("{\"pin\":\"" + pin() + "\"}", kid, key) + "\",\"key_id\":\"" + kid + "\"}");
        }
        AtomicInteger next = new AtomicInteger();
        AtomicInteger errors = new AtomicInteger();
        long[] nanos = new long[customers.size()];
        long start = System.nanoTime();
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < concurrency; t++) {
            threads.add(Thread.ofPlatform().start(() -> {
                for (int i; (i = next.getAndIncrement()) < customers.size();) {
                    Customer c = customers.get(i);
                    long begin = System.nanoTime();
                    try {
                        String created = json("POST", "/v1/cards/" + c.card() + "/pin-change-requests", bodies.get(i), c.token(), 202);
                        String path = "/v1/pin-change-requests/" + field(created, "id");
                        json("POST", path + "/authorize", "{\"delivery_method\":\"mobile_number\"}", c.token(), 200);
                        json("POST", path + "/confirm", "{\"tan\":\"212212\"}", c.token(), 200);
                        if (!json("GET", path, null, c.token(), 200).contains("COMPLETED")) {
                            errors.incrementAndGet();
                        }
                    } catch (Exception e) {
                        errors.incrementAndGet();
                    }
                    nanos[i] = System.nanoTime() - begin;
                }
            }));
        }
        for (Thread thread : threads) {
            thread.join();
        }
        Arrays.sort(nanos);
        return new Result("change-request flow (create+authorize+confirm+poll), c=" + concurrency, customers.size(), errors.get(),
                (System.nanoTime() - start) / 1e9, nanos);
    }

    private String json(String method, String path, String body, String token, int expected) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(bff + path)).header("Authorization", "Bearer " + token);
        b = body == null ? b.GET() : b.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(body));
        HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != expected) {
            throw new IllegalStateException(method + " " + path + " -> " + r.statusCode());
        }
        return r.body();
    }

    /** Sends up to {@code max} requests from {@code concurrency} threads (or for {@code duration}); one latency per request. */
    private Result measure(String name, int max, int concurrency, IntFunction<HttpRequest> request, int expected, Duration duration)
            throws Exception {
        AtomicInteger next = new AtomicInteger();
        AtomicInteger errors = new AtomicInteger();
        AtomicLong firstError = new AtomicLong(-1);
        long[] nanos = new long[max];
        long start = System.nanoTime();
        long stopAt = duration == null ? Long.MAX_VALUE : start + duration.toNanos();
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < concurrency; t++) {
            threads.add(Thread.ofPlatform().start(() -> {
                for (int i; System.nanoTime() < stopAt && (i = next.getAndIncrement()) < max;) {
                    long begin = System.nanoTime();
                    try {
                        HttpResponse<Void> r = http.send(request.apply(i), HttpResponse.BodyHandlers.discarding());
                        if (r.statusCode() != expected) {
                            errors.incrementAndGet();
                            firstError.compareAndSet(-1, r.statusCode());
                        }
                    } catch (Exception e) {
                        errors.incrementAndGet();
                    }
                    nanos[i] = System.nanoTime() - begin;
                }
            }));
        }
        for (Thread thread : threads) {
            thread.join();
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        int done = Math.min(next.get(), max);
        long[] measured = Arrays.copyOf(nanos, done);
        Arrays.sort(measured);
        if (errors.get() > 0) {
            System.out.printf("%s: %d errors (first status %d)%n", name, errors.get(), firstError.get());
        }
        System.out.printf("%s: %d requests in %.1f s%n", name, done, seconds);
        return new Result(name, done, errors.get(), seconds, measured);
    }

    private List<Customer> customers(int count) throws Exception {
        List<Customer> customers = new ArrayList<>();
        while (customers.size() < count) {
            int batch = Math.min(5000, count - customers.size());
            String json = send(HttpRequest.newBuilder(URI.create(sandbox + "/sandbox/admin/customers?count=" + batch))
                    .POST(HttpRequest.BodyPublishers.noBody()).build(), 200);
            Matcher m = Pattern.compile("\\{\"person_id\":\"([^\"]+)\",\"card_id\":\"([^\"]+)\",\"device_id\":\"([^\"]+)\"\\}").matcher(json);
            while (m.find()) {
                String token = field(send(HttpRequest.newBuilder(URI.create(sandbox + "/sandbox/idp/token"))
                        .header("Content-Type", "application/x-www-form-urlencoded")
                        .POST(HttpRequest.BodyPublishers.ofString("person_id=" + URLEncoder.encode(m.group(1), StandardCharsets.UTF_8)))
                        .build(), 200), "access_token");
                customers.add(new Customer(m.group(1), m.group(2), m.group(3), token));
            }
        }
        return customers;
    }

    private String send(HttpRequest request, int expected) throws Exception {
        HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != expected) {
            throw new IllegalStateException(request.uri() + " -> " + r.statusCode() + " " + r.body());
        }
        return r.body();
    }

    private static String field(String json, String name) {
        return DemoClient.field(json, name);
    }

    /** Four digits that are neither all equal nor a straight run (the sandbox refuses those as weak). */
    private static String pin() {
        while (true) {
            String pin = String.format("%04d", ThreadLocalRandom.current().nextInt(10_000));
            boolean same = pin.chars().distinct().count() == 1;
            boolean up = "0123456789".contains(pin);
            boolean down = "9876543210".contains(pin);
            if (!same && !up && !down) {
                return pin;
            }
        }
    }
}
