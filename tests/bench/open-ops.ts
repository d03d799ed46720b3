/**
 * `npx tsx tests/bench/open-ops.ts`: how fast a desk opens sealed ops, beside its peer measured in
 * the same run: raw AES-256-GCM decryption of ciphertexts of the same sizes under one imported key,
 * the least any sealed format could cost. Numbers vary on a shared machine: compare ratios.
 *
 * One author device, so one cached key agreement for all ops (the design: agree once per pair of
 * keys, derive per op). Each op is opened in full: unwrap, decrypt, inflate, verify, parse; then
 * the main parts alone, to show where the time goes. One op at a time unless a row says otherwise.
 *
 * It runs twice: in Node (the command-line export) and in Chromium (the coordinator's desk is the
 * PWA), by bundling this same file for the page. RASID_BENCH_OPS sets the count (10,000);
 * RASID_BENCH_NODE_ONLY=1 skips Chromium.
 */
import { canonicalJson } from '../../src/domain/canonical-json.ts';
import { utf8, type Bytes } from '../../src/domain/crypto/bytes.ts';
import { inflate } from '../../src/domain/crypto/compression.ts';
import { generateKeyPair } from '../../src/domain/crypto/keys.ts';
import { PairKeyCache } from '../../src/domain/crypto/pair-keys.ts';
import { openOp, openPlaintext, sealOp, type OpenKeys, type SealedWireOp } from '../../src/domain/op/sealed.ts';
import { cryptoRandom, newOpId, newReportId } from '../../src/domain/ids.ts';
import type { OpBody } from '../../src/domain/op/op.ts';
import { deviceId } from '../ids.ts';

type Row = { name: string; seconds: number; peer?: boolean };
type Result = { n: number; bodyBytes: number; wireBytes: number; rows: Row[] };

const PLACES = ['الحي الشرقي', 'حي الزهور', 'السوق القديم', 'المدرسة الابتدائية', 'مخيم الأمل'];

/** A report-shaped body of about 700 bytes of JSON, different in each op. */
function reportBody(i: number): OpBody {
  const place = PLACES[i % PLACES.length]!;
  return {
    hlc: `2025-03-08T09:${String(10 + (i % 50)).padStart(2, '0')}:00.000Z-${(i % 0xffff).toString(16).padStart(4, '0')}-phone01`,
    changes: {
      type: 'displacement',
      narrative: `نزحت ${20 + (i % 80)} أسرة من ${place} إلى المدرسة بعد القصف ليلة ${i % 28} من الشهر، ومعظمهم نساء وأطفال، ولا ماء ولا كهرباء في المكان.`,
      households: 20 + (i % 80),
      individuals: 100 + (i % 400),
      shelter: 'collective_centre',
      cause: 'shelling',
      ongoing: i % 2 === 0,
      location: { place, admin1: 'ولاية الخرطوم', admin2: 'بحري', point: { lat: 15.6 + i / 1e5, lon: 32.5 + i / 1e5, accuracy: 25 } },
      eventDate: { date: '2025-03-07', precision: 'exact' },
      source: 'eyewitness',
      confidence: 'high',
    },
    supersedes: {},
  };
}

async function seconds(work: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await work();
  return (performance.now() - t0) / 1000;
}

/** Seals `n` ops, then times opening them against the raw decryptions. Runs in Node and in a page. */
export async function benchOpenOps(n: number): Promise<Result> {
  const deployment = await generateKeyPair('x25519');
  const author = { agreement: await generateKeyPair('x25519'), signing: await generateKeyPair('ed25519') };
  const device = deviceId('phone-bench-01');
  const sealPairs = new PairKeyCache();

  const bodies = Array.from({ length: n }, (_, i) => reportBody(i));
  const ops: SealedWireOp[] = [];
  const sealSeconds = await seconds(async () => {
    for (let i = 0; i < n; i++) {
      const at = Date.UTC(2025, 2, 8) + i;
      const header = {
        v: 2 as const,
        id: newOpId(at, cryptoRandom),
        kind: 'create' as const,
        reportId: newReportId(at, cryptoRandom),
        device,
        deviceSeq: i + 1,
      };
      const r = await sealOp(header, bodies[i]!, author, [deployment.publicKey, author.agreement.publicKey], { pairs: sealPairs });
      if (!r.ok) throw new Error(r.reason);
      ops.push(r.op);
    }
  });

  const openAll = async (open: typeof openOp | typeof openPlaintext, inFlight = 1) => {
    const keys: OpenKeys = {
      mine: [deployment],
      agreementKey: (kid) => (kid === author.agreement.publicKey.kid ? author.agreement.publicKey : undefined),
      signingKey: (d) => (d === device ? author.signing.publicKey : undefined),
      pairs: new PairKeyCache(),
    };
    let failed = 0;
    const openOne = async (op: SealedWireOp) => void ((await open(op, keys)).ok || failed++);
    const s = await seconds(async () => {
      for (let i = 0; i < ops.length; i += inFlight) await Promise.all(ops.slice(i, i + inFlight).map(openOne));
    });
    if (failed) throw new Error(`${failed} ops did not open`);
    if (keys.pairs.size !== 1) throw new Error(`expected one key agreement, made ${keys.pairs.size}`);
    return s;
  };

  // The peer: ciphertexts of the sizes of the sealed ones, decrypted under one imported key.
  const rawKey = await crypto.subtle.importKey('raw', new Uint8Array(cryptoRandom(32)), 'AES-GCM', false, ['encrypt', 'decrypt']);
  const iv = new Uint8Array(12);
  const rawCts: ArrayBuffer[] = [];
  for (const op of ops) {
    const size = Math.ceil((JSON.parse(op.body).ct.length * 3) / 4) - 16;
    rawCts.push(await crypto.subtle.encrypt({ name: 'AES-GCM', iv }, rawKey, new Uint8Array(size)));
  }
  const rawAll = () =>
    seconds(async () => {
      for (const ct of rawCts) await crypto.subtle.decrypt({ name: 'AES-GCM', iv }, rawKey, ct);
    });

  // Two parts of openOp on their own: the signature check and the inflating.
  const opened: { signature: Bytes; payload: Bytes }[] = [];
  for (const op of ops) {
    const r = await openPlaintext(op, {
      mine: [deployment],
      agreementKey: () => author.agreement.publicKey,
      signingKey: () => undefined,
      pairs: sealPairs,
    });
    if (r.ok) opened.push({ signature: r.plaintext.slice(1, 65), payload: r.plaintext.slice(65) });
  }
  const bodyTexts = bodies.map((b) => utf8(canonicalJson(b)));
  const verifyAll = () =>
    seconds(async () => {
      for (let i = 0; i < n; i++) await crypto.subtle.verify('Ed25519', author.signing.publicKey.key, opened[i]!.signature, bodyTexts[i]!);
    });
  const inflateAll = () =>
    seconds(async () => {
      for (const o of opened) inflate(o.payload, 1 << 20);
    });

  // A warm-up pass each, so the first timed row does not pay for compiling the code.
  await openAll(openOp);
  await rawAll();
  await verifyAll();
  await inflateAll();

  return {
    n,
    bodyBytes: bodies.reduce((sum, b) => sum + utf8(canonicalJson(b)).length, 0) / n,
    wireBytes: ops.reduce((sum, op) => sum + utf8(JSON.stringify(op)).length, 0) / n,
    rows: [
      { name: 'raw AES-256-GCM decrypt (peer)', seconds: await rawAll(), peer: true },
      { name: 'openOp: unwrap, decrypt, inflate, verify, parse', seconds: await openAll(openOp) },
      { name: 'openOp, 4 in flight', seconds: await openAll(openOp, 4) },
      { name: '  part: openPlaintext (derive, unwrap, decrypt)', seconds: await openAll(openPlaintext) },
      { name: '  part: Ed25519 verify (raw WebCrypto call)', seconds: await verifyAll() },
      { name: '  part: inflate', seconds: await inflateAll() },
      { name: 'sealOp (for reference; made on the phone)', seconds: sealSeconds },
    ],
  };
}

function table(where: string, r: Result): string {
  const peer = r.rows.find((row) => row.peer)!.seconds;
  const fmt = (x: number, d = 0) => x.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });
  const head = ['operation', 'seconds', 'ops/s', 'µs/op', 'x peer'];
  const cells = r.rows.map((row) => [
    row.name,
    fmt(row.seconds, 2),
    fmt(r.n / row.seconds),
    fmt((row.seconds * 1e6) / r.n, 1),
    fmt(row.seconds / peer, 1),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: string[]) => `| ${c.map((x, i) => (i === 0 ? x.padEnd(widths[i]!) : x.padStart(widths[i]!))).join(' | ')} |`;
  const per100k = (row: Row) => fmt((100_000 * row.seconds) / r.n, 1);
  return [
    `${where}: ${fmt(r.n)} ops; body ${fmt(r.bodyBytes)} B of JSON, sealed wire form ${fmt(r.wireBytes)} B (2 recipients)`,
    '',
    line(head),
    `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`,
    ...cells.map(line),
    '',
    `100,000 ops at these rates: ${per100k(r.rows[1]!)} s one at a time, ${per100k(r.rows[2]!)} s with 4 in flight.`,
    '',
  ].join('\n');
}

async function inChromium(n: number): Promise<Result> {
  const [{ createServer }, { build }, { launchBrowser }, { fileURLToPath }] = await Promise.all([
    import('node:http'),
    import('vite'),
    import('../chromium.ts'),
    import('node:url'),
  ]);
  const out = await build({
    configFile: false,
    logLevel: 'silent',
    build: {
      write: false,
      minify: true,
      lib: { entry: fileURLToPath(import.meta.url), formats: ['es'], fileName: 'bench' },
      rolldownOptions: { external: (id) => id.startsWith('node:') || id === 'vite' || id.endsWith('chromium.ts') },
    },
  });
  const outputs = (Array.isArray(out) ? out : [out]) as { output: { type: string; fileName: string; code?: string }[] }[];
  const chunk = outputs.flatMap((o) => o.output).find((o) => o.type === 'chunk' && o.fileName.endsWith('.js'));
  const code = chunk!.code!;
  const server = createServer((req, res) => {
    if (req.url === '/bench.js') res.writeHead(200, { 'content-type': 'text/javascript' }).end(code);
    else res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><script type="module" src="/bench.js"></script>');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const browser = await launchBrowser();
  try {
    const page = await browser.newPage();
    // 127.0.0.1 is a secure context, so the page has crypto.subtle.
    await page.goto(`http://127.0.0.1:${(server.address() as { port: number }).port}/`);
    await page.waitForFunction(() => 'benchOpenOps' in globalThis);
    return await page.evaluate((count) => (globalThis as unknown as { benchOpenOps: typeof benchOpenOps }).benchOpenOps(count), n);
  } finally {
    await browser.close();
    server.close();
  }
}

if (typeof window !== 'undefined') {
  (globalThis as unknown as { benchOpenOps: typeof benchOpenOps }).benchOpenOps = benchOpenOps;
} else {
  const n = Number(process.env.RASID_BENCH_OPS || 10_000);
  console.log(`\n${table(`Node ${process.version}`, await benchOpenOps(n))}`);
  if (!process.env.RASID_BENCH_NODE_ONLY) {
    const { chromium } = await import('playwright-core');
    console.log(table(`Chromium (${chromium.name()}, headless)`, await inChromium(n)));
  }
}
