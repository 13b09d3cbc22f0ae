/**
 * Whether TOOLS.md may have changed since the store last looked at it, as the operating
 * system reports it, so that a read needs no stat of its own (issue 23: in a fresh
 * process's first few hundred calls that stat was ~50 µs of a call, cold file-system
 * code in Node and the kernel; bench/README.md).
 *
 * A watch on the file's folder marks the file changed on any event for its name (or
 * one without a name). The store then looks again: it stats, and re-reads. A look is
 * also due
 * - on every call when there is no watch: the folder does not exist, the platform has
 *   no file events, or TOOLS.md is a symbolic link (its target may change in a folder
 *   nobody watches); that is a stat per call, as before;
 * - when the last look is older than `maxAgeMs` (1 s), for file systems that do not
 *   report every change (a share edited from another machine, some container mounts);
 * - for every write: the store's caller asks for a fresh look (`AccountStore.resolve`).
 */
import { type FSWatcher, lstatSync, watch } from 'node:fs';
import { basename, dirname } from 'node:path';

export const MAX_AGE_MS = 1_000;

export class ChangeWatch {
  private watcher: FSWatcher | undefined;
  private reported = true;
  private lookedAt = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly path: string,
    private readonly maxAgeMs = MAX_AGE_MS,
    private readonly now: () => number = () => performance.now(),
  ) {
    if (isSymbolicLink(path)) return;
    const name = basename(path);
    try {
      // Not persistent: the watch never keeps the process alive.
      this.watcher = watch(dirname(path), { persistent: false }, (_event, file) => {
        if (file === null || file === name) this.reported = true;
      });
      this.watcher.on('error', () => this.close());
    } catch {
      this.watcher = undefined;
    }
  }

  /** True while the operating system reports changes of the file: else every call must look. */
  get watching(): boolean {
    return this.watcher !== undefined;
  }

  /** Whether the store must look at the file now. */
  due(): boolean {
    return !this.watcher || this.reported || this.now() - this.lookedAt >= this.maxAgeMs;
  }

  /**
   * The store looks now: returns whether a change was reported since the last look (then
   * it re-reads even if size and modification time are the same).
   */
  look(): boolean {
    const reported = this.reported;
    this.reported = false;
    this.lookedAt = this.now();
    // Replaced by a symbolic link: its target's folder is not watched.
    if (this.watcher && isSymbolicLink(this.path)) this.close();
    return reported;
  }

  close(): void {
    this.watcher?.close();
    this.watcher = undefined;
  }
}

function isSymbolicLink(path: string): boolean {
  try {
    return lstatSync(path, { throwIfNoEntry: false })?.isSymbolicLink() ?? false;
  } catch {
    return false;
  }
}
