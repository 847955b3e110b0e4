package io.pinbff.rest;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.MeterRegistry;
import io.pinbff.auth.RememberedTokens;
import io.pinbff.support.PinBffTest;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.identity.AuthenticationRequestContext;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.request.TokenAuthenticationRequest;
import io.quarkus.security.credential.TokenCredential;
import io.quarkus.smallrye.jwt.runtime.auth.JsonWebTokenCredential;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.eclipse.microprofile.jwt.JsonWebToken;
import org.junit.jupiter.api.Test;

/**
 * User tokens: one verified within the last minute is answered at once, without a worker thread
 * (the request context's runBlocking is never called); any other is verified on a worker thread and
 * refused as before. And HTTP requests really go through this provider (its counter moves).
 */
@QuarkusTest
class RememberedTokensTest extends PinBffTest {

    @Inject
    RememberedTokens tokens;

    @Inject
    MeterRegistry meters;

    /** Counts runBlocking calls and runs the work right here, as the worker would. */
    static final class Worker implements AuthenticationRequestContext {
        final AtomicInteger calls = new AtomicInteger();

        @Override
        public Uni<SecurityIdentity> runBlocking(Supplier<SecurityIdentity> function) {
            calls.incrementAndGet();
            return Uni.createFrom().item(function);
        }
    }

    private static TokenAuthenticationRequest request(String token) {
        return new TokenAuthenticationRequest(new JsonWebTokenCredential(token));
    }

    private double checks(String how) {
        return meters.get("pinbff_user_token_checks").tag("how", how).counter().count();
    }

    @Test
    void aTokenVerifiedOverHttpIsAnsweredWithoutAWorkerThreadAfterwards() {
        String token = idp.mint("person-remembered-1");
        double remembered = checks("remembered");
        double verified = checks("verified");
        given().auth().oauth2(token).get("/v1/pin-keys/latest").then().statusCode(200);
        given().auth().oauth2(token).get("/v1/pin-keys/latest").then().statusCode(200);
        assertThat(checks("verified") - verified).isEqualTo(1.0);
        assertThat(checks("remembered") - remembered).isEqualTo(1.0);

        Worker worker = new Worker();
        SecurityIdentity identity = tokens.authenticate(request(token), worker).await().indefinitely();
        assertThat(worker.calls).hasValue(0);
        JsonWebToken jwt = (JsonWebToken) identity.getPrincipal();
        assertThat((Object) jwt.getClaim("person_id")).hasToString("person-remembered-1");
        assertThat(identity.getCredential(TokenCredential.class).getToken()).isEqualTo(token);
    }

    @Test
    void aTokenNotSeenBeforeIsVerifiedOnAWorkerThread() {
        String token = idp.mint("person-remembered-2");
        Worker worker = new Worker();
        SecurityIdentity identity = tokens.authenticate(request(token), worker).await().indefinitely();
        assertThat(worker.calls).hasValue(1);
        assertThat(((JsonWebToken) identity.getPrincipal()).getSubject()).isEqualTo("person-remembered-2");
        // Now remembered: the next check needs no worker.
        tokens.authenticate(request(token), worker).await().indefinitely();
        assertThat(worker.calls).hasValue(1);
    }

    @Test
    void aForgedTokenFailsOnTheWorkerAndIsNeverRemembered() {
        String token = idp.mint("person-remembered-3");
        String forged = token.substring(0, token.lastIndexOf('.') + 1) + "A" + token.substring(token.lastIndexOf('.') + 2);
        Worker worker = new Worker();
        for (int i = 1; i <= 2; i++) {
            assertThatThrownBy(() -> tokens.authenticate(request(forged), worker).await().indefinitely())
                    .isInstanceOf(AuthenticationFailedException.class);
            assertThat(worker.calls).hasValue(i);
        }
        given().auth().oauth2(forged).get("/v1/pin-keys/latest").then().statusCode(401);
    }

    @Test
    void anExpiredTokenIsVerifiedAndRefused() {
        String token = idp.mint(Map.of("sub", PERSON, "person_id", PERSON), Duration.ofMinutes(-5));
        Worker worker = new Worker();
        assertThatThrownBy(() -> tokens.authenticate(request(token), worker).await().indefinitely())
                .isInstanceOf(AuthenticationFailedException.class);
        assertThat(worker.calls).hasValue(1);
    }

    @Test
    void twoRememberedTokensKeepTheirOwnPersons() {
        String card = sandbox.createCard(PERSON, "ACTIVE").id();
        String jwe = io.pinbff.support.AppSide.encryptPin("7402", sandbox.currentKid(), sandbox.currentPublicKey());
        String owner = idp.mint(PERSON);
        String other = idp.mint("0f1e2d3c4b5a69788796a5b4c3d2e1f0cper");
        String id = given().auth().oauth2(owner).contentType("application/json")
                .body(Map.of("encrypted_pin", jwe, "key_id", sandbox.currentKid()))
                .post("/v1/cards/{id}/pin-change-requests", card).then().statusCode(202).extract().path("id");
        for (int i = 0; i < 3; i++) { // both tokens remembered after the first round
            given().auth().oauth2(other).get("/v1/pin-change-requests/{id}", id).then().statusCode(404);
            given().auth().oauth2(owner).get("/v1/pin-change-requests/{id}", id).then().statusCode(200);
        }
    }

    @Test
    void otherCredentialsAreNotItsToJudge() {
        TokenAuthenticationRequest other = new TokenAuthenticationRequest(
                new TokenCredential("opaque", "bearer"));
        assertThat(tokens.authenticate(other, new Worker()).await().indefinitely()).isNull();
    }
}
