import { inventedBase } from './invented-base.ts';
const b = await inventedBase({ reports: Number(process.env.N ?? 5000), seed: 1, now: Date.now() });
console.log(b.ops, b.ms.toFixed(0));
