/**
 * A project's scope: what its runs may target. Pure (no I/O): the run form checks targets with it
 * in the browser, the hub refuses out-of-scope targets with it, and `compileScope` gives a runner
 * the plain data its network rules need.
 *
 * An entry is one line of text: a target, optionally followed by ports.
 * - `10.231.0.0/16`, `192.0.2.7`, `2001:db8::/64`, `::ffff:10.0.0.1` (IPv4-mapped: the IPv4 address)
 * - `example.com` (that name only), `*.example.com` (any name below it, at any depth; not
 *   `example.com` itself)
 * - `https://app.example.com:8443` (a URL origin: its host and its port, 443/80 by default)
 * - ports after a space: `10.0.0.0/24 22,80,8000-8100` (1–65535); none: every port
 * Exclusions are the same kinds and always win. Services (`api.shodan.io:443`, `[2001:db8::1]:443`)
 * are endpoints the project's tools may reach that are not targets; they never make a target in scope.
 */

export * from "./parse.ts";
export * from "./check.ts";
