"""starttls_inject.py PORT: THREATS T11 / CVE-2011-0411 style probe. Sends
"STARTTLS" and a second command in the same packet, completes the TLS
handshake, then waits: a server that buffered the injected command answers
it inside TLS before the client has said anything. Prints what it saw;
exit 0 when nothing was answered, 1 when the injected command was, 2 when
the dialogue went wrong before that."""
import socket
import ssl
import sys

port = int(sys.argv[1])
sock = socket.create_connection(("127.0.0.1", port), timeout=15)
f = sock.makefile("rb")


def reply():
    lines = []
    while True:
        line = f.readline().decode("utf-8", "replace").rstrip("\r\n")
        lines.append(line)
        print("S: " + line)
        if len(line) < 4 or line[3] != "-":
            return lines


reply()
sock.sendall(b"EHLO client.interop.test\r\n")
reply()
print("C: STARTTLS\\r\\nNOOP injected\\r\\n (one packet)")
sock.sendall(b"STARTTLS\r\nNOOP injected\r\n")
r = reply()
if not r[-1].startswith("220"):
    print("no 220 to STARTTLS")
    sys.exit(2)
ctx = ssl.create_default_context()
ctx.check_hostname = False
ctx.verify_mode = ssl.CERT_NONE
tls = ctx.wrap_socket(sock, server_hostname="mx.interop.test")
print("TLS " + tls.version())
tls.settimeout(3)
try:
    data = tls.recv(4096)
except (socket.timeout, TimeoutError):
    data = None
except ssl.SSLError as e:
    print(f"TLS error after handshake: {e}")
    data = b""
if data:
    print("S (unasked, inside TLS): " + data.decode("utf-8", "replace").strip())
    sys.exit(1)
print("nothing was answered inside TLS before the client spoke" if data is None
      else "server closed the connection")
# The session is still usable: a fresh EHLO inside TLS works.
if data is None:
    tls.settimeout(15)
    tls.sendall(b"EHLO client.interop.test\r\n")
    print("S: " + tls.recv(4096).decode("utf-8", "replace").splitlines()[0])
sys.exit(0)
