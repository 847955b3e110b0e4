package io.pinbff.pin;

import io.pinbff.error.ApiException;
import io.pinbff.error.ErrorCode;
import io.pinbff.solaris.SolarisCard;
import io.pinbff.solaris.SolarisGateway;
import io.pinbff.events.EventBus;
import io.quarkus.cache.Cache;
import io.quarkus.cache.CacheName;
import io.quarkus.cache.CacheResult;
import io.quarkus.cache.CaffeineCache;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * Whether a card is the caller's and usable. A card that is not the caller's answers exactly like
 * one that does not exist, so the BFF never reveals another person's card.
 */
@ApplicationScoped
public class CardAccess {

    static final String TOPIC = "card";

    private final Lookup lookup;
    private final Cache cache;
    private final EventBus bus;

    CardAccess(Lookup lookup, @CacheName(Lookup.CACHE) Cache cache, EventBus bus) {
        this.lookup = lookup;
        this.cache = cache;
        this.bus = bus;
        bus.subscribe(TOPIC, this::forgetHere);
        bus.onReconnect(() -> cache.invalidateAll().await().indefinitely());
    }

    /**
     * Solaris says the card changed: drop it here at once and on every other instance (event bus), so
     * the next PIN change reads it from Solaris again, whatever the cache's TTL.
     */
    public void forget(String cardId) {
        forgetHere(cardId);
        bus.publish(TOPIC, cardId);
    }

    private void forgetHere(String cardId) {
        cache.invalidate(cardId).await().indefinitely();
    }

    /**
     * The check of {@link #requireOwnedActive}, made only when this instance holds Solaris' answer for
     * the card (no Solaris call then): true when it passed, false when the card is not held, and the
     * same refusals otherwise.
     */
    @SuppressWarnings("unchecked")
    public boolean requireOwnedActiveIfHeld(String cardId, String personId) {
        CompletableFuture<Object> held = cache.as(CaffeineCache.class).getIfPresent(cardId);
        if (held == null || !held.isDone() || held.isCompletedExceptionally()) {
            return false;
        }
        ownedActive((Optional<SolarisCard>) held.join(), personId);
        return true;
    }

    public SolarisCard requireOwned(String cardId, String personId) {
        return owned(lookup.find(cardId), personId);
    }

    public SolarisCard requireOwnedActive(String cardId, String personId) {
        return ownedActive(lookup.find(cardId), personId);
    }

    private static SolarisCard owned(Optional<SolarisCard> found, String personId) {
        return found.filter(card -> personId.equals(card.personId()))
                .orElseThrow(() -> ApiException.of(ErrorCode.CARD_NOT_FOUND, "No such card."));
    }

    private static SolarisCard ownedActive(Optional<SolarisCard> found, String personId) {
        SolarisCard card = owned(found, personId);
        if (!card.active()) {
            throw ApiException.of(ErrorCode.CARD_NOT_ACTIVE, "The card's status is " + card.status() + "; only ACTIVE cards can change their PIN.");
        }
        return card;
    }

    /**
     * Card owner and status change rarely: reuse Solaris' answer for {@code pinbff.cards.cache-ttl}. Solaris'
     * card webhooks drop an entry on every instance at once ({@link #forget}); the TTL only bounds how long
     * a missed webhook can leave a stale entry.
     */
    @ApplicationScoped
    static class Lookup {
        static final String CACHE = "solaris-cards";

        private final SolarisGateway solaris;

        Lookup(SolarisGateway solaris) {
            this.solaris = solaris;
        }

        @CacheResult(cacheName = CACHE)
        Optional<SolarisCard> find(String cardId) {
            return solaris.card(cardId);
        }
    }
}
