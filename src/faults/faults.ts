// Fault injection and throttling, deterministic so that a retry test is repeatable: fault rules
// (control API and --faults FILE), the X-Mock-Fault / X-Mock-Delay headers, and --rate-limit.
import { readFileSync } from 'node:fs';
import { errors, InputError, StartupError, type ApiError } from '../contract/errors.js';
import { FaultRule, FaultStatus, type FaultRuleInput } from '../contract/schemas.js';
import { compile, describeError } from '../contract/validation.js';

/** What happens to a request. */
export type FaultAction =
  | { kind: 'error'; error: ApiError }
  | { kind: 'delay'; ms: number }
  | { kind: 'reset' }
  | { kind: 'stall' };

/** A fault that fired, and the rule (or header) that fired it. */
export interface Fault {
  action: FaultAction;
  /** The rule's id, `header` for X-Mock-Fault / X-Mock-Delay, or null for the gateway's throttling. */
  source: string | null;
}

/** What a rule can match on. */
export interface FaultRequest {
  projectId: string;
  query: Record<string, unknown>;
  /** The caller's id, as the journal shows it. */
  caller: string;
}

/** A rule as the control API shows it: as given, with its id and counts. */
export type FaultRuleView = FaultRuleInput & { id: string; matched: number; fired: number };

/** Fault rules at most, all sources together: every request to the emulated API may try each of them. */
export const MAX_FAULT_RULES = 1000;

function tooManyRules(detail: string): InputError {
  return new InputError(`There can be at most ${MAX_FAULT_RULES} fault rules; ${detail}`);
}

/** HSS's own limit, named in an injected 429 when --rate-limit is off. */
const GATEWAY_RATE_LIMIT = 200;

/** The documented errors a fault can answer with, by status. */
function faultError(status: FaultStatus, rateLimit: number): ApiError {
  switch (status) {
    case 401:
      return errors.tokenExpired();
    case 403:
      return errors.projectForbidden();
    case 429:
      return errors.throttled(rateLimit || GATEWAY_RATE_LIMIT);
    case 500:
      return errors.internal();
    case 502:
      return errors.backendUnavailable();
    case 504:
      return errors.backendTimeout();
  }
}

/** A small seeded generator (mulberry32): the same seed, the same sequence. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

class Rule {
  matched = 0;
  fired = 0;
  private readonly random: () => number;

  constructor(
    readonly id: string,
    readonly input: FaultRuleInput,
    defaultSeed: number,
  ) {
    this.random = seededRandom(input.seed ?? defaultSeed);
  }

  private matches(request: FaultRequest): boolean {
    const { project_id, query, caller } = this.input;
    return (
      (project_id === undefined || project_id === request.projectId) &&
      (caller === undefined || caller === request.caller) &&
      Object.entries(query ?? {}).every(([name, value]) => request.query[name] === value)
    );
  }

  /** Counts the request if it matches, and says whether the rule fires for it. */
  fires(request: FaultRequest): boolean {
    if (!this.matches(request)) return false;
    this.matched += 1;
    const { after = 0, times, fraction } = this.input;
    if (this.matched <= after || (times !== undefined && this.fired >= times)) return false;
    if (fraction !== undefined && this.random() >= fraction) return false;
    this.fired += 1;
    return true;
  }

  action(rateLimit: number): FaultAction {
    const { action, status, delay_ms: min, delay_max_ms: max = min } = this.input;
    if (action === 'error') return { kind: 'error', error: faultError(status!, rateLimit) };
    if (action === 'delay') return { kind: 'delay', ms: Math.round(min! + this.random() * (max! - min!)) };
    return { kind: action };
  }

  view(): FaultRuleView {
    return { id: this.id, ...this.input, matched: this.matched, fired: this.fired };
  }
}

const checkRule = compile(FaultRule);

/** Reads one rule or an array of rules; throws what is wrong, as `/1/status: ...`. */
export function readFaultRules(input: unknown): FaultRuleInput[] {
  const list = Array.isArray(input) ? input : [input];
  if (list.length > MAX_FAULT_RULES) throw tooManyRules(`${list.length} were given`);
  return list.map((rule, index) => {
    const path = Array.isArray(input) ? `/${index}` : '';
    if (!checkRule(rule)) throw new InputError(describeError(checkRule.errors![0]!, 'pointer', path));
    if (rule.action === 'error' && rule.status === undefined) throw new InputError(`${path}/status: is required with action error`);
    if (rule.action === 'delay' && rule.delay_ms === undefined) throw new InputError(`${path}/delay_ms: is required with action delay`);
    if (rule.delay_max_ms !== undefined && !(rule.delay_max_ms >= (rule.delay_ms ?? Infinity))) {
      throw new InputError(`${path}/delay_max_ms: must come with delay_ms, and be at least delay_ms`);
    }
    return rule;
  });
}

/** The fault rules of a --faults file; a bad file stops startup naming it and the first problem. */
function loadFaultFile(path: string | undefined): FaultRuleInput[] {
  if (path === undefined) return [];
  try {
    return readFaultRules(JSON.parse(readFileSync(path, 'utf8')));
  } catch (error) {
    throw new StartupError(`${path}: ${(error as Error).message}`);
  }
}

export class Faults {
  private rules: Rule[] = [];
  private nextId = 1;

  /** `file`: the --faults file, read now and on every reset; a bad one throws a StartupError. */
  constructor(
    private readonly file: string | undefined,
    private readonly seed: number,
    private readonly rateLimit: number,
  ) {
    this.reset(this.readFile());
  }

  /** The rules of the --faults file, read again; a bad file throws a StartupError. */
  readFile(): FaultRuleInput[] {
    return loadFaultFile(this.file);
  }

  /** Adds rules after the current ones; returns them as shown. Past MAX_FAULT_RULES, throws and adds none. */
  add(inputs: readonly FaultRuleInput[]): FaultRuleView[] {
    if (this.rules.length + inputs.length > MAX_FAULT_RULES) throw tooManyRules(`there are ${this.rules.length}, and ${inputs.length} more were given`);
    const added = inputs.map((input) => new Rule(`fault-${this.nextId++}`, input, this.seed));
    this.rules.push(...added);
    return added.map((rule) => rule.view());
  }

  /** Whether there is any rule at all. */
  any(): boolean {
    return this.rules.length > 0;
  }

  list(): FaultRuleView[] {
    return this.rules.map((rule) => rule.view());
  }

  /** Removes one rule; false when there is no such rule. */
  remove(id: string): boolean {
    const before = this.rules.length;
    this.rules = this.rules.filter((rule) => rule.id !== id);
    return this.rules.length < before;
  }

  clear(): void {
    this.rules = [];
  }

  /** Back to the rules of the --faults file (as `readFile` gave them), with fresh counts. */
  reset(rules: readonly FaultRuleInput[]): void {
    this.clear();
    this.add(rules);
  }

  /** The first rule, in order, that fires for the request. */
  ruleFault(request: FaultRequest): Fault | undefined {
    for (const rule of this.rules) {
      if (rule.fires(request)) return { action: rule.action(this.rateLimit), source: rule.id };
    }
    return undefined;
  }
}

/** `X-Mock-Fault: 429` (or `reset`, `stall`) and `X-Mock-Delay: 250`, for one request. Bad values throw. */
function headerFault(fault: string | undefined, delay: string | undefined, rateLimit: number): Fault | undefined {
  if (fault !== undefined) {
    if (fault === 'reset' || fault === 'stall') return { action: { kind: fault }, source: 'header' };
    const status = Number(fault) as FaultStatus;
    if (!FaultStatus.enum.includes(status)) throw errors.invalidFaultHeader('X-Mock-Fault', `one of ${FaultStatus.enum.join(', ')}, reset or stall`);
    return { action: { kind: 'error', error: faultError(status, rateLimit) }, source: 'header' };
  }
  if (delay !== undefined) {
    if (!/^[0-9]{1,5}$/.test(delay) || Number(delay) > MAX_DELAY_MS) throw errors.invalidFaultHeader('X-Mock-Delay', `milliseconds from 0 to ${MAX_DELAY_MS}`);
    return { action: { kind: 'delay', ms: Number(delay) }, source: 'header' };
  }
  return undefined;
}

const MAX_DELAY_MS = 60_000;

/**
 * The gateway's throttling: at most `limit` requests a second for each caller, over a sliding
 * second. Remembers only callers seen in the last second, so memory stays bounded by traffic.
 */
export class RateLimiter {
  private readonly recent = new Map<string, number[]>();

  constructor(
    private readonly limit: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Whether the caller may make one more request now (and counts it when it may). */
  allow(caller: string): boolean {
    const now = this.now();
    if (this.recent.size > 10_000) this.forgetIdle(now);
    const times = (this.recent.get(caller) ?? []).filter((time) => now - time < 1000);
    if (times.length >= this.limit) {
      this.recent.set(caller, times);
      return false;
    }
    times.push(now);
    this.recent.set(caller, times);
    return true;
  }

  private forgetIdle(now: number): void {
    for (const [caller, times] of this.recent) if (times.every((time) => now - time >= 1000)) this.recent.delete(caller);
  }
}

export interface FaultOptions {
  /** The --faults file. */
  file: string | undefined;
  seed: number;
  /** Requests a second for each caller; 0: no throttling. */
  rateLimit: number;
  /** Whether X-Mock-Fault and X-Mock-Delay are obeyed. */
  headers: boolean;
}

/** Decides, for each request to the emulated API, whether something goes wrong with it. */
export class FaultInjector {
  readonly rules: Faults;
  private readonly limiter: RateLimiter | undefined;

  constructor(private readonly options: FaultOptions) {
    this.rules = new Faults(options.file, options.seed, options.rateLimit);
    this.limiter = options.rateLimit > 0 ? new RateLimiter(options.rateLimit) : undefined;
  }

  /**
   * The gateway's throttling first, then X-Mock-Fault / X-Mock-Delay, then the first rule that
   * fires. `source` is the rule's id, `header`, or null for throttling. Bad X-Mock-* values throw.
   */
  decide(request: FaultRequest & { headers: Record<string, unknown> }): Fault | undefined {
    if (this.limiter === undefined && !this.rules.any() && request.headers['x-mock-fault'] === undefined && request.headers['x-mock-delay'] === undefined) {
      return undefined; // the common case, cheaply
    }
    if (this.limiter && !this.limiter.allow(request.caller)) {
      return { action: { kind: 'error', error: errors.throttled(this.options.rateLimit) }, source: null };
    }
    const { headers } = request;
    const fromHeaders = this.options.headers ? headerFault(headers['x-mock-fault'] as string | undefined, headers['x-mock-delay'] as string | undefined, this.options.rateLimit) : undefined;
    return fromHeaders ?? this.rules.ruleFault(request);
  }
}
