/**
 * The lesson of "Unyielding" (seed 001), run for real.
 *
 * `transfer(amount, payer, payee, server)` checks the payer's funds, pays the payee, charges the
 * payer and saves both balances, logging as it goes. The operations team wants the log lines on a
 * networked collector, so `log` now talks to the network:
 *
 * - `transferYielding`: `log` waits for the collector to acknowledge each line (`yield log(...)`).
 *   Every `yield` is a point where another transfer can run, so two concurrent transfers can both
 *   pass the funds check before either charges the payer, and the account is overdrawn.
 * - `transferNonBlocking`: `log` hands the line to a `LogShipper` (queued, dropped with a count
 *   if too many back up) and returns at once. Check, deposit and withdrawal happen with no yield
 *   between them, so the second transfer sees the first one's withdrawal and is refused.
 *
 * Both run on the same simulated network: AMP connections whose bytes take `LATENCY` seconds to
 * arrive, on a `Clock`, so the schedule is the same every run.
 *
 * Run: node --import tsx examples/amp/unyielding.ts
 */
import {
  AMP, ConnectionDone, Deferred, Failure, inlineCallbacks, IPv4Address, Logger, LogPublisher, LogShipper, ShipLogEvent,
  type Coroutine, type ITransport, type ReactorTime,
} from "../../src/index.js";
import { Clock } from "../../src/testing/index.js";

/** One-way network delay of the simulated wire, in seconds. */
export const LATENCY = 0.01;

/** A transfer was refused: the payer cannot cover it. */
export class InsufficientFunds extends Error {
  constructor(payer: Account, amount: number) {
    super(`Insufficient funds: ${payer.name} has ${payer.balance}, needs ${amount}`);
    this.name = "InsufficientFunds";
  }
}

/** A bank account. */
export class Account {
  constructor(
    readonly name: string,
    public balance: number,
  ) {}
  /** Whether the account covers `amount` now. */
  sufficientFundsForWithdrawal(amount: number): boolean {
    return this.balance >= amount;
  }
  /** Adds `amount`. */
  deposit(amount: number): void {
    this.balance += amount;
  }
  /** Takes `amount` (no check: that is the caller's job). */
  withdraw(amount: number): void {
    this.balance -= amount;
  }
}

/** Saves balances; takes a round trip on the clock. */
export class BalanceServer {
  readonly saved: string[] = [];
  constructor(private readonly clock: ReactorTime) {}
  /** Fires once the balances are saved. */
  updateBalances(accounts: Account[]): Deferred<void> {
    const d = new Deferred<void>();
    this.clock.callLater(2 * LATENCY, () => {
      this.saved.push(accounts.map((a) => `${a.name}=${a.balance}`).join(" "));
      d.callback(undefined);
    });
    return d;
  }
}

/** A transport whose writes reach the peer `LATENCY` seconds later on `clock`. */
class SlowWire implements ITransport {
  peer: AMP | null = null;
  constructor(private readonly clock: ReactorTime) {}
  write(data: Uint8Array): void {
    const copy = data.slice();
    this.clock.callLater(LATENCY, () => this.peer?.dataReceived(copy));
  }
  writeSequence(data: Iterable<Uint8Array>): void {
    for (const d of data) this.write(d);
  }
  loseConnection(): void {
    const peer = this.peer;
    this.peer = null;
    peer?.connectionLost(new Failure(new ConnectionDone()));
  }
  getPeer(): IPv4Address {
    return new IPv4Address("TCP", "10.0.0.2", 7010);
  }
  getHost(): IPv4Address {
    return new IPv4Address("TCP", "10.0.0.1", 40000);
  }
}

/** A log collector on the far side of a slow wire; `lines` is what it received. */
export function slowCollector(clock: ReactorTime): { client: AMP; lines: string[] } {
  const lines: string[] = [];
  const server = new AMP().responder(ShipLogEvent, ({ text, repeats }) => {
    lines.push(repeats ? `${text} (x${repeats + 1})` : text);
    return {};
  });
  const client = new AMP();
  const toServer = new SlowWire(clock);
  const toClient = new SlowWire(clock);
  toServer.peer = server;
  toClient.peer = client;
  server.makeConnection(toClient);
  client.makeConnection(toServer);
  return { client, lines };
}

/** A `log` that waits for the collector's acknowledgement (the network call in the seed). */
export type WaitingLog = (format: string, fields: Record<string, unknown>) => Deferred<unknown>;

/** A log function that ships each line with `callRemote` and returns the Deferred of the answer. */
export function waitingLog(collector: AMP): WaitingLog {
  let seq = 0;
  return (format, fields) =>
    collector.callRemote(ShipLogEvent, {
      sender: "bank", seq: seq++, time: 0, namespace: "bank", level: "info",
      text: format.replace(/\{(\w+)\}/g, (_, k: string) => String(fields[k])), repeats: 0,
    });
}

/** The seed's transfer with `yield from log(...)`: every log call is a yield point. */
export const transferYielding = inlineCallbacks(function* (
  amount: number, payer: Account, payee: Account, server: BalanceServer, log: WaitingLog,
): Coroutine<void> {
  if (!payer.sufficientFundsForWithdrawal(amount)) throw new InsufficientFunds(payer, amount);
  yield log("{payer} has sufficient funds.", { payer: payer.name });
  payee.deposit(amount);
  yield log("{payee} received payment", { payee: payee.name });
  payer.withdraw(amount);
  yield log("{payer} made payment", { payer: payer.name });
  yield server.updateBalances([payer, payee]);
});

/** The same transfer with a `log` that never waits: the only yield is saving the balances. */
export const transferNonBlocking = inlineCallbacks(function* (
  amount: number, payer: Account, payee: Account, server: BalanceServer, log: Logger,
): Coroutine<void> {
  if (!payer.sufficientFundsForWithdrawal(amount)) throw new InsufficientFunds(payer, amount);
  log.info("{payer} has sufficient funds.", { payer: payer.name });
  payee.deposit(amount);
  log.info("{payee} received payment", { payee: payee.name });
  payer.withdraw(amount);
  log.info("{payer} made payment", { payer: payer.name });
  yield server.updateBalances([payer, payee]);
});

/** What a scenario run ended with. */
export interface Outcome {
  balances: Record<string, number>;
  results: string[];
  collected: string[];
}

/**
 * Alice (100) pays Bob 70 and Carol 70 at the same moment, on `clock`; returns the balances,
 * each transfer's result, and the log lines the collector received.
 */
export function runScenario(kind: "yielding" | "non-blocking", clock = new Clock()): Outcome {
  const alice = new Account("alice", 100);
  const bob = new Account("bob", 0);
  const carol = new Account("carol", 0);
  const server = new BalanceServer(clock);
  const { client, lines } = slowCollector(clock);
  const results: string[] = [];
  const record = (who: string) => [
    () => void results.push(`${who}: ok`),
    (f: Failure) => void results.push(`${who}: ${f.typeName}`),
  ] as const;
  if (kind === "yielding") {
    const log = waitingLog(client);
    transferYielding(70, alice, bob, server, log).addCallbacks(...record("alice->bob"));
    transferYielding(70, alice, carol, server, log).addCallbacks(...record("alice->carol"));
  } else {
    const shipper = new LogShipper({ sender: "bank" });
    shipper.attach(client);
    const publisher = new LogPublisher();
    publisher.addObserver(shipper.observer);
    const log = new Logger("bank", publisher);
    transferNonBlocking(70, alice, bob, server, log).addCallbacks(...record("alice->bob"));
    transferNonBlocking(70, alice, carol, server, log).addCallbacks(...record("alice->carol"));
  }
  for (let i = 0; i < 100; i++) clock.advance(LATENCY);
  return { balances: { alice: alice.balance, bob: bob.balance, carol: carol.balance }, results, collected: lines };
}

function show(kind: "yielding" | "non-blocking"): void {
  const o = runScenario(kind);
  console.log(`${kind === "yielding" ? "log() waits for the collector" : "log() never waits"} (${kind}):`);
  for (const r of o.results) console.log(`  ${r}`);
  console.log(`  balances: alice=${o.balances.alice} bob=${o.balances.bob} carol=${o.balances.carol}`);
  console.log(`  collector got ${o.collected.length} lines`);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  show("yielding");
  show("non-blocking");
}
