// Which methods a path has routes for, so that a known path with another method gets 405 with
// an Allow header (fastify answers 404 there). Fed by fastify's onRoute hook.
export class AllowedMethods {
  readonly #routes: { pattern: RegExp; method: string }[] = [];

  add(url: string, methods: string | string[]): void {
    // fastify's ':name' parameters match one path segment.
    const pattern = new RegExp(`^${url.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/:\w+/g, '[^/]+')}/?$`);
    for (const method of [methods].flat()) if (method !== 'HEAD') this.#routes.push({ pattern, method });
  }

  for(path: string): string[] {
    return [...new Set(this.#routes.filter((r) => r.pattern.test(path)).map((r) => r.method))];
  }
}
