package io.pinbff.changerequest;

import static io.pinbff.changerequest.ChangeRequestStatus.ACCEPTED;
import static io.pinbff.changerequest.ChangeRequestStatus.AUTHORIZATION_REQUIRED;
import static io.pinbff.changerequest.ChangeRequestStatus.COMPLETED;
import static io.pinbff.changerequest.ChangeRequestStatus.CONFIRMATION_REQUIRED;
import static io.pinbff.changerequest.ChangeRequestStatus.EXPIRED;
import static io.pinbff.changerequest.ChangeRequestStatus.FAILED;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.EnumSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The change-request state machine without a Quarkus boot: open statuses move only forward,
 * COMPLETED, FAILED and EXPIRED are final, and only an outcome Solaris reports may settle an
 * EXPIRED request to COMPLETED or FAILED.
 */
class ChangeRequestStatusTest {

    private static final Set<ChangeRequestStatus> FINAL = EnumSet.of(COMPLETED, FAILED, EXPIRED);

    @Test
    void exactlyCompletedFailedAndExpiredAreFinal() {
        for (ChangeRequestStatus s : ChangeRequestStatus.values()) {
            assertThat(s.open()).as("%s open", s).isEqualTo(!FINAL.contains(s));
        }
    }

    @Test
    void theAllowedMovesAreExactlyTheForwardOnes() {
        assertThat(allowed(ACCEPTED)).containsExactlyInAnyOrder(AUTHORIZATION_REQUIRED, CONFIRMATION_REQUIRED,
                COMPLETED, FAILED, EXPIRED);
        assertThat(allowed(AUTHORIZATION_REQUIRED)).containsExactlyInAnyOrder(CONFIRMATION_REQUIRED, COMPLETED,
                FAILED, EXPIRED);
        assertThat(allowed(CONFIRMATION_REQUIRED)).containsExactlyInAnyOrder(COMPLETED, FAILED, EXPIRED);
        assertThat(allowed(COMPLETED)).isEmpty();
        assertThat(allowed(FAILED)).isEmpty();
        assertThat(allowed(EXPIRED)).isEmpty();
    }

    @ParameterizedTest
    @EnumSource(ChangeRequestStatus.class)
    void noStatusMovesToItselfOrBackwards(ChangeRequestStatus s) {
        assertThat(s.canMoveTo(s)).isFalse();
        assertThat(s.canMoveTo(ACCEPTED)).isFalse();
    }

    @Test
    void finalStatusesDoNotMoveAmongThemselves() {
        for (ChangeRequestStatus from : FINAL) {
            for (ChangeRequestStatus to : FINAL) {
                assertThat(from.canMoveTo(to)).as("%s -> %s", from, to).isFalse();
            }
        }
    }

    @Test
    void settlingIsMovingPlusAnExpiredRequestThatSolarisCompletedOrFailed() {
        for (ChangeRequestStatus from : ChangeRequestStatus.values()) {
            for (ChangeRequestStatus to : ChangeRequestStatus.values()) {
                boolean expected = from.canMoveTo(to) || (from == EXPIRED && (to == COMPLETED || to == FAILED));
                assertThat(from.canSettleTo(to)).as("%s settles to %s", from, to).isEqualTo(expected);
            }
        }
        assertThat(EXPIRED.canSettleTo(COMPLETED)).isTrue();
        assertThat(EXPIRED.canSettleTo(FAILED)).isTrue();
        assertThat(EXPIRED.canSettleTo(EXPIRED)).isFalse();
        assertThat(EXPIRED.canSettleTo(CONFIRMATION_REQUIRED)).isFalse();
        assertThat(COMPLETED.canSettleTo(FAILED)).isFalse();
        assertThat(FAILED.canSettleTo(COMPLETED)).isFalse();
        assertThat(CONFIRMATION_REQUIRED.canSettleTo(COMPLETED)).isTrue();
    }

    @Test
    void solarisStatusesAreReadVerbatimAndExpiredIsNeverSolaris() {
        assertThat(ChangeRequestStatus.fromSolaris("ACCEPTED")).isEqualTo(ACCEPTED);
        assertThat(ChangeRequestStatus.fromSolaris("AUTHORIZATION_REQUIRED")).isEqualTo(AUTHORIZATION_REQUIRED);
        assertThat(ChangeRequestStatus.fromSolaris("CONFIRMATION_REQUIRED")).isEqualTo(CONFIRMATION_REQUIRED);
        assertThat(ChangeRequestStatus.fromSolaris("COMPLETED")).isEqualTo(COMPLETED);
        assertThat(ChangeRequestStatus.fromSolaris("FAILED")).isEqualTo(FAILED);
        assertThat(ChangeRequestStatus.fromSolaris("EXPIRED")).isNull();
        assertThat(ChangeRequestStatus.fromSolaris("completed")).isNull();
        assertThat(ChangeRequestStatus.fromSolaris("PENDING")).isNull();
        assertThat(ChangeRequestStatus.fromSolaris("")).isNull();
        assertThat(ChangeRequestStatus.fromSolaris(null)).isNull();
    }

    private static Set<ChangeRequestStatus> allowed(ChangeRequestStatus from) {
        Set<ChangeRequestStatus> to = EnumSet.noneOf(ChangeRequestStatus.class);
        for (ChangeRequestStatus next : ChangeRequestStatus.values()) {
            if (from.canMoveTo(next)) {
                to.add(next);
            }
        }
        return to;
    }
}
