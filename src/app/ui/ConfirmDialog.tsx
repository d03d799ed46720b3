/**
 * A modal question with one dangerous answer and Cancel: deleting a report, revoking a phone. The
 * native <dialog> keeps focus inside while open and closes on Escape; screen readers hear an alert
 * dialog named by its title and described by its text.
 */
import type { ComponentChildren, Ref } from 'preact';
import { useTr } from './context.ts';

export interface ConfirmDialogProps {
  dialogRef: Ref<HTMLDialogElement>;
  /** Prefix for the title and text ids, unique on the page. */
  id: string;
  title: string;
  body: string;
  confirmLabel: string;
  onConfirm: () => void;
  /** A choice that goes with the answer, between the text and the buttons. */
  children?: ComponentChildren;
}

export function ConfirmDialog({ dialogRef, id, title, body, confirmLabel, onConfirm, children }: ConfirmDialogProps) {
  const tr = useTr();
  const close = (e: Event) => (e.currentTarget as HTMLElement).closest('dialog')?.close();
  return (
    <dialog ref={dialogRef} role="alertdialog" aria-labelledby={`${id}-title`} aria-describedby={`${id}-body`}>
      <h2 id={`${id}-title`}>{title}</h2>
      <p id={`${id}-body`}>{body}</p>
      {children}
      <div class="actions">
        <button
          type="button"
          class="danger"
          onClick={(e) => {
            close(e);
            onConfirm();
          }}
        >
          {confirmLabel}
        </button>
        <button type="button" class="secondary" onClick={close}>
          {tr.t('action.cancel')}
        </button>
      </div>
    </dialog>
  );
}
