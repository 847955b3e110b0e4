package io.pinbff.rest;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.pinbff.changerequest.ChangeRequest;
import io.pinbff.changerequest.ChangeRequestStore;
import io.pinbff.changerequest.ChangeRequests;
import io.pinbff.error.ApiException;
import io.pinbff.error.ErrorCode;
import io.pinbff.events.EventBus;
import io.quarkus.runtime.ShutdownDelayInitiatedEvent;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.sse.OutboundSseEvent;
import jakarta.ws.rs.sse.Sse;
import jakarta.ws.rs.sse.SseEventSink;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.jboss.logging.Logger;

/**
 * The open server-sent-event streams of this instance, by change request. A stream holds no thread:
 * it is a sink and the last version sent. It gets an event when the change request's row changes on
 * any instance (the event bus says which; the stream reads the committed row), when the periodic sync
 * with Solaris moves it (at most one upstream GET per request per {@code sync-after} across instances,
 * as polling), and a keep-alive comment every 10 s. The {@code id} of an event is the row's version,
 * which grows with every change; a final status ends the stream.
 */
@ApplicationScoped
public class ChangeRequestStreams {

    static final int MAX_PER_USER = 5;
    private static final Logger LOG = Logger.getLogger(ChangeRequestStreams.class);

    private final class Stream {
        final UUID id;
        final String personId;
        final SseEventSink sink;
        final Sse sse;
        long lastVersion;
        String lastTag;

        Stream(UUID id, String personId, SseEventSink sink, Sse sse, long lastVersion) {
            this.id = id;
            this.personId = personId;
            this.sink = sink;
            this.sse = sse;
            this.lastVersion = lastVersion;
        }
    }

    private final Map<UUID, Set<Stream>> byRequest = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> perUser = new ConcurrentHashMap<>();
    private final AtomicInteger open = new AtomicInteger();
    private final ChangeRequests changeRequests;
    private final Clock clock;
    private final ObjectMapper json;
    private final Counter sent;

    ChangeRequestStreams(EventBus bus, ChangeRequests changeRequests, Clock clock, ObjectMapper json, MeterRegistry meters) {
        this.changeRequests = changeRequests;
        this.clock = clock;
        this.json = json;
        meters.gauge("pinbff_event_streams_open", open);
        this.sent = meters.counter("pinbff_events_sent");
        bus.subscribe(ChangeRequestStore.TOPIC, id -> changed(UUID.fromString(id)));
        bus.onReconnect(() -> byRequest.keySet().forEach(this::changed));
    }

    /** Takes one of the user's stream slots on this instance, or 429 too_many_streams. */
    void reserve(String personId) {
        AtomicInteger count = perUser.computeIfAbsent(personId, p -> new AtomicInteger());
        if (count.incrementAndGet() > MAX_PER_USER) {
            count.decrementAndGet();
            throw ApiException.retryLater(ErrorCode.TOO_MANY_STREAMS,
                    "At most " + MAX_PER_USER + " event streams may be open at once.", 5);
        }
    }

    void release(String personId) {
        perUser.computeIfPresent(personId, (p, c) -> c.decrementAndGet() <= 0 ? null : c);
    }

    /**
     * Starts a stream (its slot reserved): the current state at once unless {@code lastEventId} already
     * has it, then every change; a request that is already final gets its one event and the end.
     */
    void open(ChangeRequest current, String personId, long lastEventId, SseEventSink sink, Sse sse,
            java.util.function.Consumer<io.vertx.core.Handler<io.vertx.core.AsyncResult<Void>>> onConnectionEnd) {
        Stream stream = new Stream(current.id, personId, sink, sse, lastEventId);
        byRequest.computeIfAbsent(current.id, k -> ConcurrentHashMap.newKeySet()).add(stream);
        open.incrementAndGet();
        onConnectionEnd.accept(done -> close(stream)); // the app went away: free its slot at once
        deliver(stream, current);
    }

    private void changed(UUID id) {
        if (byRequest.containsKey(id)) {
            Thread.ofVirtual().name("sse-refresh").start(() -> refresh(id));
        }
    }

    private void refresh(UUID id) {
        Set<Stream> streams = byRequest.get(id);
        if (streams == null || streams.isEmpty()) {
            return;
        }
        ChangeRequest current;
        try {
            current = changeRequests.current(id);
        } catch (RuntimeException e) {
            LOG.debugf("Stream refresh of %s failed: %s", id, e.getClass().getSimpleName());
            return;
        }
        for (Stream s : streams) {
            if (current == null) {
                close(s);
            } else {
                deliver(s, current);
            }
        }
    }

    /** Sends the state if it is newer than what the stream has; ends the stream after a final status. */
    private void deliver(Stream s, ChangeRequest current) {
        synchronized (s) {
            if (s.sink.isClosed()) {
                close(s);
                return;
            }
            ChangeRequestView view = ChangeRequestView.of(current, Instant.now(clock));
            boolean isFinal = !current.statusAt(Instant.now(clock)).open();
            String tag = view.etag();
            if (current.version > s.lastVersion && !tag.equals(s.lastTag)) {
                String data;
                try {
                    data = json.writeValueAsString(view);
                } catch (Exception e) {
                    return;
                }
                OutboundSseEvent event = s.sse.newEventBuilder().id(String.valueOf(current.version))
                        .name("change_request").mediaType(MediaType.APPLICATION_JSON_TYPE).data(data).build();
                s.sink.send(event).whenComplete((ok, failure) -> {
                    if (failure != null) {
                        close(s);
                    }
                });
                sent.increment();
                s.lastVersion = current.version;
                s.lastTag = tag;
            } else if (current.version > s.lastVersion) {
                s.lastVersion = current.version;
            }
            if (isFinal) {
                close(s);
            }
        }
    }

    private void close(Stream s) {
        Set<Stream> streams = byRequest.get(s.id);
        if (streams != null && streams.remove(s)) {
            open.decrementAndGet();
            release(s.personId);
            byRequest.computeIfPresent(s.id, (k, v) -> v.isEmpty() ? null : v);
        }
        if (!s.sink.isClosed()) {
            s.sink.close();
        }
    }

    /** Keep-alive comments (at least every 15 s), and closed connections noticed. */
    @Scheduled(every = "10s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void keepAlive() {
        byRequest.values().forEach(streams -> streams.forEach(s -> {
            if (s.sink.isClosed()) {
                close(s);
            } else {
                s.sink.send(s.sse.newEventBuilder().comment("keep-alive").build()).whenComplete((ok, failure) -> {
                    if (failure != null) {
                        close(s);
                    }
                });
            }
        }));
    }

    /**
     * While streams are open their requests are kept in sync with Solaris as polling would be (the
     * store's sync claim makes it one upstream GET per request per sync-after across all instances),
     * and expiry shows up without a sweep having to run here.
     */
    @Scheduled(every = "2s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void syncOpenRequests() {
        for (UUID id : byRequest.keySet()) {
            Thread.ofVirtual().name("sse-sync").start(() -> refresh(id));
        }
    }

    /**
     * Shutdown began (readiness goes down now): end the streams at once so apps reconnect to another
     * instance, and so the graceful shutdown does not wait for them as for requests still in flight.
     */
    void onShutdownDelay(@Observes ShutdownDelayInitiatedEvent event) {
        byRequest.values().forEach(streams -> streams.forEach(this::close));
    }

    void onShutdown(@Observes ShutdownEvent event) {
        byRequest.values().forEach(streams -> streams.forEach(this::close));
    }

    int openStreams() {
        return open.get();
    }
}
