package io.pinbff.sandbox;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.PublicKey;
import java.security.interfaces.RSAPublicKey;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.quarkus.arc.properties.IfBuildProperty;
import io.quarkus.runtime.Startup;

/**
 * The in-memory state of the Solaris sandbox (dev mode and tests only): PIN key, persons, cards,
 * devices, applied PINs (hashes only), OAuth tokens, change requests, call journal and faults.
 * Thread-safe. Tests call {@link #reset()} before each test.
 */
@Startup // the RSA key is generated at start, not on the event loop of the first request
@ApplicationScoped
@IfBuildProperty(name = "pinbff.sandbox.enabled", stringValue = "true")
public class SolarisSandbox {

    public static final String DEMO_PERSON_ID = "4d0e6b1cb2e3a1f4c5d6e7f8a9b0c1d2cper";
    public static final String DEMO_CARD_ID = "1fe8caa4bf1f49d87b2d63c14bb565f0mcrd";
    public static final String BLOCKED_CARD_ID = "9a8b7c6d5e4f30211203948576a5b4c3mcrd";
    public static final String OTHER_PERSON_ID = "0a1b2c3d4e5f60718293a4b5c6d7e8f9cper";
    public static final String OTHER_CARD_ID = "0f1e2d3c4b5a69788796a5b4c3d2e1f0mcrd";
    public static final String DEMO_DEVICE_ID = "demo-device-1";
    public static final String DEMO_DEVICE_KEY_RESOURCE = "sandbox/demo-device-public.pem";
    /** Solaris' sandbox sends no SMS: this TAN confirms every mobile_number/static change request. */
    public static final String SANDBOX_TAN = "212212";
    public static final String DEFAULT_INITIAL_STATUS = "AUTHORIZATION_REQUIRED";

    /** The RSA key Solaris publishes for PIN encryption. */
    public record PinKey(String kid, KeyPair keyPair) {
    }

    /** A bound device with its restricted (EC P-256) key. */
    public record Device(String id, String personId, PublicKey publicKey) {
    }

    @ConfigProperty(name = "pinbff.sandbox.client-id", defaultValue = "sandbox-client")
    String clientId;
    @ConfigProperty(name = "pinbff.sandbox.client-secret", defaultValue = "sandbox-secret")
    String clientSecret;
    @ConfigProperty(name = "pinbff.sandbox.token-ttl-seconds", defaultValue = "3600")
    long tokenTtlSeconds;

    private volatile PinKey pinKey;
    private PublicKey demoDeviceKey;
    private final Map<String, Card> cards = new ConcurrentHashMap<>();
    private final Map<String, Device> devices = new ConcurrentHashMap<>();
    private final Map<String, String> pinHashes = new ConcurrentHashMap<>();
    private final Map<String, Integer> pinChanges = new ConcurrentHashMap<>();
    private final Map<String, ChangeRequest> changeRequests = new ConcurrentHashMap<>();
    private final SandboxTokens tokens = new SandboxTokens();
    private final CallJournal journal = new CallJournal();
    private final SandboxFaults faults = new SandboxFaults();
    private volatile String initialChangeRequestStatus = DEFAULT_INITIAL_STATUS;
    private volatile String lastChangeRequestId;

    // not in the constructor: ArC's client proxy subclass runs that one too
    @PostConstruct
    void init() {
        pinKey = newPinKey();
        demoDeviceKey = loadDemoDeviceKey();
        seed();
    }

    /** Clears journal, faults, change requests, tokens, cards, devices and PINs, then re-seeds. Keeps the PIN key. */
    public synchronized void reset() {
        journal.clear();
        faults.clear();
        changeRequests.clear();
        tokens.clear();
        cards.clear();
        devices.clear();
        pinHashes.clear();
        pinChanges.clear();
        initialChangeRequestStatus = DEFAULT_INITIAL_STATUS;
        lastChangeRequestId = null;
        seed();
    }

    private void seed() {
        cards.put(DEMO_CARD_ID, new Card(DEMO_CARD_ID, DEMO_PERSON_ID, "5b1e0d7c9a8f4e3d2c1b0a9f8e7d6c5bcacc",
                "ACTIVE", Card.TYPE, "ANNA DEMO", "493441******0142"));
        cards.put(BLOCKED_CARD_ID, new Card(BLOCKED_CARD_ID, DEMO_PERSON_ID, "5b1e0d7c9a8f4e3d2c1b0a9f8e7d6c5bcacc",
                "BLOCKED", Card.TYPE, "ANNA DEMO", "493441******7731"));
        cards.put(OTHER_CARD_ID, new Card(OTHER_CARD_ID, OTHER_PERSON_ID, "7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a29cacc",
                "ACTIVE", Card.TYPE, "OTTO OTHER", "493441******5508"));
        devices.put(DEMO_DEVICE_ID, new Device(DEMO_DEVICE_ID, DEMO_PERSON_ID, demoDeviceKey));
    }

    // ---- PIN key ----

    public String currentKid() {
        return pinKey.kid();
    }

    /** The JWK as Solaris publishes it, including its quirk {@code alg: RS256}. */
    public Map<String, Object> currentPublicJwk() {
        PinKey key = pinKey;
        RSAPublicKey rsa = (RSAPublicKey) key.keyPair().getPublic();
        Map<String, Object> jwk = new LinkedHashMap<>();
        jwk.put("kid", key.kid());
        jwk.put("kty", "RSA");
        jwk.put("use", "enc");
        jwk.put("alg", "RS256");
        jwk.put("n", SandboxCrypto.base64Url(rsa.getModulus()));
        jwk.put("e", SandboxCrypto.base64Url(rsa.getPublicExponent()));
        return jwk;
    }

    public RSAPublicKey currentPublicKey() {
        return (RSAPublicKey) pinKey.keyPair().getPublic();
    }

    /** Makes a new current key; JWEs for older keys are refused from now on ({@code invalid_key}). */
    public String rotateKey() {
        pinKey = newPinKey();
        return pinKey.kid();
    }

    PinKey currentKey() {
        return pinKey;
    }

    // ---- persons, cards, devices ----

    public String newPersonId() {
        return SandboxCrypto.randomHex(16) + "cper";
    }

    public Card createCard(String personId, String status) {
        String id = SandboxCrypto.randomHex(16) + "mcrd";
        Card card = new Card(id, personId, SandboxCrypto.randomHex(16) + "cacc", status, Card.TYPE,
                "SANDBOX USER", "493441******" + id.substring(0, 4).replaceAll("[a-f]", "9"));
        cards.put(id, card);
        return card;
    }

    public Optional<Card> card(String cardId) {
        return Optional.ofNullable(cardId == null ? null : cards.get(cardId));
    }

    public void setCardStatus(String cardId, String status) {
        if (cards.computeIfPresent(cardId, (id, card) -> card.withStatus(status)) == null) {
            throw new IllegalArgumentException("unknown card " + cardId);
        }
    }

    /** Binds a device to the person and returns its new id. */
    public String registerDevice(String personId, PublicKey ecP256PublicKey) {
        String id = SandboxCrypto.randomHex(16) + "dev";
        registerDevice(id, personId, ecP256PublicKey);
        return id;
    }

    public void registerDevice(String deviceId, String personId, PublicKey ecP256PublicKey) {
        devices.put(deviceId, new Device(deviceId, personId, ecP256PublicKey));
    }

    public Optional<Device> device(String deviceId) {
        return Optional.ofNullable(deviceId == null ? null : devices.get(deviceId));
    }

    // ---- applied PINs ----

    void applyPin(String cardId, String pinHash) {
        pinHashes.put(cardId, pinHash);
        pinChanges.merge(cardId, 1, Integer::sum);
    }

    public boolean pinIs(String cardId, String pin) {
        return SandboxCrypto.pinHash(cardId, pin).equals(pinHashes.get(cardId));
    }

    public int pinChanges(String cardId) {
        return pinChanges.getOrDefault(cardId, 0);
    }

    // ---- OAuth ----

    boolean clientValid(String id, String secret) {
        return clientId.equals(id) && clientSecret.equals(secret);
    }

    String issueToken() {
        return tokens.issue(tokenTtlSeconds);
    }

    long tokenTtlSeconds() {
        return tokenTtlSeconds;
    }

    boolean tokenValid(String token) {
        return tokens.valid(token);
    }

    /** Every token issued so far is expired from now on (the BFF must fetch a new one). */
    public void expireAllTokens() {
        tokens.expireAll();
    }

    public int tokensIssued() {
        return tokens.issued();
    }

    // ---- change requests ----

    public String initialChangeRequestStatus() {
        return initialChangeRequestStatus;
    }

    /** The status new SCA change requests start in (ACCEPTED, AUTHORIZATION_REQUIRED, CONFIRMATION_REQUIRED, COMPLETED, FAILED). */
    public void setInitialChangeRequestStatus(String status) {
        requireStatus(status);
        initialChangeRequestStatus = status;
    }

    ChangeRequest createChangeRequest(Card card, String pinHash) {
        String status = initialChangeRequestStatus;
        ChangeRequest request = new ChangeRequest(SandboxCrypto.randomHex(16) + "csc", card.id(), card.personId(),
                pinHash, status);
        if ("COMPLETED".equals(status)) {
            applyPin(card.id(), pinHash);
        }
        changeRequests.put(request.id(), request);
        lastChangeRequestId = request.id();
        return request;
    }

    public Optional<ChangeRequest> changeRequest(String id) {
        return Optional.ofNullable(id == null ? null : changeRequests.get(id));
    }

    /** Solaris' id of the change request created last (the BFF never shows it). */
    public String lastChangeRequestId() {
        return lastChangeRequestId;
    }

    public List<String> changeRequestIds(String cardId) {
        return changeRequests.values().stream().filter(r -> r.cardId().equals(cardId)).map(ChangeRequest::id).toList();
    }

    /** As if the customer authorised and confirmed elsewhere (e.g. through the authorize url). */
    public void completeOutOfBand(String solarisChangeRequestId) {
        ChangeRequest request = requireChangeRequest(solarisChangeRequestId);
        synchronized (request) {
            complete(request);
        }
    }

    public void setChangeRequestStatus(String solarisChangeRequestId, String status) {
        requireStatus(status);
        requireChangeRequest(solarisChangeRequestId).status(status);
    }

    /** Applies the pending PIN and completes the request; the caller holds the request's lock. */
    void complete(ChangeRequest request) {
        applyPin(request.cardId(), request.pinHash());
        request.status("COMPLETED");
    }

    private ChangeRequest requireChangeRequest(String id) {
        return changeRequest(id).orElseThrow(() -> new IllegalArgumentException("unknown change request " + id));
    }

    private static void requireStatus(String status) {
        if (!ChangeRequest.STATUSES.contains(status)) {
            throw new IllegalArgumentException("unknown change request status " + status);
        }
    }

    // ---- journal and faults ----

    void record(String method, String path) {
        journal.record(method, path);
    }

    public List<Call> calls() {
        return journal.calls();
    }

    /** Calls with this method (null = any) whose path matches the regex as a whole. */
    public long count(String method, String pathRegex) {
        return journal.count(method, pathRegex);
    }

    public SandboxFaults faults() {
        return faults;
    }

    // ---- helpers ----

    private static PinKey newPinKey() {
        return new PinKey(UUID.randomUUID().toString(), SandboxCrypto.newRsaKeyPair());
    }

    private static PublicKey loadDemoDeviceKey() {
        try (InputStream in = SolarisSandbox.class.getClassLoader().getResourceAsStream(DEMO_DEVICE_KEY_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("missing classpath resource " + DEMO_DEVICE_KEY_RESOURCE);
            }
            return SandboxCrypto.readEcPublicKeyPem(new String(in.readAllBytes(), StandardCharsets.US_ASCII));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
