#!/usr/bin/env node
// Entry point for `npx vault-chatops` and the Docker image: runs the compiled CLI.
import { main } from '../dist/cli.js';

// `vault-chatops audit tail 500 | head`: a reader that stops early is not an error.
process.stdout.on('error', (error) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw error;
});

process.exitCode = await main(process.argv.slice(2));
