/**
 * Lets plain node run modules written for Next's server build (server actions) in integration
 * tests. Next resolves `next/navigation` to its react-server variant when it bundles them, plain
 * node to the client one (which needs React's client API that the react-server condition leaves
 * out); and `headers()` needs the request scope Next sets up around an action. Import this module
 * before importing such modules; call actions inside `inActionRequest`.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import { createRequire, register } from "node:module";

// Next's server sets this global before loading its request stores; without it they are inert
(globalThis as { AsyncLocalStorage?: typeof AsyncLocalStorage }).AsyncLocalStorage ??= AsyncLocalStorage;

const hook = `
export async function resolve(specifier, context, next) {
  if (specifier === "next/navigation") return next("next/dist/client/components/navigation.react-server.js", context);
  return next(specifier, context);
}`;

register(`data:text/javascript,${encodeURIComponent(hook)}`, import.meta.url);

const require = createRequire(import.meta.url);
// the stores next/headers reads: the same module instances Next's own code loads
const { workAsyncStorage } = require("next/dist/server/app-render/work-async-storage.external.js") as { workAsyncStorage: AsyncLocalStorage<object> };
const { workUnitAsyncStorage } = require("next/dist/server/app-render/work-unit-async-storage.external.js") as { workUnitAsyncStorage: AsyncLocalStorage<object> };

/**
 * Runs `fn` the way Next runs a server action: `headers()` answers `headers`. Cache revalidation
 * (`revalidatePath`) still has no cache to act on and throws after the action did its work.
 */
export function inActionRequest<T>(headers: Headers, fn: () => Promise<T>): Promise<T> {
  const work = { route: "/", forceStatic: false, dynamicShouldError: false, isStaticGeneration: false };
  const request = { type: "request", phase: "action", headers, implicitTags: { tags: [] } };
  return workAsyncStorage.run(work, () => workUnitAsyncStorage.run(request, fn));
}
