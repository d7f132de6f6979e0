// Types of scripts/build.mjs for the TypeScript callers (tests, benchmarks).
export interface FrontEnd {
  name: string;
  workspace: string;
  inputs: string[];
}
export const FRONT_ENDS: FrontEnd[];
export function frontEndHash(app: FrontEnd): string;
export function frontEndIsCurrent(app: FrontEnd): boolean;
export function buildFrontEnd(app: FrontEnd, options?: { ifStale?: boolean }): boolean;
export function buildAll(options?: { ifStale?: boolean; quiet?: boolean }): Promise<void>;
