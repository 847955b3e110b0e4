package io.pinbff.rest;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pinbff.support.PinBffTest;
import io.pinbff.support.RawHttp;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import org.junit.jupiter.api.Test;

/**
 * The contract (openapi/pin-bff.yaml, its 413 and 431 responses): a body over 64 KiB is 413 and
 * request headers over 16 KiB are 431, both problem+json
 * {@code invalid_request}, whatever the size — never Vert.x' bare answers. Sent over a raw socket,
 * streamed: a 100 MiB body is never held by the test either.
 */
@QuarkusTest
class OversizedRequestTest extends PinBffTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long MIB = 1024 * 1024;

    private String direct(Customer c) {
        return "POST /v1/cards/" + c.card() + "/pin HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                + "Authorization: Bearer " + idp.mint(c.person());
    }

    @Test
    void bodiesOverTheLimitAreProblemJsonAtAnySize() throws Exception {
        Customer c = newCustomer();
        for (long size : new long[] { 64 * 1024 + 1, MIB, 2 * MIB, 100 * MIB }) {
            RawHttp.Answer answer = RawHttp.send(RestAssured.port, direct(c), size, false);
            assertProblem(answer, 413, "body of " + size + " bytes");
        }
        // The refusal came before the body: nothing reached Solaris, nothing was recorded.
        assertThat(sandbox.count("POST", "/v1/cards/" + c.card() + "/pin_update_requests")).isZero();
        assertThat(db.rows("select * from pin_submission")).isEmpty();
    }

    @Test
    void chunkedBodiesOverTheLimitAreProblemJson() throws Exception {
        Customer c = newCustomer();
        for (long size : new long[] { 64 * 1024 + 1, 2 * MIB, 100 * MIB }) {
            RawHttp.Answer answer = RawHttp.send(RestAssured.port, direct(c), size, true);
            assertProblem(answer, 413, "chunked body of " + size + " bytes");
        }
        assertThat(sandbox.count("POST", "/v1/cards/" + c.card() + "/pin_update_requests")).isZero();
    }

    @Test
    void aChunkedBodyWithinTheLimitStillWorks() throws Exception {
        // Not the size refusal: an empty chunked JSON body of zeros is malformed JSON (400), so the body did arrive.
        Customer c = newCustomer();
        RawHttp.Answer answer = RawHttp.send(RestAssured.port, direct(c), 1024, true);
        assertThat(answer.status()).isEqualTo(400);
        assertThat(JSON.readTree(answer.body()).path("code").asText()).isEqualTo("invalid_request");
    }

    @Test
    void headersOverTheLimitAreProblemJson() throws Exception {
        Customer c = newCustomer();
        for (int size : new int[] { 16 * 1024 + 100, 64 * 1024, 600 * 1024 }) {
            String head = direct(c) + "\r\nX-Padding: " + "a".repeat(size);
            RawHttp.Answer answer = RawHttp.send(RestAssured.port, head, 0, false);
            assertProblem(answer, 431, "headers of " + size + " bytes");
        }
        // Many headers adding up count too.
        StringBuilder many = new StringBuilder(direct(c));
        for (int i = 0; i < 200; i++) {
            many.append("\r\nX-Pad-").append(i).append(": ").append("b".repeat(100));
        }
        assertProblem(RawHttp.send(RestAssured.port, many.toString(), 0, false), 431, "200 headers of 100 bytes");
        assertThat(sandbox.count("POST", "/v1/cards/" + c.card() + "/pin_update_requests")).isZero();
    }

    @Test
    void headersJustUnderTheLimitPass() throws Exception {
        RawHttp.Answer answer = RawHttp.send(RestAssured.port,
                "GET /v1/pin-keys/latest HTTP/1.1\r\nHost: localhost\r\nX-Padding: " + "a".repeat(15 * 1024), 0, false);
        assertThat(answer.status()).isEqualTo(401); // past the size check, on to the token
    }

    private static void assertProblem(RawHttp.Answer answer, int status, String what) throws Exception {
        assertThat(answer.status()).as(what).isEqualTo(status);
        assertThat(answer.header("Content-Type")).as(what).isEqualTo("application/problem+json");
        JsonNode body = JSON.readTree(answer.body());
        assertThat(body.path("code").asText()).as(what).isEqualTo("invalid_request");
        assertThat(body.path("status").asInt()).as(what).isEqualTo(status);
        assertThat(body.path("type").asText()).as(what).isEqualTo("urn:pinbff:problem:invalid_request");
    }
}
