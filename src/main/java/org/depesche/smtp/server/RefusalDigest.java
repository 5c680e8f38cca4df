package org.depesche.smtp.server;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.depesche.mail.BodyType;
import org.depesche.queue.Envelope;
import org.depesche.queue.Queue;
import org.depesche.queue.Recipient;
import org.depesche.mail.MailAddress;
import org.depesche.mail.TlsInfo;
import org.depesche.store.RefusalStore;
import org.depesche.store.RefusalStore.Refusal;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells the owners of secure addresses who tried to reach them without TLS:
 * each refusal is noted per account, and one digest message goes into the
 * account's mailbox, the first at once and then at most one per
 * {@link #INTERVAL}. Digests are queued like any message, from the null
 * sender (RFC 5321 4.5.5) so nothing ever answers them, and marked
 * {@code Auto-Submitted: auto-generated} (RFC 3834 5). Pending refusals and
 * the time of each account's last digest are kept in a {@link RefusalStore},
 * so a restart neither loses them nor sends a digest early.
 */
final class RefusalDigest {
    private static final Logger log = LoggerFactory.getLogger(RefusalDigest.class);
    static final Duration INTERVAL = Duration.ofHours(1);
    /** Bounds on what peers can make us hold: refusals listed per digest, accounts tracked. */
    static final int MAX_LISTED = 50;
    static final int MAX_OWNERS = 10_000;
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'").withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter DATE = DateTimeFormatter.RFC_1123_DATE_TIME.withZone(ZoneOffset.UTC);

    private static final class Owner {
        final List<Refusal> pending = new ArrayList<>();
        int notListed;
        Instant lastSent;

        RefusalStore.Pending state() {
            return new RefusalStore.Pending(pending, notListed, Optional.ofNullable(lastSent));
        }

        static Owner of(RefusalStore.Pending s) {
            Owner o = new Owner();
            o.pending.addAll(s.refusals().subList(0, Math.min(MAX_LISTED, s.refusals().size())));
            o.notListed = s.notListed() + s.refusals().size() - o.pending.size();
            o.lastSent = s.lastSent().orElse(null);
            return o;
        }
    }

    private final Queue queue;
    private final String hostname;
    private final Clock clock;
    private final SecureRandom random = new SecureRandom();
    private final Map<MailAddress, Owner> owners = new LinkedHashMap<>(); // guarded by this
    private final RefusalStore store; // written under this, so the newest state is the one kept

    /** {@code store}: where pending refusals are kept; what an earlier run left there is loaded now. */
    RefusalDigest(Queue queue, String hostname, Clock clock, RefusalStore store) {
        this.queue = queue;
        this.hostname = hostname;
        this.clock = clock;
        this.store = store;
        store.load(MAX_OWNERS).forEach((account, state) -> owners.put(account, Owner.of(state)));
        if (!owners.isEmpty()) log.info("event=refusal-digest-loaded accounts={}", owners.size());
    }

    /** Notes a refusal for each account behind the address, then sends what is due. */
    void record(List<MailAddress> accounts, Refusal refusal) {
        synchronized (this) {
            for (MailAddress account : accounts) {
                Owner o = owners.get(account);
                if (o == null) {
                    if (owners.size() >= MAX_OWNERS) {
                        log.warn("event=refusal-digest-full account={} owners={}", account, owners.size());
                        continue;
                    }
                    owners.put(account, o = new Owner());
                }
                if (o.pending.size() < MAX_LISTED) {
                    o.pending.add(refusal);
                    store.save(account, o.state());
                } else {
                    // Past the list only a count grows: a flood of refused RCPTs (THREATS T14) costs no write,
                    // and a restart at worst undercounts what was not listed anyway.
                    o.notListed++;
                }
            }
        }
        flushDue();
    }

    /** Queues a digest for every account with refusals whose last digest is at least {@link #INTERVAL} old. */
    void flushDue() {
        Instant now = clock.instant();
        Map<MailAddress, Owner> due = new LinkedHashMap<>();
        synchronized (this) {
            var it = owners.entrySet().iterator();
            while (it.hasNext()) {
                var e = it.next();
                Owner o = e.getValue();
                boolean quiet = o.lastSent == null || !now.isBefore(o.lastSent.plus(INTERVAL));
                if (!quiet) continue;
                if (o.pending.isEmpty()) {
                    it.remove(); // nothing to tell and the interval is over: forget the account
                    store.delete(e.getKey());
                    continue;
                }
                Owner batch = new Owner();
                batch.pending.addAll(o.pending);
                batch.notListed = o.notListed;
                o.pending.clear();
                o.notListed = 0;
                o.lastSent = now;
                store.save(e.getKey(), o.state());
                due.put(e.getKey(), batch);
            }
        }
        due.forEach((account, batch) -> send(account, batch, now));
    }

    private void send(MailAddress account, Owner batch, Instant now) {
        byte[] content = message(account, batch, now).getBytes(StandardCharsets.UTF_8);
        try (Queue.Incoming in = queue.begin()) {
            try (OutputStream out = in.content()) {
                out.write(content);
            }
            Envelope env = new Envelope(Optional.empty(), List.of(new Recipient(account, account)), now, "digest",
                    "localhost", TlsInfo.NONE, Optional.empty(), account.isInternational(), BodyType.EIGHT_BIT_MIME);
            String id = in.commit(env).id();
            log.info("event=refusal-digest-queued queue_id={} to={} refusals={}", id, account, batch.pending.size() + batch.notListed);
        } catch (IOException e) {
            log.error("event=refusal-digest-failed to={} error=\"{}\"", account, e.toString());
        }
    }

    private byte[] randomBytes() {
        byte[] b = new byte[8];
        random.nextBytes(b);
        return b;
    }

    private String message(MailAddress account, Owner batch, Instant now) {
        int total = batch.pending.size() + batch.notListed;
        StringBuilder m = new StringBuilder()
                .append("From: Mail Delivery System <MAILER-DAEMON@").append(hostname).append(">\r\n")
                .append("To: <").append(account).append(">\r\n")
                .append("Subject: ").append(total).append(total == 1 ? " message was" : " messages were")
                .append(" refused because the sender did not use encryption\r\n")
                .append("Date: ").append(DATE.format(now)).append("\r\n")
                .append("Message-ID: <digest.").append(HexFormat.of().formatHex(randomBytes()))
                .append('@').append(hostname).append(">\r\n")
                .append("Auto-Submitted: auto-generated\r\n")
                .append("MIME-Version: 1.0\r\n")
                .append("Content-Type: text/plain; charset=utf-8\r\n")
                .append("Content-Transfer-Encoding: 8bit\r\n\r\n")
                .append("Your secure addresses accept mail only over an encrypted connection (TLS).\r\n")
                .append("The servers below tried to deliver without it, so the mail was refused\r\n")
                .append("before it was sent. Each sending server was told why; its sender gets a\r\n")
                .append("bounce and can ask their provider to use TLS.\r\n\r\n");
        for (Refusal r : batch.pending) {
            m.append("- ").append(TIME.format(r.at())).append(": from <").append(r.sender()).append("> to <")
                    .append(r.recipient()).append(">\r\n  server ").append(r.helo()).append(" [").append(r.peer())
                    .append("]: ").append(r.reason()).append("\r\n");
        }
        if (batch.notListed > 0) m.append("\r\nand ").append(batch.notListed).append(" more not listed.\r\n");
        m.append("\r\nYou get at most one such message per hour.\r\n");
        return m.toString();
    }
}
