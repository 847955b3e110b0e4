package io.pinbff.rest;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.matchesPattern;

import io.pinbff.support.PinBffTest;
import io.pinbff.support.Management;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

@QuarkusTest
class OperationsTest extends PinBffTest {

    @Test
    void readyWithDatabaseAndCachedKeyAndStaysReadyDuringASolarisOutage() {
        bffKey();
        Management.given().get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP"))
                .body("checks.name", hasItem("solaris-pin-key")).body("checks.name", hasItem("idp-jwks"));
        sandbox.faults().failAlways(503);
        Management.given().get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP"));
        Management.given().get("/q/health/live").then().statusCode(200).body("status", equalTo("UP"))
                .body("checks.name", hasItem("request-progress"));
    }

    @Test
    void metricsExposeSolarisCallsBreakerAndKeyAge() {
        asDemo().body(directBody("2580")).post("/v1/cards/{id}/pin", CARD).then().statusCode(204);
        Management.given().get("/q/metrics").then().statusCode(200)
                .body(containsString("pinbff_solaris_requests_seconds_count{endpoint=\"pin_update_requests\",outcome=\"success\""))
                .body(containsString("pinbff_solaris_circuit_breaker_open"))
                .body(containsString("pinbff_pin_key_age_seconds"))
                .body(containsString("pinbff_pin_changes_total{flow=\"direct\",outcome=\"success\"}"))
                .body(containsString("pinbff_requests_in_flight"))
                .body(containsString("pinbff_idp_jwks_fetches"));
    }

    @Test
    void healthMetricsAndOpenApiAreOnlyOnTheManagementPort() {
        // The API port does not serve them: a NetworkPolicy can open metrics to monitoring without /v1.
        for (String path : new String[] { "/q/health/ready", "/q/health/live", "/q/metrics", "/q/openapi" }) {
            given().noFilters().get(path).then().statusCode(404);
            Management.given().get(path).then().statusCode(200);
        }
        // And the management port serves nothing of the API.
        Management.given().noFilters().get("/v1/pin-keys/latest").then().statusCode(404);
    }

    @Test
    void openApiServesTheContract() {
        Management.given().get("/q/openapi").then().statusCode(200).body(containsString("/v1/pin-change-requests/{id}/confirm"));
    }

    @Test
    void requestIdIsEchoedOrGenerated() {
        as(PERSON).header("X-Request-ID", "trace-abc-123").get("/v1/pin-keys/latest").then()
                .header("X-Request-ID", "trace-abc-123");
        as(PERSON).header("X-Request-ID", "bad id with spaces\u0007").get("/v1/pin-keys/latest").then()
                .header("X-Request-ID", matchesPattern("[0-9a-f-]{36}"));
    }
}
