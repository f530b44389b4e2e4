// Test support: the commands test/fixtures/amp_peer.py declares, and helpers to connect AMP over
// real TCP (127.0.0.1) with reed's node transports.
import {
  AmpList, Boolean, command, DateTime, Decimal, Float, Integer, ListOf, Path, ProtocolSwitchCommand, String, Unicode, AMP,
} from "../../../src/protocols/amp/index.js";
import { Deferred } from "../../../src/deferred.js";
import type { Failure } from "../../../src/failure.js";
import { ClientFactory } from "../../../src/protocols/factory.js";
import type { IConnector, ReactorTime } from "../../../src/interfaces.js";
import { connectTCP } from "../../../src/node/tcp.js";

export class ZeroDivision extends Error {}

const allTypes = {
  i: Integer(), s: String(), u: Unicode(), b: Boolean(), fl: Float(), d: Decimal(), t: DateTime(), l: ListOf(Integer()),
  lu: ListOf(Unicode()), lf: ListOf(Float()), ld: ListOf(Decimal()), al: AmpList({ a: Integer(), b: Unicode() }),
  o: Integer({ optional: true }), p: Path(),
};
export const AllTypes = command({ commandName: "AllTypes", arguments: allTypes, response: { ...allTypes, seen: Unicode() } });
export const Divide = command({
  commandName: "Divide",
  arguments: { numerator: Integer(), denominator: Integer() },
  response: { result: Float() },
  errors: { ZERO_DIVISION: ZeroDivision },
});
export const Boom = command({ commandName: "Boom" });
export const Missing = command({ commandName: "Missing" });
/** The fixture's `Refused`, declared by SwitchToEcho as `REFUSED`. */
export class Refused extends Error {}
/** Switches to line protocols; the responder's greets with "hello <name>" and echoes "echo: <line>". */
export const SwitchToEcho = ProtocolSwitchCommand({ commandName: "SwitchToEcho", arguments: { name: Unicode() }, errors: { REFUSED: Refused } });
export const Sum = command({ commandName: "Sum", arguments: { a: Integer(), b: Integer() }, response: { total: Integer() } });

/** Connects an AMP client to 127.0.0.1:`port`; fires with the connected protocol. */
export function connectAMP(reactor: ReactorTime, port: number, proto: AMP = new AMP()): Deferred<AMP> {
  const ready = new Deferred<AMP>();
  class OneShot extends ClientFactory<AMP> {
    override buildProtocol(): AMP {
      const made = proto.makeConnection.bind(proto);
      proto.makeConnection = (t) => {
        made(t);
        ready.callback(proto);
      };
      return proto;
    }
    override clientConnectionFailed(_c: IConnector, reason: Failure): void {
      ready.errback(reason);
    }
  }
  connectTCP(reactor, "127.0.0.1", port, new OneShot());
  return ready;
}
