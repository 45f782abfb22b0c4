/** Looks up keys in the zod scenario schema by path (for "did you mean" and "belongs in" hints). */
import { z } from 'zod';
import { scenarioSchema } from './schema.js';

function unwrap(schema: z.ZodType): z.ZodType {
  let current = schema;
  for (;;) {
    if (current instanceof z.ZodDefault || current instanceof z.ZodOptional)
      current = current.unwrap() as z.ZodType;
    else if (current instanceof z.ZodPipe) current = current.in as z.ZodType;
    else if (current instanceof z.ZodUnion && objectOption(current) !== undefined)
      // `network: lan` or a mapping: keys are looked up in the mapping.
      current = objectOption(current)!;
    else return current;
  }
}

function objectOption(union: z.ZodUnion): z.ZodType | undefined {
  const objects = (union.options as z.ZodType[]).filter((option) => option instanceof z.ZodObject);
  return objects.length === 1 ? objects[0] : undefined;
}

function schemaAt(path: readonly PropertyKey[]): z.ZodType | undefined {
  let current: z.ZodType = scenarioSchema;
  for (const segment of path) {
    const node = unwrap(current);
    if (node instanceof z.ZodObject && typeof segment === 'string') {
      const child = (node.shape as Record<string, z.ZodType>)[segment];
      if (child === undefined) return undefined;
      current = child;
    } else if (node instanceof z.ZodArray && typeof segment === 'number') {
      current = node.element as z.ZodType;
    } else return undefined;
  }
  return unwrap(current);
}

/** The keys an object at `path` accepts, or [] when `path` is not an object. */
export function knownKeysAt(path: readonly PropertyKey[]): string[] {
  const node = schemaAt(path);
  return node instanceof z.ZodObject ? Object.keys(node.shape) : [];
}

/** Where else `key` is a valid key (as a dotted path, arrays as `0`), breadth first; undefined if nowhere. */
export function whereKeyBelongs(key: string): string | undefined {
  const queue: (string | number)[][] = [[]];
  while (queue.length > 0) {
    const path = queue.shift()!;
    const node = schemaAt(path);
    if (node instanceof z.ZodObject) {
      const keys = Object.keys(node.shape);
      if (path.length > 0 && keys.includes(key)) return path.join('.');
      for (const child of keys) queue.push([...path, child]);
    } else if (node instanceof z.ZodArray) queue.push([...path, 0]);
  }
  return undefined;
}
