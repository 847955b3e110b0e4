package io.pinbff.rest;

import static org.assertj.core.api.Assertions.assertThat;

import io.pinbff.error.ApiException.FieldError;
import jakarta.validation.ConstraintViolationException;
import jakarta.validation.Validation;
import jakarta.validation.Validator;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import jakarta.ws.rs.core.Response;
import java.lang.reflect.Method;
import java.util.List;
import java.util.Map;
import org.hibernate.validator.messageinterpolation.ParameterMessageInterpolator;
import org.junit.jupiter.api.Test;

/** Violations Quarkus would find by itself are problem+json like the bodies' (no HTTP needed). */
class ViolationProblemsTest {

    private static final Validator VALIDATOR = Validation.byDefaultProvider().configure()
            .messageInterpolator(new ParameterMessageInterpolator()).buildValidatorFactory().getValidator();

    static class Endpoint {
        @NotNull
        String answer(@Size(min = 1, max = 64) @PrintableAscii String cardId, @NotNull String keyId) {
            return null;
        }
    }

    @Test
    void parameterViolationsAreInvalidRequestByWireName() throws Exception {
        Method method = Endpoint.class.getDeclaredMethod("answer", String.class, String.class);
        var violations = VALIDATOR.forExecutables().validateParameters(new Endpoint(), method, new Object[] { "\n", null });
        Response response = new Problems().violations(new ConstraintViolationException(violations));
        assertThat(response.getStatus()).isEqualTo(400);
        assertThat(response.getMediaType()).isEqualTo(Problems.PROBLEM_JSON);
        @SuppressWarnings("unchecked")
        Map<String, Object> body = (Map<String, Object>) response.getEntity();
        assertThat(body).containsEntry("code", "invalid_request");
        assertThat(body.get("errors")).isEqualTo(List.of(new FieldError("card_id", "card_id must be printable ASCII."),
                new FieldError("key_id", "key_id is required.")));
    }

    @Test
    void aViolatedReturnValueIsTheServersFault() throws Exception {
        Method method = Endpoint.class.getDeclaredMethod("answer", String.class, String.class);
        var violations = VALIDATOR.forExecutables().validateReturnValue(new Endpoint(), method, null);
        assertThat(violations).isNotEmpty();
        assertThat(new Problems().violations(new ConstraintViolationException(violations)).getStatus()).isEqualTo(500);
    }
}
