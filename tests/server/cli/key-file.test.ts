/** The passphrase for the key file: from the environment, or typed on a terminal that shows nothing of it. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { askHidden, KeyRefused, openKeyFiles, passphraseFor, type TerminalInput } from '../../../src/server/cli/key-file.ts';
import { keyFileIn, PASSPHRASE } from './sealed-base.ts';

/** A terminal to type into: standard input in raw mode, and what the prompt wrote. */
function terminal() {
  const stream = new PassThrough();
  const modes: boolean[] = [];
  const input = Object.assign(stream, { isTTY: true, setRawMode: (raw: boolean) => modes.push(raw) }) as PassThrough & TerminalInput;
  let shown = '';
  const waiting: { text: string; resolve: () => void }[] = [];
  const output = {
    write: (text: string) => {
      shown += text;
      for (const w of waiting.filter((w) => shown.includes(w.text))) w.resolve();
    },
  };
  /** Resolves once the prompt has written `text`: typing before it would go to the wrong prompt. */
  const shows = (text: string) => new Promise<void>((resolve) => (shown.includes(text) ? resolve() : waiting.push({ text, resolve })));
  return { input, output, modes, shown: () => shown, shows, type: (text: string) => stream.write(text) };
}

describe('the key file passphrase', () => {
  it('is read from RASID_KEY_PASSPHRASE when set, without asking', async () => {
    const t = terminal();
    expect(
      await passphraseFor('key.json', { env: { RASID_KEY_PASSPHRASE: 'olive terrace window' }, input: t.input, output: t.output }),
    ).toBe('olive terrace window');
    expect(t.shown()).toBe('');
  });

  it('is asked for on a terminal, and nothing typed is echoed', async () => {
    const t = terminal();
    const asked = passphraseFor('key.json', { env: {}, input: t.input, output: t.output });
    t.type('olive terr');
    t.type('ace window\r');
    expect(await asked).toBe('olive terrace window');
    expect(t.shown()).toBe('Passphrase for key.json: \n');
    // Raw mode on while typing, and the terminal set back afterwards.
    expect(t.modes).toEqual([true, false]);
  });

  it('takes backspace, Ctrl-U and Arabic letters, and ignores arrow keys', async () => {
    const t = terminal();
    const asked = askHidden('? ', t.input, t.output);
    t.type('wrong\u0015');
    t.type('سلامx\u007f');
    t.type('\u001b[D\u001b[C');
    t.type(' 2026\n');
    expect(await asked).toBe('سلام 2026');
  });

  it('Ctrl-C gives up: nothing is exported, and the terminal is set back', async () => {
    const t = terminal();
    const asked = passphraseFor('key.json', { env: {}, input: t.input, output: t.output });
    t.type('half typed\u0003');
    await expect(asked).rejects.toThrow(new KeyRefused('No passphrase was typed, so nothing was exported.'));
    expect(t.modes).toEqual([true, false]);
  });

  it('with no terminal and no variable, says where the passphrase comes from', async () => {
    const t = terminal();
    t.input.isTTY = false;
    await expect(passphraseFor('key.json', { env: {}, input: t.input, output: t.output })).rejects.toThrow(
      new KeyRefused(
        'The key file key.json needs its passphrase: set RASID_KEY_PASSPHRASE, or run the command on a terminal to be asked for it.',
      ),
    );
  });

  it('with two key files and no variable, is asked for each file in turn, naming it, and opens both', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rasid-key-files-'));
    try {
      const other = 'copper meadow ladder winter seven';
      const [a, b] = [await keyFileIn(dir, 'a.json'), await keyFileIn(dir, 'b.json', { passphrase: other })];
      const ours = [a, b].map((k) => ({ fingerprint: k.pair.publicKey.fingerprint }));
      const t = terminal();
      const opened = openKeyFiles([a.file, b.file], ours, { env: {}, input: t.input, output: t.output });
      await t.shows(`Passphrase for ${a.file}: `);
      t.type(`${PASSPHRASE}\r`);
      await t.shows(`Passphrase for ${b.file}: `);
      t.type(`${other}\r`);
      expect((await opened).map((p) => p.publicKey.fingerprint)).toEqual(ours.map((k) => k.fingerprint));
      expect(t.shown()).toBe(`Passphrase for ${a.file}: \nPassphrase for ${b.file}: \n`);
      expect(t.modes).toEqual([true, false, true, false]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
