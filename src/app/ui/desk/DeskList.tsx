/** Placeholder while the screen is built. */
import { DeskNav } from './DeskNav.tsx';

export function DeskList() {
  return <DeskNav current="reports" />;
}
