package io.pinbff.support;

import com.atlassian.oai.validator.OpenApiInteractionValidator;
import com.atlassian.oai.validator.report.LevelResolver;
import com.atlassian.oai.validator.report.ValidationReport;
import com.atlassian.oai.validator.restassured.OpenApiValidationFilter;
import io.restassured.RestAssured;
import java.nio.file.Path;

/**
 * Every response a test receives from the BFF is validated against openapi/pin-bff.yaml (the
 * contract); a response the contract does not describe fails the test. Requests are not
 * validated: hostile-input tests send invalid ones on purpose.
 */
public final class ContractValidation {

    public static final Path SPEC = Path.of("openapi", "pin-bff.yaml");
    private static volatile boolean installed;

    private ContractValidation() {}

    public static synchronized void install() {
        if (installed) {
            return;
        }
        OpenApiInteractionValidator validator = OpenApiInteractionValidator
                .createForSpecificationUrl(SPEC.toAbsolutePath().toUri().toString())
                .withLevelResolver(LevelResolver.create()
                        .withLevel("validation.request", ValidationReport.Level.IGNORE)
                        .build())
                .build();
        RestAssured.filters(new OpenApiValidationFilter(validator));
        installed = true;
    }
}
