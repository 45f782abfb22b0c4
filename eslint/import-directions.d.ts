import type { ESLint, Rule } from 'eslint';

export declare const LAYERS: string[][];
export declare const importDirections: Rule.RuleModule;
export declare const importDirectionsPlugin: ESLint.Plugin;
