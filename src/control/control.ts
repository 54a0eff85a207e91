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

export class Control {
  constructor(
    private readonly store: HostStore,
    private readonly fleet: Fleet,
    private readonly journal: RequestJournal,
    private readonly faultRules: Faults,
  ) {}

  /** Every host of a project, serialized, in API order. */
  hostsJson(projectId: string): string {
    return `[${this.store.allHosts(projectId).join(',')}]`;
  }

  hosts(projectId: string): Host[] {
    return JSON.parse(this.hostsJson(projectId)) as Host[];
  }

  /** Adds one host, an array of hosts, or a saved API response, after the current ones; returns the stored hosts. */
  addHosts(projectId: string, input: unknown): Host[] {
    const hosts = this.fleet.complete(projectId, readHostsBody(input), this.store.countWrite(projectId));
    this.store.addHosts(projectId, hosts);
    return hosts;
  }

  /** Replaces every host of a project; returns the stored hosts. */
  replaceHosts(projectId: string, input: unknown): Host[] {
    const hosts = this.fleet.complete(projectId, readHostsBody(input), this.store.countWrite(projectId));
    this.store.replaceHosts(projectId, hosts);
    return hosts;
  }

  /** Applies a JSON merge patch to one host; returns it. */
  patchHost(projectId: string, hostId: string, patch: unknown): Host {
    const current = this.store.getHost(projectId, hostId);
    if (!current) throw errors.hostNotFound(projectId, hostId);
    const patched = applyMergePatch(current, patch);
    this.store.updateHost(projectId, hostId, patched);
    return patched;
  }

  deleteHost(projectId: string, hostId: string): void {
    if (!this.store.deleteHost(projectId, hostId)) throw errors.hostNotFound(projectId, hostId);
  }

  /** Deletes every host: the project then serves an empty fleet. */
  deleteHosts(projectId: string): void {
    this.store.replaceHosts(projectId, []);
  }

  /** Replaces the fleet with a generated one: the fleet a fresh start with this count and seed gives. */
  generate(projectId: string, count: number, seed = this.fleet.seed): GenerateResult {
    this.store.replaceHosts(projectId, this.fleet.generate(projectId, count, seed));
    return { project_id: projectId, count, seed };
  }

  /**
   * Back to the start-up state: one project, or every project (with an empty journal and the fault
   * rules of --faults). Start-up files are read again first, so that a bad one changes nothing.
   */
  reset(projectId?: string): void {
    const rules = this.faultRules.readFile();
    this.fleet.reloadFixtures();
    if (projectId === undefined) {
      this.store.resetAll();
      this.journal.clear();
      this.faultRules.reset(rules);
    } else {
      this.store.resetProject(projectId);
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
