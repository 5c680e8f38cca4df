"""rawsmtp.py [--tls-port] HOST PORT STEP...: a deliberately dumb SMTP client
for what swaks will not send (bare LF, pipelined junk). Reads the greeting,
then for each STEP sends it and prints every reply line as "S: ...".

A STEP is a command line (CRLF is appended), or "raw:TEXT" where TEXT is
sent as is after Python escape decoding (\\r, \\n, \\x00 ...), or
"drain" which waits 3 s and prints whatever the server still says,
or "starttls" which sends STARTTLS and, after a 220, continues inside TLS
(the certificate is not checked: this client tests the server's SMTP, not
its certificate) and prints "T: <TLS version>".
After a step the client reads one complete reply (multi-line aware); after
a raw step it reads every reply that arrives within 3 s. Stops when the
server closes the connection and prints "S: <closed>"."""
import socket
import ssl
import sys

host, port, steps = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
sock = socket.create_connection((host, port), timeout=15)
buf = b""
closed = False


def read_line(timeout):
    global buf, closed
    sock.settimeout(timeout)
    while b"\n" not in buf:
        try:
            chunk = sock.recv(4096)
        except socket.timeout:
            return None
        if not chunk:
            closed = True
            return None
        buf += chunk
    line, buf = buf.split(b"\n", 1)
    return line.rstrip(b"\r").decode("utf-8", "replace")


def read_reply(timeout):
    """One reply (all its lines); False when none came."""
    got = False
    while True:
        line = read_line(timeout)
        if line is None:
            return got
        got = True
        print("S: " + line, flush=True)
        if len(line) < 4 or line[3] != "-":
            return True


def read_replies(timeout):
    while read_reply(timeout):
        pass


read_reply(15)
for step in steps:
    if closed:
        break
    try:
        if step == "drain":
            read_replies(3)
            continue
        if step == "starttls":
            print("C: STARTTLS", flush=True)
            sock.sendall(b"STARTTLS\r\n")
            line = read_line(15)
            print("S: " + str(line), flush=True)
            if line is None or not line.startswith("220"):
                continue
            context = ssl.create_default_context()
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE
            buf = b""  # RFC 3207 4.2: nothing from before the handshake counts
            sock = context.wrap_socket(sock, server_hostname=host)
            print("T: " + sock.version(), flush=True)
            continue
        if step.startswith("raw:"):
            data = step[4:].encode("latin-1").decode("unicode_escape").encode("latin-1")
            print("C: raw " + repr(data)[2:-1][:200], flush=True)
            sock.sendall(data)
            read_replies(3)
        else:
            print("C: " + step, flush=True)
            sock.sendall(step.encode("utf-8") + b"\r\n")
            read_reply(15)
    except OSError as e:
        print(f"S: <error {e}>", flush=True)
        closed = True
if closed:
    print("S: <closed>", flush=True)
sock.close()
