import { type ParseArgsConfig, parseArgs } from "node:util";

/**
 * node:util's parseArgs, except that an option given twice is an error:
 * parseArgs keeps the last value silently, so `erase --user U1 --user U2`
 * would erase U2 only and report success. Flags, and options declared
 * `multiple`, may repeat.
 */
export function parseArgsOnce<T extends ParseArgsConfig>(config: T) {
  const parsed = parseArgs({ ...config, tokens: true });
  const seen = new Set<string>();
  for (const token of parsed.tokens ?? []) {
    if (token.kind !== "option") continue;
    const option = config.options?.[token.name];
    // A flag given twice means the same; a value given twice leaves one of them unused.
    if (option?.type !== "string" || option.multiple) continue;
    if (seen.has(token.name)) throw new Error(`--${token.name} is given twice; give it once`);
    seen.add(token.name);
  }
  return parsed;
}
