import { test } from "node:test";
import assert from "node:assert/strict";
import * as node from "../../src/node/index.js";
import * as reed from "../../src/index.js";

test("the networking names are exported from reed/node", () => {
  for (const name of [
    "listenTCP",
    "connectTCP",
    "listenUNIX",
    "connectUNIX",
    "listenSSL",
    "connectSSL",
    "listenUDP",
    "Connection",
    "Port",
    "Connector",
    "UDPPort",
    "TCP4ServerEndpoint",
    "TCP6ServerEndpoint",
    "TCP4ClientEndpoint",
    "TCP6ClientEndpoint",
    "UNIXServerEndpoint",
    "UNIXClientEndpoint",
    "SSL4ServerEndpoint",
    "SSL4ClientEndpoint",
    "serverFromString",
    "clientFromString",
    "connectProtocol",
  ]) {
    assert.equal(typeof (node as Record<string, unknown>)[name], "function", name);
  }
});

test("DatagramProtocol and the networking errors are exported from reed", () => {
  for (const name of ["DatagramProtocol", "ConnectionAborted", "NotConnectingError", "ProducerAlreadyRegistered", "EndpointDescriptionError"]) {
    assert.equal(typeof (reed as Record<string, unknown>)[name], "function", name);
  }
  assert.equal(new reed.ConnectionAborted().code, "ERR_REED_CONNECTION_ABORTED");
  assert.ok(new reed.ConnectionAborted() instanceof reed.ConnectionLost);
});
