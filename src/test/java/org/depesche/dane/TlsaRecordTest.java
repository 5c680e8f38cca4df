package org.depesche.dane;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.MessageDigest;
import java.util.HexFormat;

import org.depesche.testsupport.TestPki;
import org.junit.jupiter.api.Test;

class TlsaRecordTest {

    @Test
    void onlyDaneTaAndDaneEeWithKnownSelectorAndMatchingTypeAreUsableForSmtp() {
        String sha256 = "ab".repeat(32);
        assertThat(TlsaRecord.parse("3 1 1 " + sha256).isUsableForSmtp()).isTrue();
        assertThat(TlsaRecord.parse("2 0 1 " + sha256).isUsableForSmtp()).isTrue();
        assertThat(TlsaRecord.parse("0 1 1 " + sha256).isUsableForSmtp()).isFalse();
        assertThat(TlsaRecord.parse("1 1 1 " + sha256).isUsableForSmtp()).isFalse();
        assertThat(TlsaRecord.parse("4 1 1 " + sha256).isUsableForSmtp()).isFalse();
        assertThat(TlsaRecord.parse("3 2 1 " + sha256).isUsableForSmtp()).isFalse();
        assertThat(TlsaRecord.parse("3 1 3 " + sha256).isUsableForSmtp()).isFalse();
    }

    @Test
    void aDigestOfTheWrongLengthIsUnusable() {
        assertThat(TlsaRecord.parse("3 1 1 " + "ab".repeat(31)).isUsableForSmtp()).isFalse();
        assertThat(TlsaRecord.parse("3 1 2 " + "ab".repeat(32)).isUsableForSmtp()).isFalse();
        assertThat(TlsaRecord.parse("3 1 2 " + "ab".repeat(64)).isUsableForSmtp()).isTrue();
    }

    @Test
    void parseAcceptsSpacesInTheHexAndPrintsThePresentationForm() {
        TlsaRecord r = TlsaRecord.parse("3 1 1 ABCD ef01 " + "00".repeat(28));
        assertThat(r.toString()).isEqualTo("3 1 1 abcdef01" + "00".repeat(28));
        assertThat(r).isEqualTo(TlsaRecord.parse(r.toString()));
    }

    @Test
    void parseRejectsMissingFieldsAndBadHex() {
        assertThatThrownBy(() -> TlsaRecord.parse("3 1 1")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> TlsaRecord.parse("3 1 1 xyz")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> TlsaRecord.parse("300 1 1 00")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void selectorsAndMatchingTypesHashWhatRfc6698Says() throws Exception {
        var cert = TestPki.selfSigned("mx.example.org").certificate();
        byte[] spkiSha256 = MessageDigest.getInstance("SHA-256").digest(cert.getPublicKey().getEncoded());
        byte[] certSha512 = MessageDigest.getInstance("SHA-512").digest(cert.getEncoded());
        assertThat(TlsaRecord.parse("3 1 1 " + HexFormat.of().formatHex(spkiSha256)).matches(cert)).isTrue();
        assertThat(TlsaRecord.parse("3 0 2 " + HexFormat.of().formatHex(certSha512)).matches(cert)).isTrue();
        assertThat(new TlsaRecord(3, 0, 0, cert.getEncoded()).matches(cert)).isTrue();
        assertThat(new TlsaRecord(3, 1, 0, cert.getPublicKey().getEncoded()).matches(cert)).isTrue();
        assertThat(TlsaRecord.parse("3 0 1 " + HexFormat.of().formatHex(spkiSha256)).matches(cert)).isFalse();
    }

    @Test
    void theDataCannotBeChangedFromOutside() {
        byte[] data = new byte[32];
        TlsaRecord r = new TlsaRecord(3, 1, 1, data);
        data[0] = 1;
        r.data()[1] = 1;
        assertThat(r.data()).containsOnly(0);
    }
}
