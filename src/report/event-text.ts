/**
 * Stack and fault events as one line of words each, for the timelines of every report
 * ("fault f1 applied: region-outage us-east, 11 links down (scheduled t+15.0 s, +12 ms late)").
 * The long lists an event carries (proxy names, toxics) go to `details`, which HTML folds away.
 */
import type { StackEvent } from '../contract/events.js';
import { relativeSeconds } from './format.js';

export interface EventText {
  text: string;
  /** The lists behind the text (proxies touched, toxics), one `name: values` line each; empty when none. */
  details: string[];
}

export function eventText(event: StackEvent, origin: number): EventText {
  const data = event.data ?? {};
  if (event.type === 'fault.applied' || event.type === 'fault.reverted') return faultText(event, origin);
  if (event.type === 'router.switch')
    return { text: `router switched ${str(data.from) ?? '?'} -> ${str(data.to) ?? '?'}`, details: [] };
  const scalars = Object.entries(data)
    .filter(([, v]) => typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean')
    .map(([k, v]) => `${k} ${String(v)}`);
  const where = event.region === undefined ? '' : ` ${event.region}`;
  return {
    text: `${event.type}${where}${scalars.length > 0 ? ` (${scalars.join(', ')})` : ''}`,
    details: [],
  };
}

function faultText(event: StackEvent, origin: number): EventText {
  const data = event.data ?? {};
  const applied = event.type === 'fault.applied';
  const what = [str(data.kind), targetText(data.target)].filter(Boolean).join(' ');
  const disabled = list(data.disabled);
  const toxics = Array.isArray(data.toxics) ? data.toxics : [];
  const processes = Array.isArray(data.processes) ? data.processes : [];
  const effects = [
    disabled.length > 0 && `${disabled.length} ${disabled.length === 1 ? 'link' : 'links'} down`,
    toxics.length > 0 && `${toxics.length} ${toxics.length === 1 ? 'toxic' : 'toxics'}`,
    processes.length > 0 &&
      processes
        .map((p) => (isRecord(p) ? `${str(p.action) ?? 'act on'} ${str(p.component) ?? '?'}` : ''))
        .filter(Boolean)
        .join(', '),
  ].filter(Boolean);
  const scheduledAt = typeof data.scheduledAt === 'number' ? data.scheduledAt : undefined;
  const timing =
    scheduledAt === undefined
      ? ''
      : ` (scheduled ${relativeSeconds(scheduledAt, origin)}, ${lateness(event.time - scheduledAt)})`;
  const id = str(data.id);
  const text = `fault${id === undefined ? '' : ` ${id}`} ${applied ? 'applied' : 'reverted'}: ${what || 'unknown fault'}${effects.length > 0 ? `, ${effects.join(', ')}` : ''}${timing}`;
  const details = [
    disabled.length > 0 && `links down: ${disabled.join(', ')}`,
    list(data.proxies).length > 0 && `proxies touched: ${list(data.proxies).join(', ')}`,
    toxics.length > 0 &&
      `toxics: ${toxics.map((t) => (isRecord(t) ? `${str(t.type) ?? '?'} on ${str(t.proxy) ?? '?'}` : '?')).join(', ')}`,
  ].filter((d): d is string => typeof d === 'string');
  return { text, details };
}

function lateness(ms: number): string {
  return ms >= 0 ? `+${Math.round(ms)} ms late` : `${Math.round(-ms)} ms early`;
}

/** A fault target: the injector's text (`region us-east`) or an object of fields. */
export function targetText(target: unknown): string {
  if (typeof target === 'string') return target;
  if (isRecord(target)) return Object.values(target).map(String).join(' ');
  return '';
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : typeof value === 'number' ? String(value) : undefined;
}

function list(value: unknown): string[] {
  return Array.isArray(value) ? value.map((v) => (typeof v === 'string' ? v : JSON.stringify(v))) : [];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
