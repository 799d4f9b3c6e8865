#!/usr/bin/env node
// Entry point for `npx vault-chatops` and the Docker image: runs the compiled CLI.
import { main } from '../dist/cli.js';

process.exitCode = await main(process.argv.slice(2));
