package org.depesche.docs;

import org.junit.jupiter.api.Test;

/** docs/flow.md walks a message through the code: every class, member and file it cites must exist. */
class FlowDocTest {

    @Test
    void everyClassMethodAndFileThatFlowMdCitesExists() throws Exception {
        CitedNames.assertEveryCitationExists("docs/flow.md", 50);
    }
}
