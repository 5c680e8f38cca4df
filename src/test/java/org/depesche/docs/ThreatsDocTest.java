package org.depesche.docs;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

/**
 * docs/threats.md is what the code's "THREATS Tn" comments refer to: every
 * class, test and scenario it cites must exist, and every threat id the
 * sources use must have its section there.
 */
class ThreatsDocTest {

    private static final Pattern ID_IN_CODE = Pattern.compile("THREATS\\s+(T\\d+b?)");
    private static final Pattern HEADING = Pattern.compile("(?m)^## (T\\d+b?)\\b");

    @Test
    void everyClassTestAndScenarioThatThreatsMdCitesExists() throws Exception {
        CitedNames.assertEveryCitationExists("docs/threats.md", 100);
    }

    @Test
    void everyThreatIdTheSourcesCiteHasASectionInThreatsMd() throws Exception {
        Set<String> sections = new TreeSet<>();
        Matcher h = HEADING.matcher(Files.readString(Path.of("docs/threats.md")));
        while (h.find()) sections.add(h.group(1));
        Set<String> cited = new TreeSet<>();
        for (String sources : new String[]{"src/main/java", "src/test/java"}) {
            try (var files = Files.walk(Path.of(sources))) {
                for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                    Matcher m = ID_IN_CODE.matcher(Files.readString(f));
                    while (m.find()) cited.add(m.group(1));
                }
            }
        }
        assertThat(cited).as("threat ids cited as \"THREATS Tn\" in the sources").isNotEmpty();
        assertThat(sections).as("sections \"## Tn ...\" of docs/threats.md").containsAll(cited)
                .containsExactlyInAnyOrder("T1", "T2", "T2b", "T3", "T4", "T5", "T6", "T7", "T8", "T9", "T10", "T11",
                        "T12", "T13", "T14");
    }
}
