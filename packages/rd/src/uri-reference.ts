/**
 * RFC 3986 §5.2 reference resolution, as the RD needs it to turn registered links (relative to
 * the registration's base) into the absolute URIs that resource lookup answers with.
 */

interface Parts {
  scheme?: string;
  authority?: string;
  path: string;
  query?: string;
  fragment?: string;
}

const REF_RE = /^(?:([A-Za-z][A-Za-z0-9+.-]*):)?(?:\/\/([^/?#]*))?([^?#]*)(?:\?([^#]*))?(?:#(.*))?$/;

function split(ref: string): Parts {
  const m = REF_RE.exec(ref);
  // The pattern matches every string; the fallback only satisfies the type checker.
  if (!m) return { path: ref };
  const p: Parts = { path: m[3] ?? '' };
  if (m[1] !== undefined) p.scheme = m[1];
  if (m[2] !== undefined) p.authority = m[2];
  if (m[4] !== undefined) p.query = m[4];
  if (m[5] !== undefined) p.fragment = m[5];
  return p;
}

/** RFC 3986 §5.2.4 */
export function removeDotSegments(path: string): string {
  let input = path;
  const out: string[] = [];
  while (input.length > 0) {
    if (input.startsWith('../')) input = input.slice(3);
    else if (input.startsWith('./')) input = input.slice(2);
    else if (input.startsWith('/./')) input = input.slice(2);
    else if (input === '/.') input = '/';
    else if (input.startsWith('/../')) {
      input = input.slice(3);
      out.pop();
    } else if (input === '/..') {
      input = '/';
      out.pop();
    } else if (input === '.' || input === '..') input = '';
    else {
      const next = input.indexOf('/', input.startsWith('/') ? 1 : 0);
      const seg = next < 0 ? input : input.slice(0, next);
      out.push(seg);
      input = next < 0 ? '' : input.slice(next);
    }
  }
  return out.join('');
}

function merge(base: Parts, refPath: string): string {
  if (base.authority !== undefined && base.path === '') return `/${refPath}`;
  const slash = base.path.lastIndexOf('/');
  return slash < 0 ? refPath : base.path.slice(0, slash + 1) + refPath;
}

function join(p: Parts): string {
  let s = '';
  if (p.scheme !== undefined) s += `${p.scheme}:`;
  if (p.authority !== undefined) s += `//${p.authority}`;
  s += p.path;
  if (p.query !== undefined) s += `?${p.query}`;
  if (p.fragment !== undefined) s += `#${p.fragment}`;
  return s;
}

/** Resolves `reference` against the absolute URI `base` (RFC 3986 §5.2.2, strict). */
export function resolveReference(reference: string, base: string): string {
  const r = split(reference);
  const b = split(base);
  const t: Parts = { path: '' };
  if (r.scheme !== undefined) {
    t.scheme = r.scheme;
    if (r.authority !== undefined) t.authority = r.authority;
    t.path = removeDotSegments(r.path);
    if (r.query !== undefined) t.query = r.query;
  } else {
    if (r.authority !== undefined) {
      t.authority = r.authority;
      t.path = removeDotSegments(r.path);
      if (r.query !== undefined) t.query = r.query;
    } else {
      if (r.path === '') {
        t.path = b.path;
        if (r.query !== undefined) t.query = r.query;
        else if (b.query !== undefined) t.query = b.query;
      } else {
        t.path = removeDotSegments(r.path.startsWith('/') ? r.path : merge(b, r.path));
        if (r.query !== undefined) t.query = r.query;
      }
      if (b.authority !== undefined) t.authority = b.authority;
    }
    if (b.scheme !== undefined) t.scheme = b.scheme;
  }
  if (r.fragment !== undefined) t.fragment = r.fragment;
  return join(t);
}

/** An absolute URI without query or fragment, as RFC 9176 requires of `base` (e.g. "coap://[2001:db8::1]:5683"). */
export function isValidBase(uri: string): boolean {
  if (uri.length === 0 || uri.length > 255) return false;
  for (let i = 0; i < uri.length; i++) {
    const c = uri.charCodeAt(i);
    if (c <= 0x20 || c >= 0x7f || c === 0x22 || c === 0x3c || c === 0x3e || c === 0x5c) return false;
  }
  const p = split(uri);
  return (
    p.scheme !== undefined &&
    p.authority !== undefined &&
    p.authority !== '' &&
    p.query === undefined &&
    p.fragment === undefined
  );
}
