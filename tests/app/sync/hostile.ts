/**
 * The attackers of the multi-device simulation (simulation.test.ts), as docs/security.md names them:
 * a monitor's phone turned hostile (or stolen), which pushes forged, replayed, mutated and
 * misattributed ops and hands a coordinator forged request files; and a hostile base between the
 * honest devices and the real one, which drops, reorders and duplicates what it serves, re-serves
 * old answers of another epoch, acknowledges or rejects ops it never stored, and plants and
 * downgrades ops. Both hold a key of their own and every public key; neither holds an honest
 * device's private key, the deployment key or the root.
 */
import { expect } from 'vitest';
import type { RasidDb } from '../../../src/app/store/db.ts';
import { createReport, editReport } from '../../../src/app/store/reports.ts';
import { addToRoster } from '../../../src/app/sync/deployment-settings.ts';
import { answerRequest, SyncFileError, writeRequestFile } from '../../../src/app/sync/file.ts';
import { sealerOf, type OpKeys } from '../../../src/app/sync/op-keys.ts';
import type { Fetch, SyncTransport } from '../../../src/app/sync/transport.ts';
import type { AgreementAlg } from '../../../src/domain/crypto/algorithms.ts';
import type { PublicKey } from '../../../src/domain/crypto/keys.ts';
import { sealForWire, toWire } from '../../../src/domain/op/outgoing.ts';
import type { OpResult, SyncResponse } from '../../../src/domain/op/sync.ts';
import type { ServedOp, WireOp } from '../../../src/domain/op/wire.ts';
import { damageReport } from '../store/store-fixtures.ts';
import { makeDevice, type Device } from './sync-fixtures.ts';

export type Sealing = Device & { keys: OpKeys };

interface Chance {
  random: () => number;
  log: string[];
}

function pick<T>(chance: Chance, items: readonly T[]): T | undefined {
  return items.length ? items[Math.floor(chance.random() * items.length)] : undefined;
}

/**
 * Ops in honest devices' names that their devices never wrote, each in clear and signed by the
 * attacker's key: a report and a verification in each monitor's name, and in the coordinator's name
 * a roster op that gives a monitor the attacker's keys and makes the attacker coordinator.
 */
export async function makeForgeries(
  victims: readonly Device[],
  attacker: Sealing,
  deployment: PublicKey<AgreementAlg>,
  fetch: Fetch,
): Promise<{ ops: WireOp[]; dbs: RasidDb[] }> {
  const ops: WireOp[] = [];
  const dbs: RasidDb[] = [];
  const theirs = { agreement: attacker.keys.device.agreement.publicKey.text, signing: attacker.keys.device.signing.publicKey.text };
  for (const victim of victims) {
    const forger = makeDevice(`forger-${victim.name}`, victim.device, victim.role, 'none', fetch, { ms: victim.writer.now() });
    dbs.push(forger.db);
    if (victim.role === 'coordinator') {
      const monitor = victims.find((v) => v.role === 'monitor')!;
      await addToRoster(forger.writer, [
        { device: monitor.device, role: 'monitor', keys: theirs },
        { device: attacker.device, role: 'coordinator', keys: theirs },
      ]);
    } else {
      const id = await createReport(forger.writer, { ...damageReport, narrative: 'رواية مزورة' });
      await editReport(forger.writer, id, { verification: 'verified', structures: 99 });
    }
    for (const row of await forger.db.ops.toArray()) {
      ops.push(toWire(row, row.rawBody));
      const signed = await sealForWire(row, sealerOf(attacker.keys), [deployment, attacker.keys.device.agreement.publicKey]);
      if (signed.ok) ops.push(signed.wire);
    }
  }
  return { ops, dbs };
}

/** A genuine op altered after its author signed it: each way breaks the signature, or its proof. */
function mutated(chance: Chance, wire: WireOp, other: WireOp | undefined): WireOp {
  const how = pick(chance, ['body', 'seq', 'report', 'swap', 'strip', 'clear'] as const)!;
  chance.log.push(`  mutated: ${how}`);
  switch (how) {
    case 'body': {
      const at = Math.floor(wire.body.length / 2);
      return { ...wire, body: wire.body.slice(0, at) + (wire.body[at] === 'A' ? 'B' : 'A') + wire.body.slice(at + 1) };
    }
    case 'seq':
      return { ...wire, deviceSeq: wire.deviceSeq + 1 };
    case 'report':
      return other ? { ...wire, reportId: other.reportId } : { ...wire, deviceSeq: wire.deviceSeq + 2 };
    case 'swap':
      // Another op's body, sealed and signed by the same author, under this op's header.
      return other && other.body !== wire.body ? { ...wire, body: other.body } : { ...wire, deviceSeq: wire.deviceSeq + 3 };
    case 'strip': {
      const { osig: _dropped, ...rest } = wire;
      return rest;
    }
    case 'clear': {
      const { osig: _o, sig: _s, ...rest } = wire;
      return { ...rest, v: 1 };
    }
  }
}

async function wiresOf(d: Device): Promise<WireOp[]> {
  return (await d.db.ops.where('device').equals(d.device).toArray()).flatMap((o) => (o.wire ? [o.wire] : []));
}

/**
 * One move of the hostile monitor. Pushed ops go straight to the base with the monitor's own token;
 * a forged request file goes to the coordinator, which must refuse it whole and change nothing.
 */
export async function hostileMove(
  chance: Chance,
  attacker: Sealing,
  victims: readonly Sealing[],
  coordinator: Sealing,
  forged: readonly WireOp[],
) {
  const victim = pick(chance, victims)!;
  const move = pick(chance, ['forged', 'mutated', 'replayed', 'promotion', 'file', 'ownFileRenamed'] as const)!;
  chance.log.push(`${attacker.name}: ${move} (${victim.name})`);
  const genuine = await wiresOf(victim);
  const push = async (ops: WireOp[]) => {
    try {
      await attacker.sync.transport({ epoch: null, cursor: null, ops, limit: 1 });
    } catch {
      // The network failed it, or the base refused the request: either way nothing was stored.
    }
  };
  switch (move) {
    case 'forged': {
      const mine = forged.filter((f) => f.device === victim.device);
      await push([pick(chance, mine)!].filter(Boolean));
      return;
    }
    case 'mutated': {
      const wire = pick(chance, genuine);
      if (wire) await push([mutated(chance, wire, pick(chance, genuine))]);
      return;
    }
    case 'replayed': {
      // A genuine op, as a USB stick or a sniffed file gave it: the base holds it, or takes it as its author's.
      const wire = pick(chance, genuine);
      if (wire) await push([wire]);
      return;
    }
    case 'promotion':
      // Signed with its own key, in its own name: still not a monitor's to write.
      await addToRoster(attacker.writer, [{ device: attacker.device, role: 'coordinator' }]);
      return;
    case 'file':
    case 'ownFileRenamed': {
      const file =
        move === 'file'
          ? await writeRequestFile(victim.db, victim.device, victim.writer.now, victim.keys)
          : { ...(await writeRequestFile(attacker.db, attacker.device, attacker.writer.now, attacker.keys)), device: victim.device };
      if (move === 'file') {
        const wire = pick(chance, file.ops);
        const bad =
          wire && chance.random() < 0.5
            ? mutated(chance, wire, pick(chance, file.ops))
            : pick(
                chance,
                forged.filter((f) => f.device === victim.device),
              )!;
        file.ops = [...file.ops, bad];
      } else if (file.ops.length === 0) {
        file.ops = forged.filter((f) => f.device === victim.device).slice(0, 1);
      }
      const before = await coordinator.db.ops.count();
      const refusal = await answerRequest(coordinator.sync, JSON.stringify(file)).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(refusal, 'a forged request file is refused whole').toBeInstanceOf(SyncFileError);
      expect(await coordinator.db.ops.count(), 'and changes nothing').toBe(before);
      return;
    }
  }
}

const TRICKS = ['fakeAck', 'fakeReject', 'reorder', 'duplicate', 'withhold', 'oldAnswer', 'downgrade', 'plant', 'raiseWatermark'] as const;

/**
 * A hostile base in front of the real one, for one device: while `active`, it plays a trick on
 * four answers in ten. It holds every answer it gave, and ops forged in honest devices' names.
 */
export class HostileBase {
  active = false;
  private readonly answers = new Map<string, SyncResponse[]>();

  constructor(
    private readonly chance: Chance,
    private readonly forged: readonly WireOp[],
  ) {}

  wrap(transport: SyncTransport, name: string): SyncTransport {
    return async (req) => {
      const trick = this.active && this.chance.random() < 0.4 ? pick(this.chance, TRICKS)! : undefined;
      if (trick === 'fakeAck' || trick === 'fakeReject') {
        // Some pushed ops never reach the store; the device is told they were acknowledged, or refused for good.
        const ops = req.ops as WireOp[];
        const kept = ops.filter(() => this.chance.random() < 0.5);
        this.chance.log.push(`base to ${name}: ${trick} (${ops.length - kept.length} ops)`);
        const res = await transport({ ...req, ops: kept });
        const byId = new Map(res.results.map((r) => [r.id, r]));
        const invented = (id: string): OpResult =>
          trick === 'fakeAck' ? { id, status: 'ack' } : { id, status: 'rejected', reason: 'err.op.seqTaken' };
        return { ...res, results: ops.map((o) => byId.get(o.id) ?? invented(o.id)) };
      }
      const res = await transport(req);
      const history = this.answers.get(name) ?? [];
      this.answers.set(name, [...history.slice(-20), res]);
      if (!trick) return res;
      this.chance.log.push(`base to ${name}: ${trick}`);
      return this.trick(trick, res, history);
    };
  }

  private trick(trick: (typeof TRICKS)[number], res: SyncResponse, history: readonly SyncResponse[]): SyncResponse {
    const { chance } = this;
    const ops = [...res.ops];
    switch (trick) {
      case 'reorder':
        return { ...res, ops: ops.sort(() => chance.random() - 0.5) };
      case 'duplicate':
        return { ...res, ops: [...ops, ...ops.filter(() => chance.random() < 0.3)] };
      case 'withhold':
        return { ...res, ops: ops.filter(() => chance.random() < 0.6) };
      case 'oldAnswer': {
        // An answer given before, maybe in another epoch, in place of this one's pull.
        const old = pick(chance, history);
        return old ? { ...old, results: res.results } : res;
      }
      case 'downgrade': {
        const i = Math.floor(chance.random() * ops.length);
        const served = ops[i];
        if (!served) return res;
        const other = pick(chance, ops)?.op;
        const forgery = pick(chance, this.forged)!;
        const replaced: WireOp =
          chance.random() < 0.5
            ? mutated(chance, served.op, other)
            : { ...forgery, id: served.op.id, device: served.op.device, deviceSeq: served.op.deviceSeq };
        ops[i] = { ...served, op: replaced };
        return { ...res, ops };
      }
      case 'plant': {
        const at = Math.floor(chance.random() * (ops.length + 1));
        const seq = ops[at]?.seq ?? res.cursor?.seq ?? 1;
        const planted: ServedOp = { seq, receivedAt: res.serverTime, op: pick(chance, this.forged)! };
        ops.splice(at, 0, planted);
        return { ...res, ops };
      }
      case 'raiseWatermark':
        return {
          ...res,
          watermark: res.watermark + 3,
          ...(res.watermarks && { watermarks: res.watermarks.map((w) => ({ ...w, deviceSeq: w.deviceSeq + 3 })) }),
        };
      default:
        return res;
    }
  }
}
