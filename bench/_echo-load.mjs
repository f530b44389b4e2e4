// Load generator for bench/echo.ts (plain JS so it starts fast): N concurrent clients on
// 127.0.0.1 each doing request/response round trips (a SIZE-byte message, wait for all of it to
// come back, send again) for SECONDS after a short warm-up. Prints one JSON line.
// Usage: node bench/_echo-load.mjs PORT CLIENTS SECONDS [SIZE]
import net from "node:net";

const [port, clients, seconds, size = 64] = process.argv.slice(2).map(Number);
const msg = Buffer.alloc(size, 97);
let counting = false;
let roundTrips = 0;
let allRoundTrips = 0; // including the warm-up, to divide the server's CPU time by
const sockets = [];

function client() {
  return new Promise((resolve, reject) => {
    const s = net.connect({ port, host: "127.0.0.1", noDelay: true });
    let got = 0;
    s.on("error", reject);
    s.on("connect", () => {
      sockets.push(s);
      resolve();
      s.write(msg);
    });
    s.on("data", (d) => {
      got += d.length;
      while (got >= size) {
        got -= size;
        allRoundTrips++;
        if (counting) roundTrips++;
        s.write(msg);
      }
    });
  });
}

await Promise.all(Array.from({ length: clients }, client));
await new Promise((r) => setTimeout(r, 500)); // warm-up
counting = true;
const t0 = performance.now();
await new Promise((r) => setTimeout(r, seconds * 1000));
counting = false;
const elapsed = (performance.now() - t0) / 1000;
for (const s of sockets) s.destroy();
console.log(JSON.stringify({ roundTrips, seconds: elapsed, allRoundTrips }));
