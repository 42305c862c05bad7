// POSIX path arithmetic for the browser host: the kernel's paths there are the paths of the
// notebook's URI (`/owner/repo/data/x.safetensors`), which the extension maps back onto the
// workspace's file system. A few lines instead of a path package: only these six are used.
import type { HostPaths } from '../host/index';

/** `a/./b/../c` → `a/c`; keeps a leading `/`; `..` above the root stays at the root. */
function normalize(path: string): string {
  const absolute = path.startsWith('/');
  const out: string[] = [];
  for (const part of path.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (out.length > 0 && out[out.length - 1] !== '..') out.pop();
      else if (!absolute) out.push('..');
    } else out.push(part);
  }
  const joined = out.join('/');
  return absolute ? `/${joined}` : joined || '.';
}

export const browserPaths: HostPaths = {
  join: (...parts) => normalize(parts.filter((p) => p !== '').join('/')),
  resolve: (from, path) => normalize(path.startsWith('/') ? path : `${from}/${path}`),
  dirname(path) {
    const p = normalize(path);
    const at = p.lastIndexOf('/');
    return at < 0 ? '.' : at === 0 ? '/' : p.slice(0, at);
  },
  basename: (path) => normalize(path).split('/').pop() ?? '',
  relative(from, to) {
    const a = normalize(from).split('/').filter(Boolean);
    const b = normalize(to).split('/').filter(Boolean);
    let common = 0;
    while (common < a.length && common < b.length && a[common] === b[common]) common++;
    return [...a.slice(common).map(() => '..'), ...b.slice(common)].join('/');
  },
  toFileUrl: (path) => `file://${encodeURI(normalize(path))}`,
  fromFileUrl(url) {
    if (!url.startsWith('file://')) throw new TypeError(`Not a file: URL: ${url}`);
    return decodeURI(new URL(url).pathname);
  },
};
