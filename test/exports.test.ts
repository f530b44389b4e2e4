/**
 * Pins the exact runtime export list of every entry point, so a public name never appears or
 * disappears by accident (types are checked by the compiler). Checked twice: on the sources, and
 * through the package's own `exports` map on the built package (`npm test` builds first), which
 * is how users import reed.
 */
import { test } from "node:test";
import assert from "node:assert/strict";

const expected: Record<string, string[]> = {
  "reed": [
    "AMP", "AlreadyCalled", "AlreadyCalledError", "AlreadyCancelled", "AmpArgumentError", "AmpError",
    "BadLocalReturn", "CancelledError", "CannotListenError", "Channel", "ChannelClosed", "ClientFactory",
    "CommandLocator", "ConnectError", "ConnectionAborted", "ConnectionDone", "ConnectionLost",
    "ConnectionRefusedError", "CooperativeTask", "Cooperator", "DCase", "DNSLookupError", "DatagramProtocol",
    "Deadlock", "Deferred", "DeferredList", "DeferredLock", "DeferredQueue", "DeferredSemaphore",
    "DelayedCall", "EndpointDescriptionError", "Factory", "Failure", "FailureGroup", "FirstError",
    "IPv4Address", "IPv6Address", "Int16StringReceiver", "Int32StringReceiver", "Int8StringReceiver",
    "IntNStringReceiver", "InvalidSignature", "LineOnlyReceiver", "LineReceiver", "LogPublisher",
    "LogShipper", "Logger", "LoopingCall", "LoopingCallStateError", "MalformedAmpBox", "NetstringParseError",
    "NetstringReceiver", "NoEmptyBoxes", "NotConnectingError", "NotInThreadJob", "NotPaused", "OnlyOneTLS", "PipeAddress",
    "ProcessDone", "ProcessExitedAlready", "ProcessProtocol", "ProcessStderrOutput", "ProcessTerminated",
    "ProducerAlreadyRegistered", "Protocol", "ProtocolSwitched", "QueueOverflow", "QueueUnderflow", "RCase",
    "ReactorAlreadyRunning", "ReactorNotRestartable", "ReactorNotRunning", "ReconnectingClientFactory",
    "ReedError", "RemoteAmpError", "SCase", "Scheduler", "SchedulerError", "SchedulerStopped",
    "ServerFactory", "ShipLogEvent", "ShipLogsDropped", "StringTooLongError", "TLSAlreadyStarted", "Task", "TaskDone",
    "TaskFailed", "TaskFinished", "TaskStopped", "ThreadCloneError", "ThreadPoolStopped", "TimeoutError",
    "TooLong", "UNIXAddress", "UnhandledCommand", "UnknownRemoteError", "UserError", "WorkerThreadExited",
    "after", "amp", "chan", "coiterate", "command", "cooperate", "countUnhandledFailures", "currentTask",
    "dcase", "defaultLogObserver", "defaultTerminationPredicateFactory", "deferLater", "ensureDeferred",
    "fail", "flushUnhandledFailures", "formatEvent", "formatEventAsText", "gatherResults", "getDebugging",
    "getScheduler", "globalLogPublisher", "go", "inlineCallbacks", "isDeferred", "logPanic", "maybeDeferred",
    "race", "rcase", "react", "scase", "select", "setDebugging", "setScheduler", "sleep", "succeed",
    "textObserver", "timeout",
  ],
  "reed/testing": [
    "Clock", "DirtyReactorAggregateError", "FakeConnector", "FakePort", "FakeUDPPort", "LogCapture", "MemoryConnector",
    "MemoryListeningPort", "MemoryNetwork", "MemoryReactor", "MemoryReactorClock", "MemoryTransport",
    "StringTransport", "StringTransportWithDisconnection", "UnflushedLoggedErrors", "assertNoLoggedErrors",
    "assertReactorClean", "captureLogs", "connectionPair", "flushLoggedErrors", "reactorLeftovers",
    "seededRandom",
  ],
  "reed/node": [
    "Connection", "Connector", "NodeReactor", "NodeWebSocketTransport", "Port", "SSL4ClientEndpoint",
    "SSL4ServerEndpoint", "StandardIO", "TCP4ClientEndpoint", "TCP4ServerEndpoint", "TCP6ClientEndpoint",
    "TCP6ServerEndpoint", "ThreadPool", "UDPPort", "UNIXClientEndpoint", "UNIXServerEndpoint",
    "WebSocketPort", "blockingCallFromThread", "callFromThread", "callInThread", "clientFromString",
    "connectProtocol", "connectSSL", "connectTCP", "connectUNIX", "createReactor", "deferToThread",
    "deferToThreadPool", "getProcessOutput", "getProcessOutputAndValue", "getProcessValue", "getThreadPool",
    "isInThreadJob", "listenSSL", "listenTCP", "listenUDP", "listenUNIX", "listenWS", "move", "nodeIsBusy",
    "parseDescription", "react", "reactor", "secureContextOptions", "serverFromString", "shipLogs",
    "spawnProcess", "suggestThreadPoolSize",
  ],
  "reed/poetry": [
    "CLASSIC_POEMS", "PoetryClientFactory", "PoetryProtocol", "PoetryProxyFactory", "PoetryProxyProtocol",
    "ProxyService", "SlowPoetryFactory", "SlowPoetryProtocol", "TransformClientFactory",
    "TransformClientProtocol", "TransformFactory", "TransformFailed", "TransformProtocol", "TransformProxy",
    "TransformService", "addressText", "defaultReactor", "downloadAll", "findPoem", "formatTimedelta",
    "getPoetry", "newTasks", "poemPath", "poemsDir", "readPoem", "renderTimeline",
  ],
  "reed/browser": [
    "BUFFER_POLL_INTERVAL", "BrowserReactor", "WRITE_HIGH_WATER_MARK", "WebSocketTransport", "addressOfURL",
    "closeReason", "connectWS", "nextFrame", "pageHost",
  ],
};

const sources: Record<string, () => Promise<Record<string, unknown>>> = {
  reed: () => import("../src/index.js"),
  "reed/testing": () => import("../src/testing/index.js"),
  "reed/node": () => import("../src/node/index.js"),
  "reed/poetry": () => import("../src/apps/poetry/index.js"),
  "reed/browser": () => import("../src/browser/index.js"),
};

for (const [entry, load] of Object.entries(sources)) {
  test(`${entry} exports exactly its public names (sources)`, async () => {
    assert.deepEqual(Object.keys(await load()).sort(), expected[entry]);
  });

  test(`${entry} exports exactly its public names (built package, through package.json exports)`, async () => {
    const mod = (await import(entry)) as Record<string, unknown>;
    assert.deepEqual(Object.keys(mod).sort(), expected[entry]);
  });
}

test("the names outside checks rely on are there (Twisted's and goless's public names)", async () => {
  const reed = await import("../src/index.js");
  const testing = await import("../src/testing/index.js");
  const node = await import("../src/node/index.js");
  const core = [
    "Deferred", "Failure", "succeed", "fail", "maybeDeferred", "DeferredList", "gatherResults", "inlineCallbacks",
    "ensureDeferred", "CancelledError", "AlreadyCalledError", "FirstError", "LoopingCall", "deferLater",
    "Protocol", "Factory", "ClientFactory", "ServerFactory", "LineReceiver", "NetstringReceiver",
    "Int32StringReceiver", "chan", "select", "rcase", "scase", "dcase", "go", "ChannelClosed", "Deadlock",
    "timeout", "TimeoutError",
  ];
  for (const name of core) assert.ok(name in reed, `reed.${name}`);
  for (const name of ["Clock", "StringTransport", "MemoryReactor"]) assert.ok(name in testing, `reed/testing.${name}`);
  assert.equal(typeof node.reactor.listenTCP, "function");
  assert.equal(typeof node.reactor.connectTCP, "function");
  assert.equal(typeof (reed.LoopingCall as { withCount?: unknown }).withCount, "function");
});

test("the core entry imports nothing from node: (it must run in a browser)", async () => {
  const { readFileSync, readdirSync, statSync } = await import("node:fs");
  const { join } = await import("node:path");
  const coreDirs = ["src", "src/task", "src/protocols", "src/protocols/basic", "src/protocols/amp", "src/channels", "src/_internal"];
  const offenders: string[] = [];
  for (const dir of coreDirs) {
    for (const f of readdirSync(dir)) {
      const p = join(dir, f);
      if (!f.endsWith(".ts") || statSync(p).isDirectory()) continue;
      if (/from\s+["']node:|require\(["']node:/.test(readFileSync(p, "utf8"))) offenders.push(p);
    }
  }
  assert.deepEqual(offenders, []);
});
