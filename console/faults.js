// Faults: the rules with their counts (read every second while shown), a form with presets that
// shows the rule it will add, and removal.
import { call, get } from './api.js';
import { byId, cellText, h } from './dom.js';

/** @typedef {import('./api.js').FaultRuleView} FaultRuleView */

const POLL_MS = 1000;

/** @param {string} id */
function numberField(id) {
  const value = byId(id, HTMLInputElement).value;
  return value === '' ? undefined : Number(value);
}

/**
 * The rule the form describes, as POST /_mock/faults takes it.
 * @param {string} preset
 */
function ruleOf(preset) {
  const project_id = byId('fault-project', HTMLInputElement).value.trim() || undefined;
  const seed = numberField('fault-seed');
  const times = numberField('fault-times');
  /** @type {Record<string, unknown>} */
  let rule;
  if (preset === 'throttle') rule = { action: 'error', status: 429, times };
  else if (preset === 'expire') rule = { action: 'error', status: 401, times };
  else if (preset === 'drop') rule = { action: 'reset', times };
  else if (preset === 'fail') rule = { action: 'error', status: Number(byId('fault-status', HTMLSelectElement).value), fraction: numberField('fault-fraction'), seed };
  else {
    const delay_ms = numberField('fault-delay');
    const delay_max_ms = numberField('fault-delay-max');
    rule = { action: 'delay', delay_ms, delay_max_ms: delay_max_ms === delay_ms ? undefined : delay_max_ms, seed };
  }
  return JSON.parse(JSON.stringify({ project_id, ...rule }));
}

/** @param {FaultRuleView} rule */
function scope(rule) {
  const parts = [rule.project_id === undefined ? 'every project' : `project ${rule.project_id}`];
  for (const [name, value] of Object.entries(rule.query ?? {})) parts.push(`${name}=${value}`);
  if (rule.caller !== undefined) parts.push(`caller ${rule.caller}`);
  return parts.join(', ');
}

/** @param {FaultRuleView} rule */
function action(rule) {
  if (rule.action === 'error') return `error ${rule.status}`;
  if (rule.action === 'delay') return rule.delay_max_ms === undefined ? `delay ${rule.delay_ms} ms` : `delay ${rule.delay_ms}–${rule.delay_max_ms} ms`;
  return rule.action === 'reset' ? 'drop the connection' : 'never answer';
}

/** @param {FaultRuleView} rule */
function limits(rule) {
  const parts = [];
  if (rule.after !== undefined) parts.push(`after ${rule.after}`);
  if (rule.times !== undefined) parts.push(`${rule.times} time${rule.times === 1 ? '' : 's'}`);
  if (rule.fraction !== undefined) parts.push(`${rule.fraction * 100}%`);
  if (rule.seed !== undefined) parts.push(`seed ${rule.seed}`);
  return parts.join(', ');
}

/**
 * @param {import('./app.js').Shell} shell
 * @returns {import('./app.js').View}
 */
export function faultsView(shell) {
  const form = byId('fault-form', HTMLFormElement);
  form.noValidate = true;
  const preset = byId('fault-preset', HTMLSelectElement);
  const projectInput = byId('fault-project', HTMLInputElement);
  const tbody = /** @type {HTMLTableSectionElement} */ (byId('faults-table', HTMLTableElement).tBodies[0]);
  let visible = false;
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  let timer;
  let lastAnswer = '';
  /** Only the latest read goes on polling. */
  let loads = 0;
  projectInput.value = shell.project();

  function describe() {
    for (const label of form.querySelectorAll('[data-presets]')) {
      /** @type {HTMLElement} */ (label).hidden = !(label.getAttribute('data-presets') ?? '').split(' ').includes(preset.value);
    }
    byId('fault-preview').textContent = JSON.stringify(ruleOf(preset.value));
  }

  async function load() {
    clearTimeout(timer);
    const mine = ++loads;
    try {
      /** @type {{ total: number, faults: FaultRuleView[] }} */
      const answer = await get('/_mock/faults');
      if (mine !== loads) return;
      const text = JSON.stringify(answer);
      if (text !== lastAnswer) {
        lastAnswer = text;
        byId('faults-total').textContent = `${answer.total} rule${answer.total === 1 ? '' : 's'}`;
        tbody.replaceChildren(
          ...answer.faults.map((rule) =>
            h(
              'tr',
              { 'data-fault-id': rule.id },
              h('td', {}, rule.id),
              h('td', {}, scope(rule)),
              h('td', {}, action(rule)),
              h('td', {}, cellText(limits(rule))),
              h('td', { 'data-count': 'matched' }, rule.matched),
              h('td', { 'data-count': 'fired' }, rule.fired),
              h('td', {}, h('button', { type: 'button', class: 'quiet', 'data-remove': rule.id }, 'Remove')),
            ),
          ),
        );
      }
    } catch (error) {
      if (mine === loads) shell.notify(error);
      return;
    }
    if (visible) timer = setTimeout(load, POLL_MS);
  }

  /** @param {string} method @param {string} path @param {unknown} [body] */
  async function change(method, path, body) {
    try {
      await call(method, path, body);
      await load();
      return true;
    } catch (error) {
      shell.notify(error);
      return false;
    }
  }

  form.addEventListener('input', describe);
  form.addEventListener('change', describe);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (await change('POST', '/_mock/faults', ruleOf(preset.value))) shell.notify('Rule added.', 'done');
  });
  tbody.addEventListener('click', (event) => {
    const id = /** @type {HTMLElement} */ (event.target).closest('button')?.dataset.remove;
    if (id !== undefined) change('DELETE', `/_mock/faults/${encodeURIComponent(id)}`);
  });
  byId('faults-clear').addEventListener('click', () => change('DELETE', '/_mock/faults'));

  return {
    show() {
      visible = true;
      describe();
      load();
    },
    hide() {
      visible = false;
      clearTimeout(timer);
    },
    projectChanged() {
      projectInput.value = shell.project();
      describe();
    },
  };
}
