package io.pinbff.rest;

import jakarta.annotation.Priority;
import jakarta.inject.Inject;
import jakarta.interceptor.AroundInvoke;
import jakarta.interceptor.Interceptor;
import jakarta.interceptor.InvocationContext;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.core.HttpHeaders;
import java.lang.annotation.Annotation;
import java.lang.reflect.Method;
import java.lang.reflect.UndeclaredThrowableException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Around every {@link Idempotent} resource method, in the contract's order of checks: the caller (403
 * without a usable {@code person_id}), the path IDs (400, field = the path parameter's name), then
 * {@link Idempotency} with the {@code Idempotency-Key} header, {@code POST} + the path as addressed and
 * the body as received. The method runs on the request's own (virtual) thread, and only when this
 * request claimed the key or sent none; a replay answers without running it, and its answer — a
 * problem+json one included — is stored once it has returned.
 */
@Idempotent
@Interceptor
@Priority(Interceptor.Priority.APPLICATION)
class IdempotencyInterceptor {

    private static final Map<Method, String> TEMPLATES = new ConcurrentHashMap<>();

    @Inject
    Idempotency idempotency;

    @Inject
    CurrentUser user;

    @Inject
    HttpHeaders headers;

    @AroundInvoke
    Object around(InvocationContext invocation) throws Exception {
        String personId = user.personId();
        Method method = invocation.getMethod();
        Object[] args = invocation.getParameters();
        Annotation[][] annotations = method.getParameterAnnotations();
        String path = TEMPLATES.computeIfAbsent(method, IdempotencyInterceptor::template);
        byte[] body = null;
        for (int i = 0; i < args.length; i++) {
            if (args[i] instanceof byte[] bytes) {
                body = bytes;
            }
            for (Annotation annotation : annotations[i]) {
                if (annotation instanceof PathParam param) {
                    path = path.replace("{" + param.value() + "}", Ids.require(param.value(), (String) args[i]));
                }
            }
        }
        List<String> keys = headers.getRequestHeader(Idempotency.HEADER);
        String key = keys == null || keys.isEmpty() ? null : keys.get(0);
        return idempotency.run(personId, key, path, body, () -> proceed(invocation));
    }

    private static jakarta.ws.rs.core.Response proceed(InvocationContext invocation) {
        try {
            return (jakarta.ws.rs.core.Response) invocation.proceed();
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Exception e) {
            throw new UndeclaredThrowableException(e);
        }
    }

    /** {@code /v1/cards/{card_id}/pin}: the class's and the method's {@code @Path} joined. */
    private static String template(Method method) {
        Path type = method.getDeclaringClass().getAnnotation(Path.class);
        Path own = method.getAnnotation(Path.class);
        String joined = "/" + (type == null ? "" : type.value()) + "/" + (own == null ? "" : own.value());
        joined = joined.replaceAll("/+", "/");
        return joined.length() > 1 && joined.endsWith("/") ? joined.substring(0, joined.length() - 1) : joined;
    }
}
