import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";

/**
 * Writes a file, creating its missing folders one by one. Not
 * `mkdirSync(…, { recursive: true })`: on Node 20 that never returns for a
 * folder that cannot be made under /proc, where this fails with ENOENT.
 */
export function writeFileMakingDirs(path: string, text: string): void {
  makeDirs(dirname(path));
  writeFileSync(path, text);
}

function makeDirs(dir: string): void {
  if (existsSync(dir)) return;
  makeDirs(dirname(dir));
  mkdirSync(dir);
}
