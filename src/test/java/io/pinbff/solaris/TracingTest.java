package io.pinbff.solaris;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.pinbff.support.PinBffTest;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * With tracing switched on (as the README tells operators to), a PIN change is one trace: the
 * app's request, and inside it a client span for each Solaris call, the card lookup (made on its own
 * virtual thread) and the PIN write, each also carried to Solaris in a {@code traceparent} header.
 */
@QuarkusTest
@TestProfile(TracingTest.TracingOn.class)
class TracingTest extends PinBffTest {

    public static class TracingOn implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("quarkus.otel.sdk.disabled", "false", "quarkus.otel.bsp.schedule.delay", "10ms");
        }
    }

    /** The spans, kept in memory instead of being sent to a collector. */
    @ApplicationScoped
    static class InMemorySpans {
        @Produces
        @Singleton
        InMemorySpanExporter exporter() {
            return InMemorySpanExporter.create();
        }
    }

    @Inject
    InMemorySpanExporter spans;

    @Test
    void aPinChangeIsOneTraceWithAClientSpanPerSolarisCall() {
        Customer c = newCustomer();
        spans.reset();

        as(c.person()).contentType("application/json").body(directBody("2580", c.device()))
                .post("/v1/cards/{id}/pin", c.card()).then().statusCode(204);

        SpanData request = await().atMost(Duration.ofSeconds(10)).until(
                () -> spans.getFinishedSpanItems().stream()
                        .filter(s -> s.getKind() == SpanKind.SERVER && s.getName().equals("POST /v1/cards/{card_id}/pin"))
                        .findFirst().orElse(null),
                s -> s != null);
        List<SpanData> trace = await().atMost(Duration.ofSeconds(10)).until(
                () -> spans.getFinishedSpanItems().stream().filter(s -> s.getTraceId().equals(request.getTraceId())).toList(),
                t -> clientSpan(t, "GET", "/v1/cards/" + c.card()) != null
                        && clientSpan(t, "POST", "/v1/cards/" + c.card() + "/pin_update_requests") != null);

        // Solaris (the sandbox in this process) received the trace context: its server spans are in the trace too.
        assertThat(trace).anySatisfy(s -> {
            assertThat(s.getKind()).isEqualTo(SpanKind.SERVER);
            assertThat(s.getName()).contains("/pin_update_requests");
        });
        // Both Solaris calls are children of the app's request, the lookup from its own thread included.
        assertThat(clientSpan(trace, "GET", "/v1/cards/" + c.card()).getParentSpanId()).isEqualTo(request.getSpanId());
        assertThat(clientSpan(trace, "POST", "/v1/cards/" + c.card() + "/pin_update_requests").getParentSpanId())
                .isEqualTo(request.getSpanId());
    }

    private static SpanData clientSpan(List<SpanData> trace, String method, String pathEnd) {
        return trace.stream()
                .filter(s -> s.getKind() == SpanKind.CLIENT)
                .filter(s -> method.equals(s.getAttributes().asMap().entrySet().stream()
                        .filter(e -> e.getKey().getKey().equals("http.request.method")).map(e -> String.valueOf(e.getValue()))
                        .findFirst().orElse(null)))
                .filter(s -> s.getAttributes().asMap().entrySet().stream()
                        .anyMatch(e -> e.getKey().getKey().equals("url.full") && String.valueOf(e.getValue()).endsWith(pathEnd)))
                .findFirst().orElse(null);
    }
}
