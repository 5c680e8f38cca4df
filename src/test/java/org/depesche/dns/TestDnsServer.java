package org.depesche.dns;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import org.xbill.DNS.Message;
import org.xbill.DNS.OPTRecord;

/**
 * DNS over UDP and TCP on one loopback port (RFC 1035 4.2, RFC 7766), one
 * virtual thread per request. A null answer means: stay silent (a timeout
 * for the client over UDP; over TCP the connection is closed). With
 * {@link #refuseTcp} every TCP connection is reset as soon as it is accepted.
 */
final class TestDnsServer implements AutoCloseable {
    private static final int MAX_UDP = 1232;
    private final DatagramSocket udp;
    private final ServerSocket tcp;
    private final Answerer answerer;
    private volatile boolean closed;
    private volatile boolean tcpRefused;

    /** Answers one query; {@code overTcp} says which transport it came on. */
    @FunctionalInterface
    interface Answerer {
        Message answer(Message query, boolean overTcp);
    }

    TestDnsServer(Answerer answerer) throws IOException {
        this.answerer = (query, overTcp) -> {
            try {
                return answerer.answer(query, overTcp);
            } catch (RuntimeException e) {
                // a bug in the fixture must show, not look like a silent server
                System.err.println("TestDns: cannot answer " + query.getQuestion() + ": " + e);
                e.printStackTrace();
                Message failure = new Message(query.getHeader().getID());
                failure.getHeader().setFlag(org.xbill.DNS.Flags.QR);
                failure.getHeader().setRcode(org.xbill.DNS.Rcode.SERVFAIL);
                return failure;
            }
        };
        InetAddress loopback = InetAddress.getLoopbackAddress();
        DatagramSocket u = null;
        ServerSocket t = null;
        for (int attempt = 0; t == null; attempt++) {
            u = new DatagramSocket(new InetSocketAddress(loopback, 0));
            try {
                t = new ServerSocket(u.getLocalPort(), 50, loopback);
            } catch (IOException busy) {
                u.close();
                if (attempt > 20) throw busy;
            }
        }
        this.udp = u;
        this.tcp = t;
        Thread.ofPlatform().daemon().name("test-dns-udp").start(this::serveUdp);
        Thread.ofPlatform().daemon().name("test-dns-tcp").start(this::serveTcp);
    }

    InetSocketAddress address() {
        return new InetSocketAddress(tcp.getInetAddress(), tcp.getLocalPort());
    }

    private void serveUdp() {
        while (!closed) {
            DatagramPacket packet = new DatagramPacket(new byte[4096], 4096);
            try {
                udp.receive(packet);
            } catch (IOException e) {
                return;
            }
            Thread.ofVirtual().start(() -> answerUdp(packet));
        }
    }

    private void answerUdp(DatagramPacket packet) {
        try {
            Message query = new Message(java.util.Arrays.copyOf(packet.getData(), packet.getLength()));
            Message answer = answerer.answer(query, false);
            if (answer == null) return;
            OPTRecord opt = query.getOPT();
            int max = opt == null ? 512 : Math.max(512, Math.min(MAX_UDP, opt.getPayloadSize()));
            byte[] wire = answer.toWire(max); // sets TC when it does not fit (RFC 2181 9)
            udp.send(new DatagramPacket(wire, wire.length, packet.getSocketAddress()));
        } catch (IOException e) {
            // a malformed query or a closed socket: nothing to answer
        }
    }

    private void serveTcp() {
        while (!closed) {
            try {
                Socket s = tcp.accept();
                if (tcpRefused) {
                    s.setSoLinger(true, 0); // close with RST: as near to a refused connection as an open port gets
                    s.close();
                    continue;
                }
                Thread.ofVirtual().start(() -> answerTcp(s));
            } catch (IOException e) {
                return;
            }
        }
    }

    private void answerTcp(Socket socket) {
        try (socket) {
            socket.setSoTimeout(10_000);
            DataInputStream in = new DataInputStream(socket.getInputStream());
            DataOutputStream out = new DataOutputStream(socket.getOutputStream());
            while (true) {
                byte[] query = new byte[in.readUnsignedShort()];
                in.readFully(query);
                Message answer = answerer.answer(new Message(query), true);
                if (answer == null) return;
                byte[] wire = answer.toWire(65535);
                out.writeShort(wire.length);
                out.write(wire);
                out.flush();
            }
        } catch (SocketException | java.io.EOFException e) {
            // client closed
        } catch (IOException e) {
            // malformed or timed out: drop the connection
        }
    }

    /** Resets every TCP connection from now on (true) or serves TCP again (false). */
    void refuseTcp(boolean refused) {
        tcpRefused = refused;
    }

    @Override
    public void close() {
        closed = true;
        udp.close();
        try {
            tcp.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }
}
