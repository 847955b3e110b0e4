package io.pinbff.pin;

import io.micrometer.core.instrument.MeterRegistry;
import io.pinbff.error.ApiException;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * {@code pinbff_pin_changes_total{flow, outcome}}: every PIN-change step the apps ask for, by flow
 * ({@code direct}, {@code sca_create}, {@code sca_authorize}, {@code sca_confirm}) and outcome (the
 * step's result, or the contract's error code).
 */
@ApplicationScoped
public class PinChangeMetrics {

    private final MeterRegistry meters;

    PinChangeMetrics(MeterRegistry meters) {
        this.meters = meters;
    }

    public <T> T count(String flow, Function<T, String> outcome, Supplier<T> step) {
        try {
            T result = step.get();
            record(flow, outcome.apply(result));
            return result;
        } catch (ApiException e) {
            record(flow, e.code().code());
            throw e;
        }
    }

    private void record(String flow, String outcome) {
        meters.counter("pinbff_pin_changes", "flow", flow, "outcome", outcome).increment();
    }
}
