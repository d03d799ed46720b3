import { render, type ComponentChildren } from 'preact';
import { setupRerender } from 'preact/test-utils';
import { describe, expect, test } from 'vitest';
import type { Gazetteer } from '../../../src/domain/gazetteer.ts';
import { loadTranslator, type Translator } from '../../../src/app/i18n/i18n.ts';
import type { WriterContext } from '../../../src/app/store/write-op.ts';
import { AppProviders } from '../../../src/app/ui/AppProviders.tsx';
import { useTr, useWatermark } from '../../../src/app/ui/context.ts';
import { headless } from './headless.ts';

const writer = {} as WriterContext;
const gazetteer = (name: string): Gazetteer => ({ name, units: [] });
const same = <T,>(v: T) => v;

function renderCounter() {
  const seen: string[] = [];
  function ReadsLanguage() {
    seen.push(`language ${useTr().lang}`);
    return null;
  }
  function ReadsWatermark() {
    seen.push(`watermark ${useWatermark()}`);
    return null;
  }
  // Made once, as main.tsx makes the app once: what the providers re-render is up to them alone.
  const children = (
    <>
      <ReadsLanguage />
      <ReadsWatermark />
    </>
  );
  return { seen, children };
}

function Providers(p: { tr: Translator; watermark: number; gazetteer: Gazetteer; children: ComponentChildren }) {
  return (
    <AppProviders
      tr={p.tr}
      setLang={same}
      writer={writer}
      gazetteer={p.gazetteer}
      setGazetteer={same}
      setEnrollment={same}
      watermark={p.watermark}
      appearance="rasid"
      setAppearance={same}
    >
      {p.children}
    </AppProviders>
  );
}

describe('what the screens read', () => {
  test('a screen that reads only the language renders again when the language changes, not when a sync moves the watermark or brings a gazetteer', async () => {
    const [ar, en] = await Promise.all([loadTranslator('ar'), loadTranslator('en')]);
    const rerender = setupRerender();
    const root = headless();
    const { seen, children } = renderCounter();
    const show = (tr: Translator, watermark: number, g: Gazetteer) => {
      render(
        <Providers tr={tr} watermark={watermark} gazetteer={g}>
          {children}
        </Providers>,
        root,
      );
      rerender();
    };
    const first = gazetteer('first');
    show(ar, 1, first);
    expect(seen).toEqual(['language ar', 'watermark 1']);

    seen.length = 0;
    show(ar, 2, first);
    show(ar, 2, gazetteer('deployed'));
    expect(seen).toEqual(['watermark 2']);

    seen.length = 0;
    show(en, 2, first);
    expect(seen).toEqual(['language en']);
    render(null, root);
  });

  test('a screen rendered outside the providers fails at once, saying so', () => {
    function Lost() {
      useTr();
      return null;
    }
    expect(() => render(<Lost />, headless())).toThrow('Read outside AppProviders');
  });
});
