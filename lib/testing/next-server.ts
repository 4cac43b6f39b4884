/**
 * Lets plain node load modules written for Next's server build (server actions): Next resolves
 * `next/navigation` to its react-server variant when it bundles them, plain node to the client
 * one, which needs React's client API that the react-server condition leaves out. Import this
 * before importing such modules.
 */
import { register } from "node:module";

const hook = `
export async function resolve(specifier, context, next) {
  if (specifier === "next/navigation") return next("next/dist/client/components/navigation.react-server.js", context);
  return next(specifier, context);
}`;

register(`data:text/javascript,${encodeURIComponent(hook)}`, import.meta.url);
