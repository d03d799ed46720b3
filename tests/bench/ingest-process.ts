/**
 * The base's ingest, measured in a process of its own as the server runs: not inside the bench's
 * own process, whose heap by then holds a Vite build and a browser driver that a base never carries,
 * and whose garbage collection would be charged to the base. Prints its rates as one JSON line.
 */
import { ingestRates } from './ingest.ts';

// run.ts finds the rates by this start of line, whatever else the process prints.
const RATES_LINE = 'ingest-rates ';

const ops = Number(process.argv[2]);
if (!Number.isInteger(ops) || ops <= 0) throw new Error('usage: ingest-process.ts <number of ops>');
process.stdout.write(`\n${RATES_LINE}${JSON.stringify(await ingestRates(ops))}\n`);
