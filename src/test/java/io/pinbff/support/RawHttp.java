package io.pinbff.support;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * HTTP/1.1 over a plain socket, for requests no ordinary client sends: bodies of 100 MiB that are
 * streamed (never held), headers of any size. The body is written on a thread of its own, so the
 * answer is read while the upload is still going — as a real client sees an early 413.
 */
public final class RawHttp {

    public record Answer(int status, Map<String, String> headers, String body, long bytesSent) {
        public String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }
    }

    private RawHttp() {}

    /**
     * Sends {@code head} (request line and headers, without the blank line) and a body of
     * {@code bodyBytes} zero bytes — with Content-Length, or chunked when {@code chunked}.
     */
    public static Answer send(int port, String head, long bodyBytes, boolean chunked) throws IOException, InterruptedException {
        try (Socket socket = new Socket("localhost", port)) {
            socket.setSoTimeout(30_000);
            OutputStream out = socket.getOutputStream();
            String framing = bodyBytes == 0 ? "" : chunked ? "Transfer-Encoding: chunked\r\n" : "Content-Length: " + bodyBytes + "\r\n";
            out.write((head + "\r\n" + framing + "Connection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            AtomicLong sent = new AtomicLong();
            Thread writer = Thread.ofVirtual().start(() -> {
                byte[] chunk = new byte[64 * 1024];
                try {
                    long left = bodyBytes;
                    while (left > 0) {
                        int n = (int) Math.min(chunk.length, left);
                        if (chunked) {
                            out.write((Integer.toHexString(n) + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
                        }
                        out.write(chunk, 0, n);
                        if (chunked) {
                            out.write("\r\n".getBytes(StandardCharsets.ISO_8859_1));
                        }
                        left -= n;
                        sent.addAndGet(n);
                    }
                    if (chunked && bodyBytes > 0) {
                        out.write("0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
                    }
                    out.flush();
                } catch (IOException closedByServer) {
                    // The server answered and closed before the whole body was sent: expected for refusals.
                }
            });
            Answer answer = read(socket.getInputStream(), sent);
            writer.join(30_000);
            return new Answer(answer.status(), answer.headers(), answer.body(), sent.get());
        }
    }

    private static Answer read(InputStream in, AtomicLong sent) throws IOException {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        byte[] buf = new byte[8192];
        int n;
        while ((n = in.read(buf)) != -1) {
            all.write(buf, 0, n);
            String text = all.toString(StandardCharsets.ISO_8859_1);
            int end = text.indexOf("\r\n\r\n");
            if (end >= 0) {
                Map<String, String> headers = new LinkedHashMap<>();
                String[] lines = text.substring(0, end).split("\r\n");
                for (int i = 1; i < lines.length; i++) {
                    int colon = lines[i].indexOf(':');
                    headers.put(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).trim());
                }
                int length = Integer.parseInt(headers.getOrDefault("content-length", "0"));
                if (all.size() >= end + 4 + length) {
                    String body = new String(all.toByteArray(), end + 4, length, StandardCharsets.UTF_8);
                    return new Answer(Integer.parseInt(lines[0].split(" ")[1]), headers, body, sent.get());
                }
            }
        }
        throw new IOException("connection closed before a complete answer: " + all.toString(StandardCharsets.ISO_8859_1));
    }
}
