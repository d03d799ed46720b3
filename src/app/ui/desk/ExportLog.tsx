/**
 * The export log as the desk shows it: every export made on a coordinator's device that this device
 * holds, newest first, with when, which device, the profile, the format and how many rows.
 */
import type { LoggedExport } from '../../desk/export-log.ts';
import { useTr, useWriter } from '../context.ts';

/** Device ids are long; the first characters tell coordinators' devices apart on one deployment. */
const DEVICE_SHOWN = 8;

export function ExportLog({ entries }: { entries: LoggedExport[] | undefined }) {
  const tr = useTr();
  const { writer } = useWriter();
  return (
    <section class="form-section exports-log" aria-labelledby="exports-log-h">
      <h2 id="exports-log-h">{tr.t('exports.log.title')}</h2>
      <p class="hint">{tr.t('exports.log.hint')}</p>
      {entries?.length === 0 && <p class="empty">{tr.t('exports.log.empty')}</p>}
      {entries && entries.length > 0 && (
        <div class="table-scroll">
          <table aria-labelledby="exports-log-h">
            <thead>
              <tr>
                <th scope="col">{tr.t('exports.log.when')}</th>
                <th scope="col">{tr.t('exports.log.device')}</th>
                <th scope="col">{tr.t('exports.log.profile')}</th>
                <th scope="col">{tr.t('exports.log.format')}</th>
                <th scope="col">{tr.t('exports.log.rows')}</th>
              </tr>
            </thead>
            <tbody>
              {entries.map((e) => {
                const device = e.by.slice(0, DEVICE_SHOWN);
                return (
                  <tr key={e.id}>
                    <td>
                      <time dateTime={e.at}>{tr.dateTime(Date.parse(e.at))}</time>
                    </td>
                    <td>
                      <span class="mono" dir="ltr" title={e.by}>
                        {e.by === writer.device ? tr.t('exports.log.thisDevice', { device }) : device}
                      </span>
                    </td>
                    <td>
                      <span class="mono" dir="auto">
                        {e.profile}
                      </span>
                    </td>
                    <td>{tr.t(`exports.formatShort.${e.format}`)}</td>
                    <td class="number">{tr.number(e.rows)}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
