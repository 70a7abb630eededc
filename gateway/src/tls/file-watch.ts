// Calls back when any of some files changes. The directories are watched rather than the files: tools that
// renew certificates (certbot, cert-manager, an editor) often write a new file and rename it over the old one,
// which a watch on the old file's inode would never see. Bursts (cert then key) are coalesced into one call.
import { watch, type FSWatcher } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';

export interface FileWatch {
  close(): void;
}

export function watchFiles(paths: readonly string[], onChange: () => void, settleMs: number): FileWatch {
  const namesByDir = new Map<string, Set<string>>();
  for (const path of paths) {
    const dir = dirname(resolve(path));
    const names = namesByDir.get(dir) ?? new Set<string>();
    names.add(basename(path));
    namesByDir.set(dir, names);
  }
  let timer: NodeJS.Timeout | undefined;
  const changed = () => {
    clearTimeout(timer);
    timer = setTimeout(onChange, settleMs);
  };
  const watchers: FSWatcher[] = [];
  for (const [dir, names] of namesByDir) {
    const watcher = watch(dir, { persistent: false }, (_event, name) => {
      // Some platforms omit the name: then any change in the directory counts.
      if (name === null || names.has(name)) changed();
    });
    // A directory removed under us ends the watch; SIGHUP still reloads.
    watcher.on('error', () => watcher.close());
    watchers.push(watcher);
  }
  return {
    close: () => {
      clearTimeout(timer);
      for (const watcher of watchers) watcher.close();
    },
  };
}
