// Hosts: the emulated API's query parameters as form controls (read from the OpenAPI document, so
// every parameter the API has shows), a page of hosts exactly as the API answers the same query
// (paged by the server), a host's JSON to edit (merge patch) or delete, and the project's fleet
// to generate or reset.
import { call, get, projectPath, withQuery } from './api.js';
import { byId, cellText, h } from './dom.js';

/** @typedef {import('./api.js').Host} Host */
/** @typedef {import('./api.js').Parameter} Parameter */

export const HOSTS_ROUTE = '/v5/{project_id}/host-management/hosts';
/** Parameters with controls of their own: paging and sorting. */
const OWN_CONTROLS = new Set(['limit', 'offset', 'sort_key', 'sort_dir']);

/** The table's columns: host field and heading. The whole host opens with a click. */
const COLUMNS = [
  ['host_name', 'Name'],
  ['host_id', 'Host ID'],
  ['agent_status', 'Agent'],
  ['os_type', 'OS'],
  ['private_ip', 'Private IP'],
  ['public_ip', 'EIP'],
  ['version', 'Edition'],
  ['protect_status', 'Protection'],
  ['detect_result', 'Scan'],
  ['vulnerability', 'Vuln.'],
  ['baseline', 'Baseline'],
  ['intrusion', 'Intrusion'],
  ['enterprise_project_id', 'Ent. project'],
];

/**
 * The query parameters of the hosts route, in the document's order.
 * @param {any} openapi
 * @returns {Parameter[]}
 */
export function queryParameters(openapi) {
  /** @type {Parameter[]} */
  const parameters = openapi.paths[HOSTS_ROUTE]?.get?.parameters ?? [];
  return parameters.filter((parameter) => parameter.in === 'query');
}

/**
 * A select of a parameter's values, with `any` (the parameter left out) first.
 * @param {string} name
 * @param {string[]} values
 */
function choice(name, values) {
  return h('select', { name }, h('option', { value: '' }, 'any'), ...values.map((value) => h('option', {}, value)));
}

/**
 * A form control for a query parameter: enums and booleans as selects, numbers and text as inputs.
 * The form does not check values itself: the API's own answer says what is wrong.
 * @param {Parameter} parameter
 */
function control({ name, schema, description }) {
  const placeholder = schema.default === undefined ? 'any' : `${schema.default} (default)`;
  let input;
  if (schema.enum) input = choice(name, schema.enum);
  else if (schema.type === 'boolean') input = choice(name, ['true', 'false']);
  else if (schema.type === 'integer' || schema.type === 'number') input = h('input', { name, type: 'number', min: schema.minimum, max: schema.maximum, placeholder });
  else input = h('input', { name, type: 'text', placeholder, spellcheck: 'false', autocomplete: 'off' });
  return h('label', { title: description }, h('span', {}, name), input);
}

/**
 * A JSON merge patch from one version of a host to another: changed and added fields, and null
 * for removed ones.
 * @param {Host} before
 * @param {Host} after
 */
export function mergePatch(before, after) {
  /** @type {Record<string, unknown>} */
  const patch = {};
  for (const name of Object.keys(before)) if (!(name in after)) patch[name] = null;
  for (const [name, value] of Object.entries(after)) if (JSON.stringify(before[name]) !== JSON.stringify(value)) patch[name] = value;
  return patch;
}

/**
 * @param {import('./app.js').Shell} shell
 * @returns {import('./app.js').View}
 */
export function hostsView(shell) {
  const parameters = queryParameters(shell.openapi);
  const form = byId('host-filters', HTMLFormElement);
  form.noValidate = true;
  const table = byId('hosts-table', HTMLTableElement);
  const tbody = /** @type {HTMLTableSectionElement} */ (table.tBodies[0]);
  const pageSize = byId('page-size', HTMLSelectElement);
  const sortKey = byId('sort-key', HTMLSelectElement);
  const sortDir = byId('sort-dir', HTMLSelectElement);
  const panel = byId('host-panel');
  const editor = byId('host-json', HTMLTextAreaElement);
  const hostMessage = byId('host-message');

  byId('filter-fields').replaceChildren(...parameters.filter(({ name }) => !OWN_CONTROLS.has(name)).map(control));
  table.tHead?.replaceChildren(h('tr', {}, ...COLUMNS.map(([, heading]) => h('th', {}, heading))));
  const sort = new Map(parameters.filter(({ name }) => name === 'sort_key' || name === 'sort_dir').map((p) => [p.name, p.schema.enum ?? []]));
  if (sort.has('sort_key')) {
    sortKey.replaceChildren(h('option', { value: '' }, 'API order'), ...(sort.get('sort_key') ?? []).map((value) => h('option', {}, value)));
    sortDir.replaceChildren(...(sort.get('sort_dir') ?? []).map((value) => h('option', {}, value)));
    sortDir.hidden = !sort.has('sort_dir');
    byId('sort-control').hidden = false;
  }

  let visible = false;
  let offset = 0;
  let total = 0;
  /** @type {Host[]} */
  let hosts = [];
  /** The host open in the panel, as last served. */
  /** @type {Host | undefined} */
  let openHost;
  /** Only the latest load renders, however the answers arrive. */
  let loads = 0;

  /** The query of the page to show: the form's values, the sort, then paging. */
  function query() {
    /** @type {Record<string, string | number | undefined>} */
    const values = {};
    for (const [name, value] of new FormData(form)) values[name] = String(value).trim();
    if (sort.has('sort_key') && sortKey.value !== '') {
      values.sort_key = sortKey.value;
      if (sort.has('sort_dir')) values.sort_dir = sortDir.value;
    }
    return { ...values, limit: Number(pageSize.value), offset };
  }

  async function load() {
    const project = shell.project();
    byId('hosts-no-project').hidden = project !== '';
    byId('hosts-body').hidden = project === '';
    if (project === '') return;
    const values = query();
    const mine = ++loads;
    table.removeAttribute('data-loaded');
    try {
      /** @type {import('./api.js').HostPage} */
      const page = await get(`${projectPath(project)}/list`, values);
      if (mine !== loads) return;
      total = page.total_num;
      hosts = page.data_list;
    } catch (error) {
      if (mine !== loads) return;
      total = 0;
      hosts = [];
      shell.notify(error);
    }
    render();
    // What is on screen now, for anyone waiting on it.
    table.dataset.loaded = withQuery(project, values);
  }

  function render() {
    const limit = Number(pageSize.value);
    const totalNum = byId('hosts-total');
    totalNum.textContent = `total_num: ${total}`;
    totalNum.dataset.total = String(total);
    byId('page-info').textContent = hosts.length === 0 ? `offset ${offset}` : `${offset + 1}–${offset + hosts.length}`;
    byId('page-prev', HTMLButtonElement).disabled = offset === 0;
    byId('page-next', HTMLButtonElement).disabled = offset + limit >= total;
    tbody.replaceChildren(
      ...hosts.map((host, index) =>
        h(
          'tr',
          { 'data-index': index, 'data-host-id': host.host_id, class: host.host_id !== undefined && host.host_id === openHost?.host_id ? 'selected' : undefined },
          ...COLUMNS.map(([field]) => {
            const value = host[field];
            return h('td', { class: typeof value === 'string' && /^[\w.]+$/.test(value) ? `v-${value.replaceAll('.', '-')}` : undefined }, cellText(value));
          }),
        ),
      ),
    );
  }

  /** @param {Host | undefined} host */
  function openPanel(host) {
    openHost = host;
    panel.hidden = host === undefined;
    hostMessage.textContent = '';
    for (const row of tbody.rows) row.classList.toggle('selected', host !== undefined && row.dataset.hostId === host.host_id);
    if (!host) return;
    byId('host-title').textContent = `${cellText(host.host_name)} (${cellText(host.host_id)})`;
    editor.value = JSON.stringify(host, null, 2);
    // The control API finds a host by its id.
    for (const id of ['host-save', 'host-delete']) byId(id, HTMLButtonElement).disabled = host.host_id === undefined;
  }

  /** @param {Promise<unknown>} work @param {string} done */
  async function arrange(work, done) {
    try {
      await work;
      shell.notify(done, 'done');
      offset = 0;
      openPanel(undefined);
      await Promise.all([load(), shell.projects()]);
    } catch (error) {
      shell.notify(error);
    }
  }

  tbody.addEventListener('click', (event) => {
    const row = /** @type {HTMLElement} */ (event.target).closest('tr');
    if (row) openPanel(hosts[Number(row.dataset.index)]);
  });
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    offset = 0;
    load();
  });
  form.addEventListener('change', (event) => {
    // A choice applies at once; text applies with Enter or Apply.
    if (event.target instanceof HTMLSelectElement) form.requestSubmit();
  });
  byId('filters-clear').addEventListener('click', () => {
    form.reset();
    form.requestSubmit();
  });
  for (const select of [pageSize, sortKey, sortDir]) select.addEventListener('change', () => ((offset = 0), load()));
  byId('page-prev').addEventListener('click', () => ((offset = Math.max(0, offset - Number(pageSize.value))), load()));
  byId('page-next').addEventListener('click', () => ((offset += Number(pageSize.value)), load()));
  byId('hosts-refresh').addEventListener('click', () => load());
  byId('host-close').addEventListener('click', () => openPanel(undefined));

  byId('host-save').addEventListener('click', async () => {
    const before = openHost;
    if (!before) return;
    /** @type {unknown} */
    let after;
    try {
      after = JSON.parse(editor.value);
    } catch (error) {
      hostMessage.textContent = `Not JSON: ${/** @type {Error} */ (error).message}`;
      return;
    }
    if (typeof after !== 'object' || after === null || Array.isArray(after)) {
      hostMessage.textContent = 'A host is a JSON object.';
      return;
    }
    const patch = mergePatch(before, /** @type {Host} */ (after));
    if (Object.keys(patch).length === 0) {
      hostMessage.textContent = 'Nothing changed.';
      return;
    }
    try {
      /** @type {Host} */
      const saved = await call('PATCH', `${projectPath(shell.project())}/hosts/${encodeURIComponent(String(before.host_id))}`, patch);
      await load();
      openPanel(saved);
      hostMessage.textContent = `Saved (PATCH ${JSON.stringify(patch)}).`;
    } catch (error) {
      hostMessage.textContent = /** @type {Error} */ (error).message;
    }
  });

  byId('host-delete').addEventListener('click', async () => {
    const host = openHost;
    if (!host) return;
    try {
      await call('DELETE', `${projectPath(shell.project())}/hosts/${encodeURIComponent(String(host.host_id))}`);
      openPanel(undefined);
      shell.notify(`Deleted host ${host.host_id}.`, 'done');
      await Promise.all([load(), shell.projects()]);
    } catch (error) {
      hostMessage.textContent = /** @type {Error} */ (error).message;
    }
  });

  byId('generate-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const count = Number(byId('generate-count', HTMLInputElement).value);
    const seedText = byId('generate-seed', HTMLInputElement).value;
    const body = seedText === '' ? { count } : { count, seed: Number(seedText) };
    arrange(call('POST', `${projectPath(shell.project())}/generate`, body), `Generated ${count} hosts in ${shell.project()}.`);
  });
  byId('project-reset').addEventListener('click', () =>
    arrange(call('POST', `${projectPath(shell.project())}/reset`), `${shell.project()} is back to its start-up state.`),
  );

  return {
    show() {
      visible = true;
      load();
    },
    hide() {
      visible = false;
    },
    projectChanged() {
      offset = 0;
      openPanel(undefined);
      if (visible) load();
    },
  };
}
