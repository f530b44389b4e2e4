#!/usr/bin/env node
/**
 * The `reed` command (the package's `bin`): `reed <command> [options]`. See `reed --help` and
 * `commands.ts` for the command table.
 */
import { runCli } from "./commands.js";

const code = await runCli(process.argv.slice(2), {
  stdin: process.stdin,
  stdout: process.stdout,
  stderr: process.stderr,
});
// Exit now even if something left a handle open: the command has finished.
process.exit(code);
