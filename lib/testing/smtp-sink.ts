/**
 * A minimal SMTP receiver on 127.0.0.1 for tests and benches: it speaks enough of RFC 5321 for a
 * client to hand it a message (EHLO/HELO, MAIL, RCPT, DATA, RSET, NOOP, QUIT; no TLS, no AUTH)
 * and keeps each message's envelope and raw text. A message over `maxBytes` is refused (552).
 */
import net from "node:net";

export interface SunkMail {
  from: string;
  to: string[];
  raw: string;
}

export interface SmtpSink {
  port: number;
  mails: SunkMail[];
  close(): Promise<void>;
}

export async function startSmtpSink(opts: { maxBytes?: number } = {}): Promise<SmtpSink> {
  const maxBytes = opts.maxBytes ?? 1024 * 1024;
  const mails: SunkMail[] = [];
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => undefined);
    let buffer = "";
    let from = "";
    let to: string[] = [];
    let data: string[] | null = null;
    let dataBytes = 0;
    const say = (line: string) => socket.write(`${line}\r\n`);
    say("220 levhub-test-sink ESMTP");
    socket.setEncoding("utf8");
    socket.on("data", (chunk: string) => {
      buffer += chunk;
      let at: number;
      while ((at = buffer.indexOf("\r\n")) >= 0) {
        const line = buffer.slice(0, at);
        buffer = buffer.slice(at + 2);
        if (data) {
          if (line === ".") {
            if (dataBytes > maxBytes) say("552 message too large");
            else {
              mails.push({ from, to, raw: data.join("\r\n") });
              say("250 queued");
            }
            data = null;
            from = "";
            to = [];
          } else {
            dataBytes += line.length + 2;
            if (dataBytes <= maxBytes) data.push(line.startsWith("..") ? line.slice(1) : line);
          }
          continue;
        }
        const verb = line.slice(0, 4).toUpperCase();
        if (verb === "EHLO") {
          socket.write("250-levhub-test-sink\r\n250-8BITMIME\r\n250 SMTPUTF8\r\n");
        } else if (verb === "HELO") say("250 levhub-test-sink");
        else if (verb === "MAIL") {
          from = /<([^>]*)>/.exec(line)?.[1] ?? "";
          say("250 ok");
        } else if (verb === "RCPT") {
          to.push(/<([^>]*)>/.exec(line)?.[1] ?? "");
          say("250 ok");
        } else if (verb === "DATA") {
          data = [];
          dataBytes = 0;
          say("354 end with <CRLF>.<CRLF>");
        } else if (verb === "RSET") {
          from = "";
          to = [];
          say("250 ok");
        } else if (verb === "NOOP") say("250 ok");
        else if (verb === "QUIT") {
          say("221 bye");
          socket.end();
        } else say("502 not implemented");
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    mails,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
