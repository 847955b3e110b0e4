package io.pinbff.rest;

import static org.hamcrest.Matchers.equalTo;

import io.pinbff.support.PinBffTest;
import io.quarkus.test.junit.QuarkusTest;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The exact 400 {@code invalid_request} answers to bodies that are JSON objects but not the request:
 * one entry per field (its first problem: missing, not a string, size, characters), in the order of
 * the request's fields, named as on the wire; no coercion of numbers, booleans, arrays, objects or null.
 */
@QuarkusTest
class RequestBodyErrorsTest extends PinBffTest {

    private static List<Map<String, String>> errors(String... fieldAndMessage) {
        List<Map<String, String>> errors = new ArrayList<>();
        for (int i = 0; i < fieldAndMessage.length; i += 2) {
            Map<String, String> error = new LinkedHashMap<>();
            error.put("field", fieldAndMessage[i]);
            error.put("message", fieldAndMessage[i + 1]);
            errors.add(error);
        }
        return errors;
    }

    private void refused(String path, String body, List<Map<String, String>> errors, Object... params) {
        asDemo().body(body).post(path, params).then().statusCode(400).contentType("application/problem+json")
                .body("code", equalTo("invalid_request")).body("errors", equalTo(errors));
    }

    @Test
    void directChange() {
        String path = "/v1/cards/{id}/pin";
        refused(path, "{\"unknown\": 1}", errors("device_id", "device_id is required.",
                "encrypted_pin", "encrypted_pin is required.", "key_id", "key_id is required.",
                "signature", "signature is required."), CARD);
        refused(path, "{\"device_data\": true, \"signature\": {\"a\": \"b\"}, \"key_id\": [\"k\"], \"encrypted_pin\": null,"
                + " \"device_id\": 5}", errors("device_id", "device_id must be a string.",
                "encrypted_pin", "encrypted_pin must be a string.", "key_id", "key_id must be a string.",
                "signature", "signature must be a string.", "device_data", "device_data must be a string."), CARD);
        refused(path, "{\"device_id\": \"\", \"encrypted_pin\": \"\", \"key_id\": \"" + "\\u0001".repeat(101)
                + "\", \"signature\": \"" + "a".repeat(201) + "\", \"device_data\": \"" + "d".repeat(16 * 1024 + 1) + "\"}",
                errors("device_id", "device_id must be 1 to 100 characters.",
                        "encrypted_pin", "encrypted_pin must be 1 to 2147483647 characters.",
                        "key_id", "key_id must be 1 to 100 characters.",
                        "signature", "signature must be 1 to 200 characters.",
                        "device_data", "device_data must be 0 to 16384 characters."), CARD);
        refused(path, "{\"device_id\": \"d\\u007f\", \"encrypted_pin\": \"x\", \"key_id\": \"k\\n\", \"signature\": \"ab\","
                + " \"device_data\": \"\"}", errors("device_id", "device_id must be printable ASCII.",
                "key_id", "key_id must be printable ASCII."), CARD);
    }

    @Test
    void changeRequestCreate() {
        refused("/v1/cards/{id}/pin-change-requests", "{\"encrypted_pin\": 1}", errors(
                "encrypted_pin", "encrypted_pin must be a string.", "key_id", "key_id is required."), CARD);
    }

    @Test
    void authorize() {
        String path = "/v1/pin-change-requests/{id}/authorize";
        String id = UUID.randomUUID().toString();
        refused(path, "{\"delivery_method\": \"static\", \"device_id\": 7}",
                errors("device_id", "device_id must be a string."), id);
        refused(path, "{\"delivery_method\": \"static\"}",
                errors("delivery_method", "delivery_method must be device_signing or mobile_number."), id);
        refused(path, "{\"delivery_method\": \"device_signing\"}",
                errors("device_id", "device_id is required for device_signing."), id);
        refused(path, "{\"delivery_method\": \"" + "m".repeat(33) + "\", \"device_id\": \"\"}", errors(
                "delivery_method", "delivery_method must be 1 to 32 characters.",
                "device_id", "device_id must be 1 to 100 characters."), id);
    }

    @Test
    void confirm() {
        String path = "/v1/pin-change-requests/{id}/confirm";
        String id = UUID.randomUUID().toString();
        refused(path, "{\"tan\": 212212}", errors("tan", "tan must be a string."), id);
        refused(path, "{\"tan\": \"" + "1".repeat(65) + "\", \"signature\": \"ab\"}",
                errors("tan", "tan must be 1 to 64 characters."), id);
        refused(path, "{\"tan\": \"212212\", \"signature\": \"ab\"}",
                errors("tan", "Send either tan or device_id and signature, not both."), id);
        refused(path, "{}", errors("device_id", "device_id is required.", "signature", "signature is required."), id);
        refused(path, "{\"device_id\": \"d\", \"signature\": false}", errors("signature", "signature must be a string."), id);
    }
}
