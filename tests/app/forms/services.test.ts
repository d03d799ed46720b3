import { describe, expect, test } from 'vitest';
import {
  MORE_SERVICES,
  chosenServices,
  contentPerService,
  formToContents,
  moreServices,
  moreServicesValue,
  servicesLeft,
} from '../../../src/app/forms/services.ts';
import type { FormValues } from '../../../src/app/forms/form-values.ts';
import type { ReportContent } from '../../../src/domain/report.ts';

const options = { today: '2025-03-12', lookup: () => undefined };

/** Bread, water and electricity cut at once, in one village, as the form is filled for them. */
const form: FormValues = {
  'eventDate.precision': 'exact',
  'eventDate.date': '2025-03-09',
  placeName: 'قرية الدالية',
  service: 'bread',
  serviceState: 'cut',
  'period.since': '2025-03-07',
  individuals: '٣٥٠٠',
  narrative: 'لا خبز ولا ماء ولا كهرباء منذ ثلاثة أيام.',
};

const more = (...slots: string[]) => moreServicesValue(slots);

describe('the further services of an access-cut form', () => {
  test('are kept as one form value, slot by slot, an empty slot included', () => {
    const values = { ...form, [MORE_SERVICES]: moreServicesValue(['water', '']) };
    expect(moreServices(values)).toEqual(['water', '']);
    // One slot just added, not chosen yet, is a slot all the same.
    expect(moreServices({ ...form, [MORE_SERVICES]: moreServicesValue(['']) })).toEqual(['']);
    expect(moreServices(form)).toEqual([]);
    expect(moreServicesValue([])).toBe('');
    expect(moreServices({ ...form, [MORE_SERVICES]: 'water' })).toEqual([]);
  });

  test('a slot offers only the services no other slot nor the form has taken', () => {
    const values = { ...form, [MORE_SERVICES]: more('water', 'electricity') };
    expect(servicesLeft(values, 0)).toEqual(['water', 'fuel', 'health', 'telecoms']);
    expect(servicesLeft(values, 2)).toEqual(['fuel', 'health', 'telecoms']);
  });

  test('an empty slot and a service named twice save nothing more; an unknown code is an error', () => {
    expect(chosenServices({ ...form, [MORE_SERVICES]: more('water', '', 'bread', 'water') })).toEqual({
      services: ['water'],
      invalid: false,
    });
    expect(chosenServices({ ...form, [MORE_SERVICES]: more('gas') }).invalid).toBe(true);
  });
});

describe('formToContents', () => {
  test('bread, water and electricity from one form are three contents, alike but for the service', () => {
    const { contents, errors } = formToContents('access_cut', { ...form, [MORE_SERVICES]: more('water', 'electricity') }, options);
    expect(errors).toEqual({});
    expect(contents!.map((c) => (c as { service: string }).service)).toEqual(['bread', 'water', 'electricity']);
    const { service: _first, ...rest } = contents![0] as Extract<ReportContent, { type: 'access_cut' }>;
    for (const c of contents!) expect({ ...c, service: undefined }).toEqual({ ...rest, service: undefined });
    expect(rest).toMatchObject({ placeName: 'قرية الدالية', eventDate: { date: '2025-03-09' }, individuals: 3500 });
  });

  test('a mistake in the form stops every one of them, with the errors said once', () => {
    const { contents, errors } = formToContents('access_cut', { ...form, placeName: '', [MORE_SERVICES]: more('water') }, options);
    expect(contents).toBeUndefined();
    expect(errors).toEqual({ placeName: 'err.place.missing' });
  });

  test('an unknown further service is an error on the service', () => {
    const { contents, errors } = formToContents('access_cut', { ...form, [MORE_SERVICES]: more('gas') }, options);
    expect(contents).toBeUndefined();
    expect(errors).toEqual({ service: 'err.choice.invalid' });
  });

  test('other types are one content, whatever the form holds', () => {
    const { contents } = formToContents('damage', { ...form, [MORE_SERVICES]: more('water') }, options);
    expect(contents).toHaveLength(1);
    expect(contents![0]!.type).toBe('damage');
  });
});

describe('contentPerService', () => {
  test('never writes the form’s own service twice', () => {
    const one = formToContents('access_cut', form, options).contents![0] as Extract<ReportContent, { type: 'access_cut' }>;
    expect(contentPerService(one, ['bread', 'water']).map((c) => c.service)).toEqual(['bread', 'water']);
  });
});
