package io.pinbff.rest;

import jakarta.interceptor.InterceptorBinding;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * A POST that honours {@code Idempotency-Key} (openapi/pin-bff.yaml, parameter IdempotencyKey): see {@link IdempotencyInterceptor}. The
 * method takes its body as {@code byte[]} (hashed as received) and its path IDs as {@code @PathParam}s.
 */
@InterceptorBinding
@Retention(RetentionPolicy.RUNTIME)
@Target({ ElementType.METHOD, ElementType.TYPE })
@interface Idempotent {
}
