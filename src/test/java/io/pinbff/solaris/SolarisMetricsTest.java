package io.pinbff.solaris;

import static org.assertj.core.api.Assertions.assertThat;

import io.pinbff.support.Management;
import io.pinbff.support.PinBffTest;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

/**
 * Besides the BFF's own Solaris metrics, the extensions' own are exported: SmallRye Fault
 * Tolerance's per guard (breaker state, bulkhead, retries, timeouts); and every exchange on the
 * wire is timed with its status, so a repeat after a 401 shows as two.
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
    void faultToleranceMetricsAreExportedToo() {
        asDemo().body(directBody("2580")).post("/v1/cards/{id}/pin", CARD).then().statusCode(204);
        String metrics = Management.given().get("/q/metrics").then().statusCode(200).extract().asString();
        assertThat(metrics).contains("pinbff_solaris_requests_seconds_count{endpoint=\"pin_update_requests\",outcome=\"success\"")
                .contains("pinbff_solaris_circuit_breaker_open")
                .contains("ft_circuitbreaker_state_current{method=\"solaris-breaker\",state=\"open\"}")
                .contains("ft_bulkhead_calls_total{bulkheadResult=\"rejected\",method=\"solaris-bulkhead\"}")
                .contains("ft_retry_retries_total{method=\"solaris-safe-call-retry\"}")
                .contains("ft_timeout_calls_total{method=\"solaris-write-attempt\",timedOut=\"true\"}");
    }

    @Test
    void everyExchangeOnTheWireIsTimedWithItsStatusARepeatAfterA401Too() {
        Customer c = newCustomer();
        as(c.person()).contentType("application/json").body(directBody("2580", c.device()))
                .post("/v1/cards/{id}/pin", c.card()).then().statusCode(204);
        double ok = wireCount("pin_update_requests", "204");
        double refused = wireCount("pin_update_requests", "401");
        double guarded = guardedCount("pin_update_requests");
        sandbox.faults().failNext(1, 401, ".*/pin_update_requests");

        as(c.person()).contentType("application/json").body(directBody("3691", c.device()))
                .post("/v1/cards/{id}/pin", c.card()).then().statusCode(204);

        assertThat(wireCount("pin_update_requests", "401")).as("the refused exchange").isEqualTo(refused + 1);
        assertThat(wireCount("pin_update_requests", "204")).as("its repeat with a fresh token").isEqualTo(ok + 1);
        assertThat(guardedCount("pin_update_requests")).as("one guarded call around both").isEqualTo(guarded + 1);
    }

    private static double wireCount(String endpoint, String status) {
        return metric("pinbff_solaris_http_requests_seconds_count{endpoint=\"" + endpoint + "\",status=\"" + status + "\"}");
    }

    private static double guardedCount(String endpoint) {
        return metric("pinbff_solaris_requests_seconds_count{endpoint=\"" + endpoint + "\",outcome=\"success\"}");
    }

    /** A sample's value; 0 while it is absent (a timer appears with its first recording). */
    private static double metric(String sample) {
        return Management.given().get("/q/metrics").then().statusCode(200).extract().asString().lines()
                .filter(l -> l.startsWith(sample + " ")).findFirst()
                .map(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1).trim())).orElse(0.0);
    }
}
