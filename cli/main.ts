#!/usr/bin/env node
import { run } from './xmlc.js';

// The bin shim: the only place that touches process.exitCode.
process.exitCode = await run(process.argv.slice(2));
