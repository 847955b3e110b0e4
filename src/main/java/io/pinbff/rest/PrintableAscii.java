package io.pinbff.rest;

import jakarta.validation.Constraint;
import jakarta.validation.Payload;
import jakarta.validation.ReportAsSingleViolation;
import jakarta.validation.constraints.Pattern;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/** Printable ASCII only (0x20–0x7E): no control characters. {@code null} is valid. */
@Pattern(regexp = "[\\x20-\\x7E]*")
@ReportAsSingleViolation
@Constraint(validatedBy = {})
@Target({ ElementType.FIELD, ElementType.METHOD, ElementType.PARAMETER, ElementType.ANNOTATION_TYPE, ElementType.TYPE_USE })
@Retention(RetentionPolicy.RUNTIME)
@interface PrintableAscii {

    String message() default "must be printable ASCII.";

    Class<?>[] groups() default {};

    Class<? extends Payload>[] payload() default {};
}
