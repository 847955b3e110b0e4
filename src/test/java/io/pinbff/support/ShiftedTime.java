package io.pinbff.support;

import io.pinbff.changerequest.TimeSource;
import io.quarkus.test.junit.QuarkusMock;
import java.time.Duration;
import java.time.Instant;

/** Moves the service's clock forward for one test (QuarkusMock resets it afterwards). */
public class ShiftedTime extends TimeSource {

    private volatile Duration shift = Duration.ZERO;

    public static ShiftedTime install() {
        ShiftedTime time = new ShiftedTime();
        QuarkusMock.installMockForType(time, TimeSource.class);
        return time;
    }

    public void advance(Duration by) {
        shift = shift.plus(by);
    }

    @Override
    public Instant now() {
        return super.now().plus(shift);
    }
}
