/** A real server process on PostgreSQL, killed with SIGKILL during pushes, many times (see kill.ts). */
import { killDuringPushes } from './kill.ts';

killDuringPushes('postgres');
