package io.pinbff.events;

import io.agroal.api.AgroalDataSource;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

/**
 * A small event bus over PostgreSQL {@code LISTEN}/{@code NOTIFY}: how instances tell each other that
 * shared state changed (the PIN key, a card, a change request). A message is a topic and an ID, never
 * content: receivers read the state itself from PostgreSQL (or Solaris). Sent inside a transaction, a
 * message is delivered when it commits, so a receiver always finds the committed state.
 *
 * Receiving uses one dedicated connection (not from the pool) and the JDBC driver's notifications, on
 * one platform thread that waits at most {@link #POLL_MILLIS} per round. When the connection breaks the
 * bus reconnects by itself with a short back-off and tells subscribers ({@link #onReconnect}) so they
 * reload what they might have missed. Its state is a readiness check ({@code EventBusReadiness}) and
 * the metrics {@code pinbff_event_bus_connected} and {@code pinbff_event_bus_reconnects_total}.
 *
 * Written on pgjdbc rather than the Vert.x reactive client to avoid a second PostgreSQL driver and
 * pool for one listening connection.
 */
@ApplicationScoped
public class EventBus {

    public static final String CHANNEL = "pinbff_events";
    static final int POLL_MILLIS = 250;
    private static final Logger LOG = Logger.getLogger(EventBus.class);

    private final AgroalDataSource dataSource;
    private final String url;
    private final String user;
    private final String password;
    private final Map<String, List<Consumer<String>>> subscribers = new ConcurrentHashMap<>();
    private final List<Runnable> reconnectHandlers = new CopyOnWriteArrayList<>();
    private final AtomicBoolean connected = new AtomicBoolean();
    private final AtomicBoolean running = new AtomicBoolean();
    private final Counter reconnects;
    private volatile Thread listener;

    EventBus(AgroalDataSource dataSource, MeterRegistry meters,
            @ConfigProperty(name = "quarkus.datasource.jdbc.url") String url,
            @ConfigProperty(name = "quarkus.datasource.username") String user,
            @ConfigProperty(name = "quarkus.datasource.password") String password) {
        this.dataSource = dataSource;
        this.url = url;
        this.user = user;
        this.password = password;
        meters.gauge("pinbff_event_bus_connected", connected, c -> c.get() ? 1 : 0);
        this.reconnects = meters.counter("pinbff_event_bus_reconnects");
    }

    /** Calls {@code receiver} with the ID of every message on {@code topic}, from any instance (this one too). */
    public void subscribe(String topic, Consumer<String> receiver) {
        subscribers.computeIfAbsent(topic, t -> new CopyOnWriteArrayList<>()).add(receiver);
    }

    /** Runs after the bus (re)connected: messages sent while it was away are lost, so reload. */
    public void onReconnect(Runnable handler) {
        reconnectHandlers.add(handler);
    }

    /**
     * Tells every instance at once, on a connection of its own (IDs only: never content). A message that
     * must wait for a transaction's commit goes through {@link #publish(Connection, String, String)}.
     */
    public void publish(String topic, String id) {
        try (Connection c = dataSource.getConnection()) {
            publish(c, topic, id);
        } catch (SQLException e) {
            // The state is in PostgreSQL already; instances that miss this catch up on their next reload.
            LOG.warnf("Could not publish %s: %s", topic, e.getClass().getSimpleName());
        }
    }

    /**
     * Tells every instance through {@code c}: when {@code c} is in a transaction, the message is delivered
     * when that transaction commits, and never if it rolls back.
     */
    public static void publish(Connection c, String topic, String id) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("select pg_notify(?, ?)")) {
            s.setString(1, CHANNEL);
            s.setString(2, topic + ":" + id);
            s.execute();
        }
    }

    public boolean connected() {
        return connected.get();
    }

    public long reconnects() {
        return (long) reconnects.count();
    }

    void start(@Observes StartupEvent event) {
        running.set(true);
        listener = Thread.ofPlatform().daemon().name("pg-event-bus").start(this::listen);
    }

    void stop(@Observes ShutdownEvent event) {
        running.set(false);
        Thread t = listener;
        if (t != null) {
            t.interrupt();
        }
    }

    private void listen() {
        long backoff = 100;
        boolean first = true;
        while (running.get()) {
            try (Connection c = DriverManager.getConnection(url, user, password)) {
                try (Statement s = c.createStatement()) {
                    s.execute("LISTEN " + CHANNEL);
                }
                connected.set(true);
                backoff = 100;
                if (!first) {
                    reconnects.increment();
                    LOG.info("Event bus reconnected; reloading shared state");
                }
                first = false;
                reconnectHandlers.forEach(EventBus::runQuietly);
                PGConnection pg = c.unwrap(PGConnection.class);
                while (running.get()) {
                    PGNotification[] notes = pg.getNotifications(POLL_MILLIS);
                    if (notes != null) {
                        for (PGNotification note : notes) {
                            dispatch(note.getParameter());
                        }
                    }
                }
            } catch (SQLException e) {
                if (connected.getAndSet(false) || first) {
                    LOG.warnf("Event bus connection lost (%s); reconnecting", e.getClass().getSimpleName());
                }
            }
            connected.set(false);
            sleep(backoff);
            backoff = Math.min(2_000, backoff * 2);
        }
    }

    private void dispatch(String payload) {
        int colon = payload.indexOf(':');
        if (colon < 0) {
            return;
        }
        List<Consumer<String>> receivers = subscribers.get(payload.substring(0, colon));
        if (receivers != null) {
            String id = payload.substring(colon + 1);
            receivers.forEach(r -> runQuietly(() -> r.accept(id)));
        }
    }

    private static void runQuietly(Runnable r) {
        try {
            r.run();
        } catch (RuntimeException e) {
            LOG.warnf("Event handler failed: %s", e.getClass().getSimpleName());
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
