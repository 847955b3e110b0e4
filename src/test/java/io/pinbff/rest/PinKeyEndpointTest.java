package io.pinbff.rest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import io.pinbff.support.AppSide;
import io.pinbff.support.PinBffTest;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

@QuarkusTest
class PinKeyEndpointTest extends PinBffTest {

    @Test
    void servesTheSolarisKeyWithAlgNormalised() {
        Map<String, Object> solaris = sandbox.currentPublicJwk();
        assertThat(solaris.get("alg")).isEqualTo("RS256");
        as(PERSON).get("/v1/pin-keys/latest").then().statusCode(200)
                .body("kid", equalTo(solaris.get("kid")))
                .body("kty", equalTo("RSA"))
                .body("use", equalTo("enc"))
                .body("alg", equalTo("RSA-OAEP-256"))
                .body("n", equalTo(solaris.get("n")))
                .body("e", equalTo(solaris.get("e")))
                .header("Cache-Control", "private, max-age=60");
    }

    @Test
    void etagAnswersNotModified() {
        Response first = as(PERSON).get("/v1/pin-keys/latest");
        String etag = first.header("ETag");
        assertThat(etag).startsWith("\"");
        as(PERSON).header("If-None-Match", etag).get("/v1/pin-keys/latest").then().statusCode(304)
                .header("ETag", etag);
        as(PERSON).header("If-None-Match", "\"something-else\"").get("/v1/pin-keys/latest").then().statusCode(200);
    }

    @Test
    void ifNoneMatchComparesWeaklyAndTakesListsAndAStar() {
        String etag = as(PERSON).get("/v1/pin-keys/latest").header("ETag");
        for (String ifNoneMatch : List.of("W/" + etag, "\"a\", " + etag, "\"a\",W/" + etag, "*", "\"a\", *")) {
            as(PERSON).header("If-None-Match", ifNoneMatch).get("/v1/pin-keys/latest").then().statusCode(304)
                    .header("ETag", etag).header("Cache-Control", "private, max-age=60");
        }
        // (An unquoted tag is malformed; JAX-RS reads it leniently, as if quoted.)
        for (String ifNoneMatch : List.of("\"a\", \"b\"", "W/\"a\"", "", "\"", ",,")) {
            as(PERSON).header("If-None-Match", ifNoneMatch).get("/v1/pin-keys/latest").then().statusCode(200)
                    .header("ETag", etag);
        }
    }

    @Test
    void keepsServingTheLastKnownKeyWhileSolarisIsDown() {
        String kid = (String) bffKey().get("kid");
        sandbox.faults().failAlways(503);
        as(PERSON).get("/v1/pin-keys/latest").then().statusCode(200).body("kid", equalTo(kid));
    }

    @Test
    void concurrentRequestsForANewKeyCauseOneUpstreamFetch() throws Exception {
        asDemo().body(directBody("1357")).post("/v1/cards/{id}/pin", CARD).then().statusCode(204);
        sandbox.rotateKey();
        long before = sandbox.count("GET", ".*/pin_keys/latest");
        // Production rate limit (2 s between refreshes for unknown key IDs): a round sent before the BFF
        // may ask Solaris again is refused whole (409, nothing written) and sent again with fresh PINs.
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        List<Integer> statuses;
        do {
            statuses = concurrentChanges(12);
        } while (statuses.contains(409) && System.nanoTime() < deadline);
        assertThat(statuses).containsOnly(204);
        assertThat(sandbox.count("GET", ".*/pin_keys/latest")).isEqualTo(before + 1);
    }

    private List<Integer> concurrentChanges(int n) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(n);
        try {
            List<Future<Integer>> answers = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                Customer customer = newCustomer();
                Map<String, Object> body = directBody("97" + (10 + i), customer.device());
                answers.add(pool.submit(() -> as(customer.person()).contentType("application/json").body(body)
                        .post("/v1/cards/{id}/pin", customer.card()).statusCode()));
            }
            List<Integer> statuses = new ArrayList<>();
            for (Future<Integer> answer : answers) {
                statuses.add(answer.get());
            }
            return statuses;
        } finally {
            pool.shutdown();
        }
    }

    @Test
    void theAppCanEncryptWithTheServedKey() {
        String jwe = AppSide.encryptPin("8642", bffKey());
        assertThat(jwe.split("\\.", -1)).hasSize(5);
    }
}
