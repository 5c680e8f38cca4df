package org.depesche.smtp.server;

import static org.assertj.core.api.Assertions.assertThat;

import org.depesche.smtp.server.SmtpTestClient.TestReply;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * THREATS T13 on submission: header forms that would let alice write in
 * bob's name. Each is refused after the data with 550 5.7.1 and nothing is
 * queued; the forms she is entitled to are accepted.
 */
class SmtpSpoofingTest extends ServerTestSupport {

    @ParameterizedTest
    @ValueSource(strings = {
            "From: bob@example.org",
            "FROM: BOB@EXAMPLE.ORG",
            "From : bob@example.org",
            "From:\r\n bob@example.org",
            "From: alice@example.org\r\nFrom: bob@example.org",
            "From: alice@example.org,\r\n\tbob@example.org",
            "From: Team: alice@example.org, bob@example.org;",
            "From: =?utf-8?q?alice=40example.org?= <bob@example.org>",
            "From: \"alice@example.org\" <bob@example.org>",
            "From: alice@example.org <bob@example.org>",
            "From: bob@example.org (alice@example.org)",
            "From: bob+alice@example.org",
            "From: bob@example.org.",
            "From: alice@example.org bob@example.org",
            "From: <alice@example.org> bob@example.org",
            "From: <alice@example.org>, <bob@example.org",
            "From: alice@example.org\r\nSender: bob@example.org",
            "From: alice@example.org\r\nSender: Bob <bob@example.org>",
    })
    void aHeaderInSomeoneElsesNameIsRefused(String fields) throws Exception {
        assertReply(submitAsAlice(fields), 550, "5.7.1");
        assertThat(server.queued()).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "From: Alice <alice@example.org>",
            "From: ALICE@Example.Org",
            "From: alice+news@example.org",
            "From: Sales <sales@example.org>\r\nSender: alice@example.org",
            "From: =?utf-8?q?Bob_says_hi?= <alice@example.org>",
    })
    void aHeaderWithAddressesTheUserOwnsIsAccepted(String fields) throws Exception {
        assertReply(submitAsAlice(fields), 250, "2.0.0");
        assertThat(server.queued()).hasSize(1);
    }

    /** Alice, logged in, sends a message with these header fields first; the reply to its end. */
    private TestReply submitAsAlice(String fields) throws Exception {
        try (SmtpTestClient client = submissionAs("alice@example.org", "alice-secret")) {
            return send(client, "alice@example.org", "bob@example.org",
                    fields + "\r\nTo: bob@example.org\r\nSubject: hi\r\n\r\nbody\r\n");
        }
    }
}
