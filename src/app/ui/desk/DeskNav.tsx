/** The desk's own navigation, above each of its screens: the reports, the map, the charts, the exports. */
import { useTr } from '../context.ts';
import { href } from '../../router.ts';

export type DeskSection = 'reports' | 'map' | 'charts' | 'exports';

const LINKS: readonly {
  section: DeskSection;
  href: string;
  key: 'desk.nav.reports' | 'desk.nav.map' | 'desk.nav.charts' | 'desk.nav.exports';
}[] = [
  { section: 'reports', href: href('desk'), key: 'desk.nav.reports' },
  { section: 'map', href: href('deskMap'), key: 'desk.nav.map' },
  { section: 'charts', href: href('deskCharts'), key: 'desk.nav.charts' },
  { section: 'exports', href: href('deskExports'), key: 'desk.nav.exports' },
];

export function DeskNav({ current }: { current: DeskSection }) {
  const tr = useTr();
  return (
    <nav class="desk-nav" aria-label={tr.t('desk.nav')}>
      {LINKS.map((l) => (
        <a key={l.section} href={l.href} aria-current={l.section === current ? 'page' : undefined}>
          {tr.t(l.key)}
        </a>
      ))}
    </nav>
  );
}
