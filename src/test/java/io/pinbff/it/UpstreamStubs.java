package io.pinbff.it;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;

import com.github.tomakehurst.wiremock.WireMockServer;
import io.pinbff.sandbox.SandboxCrypto;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.RSAPublicKey;
import java.util.Map;

/**
 * Solaris and the bank's identity provider for the packaged application (which has no sandbox):
 * WireMock on a free port speaking Solaris' wire format, with a real RSA PIN key and a real IdP
 * signing key whose private halves the test keeps.
 */
public class UpstreamStubs implements QuarkusTestResourceLifecycleManager {

    static final String PERSON = java.util.UUID.randomUUID().toString().replace("-", "") + "cper";
    static final String CARD = java.util.UUID.randomUUID().toString().replace("-", "") + "mcrd";
    static final String PIN_KID = "it-pin-key-1";
    static final String IDP_KID = "it-idp-key-1";
    static final String ISSUER = "https://idp.it.example";
    static final String AUDIENCE = "pin-bff-it";
    static final String SOLARIS_TOKEN = "it-solaris-access-token";

    static WireMockServer server;
    static KeyPair pinKey;
    static KeyPair idpKey;

    @Override
    public Map<String, String> start() {
        pinKey = rsa();
        idpKey = rsa();
        server = new WireMockServer(wireMockConfig().dynamicPort().bindAddress("127.0.0.1"));
        server.start();
        server.stubFor(post(urlEqualTo("/oauth/token")).willReturn(json(200,
                "{\"access_token\":\"" + SOLARIS_TOKEN + "\",\"token_type\":\"Bearer\",\"expires_in\":3600}")));
        server.stubFor(get(urlEqualTo("/v1/cards/pin_keys/latest")).willReturn(json(200,
                jwk(pinKey, PIN_KID, "enc", "RS256"))));
        server.stubFor(get(urlEqualTo("/v1/cards/" + CARD)).willReturn(json(200,
                "{\"id\":\"" + CARD + "\",\"person_id\":\"" + PERSON + "\",\"status\":\"ACTIVE\",\"type\":\"VIRTUAL_VISA_DEBIT\"}")));
        server.stubFor(post(urlPathMatching("/v1/cards/[^/]+/pin_update_requests")).willReturn(aResponse().withStatus(204)));
        server.stubFor(get(urlEqualTo("/idp/jwks.json")).willReturn(json(200,
                "{\"keys\":[" + jwk(idpKey, IDP_KID, "sig", "RS256") + "]}")));
        String base = server.baseUrl();
        return Map.of(
                "solaris.base-url", base,
                "solaris.token-url", base + "/oauth/token",
                "auth.jwks-url", base + "/idp/jwks.json",
                "auth.issuer", ISSUER,
                "quarkus.oidc-client.client-id", "packaged-it",
                "quarkus.oidc-client.credentials.secret", "packaged-it-secret",
                "auth.audience", AUDIENCE,
                "fingerprint.secret", "packaged-it-fingerprint-secret",
                // The launcher sets the HTTP port to the test port; the management port follows it here.
                "quarkus.management.port", String.valueOf(io.pinbff.support.Management.port()),
                // A database of its own, new each run (no attempt counts or shared PIN key left from before).
                "quarkus.datasource.jdbc.url", "jdbc:postgresql://localhost:5432/" + PackagedApp.freshDatabase("pinbff_it_packaged"));
    }

    @Override
    public void stop() {
        if (server != null) {
            server.stop();
        }
    }

    private static com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder json(int status, String body) {
        return aResponse().withStatus(status).withHeader("Content-Type", "application/json").withBody(body);
    }

    static String jwk(KeyPair pair, String kid, String use, String alg) {
        RSAPublicKey key = (RSAPublicKey) pair.getPublic();
        return "{\"kid\":\"" + kid + "\",\"kty\":\"RSA\",\"use\":\"" + use + "\",\"alg\":\"" + alg + "\",\"n\":\""
                + SandboxCrypto.base64Url(key.getModulus()) + "\",\"e\":\"" + SandboxCrypto.base64Url(key.getPublicExponent()) + "\"}";
    }

    private static KeyPair rsa() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048);
            return generator.generateKeyPair();
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
