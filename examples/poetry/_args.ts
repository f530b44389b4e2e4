/** Shared by the poetry examples: `[HOST:]PORT` arguments (the tutorial's address syntax). */
export function parseAddresses(args: string[], usage: string): { host: string; port: number }[] {
  if (args.length === 0) {
    console.error(`usage: ${usage}`);
    process.exit(2);
  }
  return args.map((a) => {
    const [host, port] = a.includes(":") ? [a.slice(0, a.lastIndexOf(":")), a.slice(a.lastIndexOf(":") + 1)] : ["127.0.0.1", a];
    if (!/^\d+$/.test(port!)) {
      console.error(`Ports must be integers: ${a}`);
      process.exit(2);
    }
    return { host: host!, port: Number(port) };
  });
}
