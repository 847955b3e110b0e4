package io.pinbff.it;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.stubbing.StubMapping;
import io.pinbff.support.AppSide;
import java.security.KeyPair;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.jws.JsonWebSignature;
import org.jose4j.jwt.JwtClaims;

/**
 * Solaris and the bank's identity provider for packaged-jar tests with many users: WireMock on a
 * free port, answering asynchronously (a slow answer holds no WireMock thread, so a thousand can be
 * pending), every card {@code <x>mcrd} ACTIVE and owned by person {@code owner-<x>mcrd}, a real RSA PIN
 * key and real IdP signing keys (one more can be published mid-test).
 */
final class FakeSolaris implements AutoCloseable {

    static final String ISSUER = "https://idp.cluster-it.example";
    static final String AUDIENCE = "pin-bff-cluster-it";
    static final String PIN_KID = "cluster-pin-key-1";
    static final String WEBHOOK_SECRET = "cluster-it-webhook-secret";

    final WireMockServer server;
    KeyPair pinKey = rsa();
    String pinKid = PIN_KID;
    final KeyPair device = AppSide.newDeviceKey();
    private final List<KeyPair> idpKeys = new ArrayList<>(List.of(rsa()));
    private StubMapping jwksStub;

    FakeSolaris() {
        server = new WireMockServer(wireMockConfig().dynamicPort().bindAddress("127.0.0.1")
                .asynchronousResponseEnabled(true).asynchronousResponseThreads(16)
                .containerThreads(64).jettyAcceptQueueSize(8192)
                .maxRequestJournalEntries(20_000).templatingEnabled(true).extensions(new CardBody()));
        server.start();
        server.stubFor(post(urlEqualTo("/oauth/token")).willReturn(json(200,
                "{\"access_token\":\"cluster-it-token\",\"token_type\":\"Bearer\",\"expires_in\":3600}")));
        server.stubFor(get(urlEqualTo("/v1/cards/pin_keys/latest")).willReturn(json(200,
                UpstreamStubs.jwk(pinKey, PIN_KID, "enc", "RS256"))));
        cards(0);
        pinWrites(0);
        publishJwks();
        changeRequestStubs();
        server.stubFor(post(urlPathMatching("/v1/cards/[^/]+/sca_pin_update_requests")).willReturn(json(202,
                "{\"id\":\"{{randomValue length=32 type='ALPHANUMERIC'}}csc\",\"status\":\"AUTHORIZATION_REQUIRED\","
                        + "\"updated_at\":\"2026-11-30T12:00:00+00:00\",\"url\":\"https://solaris.example/authorize\"}")
                .withTransformers("response-template")));
    }

    /** Every card lookup answers after {@code delayMillis}, the card ACTIVE and owned by owner-&lt;card id&gt;. */
    void cards(int delayMillis) {
        server.stubFor(get(urlPathMatching("/v1/cards/[A-Za-z0-9_-]+mcrd")).willReturn(json(200, "{}")
                .withFixedDelay(delayMillis).withTransformers(CardBody.NAME)));
    }

    /**
     * The card lookups' body, {"id": <card id>, "person_id": "owner-<card id>", "status": "ACTIVE", …}, made
     * by string concatenation: the bursts ask for thousands at once, and a Handlebars template per answer
     * costs the shared two cores CPU the application under test should have.
     */
    static final class CardBody implements com.github.tomakehurst.wiremock.extension.ResponseDefinitionTransformerV2 {
        static final String NAME = "card-body";

        @Override
        public com.github.tomakehurst.wiremock.http.ResponseDefinition transform(
                com.github.tomakehurst.wiremock.stubbing.ServeEvent event) {
            String path = event.getRequest().getUrl();
            int query = path.indexOf('?');
            String id = path.substring(path.lastIndexOf('/') + 1, query < 0 ? path.length() : query);
            return com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder.like(event.getResponseDefinition())
                    .withBody("{\"id\":\"" + id + "\",\"person_id\":\"owner-" + id
                            + "\",\"status\":\"ACTIVE\",\"type\":\"VIRTUAL_VISA_DEBIT\",\"account_id\":\"acc\"}")
                    .build();
        }

        @Override
        public boolean applyGlobally() {
            return false;
        }

        @Override
        public String getName() {
            return NAME;
        }
    }

    /** Solaris rotates its PIN key: the key endpoint names a new one from now on. Returns its kid. */
    String rotatePinKey(String kid) {
        pinKey = rsa();
        pinKid = kid;
        server.stubFor(get(urlEqualTo("/v1/cards/pin_keys/latest")).willReturn(json(200,
                UpstreamStubs.jwk(pinKey, kid, "enc", "RS256"))));
        return kid;
    }

    /** PIN writes for cards matching {@code cardRegex} are refused as Solaris does for an old key. */
    void refuseKeyFor(String cardRegex) {
        server.stubFor(post(urlPathMatching("/v1/cards/" + cardRegex + "/pin_update_requests")).atPriority(1)
                .willReturn(json(400, "{\"errors\":[{\"id\":\"e1\",\"status\":400,\"code\":\"invalid_key\","
                        + "\"title\":\"Invalid Key\",\"detail\":\"key_id is not the current key\"}]}")));
    }

    /** Cards matching {@code cardRegex} belong to {@code person} and have {@code status}. */
    void cards(String cardRegex, String person, String status) {
        server.stubFor(get(urlPathMatching("/v1/cards/" + cardRegex)).atPriority(1).willReturn(json(200,
                "{\"id\":\"{{request.pathSegments.[2]}}\",\"person_id\":\"" + person + "\",\"status\":\"" + status
                        + "\",\"type\":\"VIRTUAL_VISA_DEBIT\",\"account_id\":\"acc\"}").withTransformers("response-template")));
    }

    /** The body of an SCA change request: a real JWE for the current PIN key. */
    String scaBody(String pin) {
        String jwe = AppSide.encryptPin(pin, pinKid, (java.security.interfaces.RSAPublicKey) pinKey.getPublic());
        return "{\"encrypted_pin\":\"" + jwe + "\",\"key_id\":\"" + pinKid + "\"}";
    }

    /** Solaris' change-request endpoints: authorize → CONFIRMATION_REQUIRED, confirm → COMPLETED (PIN update 204). */
    private void changeRequestStubs() {
        server.stubFor(post(urlPathMatching("/v1/change_requests/[^/]+/authorize")).willReturn(json(200,
                "{\"id\":\"{{request.pathSegments.[2]}}\",\"status\":\"CONFIRMATION_REQUIRED\","
                        + "\"updated_at\":\"2026-11-30T12:00:01+00:00\"}").withTransformers("response-template")));
        server.stubFor(post(urlPathMatching("/v1/change_requests/[^/]+/confirm")).willReturn(json(200,
                "{\"id\":\"{{request.pathSegments.[2]}}\",\"status\":\"COMPLETED\",\"updated_at\":\"2026-11-30T12:00:02+00:00\","
                        + "\"response_code\":204,\"response_body\":\"\"}").withTransformers("response-template")));
        server.stubFor(get(urlPathMatching("/v1/change_requests/[^/]+")).willReturn(json(200,
                "{\"id\":\"{{request.pathSegments.[2]}}\",\"status\":\"AUTHORIZATION_REQUIRED\","
                        + "\"updated_at\":\"2026-11-30T12:00:00+00:00\"}").withTransformers("response-template")));
    }

    /** Every direct PIN write answers 204 after {@code delayMillis}. */
    void pinWrites(int delayMillis) {
        server.stubFor(post(urlPathMatching("/v1/cards/[^/]+/pin_update_requests"))
                .willReturn(aResponse().withStatus(204).withFixedDelay(delayMillis)));
    }

    /** A second IdP signing key appears in the JWKS (rotation); tokens signed with it name kid idp-key-2. */
    void publishSecondIdpKey() {
        idpKeys.add(rsa());
        publishJwks();
    }

    private void publishJwks() {
        StringBuilder keys = new StringBuilder();
        for (int i = 0; i < idpKeys.size(); i++) {
            keys.append(i == 0 ? "" : ",").append(UpstreamStubs.jwk(idpKeys.get(i), "idp-key-" + (i + 1), "sig", "RS256"));
        }
        StubMapping stub = get(urlEqualTo("/idp/jwks.json")).willReturn(json(200, "{\"keys\":[" + keys + "]}")).build();
        if (jwksStub != null) {
            server.removeStub(jwksStub);
        }
        jwksStub = stub;
        server.addStubMapping(stub);
    }

    Map<String, String> env(String database) {
        String base = server.baseUrl();
        return Map.ofEntries(Map.entry("PINBFF_CHANGE_REQUESTS_SWEEP_EVERY", "1s"),
                Map.entry("FINGERPRINT_SECRET", "cluster-it-fingerprint-secret"), Map.entry(
                "SOLARIS_WEBHOOK_SECRET", WEBHOOK_SECRET),
                Map.entry("SOLARIS_BASE_URL", base),
                Map.entry("SOLARIS_TOKEN_URL", base + "/oauth/token"),
                Map.entry("SOLARIS_CLIENT_ID", "cluster-it"),
                Map.entry("SOLARIS_CLIENT_SECRET", "cluster-it-secret"),
                Map.entry("AUTH_JWKS_URL", base + "/idp/jwks.json"),
                Map.entry("AUTH_ISSUER", ISSUER),
                Map.entry("AUTH_AUDIENCE", AUDIENCE),
                Map.entry("QUARKUS_DATASOURCE_JDBC_URL", "jdbc:postgresql://localhost:5432/" + database));
    }

    /** A user token for the owner of {@code card}, signed with IdP key number {@code keyNumber} (1-based). */
    String tokenForOwnerOf(String card, int keyNumber) {
        return tokenFor("owner-" + card, keyNumber);
    }

    String tokenFor(String person, int keyNumber) {
        try {
            JwtClaims claims = new JwtClaims();
            claims.setIssuer(ISSUER);
            claims.setAudience(AUDIENCE);
            claims.setSubject(person);
            claims.setClaim("person_id", person);
            claims.setExpirationTimeMinutesInTheFuture(10);
            claims.setIssuedAtToNow();
            JsonWebSignature jws = new JsonWebSignature();
            jws.setPayload(claims.toJson());
            jws.setAlgorithmHeaderValue(AlgorithmIdentifiers.RSA_USING_SHA256);
            jws.setKeyIdHeaderValue("idp-key-" + keyNumber);
            jws.setKey(idpKeys.get(keyNumber - 1).getPrivate());
            return jws.getCompactSerialization();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** The body an app sends for a direct change: a real JWE for the PIN key, signed by the device key. */
    String directBody(String pin) {
        String jwe = AppSide.encryptPin(pin, pinKid, (java.security.interfaces.RSAPublicKey) pinKey.getPublic());
        return "{\"device_id\":\"cluster-device\",\"encrypted_pin\":\"" + jwe + "\",\"key_id\":\"" + pinKid
                + "\",\"signature\":\"" + AppSide.sign(jwe, device.getPrivate()) + "\"}";
    }

    /** A signed CARD_LIFECYCLE_EVENT for {@code card}, as Solaris sends it. */
    java.net.http.HttpRequest cardWebhook(String url, String card, String status) {
        String body = "{\"id\":\"" + card + "\",\"status\":\"" + status + "\",\"person_id\":\"x\",\"account_id\":\"acc\","
                + "\"type\":\"VIRTUAL_VISA_DEBIT\"}";
        String signature;
        try {
            javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
            mac.init(new javax.crypto.spec.SecretKeySpec(WEBHOOK_SECRET.getBytes(java.nio.charset.StandardCharsets.UTF_8),
                    "HmacSHA256"));
            signature = java.util.HexFormat.of().formatHex(mac.doFinal(body.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
        return java.net.http.HttpRequest.newBuilder(java.net.URI.create(url)).header("Content-Type", "application/json")
                .header("Solaris-Webhook-Event-Type", "CARD_LIFECYCLE_EVENT")
                .header("Solaris-Webhook-Id", java.util.UUID.randomUUID().toString())
                .header("Solaris-Webhook-Signature", "sha256=" + signature)
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString(body)).build();
    }

    int jwksFetches() {
        return server.countRequestsMatching(get(urlEqualTo("/idp/jwks.json")).build().getRequest()).getCount();
    }

    @Override
    public void close() {
        server.stop();
    }

    private static ResponseDefinitionBuilder json(int status, String body) {
        return aResponse().withStatus(status).withHeader("Content-Type", "application/json").withBody(body);
    }

    private static KeyPair rsa() {
        try {
            java.security.KeyPairGenerator generator = java.security.KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048);
            return generator.generateKeyPair();
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
