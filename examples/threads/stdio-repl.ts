// A line-based REPL on standard input/output through StandardIO.
//
//   node --import tsx examples/threads/stdio-repl.ts
//   > upper hello        -> HELLO
//   > add 2 3            -> 5
//
// Input is read with dataReceived and split into lines here (a few lines of framing; reed's
// LineReceiver does this properly and can replace `Lines` once it is merged). Output goes through
// the transport, which never blocks the reactor even when stdout is a slow pipe. On EOF the
// protocol (half-closeable) says goodbye and closes the connection.
import { Protocol } from "../../src/index.js";
import { StandardIO } from "../../src/node/stdio.js";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Splits incoming bytes into lines (LF or CRLF) and hands each to `lineReceived`. */
abstract class Lines extends Protocol {
  private buffer = "";
  override dataReceived(data: Uint8Array): void {
    this.buffer += decoder.decode(data, { stream: true });
    let nl: number;
    while ((nl = this.buffer.indexOf("\n")) >= 0) {
      const line = this.buffer.slice(0, nl).replace(/\r$/, "");
      this.buffer = this.buffer.slice(nl + 1);
      this.lineReceived(line);
    }
  }
  abstract lineReceived(line: string): void;
  sendLine(line: string): void {
    this.transport.write(encoder.encode(line + "\n"));
  }
}

class Repl extends Lines {
  override connectionMade(): void {
    this.prompt();
  }

  lineReceived(line: string): void {
    const [command, ...args] = line.trim().split(/\s+/);
    let answer: string;
    if (command === "upper") answer = args.join(" ").toUpperCase();
    else if (command === "add") answer = String(args.map(Number).reduce((a, b) => a + b, 0));
    else answer = `error: unknown command: ${command}`;
    this.sendLine(answer);
    this.prompt();
  }

  /** stdin reached EOF: the output side is still open. */
  readConnectionLost(): void {
    this.sendLine("bye");
    this.transport.loseConnection();
  }

  private prompt(): void {
    this.transport.write(encoder.encode("> "));
  }
}

new StandardIO(new Repl());
