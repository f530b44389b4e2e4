import { test } from "node:test";
import assert from "node:assert/strict";
import * as reed from "../../src/index.js";
import * as testing from "../../src/testing/index.js";

test("the framers, ReconnectingClientFactory and framing errors are exported from reed", () => {
  for (const name of [
    "LineReceiver",
    "LineOnlyReceiver",
    "NetstringReceiver",
    "IntNStringReceiver",
    "Int8StringReceiver",
    "Int16StringReceiver",
    "Int32StringReceiver",
    "ReconnectingClientFactory",
    "NetstringParseError",
    "StringTooLongError",
  ]) {
    assert.equal(typeof (reed as Record<string, unknown>)[name], "function", name);
  }
});

test("the network fakes are exported from reed/testing", () => {
  for (const name of [
    "StringTransport",
    "StringTransportWithDisconnection",
    "MemoryNetwork",
    "MemoryListeningPort",
    "MemoryConnector",
    "MemoryTransport",
    "connectionPair",
    "seededRandom",
  ]) {
    assert.equal(typeof (testing as Record<string, unknown>)[name], "function", name);
  }
});
