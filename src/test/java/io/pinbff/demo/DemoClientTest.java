package io.pinbff.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.pinbff.support.PinBffTest;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The README's demo client, run against the test instance: its hand-made JWE must open in the sandbox. */
@QuarkusTest
class DemoClientTest extends PinBffTest {

    @TestHTTPResource("/")
    URL root;

    @Test
    void directFlowChangesThePin() throws Exception {
        String outcome = new DemoClient(root.toString().replaceAll("/$", ""))
                .run("direct", "4826", Files.readString(Path.of(DemoClient.DEVICE_KEY)));
        assertThat(outcome).contains("204");
        assertThat(sandbox.pinIs(CARD, "4826")).isTrue();
    }

    @Test
    void scaFlowWithWatchGetsTheStatusPushed() throws Exception {
        DemoClient client = new DemoClient(root.toString().replaceAll("/$", ""));
        client.watch = true;
        String outcome = client.run("sca", "5173", Files.readString(Path.of(DemoClient.DEVICE_KEY)));
        assertThat(outcome).isEqualTo("6. confirmed; the stream ended with COMPLETED");
        assertThat(sandbox.pinIs(CARD, "5173")).isTrue();
    }
}
