/**
 * Stack events: stdout records of the components that carry an `event` field become StackEvents,
 * delivered to listeners, kept in memory and appended to `<runDir>/events.ndjson` (so another process —
 * `chaosbank status`, an attached stack — can read them too).
 */
import { appendFileSync, readFileSync } from 'node:fs';
import type { StackEvent, StackEventType } from '../../src/contract/events.js';
import type { LogRecord } from './process.js';

const RESERVED = new Set(['time', 'level', 'runId', 'component', 'region', 'msg', 'event', 'eventTime']);

export function recordToEvent(record: LogRecord, component: string): StackEvent | null {
  if (typeof record.event !== 'string') return null;
  const time =
    typeof record.eventTime === 'number'
      ? record.eventTime
      : typeof record.time === 'string'
        ? Date.parse(record.time)
        : Date.now();
  const data: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(record)) if (!RESERVED.has(key)) data[key] = value;
  if (typeof record.msg === 'string') data.msg = record.msg;
  const event: StackEvent = {
    time,
    type: record.event as StackEventType,
    component: typeof record.component === 'string' ? record.component : component,
    data,
  };
  if (typeof record.region === 'string') event.region = record.region;
  return event;
}

export class EventLog {
  private readonly all: StackEvent[] = [];
  private readonly listeners = new Set<(event: StackEvent) => void>();

  constructor(private readonly file: string) {}

  push(event: StackEvent): void {
    this.all.push(event);
    appendFileSync(this.file, `${JSON.stringify(event)}\n`);
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch {
        // A failing listener must not stop delivery to the others nor the component's log parsing.
      }
    }
  }

  on(listener: (event: StackEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  list(): StackEvent[] {
    return [...this.all].sort((a, b) => a.time - b.time);
  }
}

export function readEventsFile(file: string): StackEvent[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return [];
  }
  const events: StackEvent[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    try {
      events.push(JSON.parse(line) as StackEvent);
    } catch {
      // a torn last line while the owner is writing: skip it
    }
  }
  return events.sort((a, b) => a.time - b.time);
}
