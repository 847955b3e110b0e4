package io.pinbff.pin;

import io.pinbff.error.ApiException;
import io.pinbff.error.ErrorCode;
import io.pinbff.solaris.SolarisCard;
import io.pinbff.solaris.SolarisGateway;
import io.quarkus.cache.CacheResult;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Optional;

/**
 * Whether a card is the caller's and usable. A card that is not the caller's answers exactly like
 * one that does not exist, so the BFF never reveals another person's card.
 */
@ApplicationScoped
public class CardAccess {

    private final Lookup lookup;

    CardAccess(Lookup lookup) {
        this.lookup = lookup;
    }

    public SolarisCard requireOwned(String cardId, String personId) {
        return lookup.find(cardId)
                .filter(card -> personId.equals(card.personId()))
                .orElseThrow(() -> ApiException.of(ErrorCode.CARD_NOT_FOUND, "No such card."));
    }

    public SolarisCard requireOwnedActive(String cardId, String personId) {
        SolarisCard card = requireOwned(cardId, personId);
        if (!card.active()) {
            throw ApiException.of(ErrorCode.CARD_NOT_ACTIVE, "The card's status is " + card.status() + "; only ACTIVE cards can change their PIN.");
        }
        return card;
    }

    /** Card owner and status change rarely: reuse Solaris' answer briefly ({@code quarkus.cache.caffeine.solaris-cards.*}). */
    @ApplicationScoped
    static class Lookup {
        private final SolarisGateway solaris;

        Lookup(SolarisGateway solaris) {
            this.solaris = solaris;
        }

        @CacheResult(cacheName = "solaris-cards")
        Optional<SolarisCard> find(String cardId) {
            return solaris.card(cardId);
        }
    }
}
