package io.pinbff.solaris;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import io.pinbff.support.PinBffTest;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

/**
 * "401 → one fresh token, one repeat", for safe calls and PIN writes alike (Solaris did not act on
 * a 401); a fresh token refused too is Solaris failing, and nothing is tried a third time.
 */
@QuarkusTest
class SolarisTokenRepeatTest extends PinBffTest {

    @Test
    void aSafeCallRefusedWithA401IsRepeatedOnceWithAFreshToken() {
        Customer c = newCustomer();
        int tokens = sandbox.tokensIssued();
        long cardLookups = sandbox.count("GET", "/v1/cards/" + c.card());
        sandbox.faults().failNext(1, 401, "/v1/cards/" + c.card());

        as(c.person()).contentType("application/json").body(directBody("2580", c.device()))
                .post("/v1/cards/{id}/pin", c.card()).then().statusCode(204);

        assertThat(sandbox.count("GET", "/v1/cards/" + c.card())).isEqualTo(cardLookups + 2);
        assertThat(sandbox.tokensIssued()).isEqualTo(tokens + 1);
    }

    @Test
    void aPinWriteRefusedTwiceWithA401IsSentTwiceWithOneFreshTokenAndNeverAThirdTime() {
        Customer c = newCustomer();
        as(c.person()).contentType("application/json").body(directBody("2580", c.device()))
                .post("/v1/cards/{id}/pin", c.card()).then().statusCode(204);
        int tokens = sandbox.tokensIssued();
        long writes = upstreamPinWrites();
        sandbox.faults().failNext(2, 401, ".*/pin_update_requests");

        as(c.person()).contentType("application/json").body(directBody("3691", c.device()))
                .post("/v1/cards/{id}/pin", c.card()).then().statusCode(503).body("code", equalTo("upstream_unavailable"));

        assertThat(upstreamPinWrites()).as("the write and its one repeat").isEqualTo(writes + 2);
        assertThat(sandbox.tokensIssued()).as("one fresh token").isEqualTo(tokens + 1);
        assertThat(sandbox.pinIs(c.card(), "3691")).isFalse();
    }
}
