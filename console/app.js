// The console's shell: the admin token, the project picker, the tabs (one view at a time, named
// by the URL's hash) and the notice bar. Nothing loads until the control API answers.
import { adminToken, ApiError, get, setAdminToken } from './api.js';
import { byId, h } from './dom.js';
import { hostsView } from './hosts.js';
import { requestsView } from './requests.js';
import { faultsView } from './faults.js';
import { overviewView } from './overview.js';

const PROJECT_KEY = 'hss-mock.project';
/** The most projects the picker offers; any other id can be typed. */
const PROJECTS_LISTED = 1000;

/**
 * What every view gets from the shell.
 * @typedef {{ project: () => string, projects: () => Promise<void>, notify: (message: unknown, kind?: 'error' | 'done') => void,
 *   openapi: any }} Shell
 * @typedef {{ show: () => void, hide: () => void, projectChanged: () => void }} View
 */

const projectInput = byId('project', HTMLInputElement);
/** @type {Record<string, View> | undefined} */
let views;
/** @type {View | undefined} */
let shown;

/** @param {unknown} message an Error or text @param {'error' | 'done'} [kind] */
function notify(message, kind = 'error') {
  // A refused admin token is said by the token form instead.
  if (message instanceof ApiError && message.unauthorized) return;
  const notice = byId('notice');
  byId('notice-text').textContent = message instanceof Error ? message.message : String(message);
  notice.className = `notice ${kind}`;
  notice.hidden = false;
}

/** Fills the picker with the projects in use; chooses the first when none is chosen yet. */
async function loadProjects() {
  /** @type {{ total: number, projects: { project_id: string, hosts: number }[] }} */
  const list = await get('/_mock/projects', { limit: PROJECTS_LISTED });
  byId('project-list').replaceChildren(
    ...list.projects.map(({ project_id, hosts }) => h('option', { value: project_id }, `${hosts} host${hosts === 1 ? '' : 's'}`)),
  );
  projectInput.title = list.total > PROJECTS_LISTED ? `${list.total} projects in use: the first ${PROJECTS_LISTED} are listed` : `${list.total} projects in use`;
  if (projectInput.value === '' && list.projects[0]) chooseProject(list.projects[0].project_id);
}

/** @param {string} id */
function chooseProject(id) {
  projectInput.value = id;
  sessionStorage.setItem(PROJECT_KEY, id);
  for (const view of Object.values(views ?? {})) view.projectChanged();
}

function showView() {
  if (!views) return;
  const name = location.hash.slice(1) in views ? location.hash.slice(1) : 'hosts';
  shown?.hide();
  for (const tab of document.querySelectorAll('#tabs a')) tab.classList.toggle('active', tab.getAttribute('data-view') === name);
  for (const section of document.querySelectorAll('.view')) /** @type {HTMLElement} */ (section).hidden = section.id !== `view-${name}`;
  shown = views[name];
  shown?.show();
}

/** Asks for the admin token; `refused`: one was given and the control API said no. */
function askForToken(refused = false) {
  shown?.hide();
  shown = undefined;
  for (const id of ['views', 'tabs', 'project-picker', 'forget-token']) byId(id).hidden = true;
  byId('login').hidden = false;
  byId('login-error').textContent = refused ? 'This admin token was refused (401 MOCK.0401). Check the --admin-token hss-mock was started with.' : '';
  byId('login-token', HTMLInputElement).focus();
}

/** Loads what every view needs, once the control API lets us in. */
async function open() {
  const tokenGiven = adminToken() !== null;
  try {
    await loadProjects();
  } catch (error) {
    if (error instanceof ApiError && error.unauthorized) {
      if (tokenGiven) setAdminToken(null);
      return askForToken(tokenGiven);
    }
    throw error;
  }
  byId('login').hidden = true;
  for (const id of ['views', 'tabs', 'project-picker']) byId(id).hidden = false;
  byId('forget-token').hidden = !tokenGiven;
  if (!views) {
    const [openapi, health] = await Promise.all([get('/_mock/openapi.json'), get('/_mock/health')]);
    byId('version').textContent = health.version;
    /** @type {Shell} */
    const shell = { project: () => projectInput.value.trim(), projects: loadProjects, notify, openapi };
    views = { hosts: hostsView(shell), requests: requestsView(shell), faults: faultsView(shell), overview: overviewView(shell) };
  }
  showView();
}

byId('login-form').addEventListener('submit', (event) => {
  event.preventDefault();
  setAdminToken(byId('login-token', HTMLInputElement).value);
  open().catch(notify);
});
byId('forget-token').addEventListener('click', () => {
  setAdminToken(null);
  askForToken();
});
byId('notice-close').addEventListener('click', () => (byId('notice').hidden = true));
// A call refused later (hss-mock restarted with another token): ask again.
document.addEventListener('unauthorized', () => {
  if (!byId('views').hidden) {
    setAdminToken(null);
    askForToken(true);
  }
});
projectInput.addEventListener('change', () => chooseProject(projectInput.value.trim()));
projectInput.addEventListener('focus', () => loadProjects().catch(notify));
window.addEventListener('hashchange', showView);

projectInput.value = sessionStorage.getItem(PROJECT_KEY) ?? '';
open().catch(notify);
