#!/usr/bin/env node
import { run } from './xmlc.js';

// Output piped into a reader that stopped early (`xmlc predict ... | head`): stop quietly.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(0);
  throw e;
});
// The bin shim: the only place that touches process.exitCode.
process.exitCode = await run(process.argv.slice(2));
