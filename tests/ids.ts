/**
 * Fixture ids, parsed as the app parses ids that arrive: a fixture whose id the app would refuse
 * fails here, loudly, rather than passing a test with an id no device could send.
 */
import { deviceIdSchema, opIdSchema } from '../src/domain/id-schemas.ts';
import type { DeviceId, OpId } from '../src/domain/ids.ts';

export const deviceId = (text: string): DeviceId => deviceIdSchema.parse(text);
export const opId = (text: string): OpId => opIdSchema.parse(text);
