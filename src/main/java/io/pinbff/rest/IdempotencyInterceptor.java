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

    /**
     * Per resource method, what the interceptor reads of it, found once: {@code Method.getParameterAnnotations()}
     * parses the annotations anew (new annotation proxies) on every call.
     */
    private static final Map<Method, Shape> SHAPES = new ConcurrentHashMap<>();

    /**
     * @param template the method's path template
     * @param pathParams the path parameters' names, by argument position (null where not one)
     */
    private record Shape(String template, String[] pathParams) {
        static Shape of(Method method) {
            Annotation[][] annotations = method.getParameterAnnotations();
            String[] names = new String[annotations.length];
            for (int i = 0; i < annotations.length; i++) {
                for (Annotation annotation : annotations[i]) {
                    if (annotation instanceof PathParam param) {
                        names[i] = param.value();
                    }
                }
            }
            return new Shape(templateOf(method), names);
        }
    }

    @Inject
    Idempotency idempotency;

    @Inject
    CurrentUser user;

    @Inject
    HttpHeaders headers;

    @AroundInvoke
    Object around(InvocationContext invocation) throws Exception {
        String personId = user.personId();
        Shape shape = SHAPES.computeIfAbsent(invocation.getMethod(), Shape::of);
        Object[] args = invocation.getParameters();
        String path = shape.template();
        byte[] body = null;
        for (int i = 0; i < args.length; i++) {
            if (args[i] instanceof byte[] bytes) {
                body = bytes;
            }
            String param = shape.pathParams()[i];
            if (param != null) {
                path = path.replace("{" + param + "}", Ids.require(param, (String) args[i]));
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
    private static String templateOf(Method method) {
        Path type = method.getDeclaringClass().getAnnotation(Path.class);
        Path own = method.getAnnotation(Path.class);
        String joined = "/" + (type == null ? "" : type.value()) + "/" + (own == null ? "" : own.value());
        joined = joined.replaceAll("/+", "/");
        return joined.length() > 1 && joined.endsWith("/") ? joined.substring(0, joined.length() - 1) : joined;
    }
}
