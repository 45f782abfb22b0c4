/**
 * Structured JSON-lines logger for the stack's components (one line per record on stdout). A record
 * with an `event` field is a stack event (src/topology/events.ts) that drivers forward to the run.
 */
import type { ComponentLogLine, StackEventType } from '../../src/contract/events.js';

export interface Logger {
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
  event(event: StackEventType, msg: string, fields?: Record<string, unknown>): void;
}

export function createLogger(
  base: { runId: string; component: string; region?: string },
  write: (line: string) => void = (line) => process.stdout.write(line),
): Logger {
  const emit = (level: ComponentLogLine['level'], msg: string, fields: Record<string, unknown> = {}) => {
    const record: ComponentLogLine = { time: new Date().toISOString(), level, ...base, msg, ...fields };
    write(`${JSON.stringify(record)}\n`);
  };
  return {
    info: (msg, fields) => emit('info', msg, fields),
    warn: (msg, fields) => emit('warn', msg, fields),
    error: (msg, fields) => emit('error', msg, fields),
    event: (event, msg, fields) => emit('info', msg, { ...fields, event, eventTime: Date.now() }),
  };
}
