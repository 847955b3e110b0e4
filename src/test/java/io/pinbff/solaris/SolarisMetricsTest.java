package io.pinbff.solaris;

import static org.assertj.core.api.Assertions.assertThat;

import io.pinbff.support.Management;
import io.pinbff.support.PinBffTest;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

/**
 * Besides the BFF's own Solaris metrics, the extensions' own are exported: SmallRye Fault
 * Tolerance's per guard (breaker state, bulkhead, retries, timeouts) and the REST client's HTTP
 * client timer.
 */
@QuarkusTest
class SolarisMetricsTest extends PinBffTest {

    @Test
    void theBreakerGaugeIsTheBreakersOwnState() {
        org.assertj.core.api.Assertions.assertThat(breakerOpenGauge()).isZero();
        // First a change that works: the BFF holds Solaris' current key before Solaris starts failing.
        asDemo().body(directBody("2580")).post("/v1/cards/{id}/pin", CARD).then().statusCode(204);
        sandbox.faults().failAlways(500);
        for (int i = 0; i < 2 * 20; i++) { // more than the breaker's window, all failing
            asDemo().body(directBody("1470")).post("/v1/cards/{id}/pin", CARD).then().statusCode(503);
        }
        assertThat(breakerOpenGauge()).isEqualTo(1);
        sandbox.faults().clear();
        io.smallrye.faulttolerance.api.CircuitBreakerMaintenance.get().resetAll();
        assertThat(breakerOpenGauge()).isZero();
    }

    private static double breakerOpenGauge() {
        String line = Management.given().get("/q/metrics").then().statusCode(200).extract().asString().lines()
                .filter(l -> l.startsWith("pinbff_solaris_circuit_breaker_open ")).findFirst().orElseThrow();
        return Double.parseDouble(line.substring(line.indexOf(' ') + 1).trim());
    }

    @Test
    void faultToleranceAndRestClientMetricsAreExportedToo() {
        asDemo().body(directBody("2580")).post("/v1/cards/{id}/pin", CARD).then().statusCode(204);
        String metrics = Management.given().get("/q/metrics").then().statusCode(200).extract().asString();
        assertThat(metrics).contains("pinbff_solaris_requests_seconds_count{endpoint=\"pin_update_requests\",outcome=\"success\"")
                .contains("pinbff_solaris_circuit_breaker_open")
                .contains("ft_circuitbreaker_state_current{method=\"solaris-breaker\",state=\"open\"}")
                .contains("ft_bulkhead_calls_total{bulkheadResult=\"rejected\",method=\"solaris-bulkhead\"}")
                .contains("ft_retry_retries_total{method=\"solaris-safe-call-retry\"}")
                .contains("ft_timeout_calls_total{method=\"solaris-write-attempt\",timedOut=\"true\"}")
                .contains("http_client_requests_seconds_count{clientName=\"localhost\",method=\"POST\",outcome=\"SUCCESS\","
                        + "status=\"204\",uri=\"/v1/cards/{cardId}/pin_update_requests\"}");
    }
}
