package io.pinbff.rest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import io.pinbff.error.ApiException;
import io.pinbff.error.ApiException.FieldError;
import io.pinbff.error.ErrorCode;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.validation.ConstraintViolation;
import jakarta.validation.Path;
import jakarta.validation.Validator;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import java.lang.reflect.Constructor;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Request bodies as records that declare their rules with Bean Validation ({@code @NotNull},
 * {@code @Size}, {@link PrintableAscii}). The body is read strictly first ({@link JsonFields#parse}:
 * UTF-8, one JSON object, nesting, duplicates); a component's JSON field is its name in snake_case;
 * where a string belongs only a string is taken (a number, boolean, array, object or {@code null}
 * is "must be a string.", never coerced); unknown fields are ignored. Every field's first problem —
 * missing, then not a string, then its size, then its characters — becomes one
 * {@code errors[{field, message}]} entry of a 400 {@code invalid_request}, in component order.
 */
@ApplicationScoped
class RequestBodies {

    private static final PropertyNamingStrategies.NamingBase WIRE = new PropertyNamingStrategies.SnakeCaseStrategy();
    private static final Map<Class<?>, Constructor<?>> CONSTRUCTORS = new ConcurrentHashMap<>();

    private final Validator validator;

    RequestBodies(Validator validator) {
        this.validator = validator;
    }

    <R extends Record> R read(byte[] body, Class<R> type) {
        return read(JsonFields.parse(body), type);
    }

    <R extends Record> R read(JsonFields fields, Class<R> type) {
        RecordComponent[] components = type.getRecordComponents();
        Object[] values = new Object[components.length];
        FieldError[] errors = new FieldError[components.length];
        int[] ranks = new int[components.length];
        Arrays.fill(ranks, Integer.MAX_VALUE);
        for (int i = 0; i < components.length; i++) {
            String field = wireName(components[i].getName());
            JsonNode value = fields.get(field);
            if (value != null && !value.isTextual()) {
                errors[i] = new FieldError(field, field + " must be a string.");
                ranks[i] = -1;
            } else {
                values[i] = value == null ? null : value.asText();
            }
        }
        R request = construct(type, components, values);
        for (ConstraintViolation<R> violation : validator.validate(request)) {
            String component = leaf(violation.getPropertyPath());
            for (int i = 0; i < components.length; i++) {
                if (components[i].getName().equals(component)) {
                    int rank = rank(violation);
                    if (rank < ranks[i]) {
                        ranks[i] = rank;
                        errors[i] = fieldError(violation);
                    }
                }
            }
        }
        List<FieldError> found = new ArrayList<>();
        for (FieldError error : errors) {
            if (error != null) {
                found.add(error);
            }
        }
        if (!found.isEmpty()) {
            throw ApiException.invalid(ErrorCode.INVALID_REQUEST, found);
        }
        return request;
    }

    /** One violation as the contract names it: the JSON (or path parameter) name, and the BFF's own words. */
    static FieldError fieldError(ConstraintViolation<?> violation) {
        String field = wireName(leaf(violation.getPropertyPath()));
        return new FieldError(field, field + " " + message(violation));
    }

    static String wireName(String component) {
        return WIRE.translate(component);
    }

    private static int rank(ConstraintViolation<?> violation) {
        Class<?> constraint = violation.getConstraintDescriptor().getAnnotation().annotationType();
        return constraint == NotNull.class ? 0 : constraint == Size.class ? 1 : 2;
    }

    private static String message(ConstraintViolation<?> violation) {
        Object annotation = violation.getConstraintDescriptor().getAnnotation();
        if (annotation instanceof NotNull) {
            return "is required.";
        }
        if (annotation instanceof Size size) {
            return size.min() == size.max() ? "must be " + size.min() + " characters."
                    : "must be " + size.min() + " to " + size.max() + " characters.";
        }
        return violation.getMessage();
    }

    private static String leaf(Path path) {
        String name = null;
        for (Path.Node node : path) {
            name = node.getName();
        }
        return name;
    }

    @SuppressWarnings("unchecked")
    private static <R extends Record> R construct(Class<R> type, RecordComponent[] components, Object[] values) {
        Constructor<?> constructor = CONSTRUCTORS.computeIfAbsent(type, t -> {
            try {
                Constructor<?> c = t.getDeclaredConstructor(
                        Arrays.stream(components).map(RecordComponent::getType).toArray(Class<?>[]::new));
                c.setAccessible(true);
                return c;
            } catch (NoSuchMethodException e) {
                throw new IllegalStateException("No canonical constructor: " + t.getName(), e);
            }
        });
        try {
            return (R) constructor.newInstance(values);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("Cannot construct " + type.getName(), e);
        }
    }
}
