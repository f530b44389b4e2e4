// A line-based REPL on standard input/output through StandardIO.
//
//   node --import tsx examples/threads/stdio-repl.ts
//   > upper hello        -> HELLO
//   > add 2 3            -> 5
//
// Input is split into lines by LineReceiver (LF-delimited here, a trailing CR dropped, so both
// `echo` and a terminal work). Output goes through the transport, which never blocks the reactor
// even when stdout is a slow pipe. On EOF the protocol (half-closeable: it has
// `readConnectionLost`) says goodbye and closes the connection.
import { LineReceiver } from "../../src/protocols/basic/line.js";
import { StandardIO } from "../../src/node/stdio.js";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

class Repl extends LineReceiver {
  override delimiter = encoder.encode("\n");

  override connectionMade(): void {
    this.prompt();
  }

  override lineReceived(bytes: Uint8Array): void {
    const line = decoder.decode(bytes).replace(/\r$/, "");
    const [command, ...args] = line.trim().split(/\s+/);
    let answer: string;
    if (command === "upper") answer = args.join(" ").toUpperCase();
    else if (command === "add") answer = String(args.map(Number).reduce((a, b) => a + b, 0));
    else answer = `error: unknown command: ${command}`;
    this.sendLine(encoder.encode(answer));
    this.prompt();
  }

  /** stdin reached EOF: the output side is still open. */
  readConnectionLost(): void {
    this.sendLine(encoder.encode("bye"));
    this.transport.loseConnection();
  }

  private prompt(): void {
    this.transport.write(encoder.encode("> "));
  }
}

new StandardIO(new Repl());
