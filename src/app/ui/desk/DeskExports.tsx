/** Placeholder while the screen is built. */
import { DeskNav } from './DeskNav.tsx';

export function DeskExports() {
  return <DeskNav current="exports" />;
}
