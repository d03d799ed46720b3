/**
 * This coordinator's boundary layer, for the desk's map: kept in idb-keyval on this device only. It
 * is never synced or sent to the base: a layer runs to megabytes, and each desk imports its own.
 * Read back through its schema, so an entry written by an older version or changed on disk reads as
 * no layer rather than breaking the map.
 */
import { boundaryLayerSchema, type BoundaryLayer } from '../domain/boundaries.ts';
import { del, get, set } from './store/keyval.ts';

export async function loadBoundaryLayer(): Promise<BoundaryLayer | undefined> {
  const parsed = boundaryLayerSchema.safeParse(await get('boundaries'));
  return parsed.success ? parsed.data : undefined;
}

export async function saveBoundaryLayer(layer: BoundaryLayer): Promise<void> {
  await set('boundaries', layer);
}

export async function removeBoundaryLayer(): Promise<void> {
  await del('boundaries');
}
