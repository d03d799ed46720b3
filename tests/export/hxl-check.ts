/**
 * A small HXL syntax check for the CSV files this app writes: the second row must be the hashtag
 * row, with a well-formed tag over every column (`#hashtag` then `+attribute`s, lower case letters,
 * digits and `_`, starting with a letter). HDX and HXL tools skip a column with no tag, and a tag they
 * cannot parse makes the whole row look like data: either way a partner's pipeline loses a column.
 */
import { parseCsv } from '../../src/domain/csv.ts';

export type HxlProblem =
  | { kind: 'notCsv' }
  | { kind: 'noHashtagRow' }
  | { kind: 'untagged'; column: number; header: string }
  | { kind: 'badHashtag'; column: number; header: string; tag: string }
  | { kind: 'badAttribute'; column: number; header: string; tag: string; attribute: string };

const HASHTAG = /^#[a-z][a-z0-9_]*$/;
const ATTRIBUTE = /^\+[a-z][a-z0-9_]*$/;

/** Problems with one tag, or none. HXL allows spaces before an attribute (`#adm1 +code`). */
export function checkHxlTag(tag: string): { hashtag: boolean; badAttribute?: string } {
  const [hashtag = '', ...attributes] = tag.trim().split(/\s*(?=\+)/);
  if (!HASHTAG.test(hashtag)) return { hashtag: false };
  const bad = attributes.find((a) => !ATTRIBUTE.test(a));
  return bad === undefined ? { hashtag: true } : { hashtag: true, badAttribute: bad };
}

/** Every column of the header has a well-formed tag in the hashtag row. */
export function checkHxlRows(header: readonly string[], tags: readonly string[]): HxlProblem[] {
  const problems: HxlProblem[] = [];
  header.forEach((name, column) => {
    const tag = (tags[column] ?? '').trim();
    if (tag === '') {
      problems.push({ kind: 'untagged', column, header: name });
      return;
    }
    const checked = checkHxlTag(tag);
    if (!checked.hashtag) problems.push({ kind: 'badHashtag', column, header: name, tag });
    else if (checked.badAttribute !== undefined)
      problems.push({ kind: 'badAttribute', column, header: name, tag, attribute: checked.badAttribute });
  });
  return problems;
}

/** The check over a whole CSV file: header row, then hashtag row, as DATA.md lays it out. */
export function checkHxlCsv(text: string): HxlProblem[] {
  const csv = parseCsv(text);
  if (!csv.ok) return [{ kind: 'notCsv' }];
  const [header, tags] = csv.rows;
  // A row with no cell starting with `#` is data, not a hashtag row.
  if (!header || !tags || !tags.cells.some((c) => c.trim().startsWith('#'))) return [{ kind: 'noHashtagRow' }];
  return checkHxlRows(header.cells, tags.cells);
}
