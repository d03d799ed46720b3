/**
 * The deployment keys for the command line: each key file named by --key, opened with its passphrase,
 * which comes from RASID_KEY_PASSPHRASE (the same for every file) or is typed on the terminal, file by
 * file, without echo. Never from an
 * argument (`ps` and the shell history would show it), and never printed: every failure below is a
 * sentence about the file, not about what was typed.
 */
import { readFileSync } from 'node:fs';
import { deploymentKeyFileSchema, openKeyFile, KEY_FILE_INVALID, type DeploymentKeyFile } from '../../domain/crypto/key-file.ts';
import type { AgreementKeyPair } from '../../domain/crypto/keys.ts';

export const PASSPHRASE_VARIABLE = 'RASID_KEY_PASSPHRASE';

/** Why the key could not be had, as the sentence the command prints before exiting with code 2. */
export class KeyRefused extends Error {}

/** What the passphrase prompt reads from: standard input, in raw mode, while it asks. */
export interface TerminalInput {
  isTTY?: boolean;
  setRawMode(raw: boolean): unknown;
  setEncoding(encoding: BufferEncoding): unknown;
  resume(): unknown;
  pause(): unknown;
  on(event: 'data', listener: (chunk: string) => void): unknown;
  off(event: 'data', listener: (chunk: string) => void): unknown;
}

export interface PassphraseSource {
  env: NodeJS.ProcessEnv;
  input: TerminalInput;
  /** Where the prompt goes: standard error, since standard output may be the export file. */
  output: { write(text: string): unknown };
}

/** The passphrase from the environment, else asked on the terminal; never echoed. */
export async function passphraseFor(file: string, { env, input, output }: PassphraseSource): Promise<string> {
  const given = env[PASSPHRASE_VARIABLE];
  if (given !== undefined) return given;
  if (!input.isTTY) {
    throw new KeyRefused(
      `The key file ${file} needs its passphrase: set ${PASSPHRASE_VARIABLE}, or run the command on a terminal to be asked for it.`,
    );
  }
  const typed = await askHidden(`Passphrase for ${file}: `, input, output);
  if (typed === undefined) throw new KeyRefused('No passphrase was typed, so nothing was exported.');
  return typed;
}

/**
 * Reads a line from a terminal in raw mode, echoing nothing: the characters typed, or undefined
 * when the person gives up (Ctrl-C, or Ctrl-D on an empty line). Raw mode turns Ctrl-C into a
 * character instead of a signal, so it is handled here, and the terminal is always set back.
 */
export function askHidden(prompt: string, input: TerminalInput, output: { write(text: string): unknown }): Promise<string | undefined> {
  return new Promise((resolve) => {
    let typed: string[] = [];
    // Inside an escape sequence (an arrow key, say): 1 after ESC, 2 after its '[' or 'O'.
    let escape = 0;
    const finish = (value: string | undefined) => {
      input.off('data', onData);
      input.setRawMode(false);
      input.pause();
      output.write('\n');
      resolve(value);
    };
    const onData = (chunk: string) => {
      for (const ch of chunk) {
        if (escape === 1) {
          escape = ch === '[' || ch === 'O' ? 2 : 0;
          continue;
        }
        if (escape === 2) {
          if (ch >= '@' && ch <= '~') escape = 0;
          continue;
        }
        if (ch === '\r' || ch === '\n') return finish(typed.join(''));
        if (ch === '\u0003') return finish(undefined);
        if (ch === '\u0004') {
          if (typed.length === 0) return finish(undefined);
          continue;
        }
        if (ch === '\u001b') escape = 1;
        else if (ch === '\u007f' || ch === '\b') typed = typed.slice(0, -1);
        else if (ch === '\u0015') typed = [];
        else if (ch >= ' ') typed.push(ch);
      }
    };
    output.write(prompt);
    input.setRawMode(true);
    input.setEncoding('utf8');
    input.on('data', onData);
    input.resume();
  });
}

/**
 * A key file read and its shape checked, before any passphrase: the fingerprint it says it holds, so
 * that a file of another deployment is refused before its passphrase is asked for. The key inside is
 * held to that fingerprint when the file opens.
 */
export function readKeyFile(file: string): DeploymentKeyFile {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new KeyRefused(`Cannot read the key file ${file}: ${(error as NodeJS.ErrnoException).code ?? 'unreadable'}.`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  const parsed = deploymentKeyFileSchema.safeParse(json);
  if (!parsed.success) throw new KeyRefused(`${file} is not a Rasid deployment key file.`);
  return parsed.data;
}

/** The deployment key pair from a key file and its passphrase. */
export async function openDeploymentKey(file: string, passphrase: string): Promise<AgreementKeyPair> {
  const opened = await openKeyFile(readKeyFile(file), passphrase);
  if (opened.ok) return opened.pair;
  if (opened.reason === KEY_FILE_INVALID) throw new KeyRefused(`${file} is not a Rasid deployment key file.`);
  // AES-GCM cannot tell a wrong passphrase from a changed byte of the file, by design.
  throw new KeyRefused(`The passphrase does not open the key file ${file} (or the file was changed).`);
}

/**
 * The deployment key pairs from the key files given, each checked to be a key of this deployment
 * (`ours`: every key the root named, and the one set with it) before any passphrase is asked for;
 * then each opened in turn, with RASID_KEY_PASSPHRASE or the passphrase typed for that file.
 */
export async function openKeyFiles(
  files: readonly string[],
  ours: readonly { fingerprint: string }[],
  source: PassphraseSource,
): Promise<AgreementKeyPair[]> {
  const distinct = new Map<string, string>();
  for (const file of files) {
    const { fingerprint } = readKeyFile(file);
    if (!ours.some((k) => k.fingerprint === fingerprint)) {
      throw new KeyRefused(
        ours.length === 0
          ? `This base has no deployment key, so the key file ${file} cannot hold one of its keys.`
          : `The key file ${file} holds another deployment's key than this base's.`,
      );
    }
    // Two copies of one key file open nothing more than one.
    if (!distinct.has(fingerprint)) distinct.set(fingerprint, file);
  }
  const pairs: AgreementKeyPair[] = [];
  for (const file of distinct.values()) pairs.push(await openDeploymentKey(file, await passphraseFor(file, source)));
  return pairs;
}
