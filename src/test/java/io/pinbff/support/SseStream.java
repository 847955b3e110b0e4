package io.pinbff.support;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * One server-sent-event stream read the way an app reads it: each event as {id, event, data} in arrival
 * order (with the time it arrived), comments counted, and whether the server ended the stream.
 */
public final class SseStream implements AutoCloseable {

    /** id, event name, data, and System.nanoTime() of arrival. */
    public record Event(String id, String name, String data, long arrivedNanos) {}

    private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    public final BlockingQueue<Event> events = new LinkedBlockingQueue<>();
    public final HttpResponse<java.util.stream.Stream<String>> response;
    public volatile boolean ended;
    public volatile int comments;

    public SseStream(String url, String token, String lastEventId) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url))
                .header("Authorization", "Bearer " + token).header("Accept", "text/event-stream");
        if (lastEventId != null) {
            b.header("Last-Event-ID", lastEventId);
        }
        response = CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofLines());
        Thread.ofVirtual().start(() -> {
            try {
                read();
            } catch (java.io.UncheckedIOException closedByUs) {
                // close()
            }
            ended = true;
        });
    }

    private void read() {
        String[] current = new String[3];
        response.body().forEach(line -> {
            if (line.startsWith("id:")) {
                current[0] = line.substring(3).trim();
            } else if (line.startsWith("event:")) {
                current[1] = line.substring(6).trim();
            } else if (line.startsWith("data:")) {
                current[2] = line.substring(5).trim();
            } else if (line.startsWith(":")) {
                comments++;
            } else if (line.isEmpty() && current[2] != null) {
                events.add(new Event(current[0], current[1], current[2], System.nanoTime()));
                current[0] = current[1] = current[2] = null;
            }
        });
    }

    /** The next event, which must arrive within {@code within}. */
    public Event next(Duration within) throws InterruptedException {
        Event e = events.poll(within.toMillis(), TimeUnit.MILLISECONDS);
        assertThat(e).as("an event within " + within).isNotNull();
        return e;
    }

    @Override
    public void close() {
        response.body().close();
    }
}
