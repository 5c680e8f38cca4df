package org.depesche.dns;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HexFormat;
import java.util.List;

import org.depesche.dane.TlsaRecord;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Name;
import org.xbill.DNS.TLSARecord;
import org.xbill.DNS.Type;

/** TLSA answers leave the dns package as Depesche's own records, printed as DNS tools print them. */
class DnsResultTlsaTest {

    @Test
    void tlsaRecordsAreConvertedFieldByFieldAndPrintedAsTheResolverLibraryPrintsThem() throws Exception {
        byte[] data = HexFormat.of().parseHex("0123456789abcdef".repeat(4));
        TLSARecord dnsjava = new TLSARecord(Name.fromString("_25._tcp.mx.example.org."), DClass.IN, 300, 3, 1, 1, data);
        DnsResult answer = new DnsResult("_25._tcp.mx.example.org", Type.TLSA, DnsResult.Outcome.FOUND, List.of(dnsjava),
                List.of(), DnssecStatus.SECURE, "");

        assertThat(answer.tlsaRecords()).containsExactly(new TlsaRecord(3, 1, 1, data));
        assertThat(answer.tlsaRecords().getFirst().presentation()).isEqualTo(dnsjava.rdataToString());
    }
}
