package org.depesche.tls;

import java.io.IOException;

/** A certificate or key file that cannot be used; the message is one line naming the file. */
public final class TlsConfigException extends IOException {
    public TlsConfigException(String message) {
        super(message);
    }

    public TlsConfigException(String message, Throwable cause) {
        super(message, cause);
    }
}
