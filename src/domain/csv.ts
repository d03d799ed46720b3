/**
 * A small RFC 4180 CSV reader for files coordinators import (the COD-AB gazetteer first of all).
 * Each row carries the line it starts on, because a quoted cell may span lines and a coordinator
 * fixing a file needs the line their editor shows, not a row index.
 *
 * Lenient where being strict would only lose data: a stray quote inside an unquoted cell, or text
 * after a closing quote, is kept as written. Only an unterminated quote is an error, since everything
 * after it would silently become one cell.
 */

export type CsvRow = { line: number; cells: string[] };

export type CsvResult = { ok: true; rows: CsvRow[] } | { ok: false; error: { key: 'err.csv.unterminatedQuote'; line: number } };

const QUOTE = 34; // "
const COMMA = 44; // ,
const CR = 13;
const LF = 10;

/** Rows of cells; blank lines are dropped, a leading UTF-8 BOM is ignored. */
export function parseCsv(text: string): CsvResult {
  const rows: CsvRow[] = [];
  const n = text.length;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let line = 1;

  while (i < n) {
    const rowLine = line;
    const cells: string[] = [];
    let rowEnded = false;

    while (!rowEnded) {
      let cell: string;
      if (text.charCodeAt(i) === QUOTE) {
        const quoteLine = line;
        // Pieces between doubled quotes, joined once: no quadratic string building on big cells.
        const pieces: string[] = [];
        let start = i + 1;
        for (;;) {
          const q = text.indexOf('"', start);
          if (q === -1) return { ok: false, error: { key: 'err.csv.unterminatedQuote', line: quoteLine } };
          line += countNewlines(text, start, q);
          pieces.push(text.slice(start, q));
          if (text.charCodeAt(q + 1) === QUOTE) {
            pieces.push('"');
            start = q + 2;
          } else {
            i = q + 1;
            break;
          }
        }
        // Text after the closing quote (`"a"b`) is not RFC 4180, but dropping it would lose data.
        const end = nextDelimiter(text, i);
        if (end > i) pieces.push(text.slice(i, end));
        i = end;
        cell = pieces.join('');
      } else {
        const end = nextDelimiter(text, i);
        cell = text.slice(i, end);
        i = end;
      }
      cells.push(cell);

      const c = text.charCodeAt(i);
      if (c === COMMA) {
        i++;
      } else {
        // CR, LF, CRLF or end of text
        if (c === CR && text.charCodeAt(i + 1) === LF) i += 2;
        else if (i < n) i++;
        line++;
        rowEnded = true;
      }
    }

    if (!(cells.length === 1 && cells[0] === '')) rows.push({ line: rowLine, cells });
  }

  return { ok: true, rows };
}

function nextDelimiter(text: string, from: number): number {
  let i = from;
  const n = text.length;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === COMMA || c === CR || c === LF) return i;
    i++;
  }
  return n;
}

/** Line breaks in text[from, to), counting CRLF once, so line numbers match an editor's. */
function countNewlines(text: string, from: number, to: number): number {
  let count = 0;
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i);
    if (c === LF) count++;
    else if (c === CR && text.charCodeAt(i + 1) !== LF) count++;
  }
  return count;
}
