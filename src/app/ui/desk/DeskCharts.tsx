/** Placeholder while the screen is built. */
import { DeskNav } from './DeskNav.tsx';

export function DeskCharts() {
  return <DeskNav current="charts" />;
}
