/**
 * About how wide a label is drawn, to keep labels apart without measuring the DOM on every render.
 * Generous on purpose: a label placed too far apart costs a little room, one placed too close is unreadable.
 */
export function textWidth(text: string, fontSize: number): number {
  return text.length * fontSize * 0.6;
}
