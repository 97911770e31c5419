import { InvalidArgumentError } from '../../errors.js';
import type { Method, Route } from './Route.js';

interface Compiled {
  route: Route;
  pattern: RegExp;
  names: string[];
}

/** Matches a method and path against route patterns such as /v2/accounts/{A}/conferences/{C}. */
export class Router {
  readonly #compiled: Compiled[];

  constructor(routes: readonly Route[]) {
    this.#compiled = routes.map((route) => {
      const names: string[] = [];
      const source = route.path.replace(/\{(\w+)\}/g, (_, name: string) => {
        names.push(name);
        return '([^/]{1,128})';
      });
      return { route, pattern: new RegExp(`^${source}/?$`), names };
    });
  }

  /** The route and its decoded params; `methodNotAllowed` when only the path matched. */
  match(method: string, path: string): { route: Route; params: Record<string, string> } | { methodNotAllowed: Method[] } | null {
    const allowed: Method[] = [];
    for (const c of this.#compiled) {
      const m = c.pattern.exec(path);
      if (!m) continue;
      if (c.route.method !== method) {
        allowed.push(c.route.method);
        continue;
      }
      const params: Record<string, string> = {};
      c.names.forEach((name, i) => (params[name] = decode(m[i + 1])));
      return { route: c.route, params };
    }
    return allowed.length ? { methodNotAllowed: allowed } : null;
  }
}

function decode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new InvalidArgumentError('path', `has a malformed escape in "${segment}"`);
  }
}
