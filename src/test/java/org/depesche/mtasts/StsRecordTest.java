package org.depesche.mtasts;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

import org.depesche.dns.TestDns;

class StsRecordTest {

    @Test
    void exactlyOneStsRecordGivesItsId() {
        assertThat(StsRecord.select(List.of("v=spf1 -all", "v=STSv1; id=20260101T000000;")))
                .contains(new StsRecord("20260101T000000"));
    }

    @Test
    void twoStsRecordsMeanNoPolicy() {
        assertThat(StsRecord.select(List.of("v=STSv1; id=a1;", "v=STSv1; id=b2;"))).isEmpty();
    }

    @Test
    void aRecordWithoutAValidIdMeansNoPolicy() {
        assertThat(StsRecord.select(List.of("v=STSv1;"))).isEmpty();
        assertThat(StsRecord.select(List.of("v=STSv1; id=has-dash;"))).isEmpty();
        assertThat(StsRecord.select(List.of("v=STSv1; id=" + "x".repeat(33) + ";"))).isEmpty();
        assertThat(StsRecord.select(List.of("v=STSv10; id=abc;"))).isEmpty();
    }

    @Test
    void extensionFieldsAreIgnored() {
        assertThat(StsRecord.select(List.of("v=STSv1; id=abc123; ext=1"))).contains(new StsRecord("abc123"));
    }

    @Test
    void theRecordIsLookedUpAtTheMtaStsNameInDns() throws Exception {
        try (TestDns dns = TestDns.builder().signedZone("example.org")
                .txt("_mta-sts.example.org", "v=STSv1; id=abc123;").start()) {
            assertThat(StsRecord.lookup(dns.validatingResolver(), "example.org")).contains(new StsRecord("abc123"));
            assertThat(StsRecord.lookup(dns.validatingResolver(), "nothing.example.org")).isEmpty();
        }
    }
}
