/**
 * The local gazetteer: one imported on this device before it was enrolled, kept in idb-keyval. Once
 * a deployment gazetteer arrives, that one is used instead.
 */
import { get, set } from './store/keyval.ts';
import type { Gazetteer } from '../domain/gazetteer.ts';

export async function loadLocalGazetteer(): Promise<Gazetteer | undefined> {
  return get<Gazetteer>('gazetteer');
}

export async function saveLocalGazetteer(g: Gazetteer): Promise<void> {
  await set('gazetteer', g);
}
