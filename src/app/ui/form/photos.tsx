/**
 * A report's photos on its form: taken with the camera inside the app (so no copy lands in the
 * phone's gallery, where the panic wipe cannot reach), or chosen from the gallery, which keeps its
 * own copy and says so. A photo that records where it was taken is kept only once the monitor has
 * answered whether that position goes with the report. Each photo is kept sealed on the phone as
 * soon as it is added (its id goes into the draft); one taken off the form before saving is removed.
 * The code that reads and keeps photos loads the first time one is added.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import type { Attachment } from '../../../domain/op/op.ts';
import type { MessageKey } from '../../i18n/i18n.ts';
import type { ChosenPhoto } from '../../photos/add-photo.ts';
import { useTr, useWriter } from '../context.ts';
import { Thumbnail, usePhotoRow } from '../PhotoThumbnail.tsx';
import { useAsync } from '../use-async.ts';
import type { FieldProps } from './fields.tsx';

/** The form value holding the kept photos' ids, space-separated, in the order they were added. */
export const PHOTOS_KEY = 'photos';

export function photoIdsOf(values: Record<string, string>): string[] {
  return (values[PHOTOS_KEY] ?? '').split(' ').filter(Boolean);
}

/** The form value holding the SHA-256 of each saved photo an edit takes off the report. */
const REMOVED_KEY = 'photosRemoved';

export function removedPhotosOf(values: Record<string, string>): string[] {
  return (values[REMOVED_KEY] ?? '').split(' ').filter(Boolean);
}

const loadPhotoCode = () => Promise.all([import('../../photos/add-photo.ts'), import('../../photos/photo-rows.ts')]);

/** `saved`: an edited report's photos, which the edit may take off (a removal its op records). */
export function PhotosField({ props, saved = [] }: { props: FieldProps; saved?: readonly Attachment[] }) {
  const tr = useTr();
  const { writer } = useWriter();
  const ids = photoIdsOf(props.values);
  const idsRef = useRef(ids);
  idsRef.current = ids;
  const rows = useAsync(() => Promise.all(ids.map((id) => writer.db.photos.get(id))), [writer.db, ids.join(' ')], { keep: true });
  const removed = removedPhotosOf(props.values);
  const kept = saved.filter((a) => !removed.includes(a.sha256));
  const [asking, setAsking] = useState<{ answer: (keep: boolean) => void }>();
  const [status, setStatus] = useState<MessageKey>();
  const [busy, setBusy] = useState(false);
  const [camera, setCamera] = useState(false);

  const setIds = (next: string[]) => {
    idsRef.current = next;
    props.set(PHOTOS_KEY, next.join(' '));
  };

  /** Keeps each file in turn; the position question is asked of each photo that records one. */
  const add = async (files: { file: Blob; at: number }[]) => {
    setBusy(true);
    setStatus('photo.keeping');
    try {
      const [{ readChosenPhoto, addPhoto }] = await loadPhotoCode();
      for (const { file, at } of files) {
        const read = await readChosenPhoto(file, at);
        if (!read.ok) {
          setStatus(read.reason);
          continue;
        }
        const photo: ChosenPhoto = read.photo;
        const keepPosition = photo.position ? await new Promise<boolean>((answer) => setAsking({ answer })) : false;
        setAsking(undefined);
        const kept = await addPhoto(writer.db, photo, keepPosition, writer.random);
        if (!kept.ok) {
          setStatus(kept.reason);
          continue;
        }
        setIds([...idsRef.current, kept.id]);
        setStatus(undefined);
      }
    } catch (error) {
      setStatus((error as { code?: string }).code === 'photo.err.storageFull' ? 'photo.err.storageFull' : 'photo.err.damaged');
    } finally {
      setBusy(false);
    }
  };

  const remove = async (id: string) => {
    const [, { forgetPhoto }] = await loadPhotoCode();
    setIds(idsRef.current.filter((i) => i !== id));
    await forgetPhoto(writer.db, id);
  };

  const chosen = (input: HTMLInputElement) => {
    const files = [...(input.files ?? [])].map((file) => ({ file, at: file.lastModified || Date.now() }));
    input.value = '';
    void add(files);
  };

  return (
    <fieldset class="group photos">
      <legend>{tr.t('field.photos')}</legend>
      <p class="hint">{tr.t('field.photos.hint')}</p>
      <ul class="photo-list">
        {kept.map((attachment, i) => (
          <SavedPhoto
            key={attachment.sha256}
            attachment={attachment}
            n={i + 1}
            onRemove={() => props.set(REMOVED_KEY, [...removed, attachment.sha256].join(' '))}
          />
        ))}
        {(rows.value ?? []).map((row, i) =>
          row ? (
            <li key={row.id}>
              <Thumbnail row={row} alt={tr.t('photo.alt', { n: kept.length + i + 1 })} />
              {row.positionRemoved && <p class="hint">{tr.t('photo.positionRemoved')}</p>}
              <button type="button" class="secondary" onClick={() => void remove(row.id)}>
                {tr.t('action.removePhoto', { n: kept.length + i + 1 })}
              </button>
            </li>
          ) : null,
        )}
      </ul>
      {asking && (
        <div role="group" aria-labelledby="photo-position-question" class="question">
          <p id="photo-position-question">{tr.t('photo.position.question')}</p>
          <div class="actions">
            <button type="button" onClick={() => asking.answer(false)}>
              {tr.t('photo.position.remove')}
            </button>
            <button type="button" class="secondary" onClick={() => asking.answer(true)}>
              {tr.t('photo.position.keep')}
            </button>
          </div>
        </div>
      )}
      <div class="actions">
        <button type="button" disabled={busy} onClick={() => setCamera(true)}>
          {tr.t('action.takePhoto')}
        </button>
        <label class="button secondary">
          {tr.t('action.choosePhoto')}
          <input
            type="file"
            class="file-input"
            accept="image/jpeg,image/png,image/webp"
            multiple
            disabled={busy}
            onChange={(e) => chosen(e.currentTarget)}
          />
        </label>
      </div>
      <p class="hint">{tr.t('photo.galleryNote')}</p>
      {status && (
        <p role={status.startsWith('photo.err') ? 'alert' : 'status'} class={status.startsWith('photo.err') ? 'form-error' : 'hint'}>
          {tr.t(status)}
        </p>
      )}
      {camera && (
        <CameraDialog
          onClose={() => setCamera(false)}
          onTaken={(file) => {
            setCamera(false);
            void add([{ file, at: Date.now() }]);
          }}
        />
      )}
    </fieldset>
  );
}

/** A photo the report already has, shown from this device's copy when it holds one. */
function SavedPhoto({ attachment, n, onRemove }: { attachment: Attachment; n: number; onRemove: () => void }) {
  const tr = useTr();
  const row = usePhotoRow(attachment);
  const alt = tr.t('photo.alt', { n });
  return (
    <li>
      {row && !row.unverified ? <Thumbnail row={row} alt={alt} /> : <span class="photo-thumbnail">{alt}</span>}
      <button type="button" class="secondary" onClick={onRemove}>
        {tr.t('action.removePhoto', { n })}
      </button>
    </li>
  );
}

/**
 * The camera inside the app: its picture drawn from the live preview and encoded as JPEG in the
 * page, so it is never written to the gallery and carries no position.
 */
function CameraDialog({ onTaken, onClose }: { onTaken: (file: Blob) => void; onClose: () => void }) {
  const tr = useTr();
  const dialog = useRef<HTMLDialogElement>(null);
  const video = useRef<HTMLVideoElement>(null);
  const [denied, setDenied] = useState(false);
  const [ready, setReady] = useState(false);

  useEffect(() => {
    dialog.current?.showModal();
    let stream: MediaStream | undefined;
    let closed = false;
    const media = navigator.mediaDevices as MediaDevices | undefined;
    if (!media) setDenied(true);
    else
      media
        .getUserMedia({ video: { facingMode: 'environment' }, audio: false })
        .then((s) => {
          if (closed) return s.getTracks().forEach((t) => t.stop());
          stream = s;
          if (video.current) video.current.srcObject = s;
        })
        .catch(() => setDenied(true));
    return () => {
      closed = true;
      stream?.getTracks().forEach((t) => t.stop());
    };
  }, []);

  const take = () => {
    const v = video.current;
    if (!v || v.videoWidth === 0) return;
    const canvas = document.createElement('canvas');
    canvas.width = v.videoWidth;
    canvas.height = v.videoHeight;
    canvas.getContext('2d')!.drawImage(v, 0, 0);
    canvas.toBlob((blob) => blob && onTaken(blob), 'image/jpeg', 0.92);
  };

  return (
    <dialog ref={dialog} aria-labelledby="camera-title" class="camera" onClose={onClose}>
      <h2 id="camera-title">{tr.t('camera.title')}</h2>
      {denied ? (
        <p role="alert" class="form-error">
          {tr.t('camera.denied')}
        </p>
      ) : (
        <video ref={video} autoplay playsinline muted aria-label={tr.t('camera.title')} onLoadedData={() => setReady(true)} />
      )}
      <div class="actions">
        {!denied && (
          <button type="button" class="primary" disabled={!ready} onClick={take}>
            {tr.t('camera.take')}
          </button>
        )}
        <button type="button" class="secondary" onClick={() => dialog.current?.close()}>
          {tr.t('camera.close')}
        </button>
      </div>
    </dialog>
  );
}
