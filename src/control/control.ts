// What the control API does, for its routes and for the library's typed helpers alike.
import { errors } from '../contract/errors.js';
import { readFaultRules, type Faults, type FaultRuleView } from '../faults/faults.js';
import type { Fleet } from '../fleet/fleet.js';
import { applyMergePatch, readHostsBody } from '../fleet/host-input.js';
import type { JournalView, RequestJournal } from './journal.js';
import type { Host, JournalQuery, ProjectList } from '../contract/schemas.js';
import type { HostStore } from '../store/store.js';

export interface GenerateResult {
  project_id: string;
  count: number;
  seed: number;
}

/** Hosts one control API write may carry: each expands to a full host when completed. */
export const MAX_HOSTS_PER_WRITE = 50_000;
/** Hosts one project may hold, as the generator and the emulated API's offset allow. */
export const MAX_HOSTS_PER_PROJECT = 2_000_000;

export class Control {
  constructor(
    private readonly store: HostStore,
    private readonly fleet: Fleet,
    private readonly journal: RequestJournal,
    private readonly faultRules: Faults,
  ) {}

  /** Every host of a project as a JSON array, in API order, in pieces: any fleet can be listed. */
  async hostsJson(projectId: string): Promise<AsyncIterable<string>> {
    const batches = await this.store.allHostsJson(projectId);
    return (async function* () {
      let separator = '[';
      for await (const batch of batches) {
        yield separator + batch.join(',');
        separator = ',';
      }
      yield separator === '[' ? '[]' : ']';
    })();
  }

  /** Every host of a project, in API order. */
  async hosts(projectId: string): Promise<Host[]> {
    let json = '';
    for await (const piece of await this.hostsJson(projectId)) json += piece;
    return JSON.parse(json) as Host[];
  }

  /** Adds one host, an array of hosts, or a saved API response, after the current ones; returns the stored hosts. */
  async addHosts(projectId: string, input: unknown): Promise<Host[]> {
    const entries = readHostsBody(input, MAX_HOSTS_PER_WRITE);
    return this.store.addHosts(projectId, (write) => this.fleet.complete(projectId, entries, write), MAX_HOSTS_PER_PROJECT);
  }

  /** Replaces every host of a project; returns the stored hosts. */
  async replaceHosts(projectId: string, input: unknown): Promise<Host[]> {
    const entries = readHostsBody(input, MAX_HOSTS_PER_WRITE);
    return this.store.replaceHosts(projectId, (write) => this.fleet.complete(projectId, entries, write));
  }

  /** Applies a JSON merge patch to one host; returns it. */
  async patchHost(projectId: string, hostId: string, patch: unknown): Promise<Host> {
    const patched = await this.store.updateHost(projectId, hostId, (current) => applyMergePatch(current, patch));
    if (!patched) throw errors.hostNotFound(projectId, hostId);
    return patched;
  }

  async deleteHost(projectId: string, hostId: string): Promise<void> {
    if (!(await this.store.deleteHost(projectId, hostId))) throw errors.hostNotFound(projectId, hostId);
  }

  /** Deletes every host: the project then serves an empty fleet. */
  async deleteHosts(projectId: string): Promise<void> {
    await this.store.replaceHosts(projectId, () => []);
  }

  /** Replaces the fleet with a generated one: the fleet a fresh start with this count and seed gives. */
  async generate(projectId: string, count: number, seed = this.fleet.seed): Promise<GenerateResult> {
    await this.store.generate(projectId, seed, count);
    return { project_id: projectId, count, seed };
  }

  /**
   * Back to the start-up state: one project, or every project (with an empty journal and the fault
   * rules of --faults). Start-up files are read again first, so that a bad one changes nothing.
   */
  async reset(projectId?: string): Promise<void> {
    const rules = this.faultRules.readFile();
    this.fleet.reloadFixtures();
    if (projectId === undefined) {
      this.store.resetAll();
      this.journal.clear();
      this.faultRules.reset(rules);
    } else {
      await this.store.resetProject(projectId);
    }
  }

  faults(): { total: number; faults: FaultRuleView[] } {
    const faults = this.faultRules.list();
    return { total: faults.length, faults };
  }

  /** Adds one rule or an array of rules, after the current ones. */
  addFaults(input: unknown): FaultRuleView[] {
    return this.faultRules.add(readFaultRules(input));
  }

  removeFault(id: string): void {
    if (!this.faultRules.remove(id)) throw errors.faultNotFound(id);
  }

  clearFaults(): void {
    this.faultRules.clear();
  }

  /** A page of the request journal, oldest first unless `order` is `desc`. */
  requests(query: JournalQuery = {}): { total: number; requests: JournalView[] } {
    return this.journal.list(query);
  }

  /** The projects in use (written, or served since start), by id, with their host counts. */
  projects(offset = 0, limit = 100): ProjectList {
    return this.store.projects(offset, limit);
  }

  clearRequests(): void {
    this.journal.clear();
  }
}
