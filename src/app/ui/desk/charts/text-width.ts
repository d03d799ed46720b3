/**
 * About how wide a label is drawn, to keep labels apart without measuring the DOM on every render.
 * Generous on purpose: a label placed too far apart costs a little room, one placed too close is unreadable.
 */
export function textWidth(text: string, fontSize: number): number {
  return text.length * fontSize * 0.6;
}

/** The label cut to fit `width` with an ellipsis; the whole of it stays in the chart's table and tooltip. */
export function fitText(text: string, width: number, fontSize: number): string {
  if (textWidth(text, fontSize) <= width) return text;
  const chars = Math.max(1, Math.floor(width / (fontSize * 0.6)) - 1);
  return `${text.slice(0, chars).trimEnd()}…`;
}
