package io.pinbff.rest;

import jakarta.ws.rs.core.EntityTag;
import jakarta.ws.rs.core.Request;
import jakarta.ws.rs.core.Response;

/**
 * Conditional GETs against a strong {@code ETag}: {@code If-None-Match} is evaluated by JAX-RS
 * ({@link Request#evaluatePreconditions(EntityTag)}, which reads lists and {@code *}). RESTEasy Reactive
 * compares the weak flag as well, but {@code If-None-Match} is a weak comparison (RFC 9110 §13.1.2:
 * {@code W/"x"} matches {@code "x"}, as a proxy that compressed the answer sends it back), so the weak
 * twin of the tag is evaluated too. Only a 304 counts: {@code If-Match} is not part of the contract for
 * these reads, and its 412 is not an answer they give.
 */
final class ETags {

    private ETags() {}

    static boolean notModified(Request request, String etag) {
        EntityTag strong = EntityTag.valueOf(etag);
        return is304(request.evaluatePreconditions(strong))
                || is304(request.evaluatePreconditions(new EntityTag(strong.getValue(), true)));
    }

    private static boolean is304(Response.ResponseBuilder preconditions) {
        return preconditions != null && preconditions.build().getStatus() == Response.Status.NOT_MODIFIED.getStatusCode();
    }
}
