package io.pinbff.solaris;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.ObjectCodec;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.deser.std.StdDeserializer;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * A Solaris error body, {@code {"errors":[{"id","status","code","title","detail"}]}}, given as JSON
 * or as a string holding JSON (as {@code response_body} of a confirm answer may be). Read leniently:
 * whatever is not the expected shape is simply absent, never a failure.
 */
@JsonDeserialize(using = SolarisErrors.Reader.class)
public record SolarisErrors(List<Error> errors) {

    public static final SolarisErrors NONE = new SolarisErrors(List.of());

    /** One error; {@code code} is null when Solaris gave none (or not as a string). */
    public record Error(String code) {}

    /**
     * Solaris' error code ({@code errors[0].code}), or null when it gave none. Never more than 64
     * printable characters of it, since the code is passed on to apps.
     */
    public String code() {
        String value = errors.isEmpty() ? null : errors.get(0).code();
        return value != null && value.length() <= 64 && value.chars().allMatch(c -> c > 0x20 && c < 0x7f) ? value : null;
    }

    static final class Reader extends StdDeserializer<SolarisErrors> {
        Reader() {
            super(SolarisErrors.class);
        }

        @Override
        public SolarisErrors deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            JsonNode node = p.readValueAsTree();
            if (node != null && node.isTextual()) {
                ObjectCodec codec = p.getCodec();
                try (JsonParser inner = codec.getFactory().createParser(node.textValue())) {
                    node = codec.readTree(inner);
                } catch (IOException e) {
                    return NONE;
                }
            }
            JsonNode list = node == null ? null : node.path("errors");
            if (list == null || !list.isArray()) {
                return NONE;
            }
            List<Error> errors = new ArrayList<>();
            for (JsonNode error : list) {
                JsonNode code = error.path("code");
                errors.add(new Error(code.isTextual() ? code.textValue() : null));
            }
            return new SolarisErrors(List.copyOf(errors));
        }

        @Override
        public SolarisErrors getNullValue(DeserializationContext ctxt) {
            return null;
        }
    }
}
