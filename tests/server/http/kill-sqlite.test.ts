/** A real server process on SQLite, killed with SIGKILL during pushes, many times (see kill.ts). */
import { killDuringPushes } from './kill.ts';

killDuringPushes('sqlite');
