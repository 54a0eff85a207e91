// Overview: charts of the chosen project's fleet, every enterprise project. Each bar is counted by
// the server (the total_num of one list query with limit=0), so a fleet of millions costs a few
// dozen small answers, never a download of its hosts.
import { get, projectPath } from './api.js';
import { byId, h } from './dom.js';
import { barChart } from './bars.js';
import { HOSTS_ROUTE } from './hosts.js';

/**
 * What to chart: a host field, one bar per value it can hold; or boolean query parameters, one
 * bar each (counted with `=true`). A chart whose parameters the API does not have is left out.
 * @type {{ title: string, field?: string, flags?: [string, string][] }[]}
 */
const CHARTS = [
  { title: 'Agent status', field: 'agent_status' },
  { title: 'OS', field: 'os_type' },
  { title: 'Edition', field: 'version' },
  { title: 'Protection', field: 'protect_status' },
  { title: 'Scan result', field: 'detect_result' },
  {
    title: 'Hosts with risks',
    flags: [
      ['has_vul', 'vulnerabilities'],
      ['has_baseline', 'baseline risks'],
      ['has_intrusion', 'intrusions'],
    ],
  },
  { title: 'Asset importance', field: 'asset_value' },
  { title: 'Server status', field: 'host_status' },
];

const EVERY_ENTERPRISE_PROJECT = 'all_granted_eps';

/**
 * The longest prefix up to a dot that several values all start with, or ''.
 * @param {string[]} values
 */
function commonPrefix(values) {
  const first = values[0] ?? '';
  let end = first.lastIndexOf('.') + 1;
  while (end > 0 && !values.every((value) => value.startsWith(first.slice(0, end)))) end = first.lastIndexOf('.', end - 2) + 1;
  return values.length > 1 ? first.slice(0, end) : '';
}

/**
 * The bars of each chart the API can count: its query parameter and value for each bar.
 * @param {any} openapi
 * @returns {{ title: string, key: string, bars: { key: string, label: string, query: Record<string, string> }[] }[]}
 */
export function chartsOf(openapi) {
  const route = openapi.paths[HOSTS_ROUTE]?.get;
  /** @type {Map<string, import('./api.js').Parameter['schema']>} */
  const parameters = new Map((route?.parameters ?? []).filter((/** @type {any} */ p) => p.in === 'query').map((/** @type {any} */ p) => [p.name, p.schema]));
  const hostFields = route?.responses?.['200']?.content?.['application/json']?.schema?.properties?.data_list?.items?.properties ?? {};
  return CHARTS.flatMap(({ title, field, flags }) => {
    if (field !== undefined) {
      /** @type {string[]} */
      const accepted = parameters.get(field)?.enum ?? [];
      /** @type {string[]} */
      const values = (hostFields[field]?.enum ?? []).filter((/** @type {string} */ value) => accepted.includes(value));
      if (values.length === 0) return [];
      // Labels without the prefix every value shares (hss.version.), which the title then shows.
      const prefix = commonPrefix(values);
      return [
        {
          title: prefix ? `${title} (${prefix}*)` : title,
          key: field,
          bars: values.map((value) => ({ key: value, label: value.slice(prefix.length), query: { [field]: value } })),
        },
      ];
    }
    const bars = (flags ?? []).filter(([name]) => parameters.get(name)?.type === 'boolean').map(([name, label]) => ({ key: name, label, query: { [name]: 'true' } }));
    return bars.length === 0 ? [] : [{ title, key: 'risks', bars }];
  });
}

/**
 * @param {import('./app.js').Shell} shell
 * @returns {import('./app.js').View}
 */
export function overviewView(shell) {
  const charts = chartsOf(shell.openapi);
  const container = byId('charts');
  let visible = false;
  let loads = 0;

  async function load() {
    const project = shell.project();
    byId('overview-no-project').hidden = project !== '';
    byId('overview-body').hidden = project === '';
    if (project === '') return;
    const mine = ++loads;
    container.removeAttribute('data-loaded');
    /** @param {Record<string, string>} query */
    const count = async (query) => {
      /** @type {import('./api.js').HostPage} */
      const page = await get(`${projectPath(project)}/list`, { enterprise_project_id: EVERY_ENTERPRISE_PROJECT, ...query, limit: 0 });
      return page.total_num;
    };
    const figures = charts.map(({ title, key }) => h('figure', { 'data-chart': key }, h('figcaption', {}, title), h('p', { class: 'muted' }, 'counting…')));
    container.replaceChildren(...figures);
    try {
      const whole = await count({});
      if (mine !== loads) return;
      byId('overview-total').textContent = `${project}: ${whole.toLocaleString('en')} hosts`;
      await Promise.all(
        charts.map(async ({ title, bars }, index) => {
          const counts = await Promise.all(bars.map(({ query }) => count(query)));
          if (mine !== loads) return;
          const chart = barChart(title, bars.map(({ key, label }, bar) => ({ key, label, count: counts[bar] ?? 0 })), whole);
          figures[index]?.replaceChildren(/** @type {Node} */ (figures[index]?.firstChild), chart);
        }),
      );
      if (mine === loads) container.dataset.loaded = project;
    } catch (error) {
      if (mine === loads) shell.notify(error);
    }
  }

  byId('overview-refresh').addEventListener('click', () => load());
  return {
    show() {
      visible = true;
      load();
    },
    hide() {
      visible = false;
    },
    projectChanged() {
      if (visible) load();
    },
  };
}
