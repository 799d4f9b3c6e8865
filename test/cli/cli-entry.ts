// The CLI as bin/vault-chatops.js runs it, from source: for tests that need a real process
// (a pseudo-terminal through `script`, process.stdin, exit codes).
import { main } from '../../src/cli.js';

process.exitCode = await main(process.argv.slice(2));
