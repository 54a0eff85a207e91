// Requests: the journal of the emulated API, newest first, polled every second while shown; a
// request opens its fields, its decoded query, and itself as a curl command.
import { call, get } from './api.js';
import { byId, cellText, h } from './dom.js';
import { curlCommand, encodeQuery } from './curl.js';

/** @typedef {import('./api.js').JournalEntry} JournalEntry */

/** How often the journal is read again while the view is shown and live. */
export const POLL_MS = 1000;
const PAGE = 100;

/** @param {string} iso */
function clock(iso) {
  const time = new Date(iso);
  return `${time.toLocaleTimeString([], { hour12: false })}.${String(time.getMilliseconds()).padStart(3, '0')}`;
}

/**
 * A decoded query value as received: a repeated parameter as a JSON array, an empty one said so.
 * @param {string | string[]} value
 */
function queryValue(value) {
  if (Array.isArray(value)) return JSON.stringify(value);
  return value === '' ? '(empty)' : value;
}

/** @param {number} status */
function statusClass(status) {
  return status === 0 ? 'status-dropped' : `status-${Math.floor(status / 100)}xx`;
}

/**
 * @param {import('./app.js').Shell} shell
 * @returns {import('./app.js').View}
 */
export function requestsView(shell) {
  const table = byId('requests-table', HTMLTableElement);
  const tbody = /** @type {HTMLTableSectionElement} */ (table.tBodies[0]);
  const projectFilter = byId('requests-project', HTMLInputElement);
  const statusFilter = byId('requests-status', HTMLInputElement);
  const live = byId('requests-live', HTMLInputElement);
  const panel = byId('request-panel');
  const curl = byId('request-curl', HTMLTextAreaElement);

  let visible = false;
  let offset = 0;
  /** @type {JournalEntry[]} */
  let entries = [];
  /** The last answer, to leave the table alone when nothing changed. */
  let lastAnswer = '';
  /** @type {string | undefined} */
  let openId;
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  let timer;
  let loads = 0;

  async function load() {
    clearTimeout(timer);
    const mine = ++loads;
    try {
      const answer = await get('/_mock/requests', {
        order: 'desc',
        offset,
        limit: PAGE,
        project_id: projectFilter.value.trim(),
        status: statusFilter.value,
      });
      if (mine !== loads) return;
      const text = JSON.stringify(answer);
      if (text !== lastAnswer) {
        lastAnswer = text;
        entries = answer.requests;
        render(answer.total);
      }
    } catch (error) {
      if (mine !== loads) return;
      shell.notify(error);
      live.checked = false;
    }
    // The next read a second after this one ends: reads never pile up on a slow server.
    if (visible && live.checked) timer = setTimeout(load, POLL_MS);
  }

  /** @param {number} total */
  function render(total) {
    byId('requests-total').textContent = `${total} request${total === 1 ? '' : 's'}`;
    byId('requests-prev', HTMLButtonElement).disabled = offset === 0;
    byId('requests-next', HTMLButtonElement).disabled = offset + PAGE >= total;
    byId('requests-empty').hidden = total !== 0;
    tbody.replaceChildren(
      ...entries.map((entry, index) => {
        const query = encodeQuery(entry.query);
        return h(
          'tr',
          { 'data-index': index, 'data-request-id': entry.request_id, class: entry.request_id === openId ? 'selected' : undefined },
          h('td', { title: entry.time }, clock(entry.time)),
          h('td', {}, entry.method),
          h('td', { class: 'path' }, `${entry.path}${query ? `?${query}` : ''}`),
          h('td', { class: statusClass(entry.status) }, entry.status === 0 ? 'dropped' : entry.status),
          h('td', {}, cellText(entry.error_code)),
          h('td', {}, entry.auth),
          h('td', {}, cellText(entry.fault)),
        );
      }),
    );
  }

  /** @param {JournalEntry | undefined} entry */
  function openPanel(entry) {
    openId = entry?.request_id;
    panel.hidden = entry === undefined;
    for (const row of tbody.rows) row.classList.toggle('selected', row.dataset.requestId === openId);
    if (!entry) return;
    byId('request-title').textContent = `${entry.method} ${entry.path}`;
    /** @type {[string, unknown][]} */
    const fields = [
      ['time', entry.time],
      ['method', entry.method],
      ['path', entry.path],
      ['project', entry.project_id],
      ['status', entry.status === 0 ? '0 (connection dropped)' : entry.status],
      ['error code', entry.error_code],
      ['auth', entry.auth],
      ['caller', entry.caller],
      ['region', entry.region],
      ['fault', entry.fault],
      ['request id', entry.request_id],
    ];
    byId('request-fields').replaceChildren(...fields.flatMap(([name, value]) => [h('dt', {}, name), h('dd', { 'data-field': name }, cellText(value))]));
    const query = Object.entries(entry.query);
    byId('request-query', HTMLTableElement).tBodies[0]?.replaceChildren(
      ...(query.length === 0
        ? [h('tr', {}, h('td', { class: 'muted' }, 'no query'))]
        : query.map(([name, value]) => h('tr', {}, h('th', {}, name), h('td', { 'data-parameter': name }, queryValue(value))))),
    );
    curl.value = curlCommand(entry, location.origin);
    const notes = [];
    if (entry.auth === 'aksk') notes.push(`It was signed with AK/SK (${entry.caller}); curl cannot sign, so the command uses a token instead.`);
    if (entry.auth !== 'none') notes.push('Replace <token> with a token hss-mock accepts (any token, unless started with --token).');
    if (entry.fault === 'header') notes.push('It carried X-Mock-Fault or X-Mock-Delay, which the journal does not keep.');
    byId('request-curl-note').textContent = notes.join(' ');
  }

  tbody.addEventListener('click', (event) => {
    const row = /** @type {HTMLElement} */ (event.target).closest('tr');
    if (row) openPanel(entries[Number(row.dataset.index)]);
  });
  byId('request-close').addEventListener('click', () => openPanel(undefined));
  byId('request-copy').addEventListener('click', async () => {
    curl.select();
    try {
      await navigator.clipboard.writeText(curl.value);
      shell.notify('The curl command is on the clipboard.', 'done');
    } catch {
      // No clipboard here (a page not served from localhost or https): the text is selected.
      shell.notify('The clipboard is not available here: the command is selected, copy it with Ctrl+C.', 'done');
    }
  });
  byId('request-filters').addEventListener('submit', (event) => event.preventDefault());
  for (const input of [projectFilter, statusFilter]) input.addEventListener('change', () => ((offset = 0), load()));
  live.addEventListener('change', () => load());
  byId('requests-prev').addEventListener('click', () => ((offset = Math.max(0, offset - PAGE)), load()));
  byId('requests-next').addEventListener('click', () => ((offset += PAGE), load()));
  byId('requests-clear').addEventListener('click', async () => {
    try {
      await call('DELETE', '/_mock/requests');
      openPanel(undefined);
      await load();
    } catch (error) {
      shell.notify(error);
    }
  });

  return {
    show() {
      visible = true;
      load();
    },
    hide() {
      visible = false;
      clearTimeout(timer);
    },
    projectChanged() {},
  };
}
