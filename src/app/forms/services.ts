/**
 * An access cut rarely comes alone: bread, water and electricity are cut at once. A report keeps one
 * service (the schema, the merge and the partners' columns read it so), so a new access-cut form may
 * name further services, and its Save writes one report per service with every other field the same.
 *
 * The further services are form values like any other, kept in the draft under one key, in the order
 * picked: a slot added but not yet chosen is kept empty, so a reload shows it where it was.
 */
import { SERVICES, type ReportContent, type ReportType } from '../../domain/report.ts';
import { formToContent, type FormErrors, type FormValues } from './form-values.ts';

/**
 * The form value holding the further services' slots, as a JSON list: `["water",""]`. A list, not
 * the codes joined by commas, so that one slot not yet chosen is told apart from none.
 */
export const MORE_SERVICES = 'service.more';

type Service = (typeof SERVICES)[number];
type AccessCut = Extract<ReportContent, { type: 'access_cut' }>;

const isService = (v: string): v is Service => (SERVICES as readonly string[]).includes(v);

/** The further services' slots as typed, an empty string for one not chosen yet. */
export function moreServices(values: FormValues): string[] {
  const raw = values[MORE_SERVICES];
  if (!raw) return [];
  try {
    const slots: unknown = JSON.parse(raw);
    // A draft is kept as typed and read back as it was kept: anything else in it is not a slot.
    return Array.isArray(slots) ? slots.map((s) => (typeof s === 'string' ? s : '')) : [];
  } catch {
    return [];
  }
}

/** The form value for these slots; none at all is an empty string, as a cleared input is. */
export function moreServicesValue(slots: readonly string[]): string {
  return slots.length ? JSON.stringify(slots) : '';
}

/**
 * The services a slot may offer: those the schema allows that neither the report's own service nor
 * another slot has taken. `slot` is the slot's index, or the number of slots for one about to be added.
 */
export function servicesLeft(values: FormValues, slot: number): Service[] {
  const taken = new Set([values.service, ...moreServices(values).filter((_, i) => i !== slot)]);
  return SERVICES.filter((s) => !taken.has(s));
}

/**
 * The further services to save, once the form's own service is known: chosen, allowed, and each once.
 * An empty slot saves nothing; a code the schema does not allow (a draft from another version) is an
 * error, reported on the service.
 */
export function chosenServices(values: FormValues): { services: Service[]; invalid: boolean } {
  const services: Service[] = [];
  let invalid = false;
  for (const slot of moreServices(values).map((s) => s.trim())) {
    if (!slot) continue;
    if (!isService(slot)) invalid = true;
    else if (slot !== values.service && !services.includes(slot)) services.push(slot);
  }
  return { services, invalid };
}

/** One report's content per service: the first as the form gave it, then one per further service, all else the same. */
export function contentPerService(content: AccessCut, more: readonly Service[]): AccessCut[] {
  return [content, ...more.filter((s) => s !== content.service).map((service) => ({ ...content, service }))];
}

/**
 * A new report's form as the contents its Save writes: one, or for an access cut one per service. The
 * errors are the form's, which every one of them shares but the service.
 */
export function formToContents(
  type: ReportType,
  raw: FormValues,
  options: Parameters<typeof formToContent>[2],
): { contents?: ReportContent[]; errors: FormErrors } {
  const { content, errors } = formToContent(type, raw, options);
  if (type !== 'access_cut') return content ? { contents: [content], errors } : { errors };
  const { services, invalid } = chosenServices(raw);
  if (invalid) return { errors: { ...errors, service: errors.service ?? 'err.choice.invalid' } };
  return content ? { contents: contentPerService(content as AccessCut, services), errors } : { errors };
}
