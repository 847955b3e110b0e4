package io.pinbff.ops;

import io.pinbff.error.ErrorCode;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.Map;

/**
 * Size limits answered as problem+json, before a token is verified or a body is read: request
 * headers over 16 KiB → 431, a body over 64 KiB → 413, both {@code invalid_request}, whatever the
 * size (1 MiB or 100 MiB alike). Without this, Vert.x answers a bare 413/431 without a content type.
 *
 * <ul>
 *   <li>A declared {@code Content-Length} over the limit is answered at once; the rest of the body is
 *       read and thrown away (never held), then the connection is closed — so the client, still
 *       sending, reads the answer instead of a reset connection.
 *   <li>A body without a declared length (chunked, or HTTP/2) is read by Vert.x' {@link BodyHandler} with the same limit: at most 64 KiB are
 *       ever held; one byte more fails the request with 413, answered here.
 *   <li>Headers: Netty parses up to {@code quarkus.http.limits.max-header-size} (1M, the hard
 *       backstop that only Vert.x can answer, with a bare 431); this route answers everything
 *       between the contract's 16 KiB and that backstop.
 * </ul>
 */
@ApplicationScoped
public class RequestSizeLimits {

    public static final int MAX_BODY_BYTES = 64 * 1024;
    public static final int MAX_HEADER_BYTES = 16 * 1024;
    /** Longest time a refused upload may keep its connection open while its body is thrown away. */
    private static final long DRAIN_MILLIS = 10_000;

    static final String TOO_LARGE = ErrorCode.PAYLOAD_TOO_LARGE.problemJson("The body must be at most 64 KiB.");
    static final String HEADERS_TOO_LARGE = ErrorCode.HEADERS_TOO_LARGE.problemJson("The request headers must be at most 16 KiB.");

    private final BodyHandler chunkedBodies = BodyHandler.create(false)
            .setBodyLimit(MAX_BODY_BYTES)
            .setHandleFileUploads(false)
            .setMergeFormAttributes(false);

    void install(@Observes Router router) {
        router.route().order(Integer.MIN_VALUE + 1).handler(this::check).failureHandler(this::failed);
    }

    private void check(RoutingContext ctx) {
        HttpServerRequest request = ctx.request();
        if (headerBytes(request) > MAX_HEADER_BYTES) {
            refuse(ctx, 431, HEADERS_TOO_LARGE);
            return;
        }
        String length = request.getHeader(HttpHeaders.CONTENT_LENGTH);
        if (length != null) {
            long declared;
            try {
                declared = Long.parseLong(length.trim());
            } catch (NumberFormatException e) {
                declared = Long.MAX_VALUE; // Netty refuses this before we get here; be safe anyway.
            }
            if (declared > MAX_BODY_BYTES) {
                refuse(ctx, 413, TOO_LARGE);
                return;
            }
            ctx.next();
            return;
        }
        // No declared length: chunked HTTP/1.1, or HTTP/2 (which has no Transfer-Encoding header).
        if (mayHaveBody(request.method())) {
            chunkedBodies.handle(ctx); // calls next() with the body read, or fails with 413
            return;
        }
        ctx.next();
    }

    private void failed(RoutingContext ctx) {
        if (ctx.statusCode() == 413 && !ctx.response().headWritten()) {
            refuse(ctx, 413, TOO_LARGE);
            return;
        }
        ctx.next();
    }

    private static boolean mayHaveBody(HttpMethod method) {
        return method == HttpMethod.POST || method == HttpMethod.PUT || method == HttpMethod.PATCH;
    }

    /** Answers now, throws away whatever body is still coming, and closes the connection after it. */
    private static void refuse(RoutingContext ctx, int status, String body) {
        HttpServerRequest request = ctx.request();
        ctx.response().setStatusCode(status)
                .putHeader(HttpHeaders.CONTENT_TYPE, "application/problem+json")
                .putHeader(HttpHeaders.CONNECTION, "close")
                .end(body);
        if (request.isEnded()) {
            request.connection().close();
            return;
        }
        long timer = ctx.vertx().setTimer(DRAIN_MILLIS, t -> request.connection().close());
        request.handler(ignored -> { });
        request.exceptionHandler(ignored -> { });
        request.endHandler(v -> {
            ctx.vertx().cancelTimer(timer);
            request.connection().close();
        });
        request.resume();
    }

    /** The size of the header section as sent: name, ": ", value and CRLF per line. */
    static long headerBytes(HttpServerRequest request) {
        long total = 0;
        for (Map.Entry<String, String> header : request.headers()) {
            total += header.getKey().length() + header.getValue().length() + 4;
        }
        return total;
    }
}
