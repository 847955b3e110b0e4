package io.pinbff.solaris;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.deser.std.StdDeserializer;
import com.fasterxml.jackson.databind.module.SimpleModule;
import java.io.IOException;
import java.util.Optional;

/**
 * Reads what Solaris sends (its answers, its webhook bodies) into the records of this package. A field Solaris sends as anything but a
 * string (a number, an object) reads as null instead of being coerced: the BFF validates what it
 * passes on and never serves, say, a key ID Solaris sent as a number.
 */
public final class SolarisJson {

    private final ObjectMapper mapper;

    public SolarisJson(ObjectMapper json) {
        this.mapper = json.copy().registerModule(new SimpleModule("solaris-text-only").addDeserializer(String.class, new TextOnly()));
    }

    /** A request body for Solaris (one of {@link SolarisRequests}) as JSON text. */
    String write(Object body) {
        try {
            return mapper.writeValueAsString(body);
        } catch (IOException e) {
            throw new IllegalStateException("Cannot write a Solaris request body", e);
        }
    }

    /** The JSON object of a body, or null when the text is not one. */
    JsonNode object(String text) {
        try {
            JsonNode node = mapper.readTree(text);
            return node != null && node.isObject() ? node : null;
        } catch (IOException e) {
            return null;
        }
    }

    /** A body Solaris sent (a webhook notification) as {@code type}; empty when it is not a JSON object. */
    public <T> Optional<T> readObject(byte[] body, Class<T> type) {
        JsonNode node;
        try {
            node = mapper.readTree(body);
        } catch (IOException e) {
            return Optional.empty();
        }
        if (node == null || !node.isObject()) {
            return Optional.empty();
        }
        try {
            return Optional.of(mapper.treeToValue(node, type));
        } catch (IOException | IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    <T> T read(JsonNode body, Class<T> type) {
        try {
            return mapper.treeToValue(body == null ? mapper.createObjectNode() : body, type);
        } catch (IOException | IllegalArgumentException e) {
            throw new UpstreamFailure("Solaris answered with a body the BFF cannot read");
        }
    }

    private static final class TextOnly extends StdDeserializer<String> {
        TextOnly() {
            super(String.class);
        }

        @Override
        public String deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            if (p.currentToken() == JsonToken.VALUE_STRING) {
                return p.getText();
            }
            p.skipChildren();
            return null;
        }
    }
}
