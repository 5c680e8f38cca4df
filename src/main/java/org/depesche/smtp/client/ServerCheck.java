package org.depesche.smtp.client;

import java.util.List;
import java.util.Set;

/**
 * What {@link SmtpClient#check} learnt from one MX address without sending mail:
 * the greeting, whether STARTTLS was offered, the TLS outcome under the
 * requirement it was given (as a delivery would have it), the EHLO keywords
 * of the last EHLO (after STARTTLS when TLS was used), whether REQUIRETLS was
 * offered (RFC 8689 2: only inside TLS), and the certificate: the names it
 * presents and, for information, whether it is PKIX-valid for the MX name
 * whatever the requirement. {@code failedStage} is
 * {@link DeliveryAttempt.Stage#NONE} when the requirement was met and the
 * session reached the point where MAIL FROM would follow; {@code message}
 * says why otherwise.
 */
public record ServerCheck(String mxHost, String ip, String greeting, boolean starttlsOffered, TlsOutcome tls,
                          Set<String> ehloKeywords, boolean requireTlsOffered, Certificate certificate,
                          DeliveryAttempt.Stage failedStage, String message) {

    public ServerCheck {
        ehloKeywords = Set.copyOf(ehloKeywords);
    }

    /**
     * The leaf certificate the server presented: its DNS names and whether
     * it chains to the trust store and names the MX host (RFC 9525 6.3);
     * {@code pkixProblem} says why not, "" when valid.
     */
    public record Certificate(List<String> names, boolean pkixValid, String pkixProblem, String sha256) {
        public Certificate {
            names = List.copyOf(names);
        }
    }

    /** True when the session got as far as MAIL FROM would have gone, with the requirement met. */
    public boolean requirementMet() {
        return failedStage == DeliveryAttempt.Stage.NONE;
    }
}
