/**
 * `npm run admin -- <command>`: account administration for operators with access to the hub's
 * database (the data directory, or DATABASE_URL). It works whether the hub is running or not.
 */
import path from "node:path";
import { dataDir } from "../lib/platform/config.ts";
import type { EmbeddedDatabase } from "../lib/platform/postgres.ts";
import { connectHubDatabase } from "./hub-database.ts";
// the closed set only; lib/platform/settings.ts itself is loaded once DATABASE_URL is known
import { SIGN_UP_MODES } from "../lib/platform/settings.ts";

const USAGE = `usage: npm run admin -- <command>

  promote <email>        make that account an admin (its sessions end)
  demote <email>         make that admin a plain user (never the last admin)
  bootstrap-link         print the one-time link that makes the next sign-up the admin
                         (only while the hub has no admin)
  invite <email> [days]  print a one-time sign-up link for that e-mail (valid 7 days, at most 30)
  sign-up-mode <mode>    who may sign up: open | invite | closed
  worker-token <name>    create a worker credential and print its token (shown once), for
                         \`npm run worker\` on another Docker host
  metrics-token          create the metrics token Prometheus scrapes /metrics with and print
                         it (shown once); the previous one stops working
  rotate-secrets-key     re-encrypt every project secret with a new key in one transaction,
                         then replace <data dir>/secrets.key (with LEVHUB_SECRETS_KEY: give the
                         new key as LEVHUB_SECRETS_KEY_NEW and restart the hub with it)
  notify-allow [host[:port]…]  the hosts webhooks may reach although private or loopback, and
                         over http (replaces the list; none: empty it)
  notify-smtp <host:port> <starttls|tls|none> <from> [user]
                         the SMTP server notifications are mailed through (the password from
                         LEVHUB_SMTP_PASSWORD, stored encrypted); notify-smtp off: no e-mail

The database: DATABASE_URL when set, else the embedded PostgreSQL of LEVHUB_DATA_DIR
(default ~/.levhub/data) — the running hub's server when the hub is up, otherwise started
for the command and stopped after it.`;

const say = (msg: string) => console.log(msg);

function fail(msg: string): never {
  console.error(msg);
  process.exit(2);
}

/** Points DATABASE_URL at the hub's database; returns the server this command started, if any. */
async function connect(): Promise<EmbeddedDatabase | null> {
  const db = await connectHubDatabase();
  if (!db.ok) fail(db.problem);
  return db.started;
}

/** Where links point: the admin's public URL when set, else NEXTAUTH_URL, else this machine's port. */
async function hubUrl(): Promise<string> {
  const { getSettings } = await import("../lib/platform/settings.ts");
  return (await getSettings()).publicUrl || process.env.NEXTAUTH_URL || `http://127.0.0.1:${process.env.PORT || 3000}`;
}

type Task = () => Promise<void>;

/** Checks the command line completely before anything touches the database. */
function plan(command: string, args: string[]): Task {
  switch (command) {
    case "promote":
    case "demote": {
      if (args.length !== 1 || !args[0].includes("@")) fail(`${command} takes the account's e-mail address\n\n${USAGE}`);
      const role = command === "promote" ? "admin" : "user";
      return async () => {
        const { setUserRoleByEmail } = await import("../lib/accounts/users.ts");
        const user = await setUserRoleByEmail(args[0], role);
        say(`${user.username} <${user.email}> is now ${user.role === "admin" ? "an admin" : "a user"}; their browser sessions were ended.`);
      };
    }
    case "bootstrap-link":
      if (args.length) fail(USAGE);
      return async () => {
        const { ensureBootstrapToken, bootstrapTokenFile } = await import("../lib/accounts/bootstrap.ts");
        const token = await ensureBootstrapToken();
        if (!token) {
          say("The hub has an admin already, so there is no set-up link. Make someone admin with: npm run admin -- promote <email>");
          return;
        }
        say(`Open this link to create the admin account (it works once):\n\n  ${await hubUrl()}/signup?bootstrap=${token}\n\n(the token is also in ${bootstrapTokenFile()})`);
      };
    case "invite": {
      if (args.length < 1 || args.length > 2 || !args[0].includes("@")) fail(`invite takes the e-mail address of the person invited, and optionally the days it is valid\n\n${USAGE}`);
      const days = args[1] === undefined ? undefined : Number(args[1]);
      if (days !== undefined && !(Number.isInteger(days) && days >= 1 && days <= 30)) fail("the days an invite is valid: a whole number from 1 to 30");
      return async () => {
        const { createInvite } = await import("../lib/accounts/invites.ts");
        const { getSettings } = await import("../lib/platform/settings.ts");
        const { token, item } = await createInvite(null, { email: args[0], days, note: "npm run admin" });
        const mode = (await getSettings()).signUpMode;
        say(`Invite for ${item.email}, valid until ${item.expiresAt.slice(0, 16).replace("T", " ")} UTC; the link works once, for that e-mail only:\n\n  ${await hubUrl()}/signup?invite=${encodeURIComponent(token)}`);
        if (mode === "closed") say("\nSign-up is closed, so the link is refused until the mode is invite: npm run admin -- sign-up-mode invite");
      };
    }
    case "sign-up-mode": {
      const mode = SIGN_UP_MODES.find((m) => m === args[0]);
      if (args.length !== 1 || !mode) fail(`sign-up-mode takes one of: ${SIGN_UP_MODES.join(", ")}`);
      return async () => {
        const { updateSettings } = await import("../lib/platform/settings.ts");
        const { audit } = await import("../lib/platform/audit.ts");
        await updateSettings({ signUpMode: mode });
        await audit(null, "settings.sign_up_mode", mode, { by: "npm run admin" });
        say(`Sign-up mode is now ${mode}.`);
      };
    }
    case "worker-token": {
      if (args.length !== 1 || !args[0].trim() || args[0].length > 64) fail(`worker-token takes a name of at most 64 characters (the Docker host it is for)\n\n${USAGE}`);
      return async () => {
        const { createWorkerCredential } = await import("../lib/queue/credentials.ts");
        const { token, item: credential } = await createWorkerCredential(null, args[0]);
        say(`Worker credential "${credential.name}" created. The token (shown this once; revoke it in Admin → Workers):\n\n  ${token}\n\nOn the Docker host: LEVHUB_HUB_URL=${await hubUrl()} LEVHUB_WORKER_TOKEN=${token} npm run worker`);
      };
    }
    case "metrics-token":
      if (args.length) fail(`metrics-token takes no argument\n\n${USAGE}`);
      return async () => {
        const { createMetricsToken } = await import("../lib/metrics/token.ts");
        const { token } = await createMetricsToken(null);
        say(`Metrics token created (shown this once; any earlier one no longer works):\n\n  ${token}\n\nPrometheus: scrape ${hubUrl()}/metrics with 'Authorization: Bearer <token>' (README: "Operate the hub").`);
      };
    case "notify-allow":
      return async () => {
        const { notifySettings, setNotifySettings } = await import("../lib/notify/settings.ts");
        const current = await notifySettings();
        const smtp = current.smtp ? { ...current.smtp, password: null } : null;
        const next = await setNotifySettings(null, { allowHosts: args, smtp });
        say(next.allowHosts.length ? `Webhooks may reach: ${next.allowHosts.join(", ")} (also over http).` : "No host is allow-listed: webhooks reach public https addresses only.");
      };
    case "notify-smtp": {
      const off = args.length === 1 && args[0] === "off";
      const m = /^(.+):(\d{1,5})$/.exec(args[0] ?? "");
      if (!off && (args.length < 3 || args.length > 4 || !m || !["starttls", "tls", "none"].includes(args[1]))) fail(`notify-smtp takes <host:port> <starttls|tls|none> <from> [user], or off\n\n${USAGE}`);
      return async () => {
        const { notifySettings, setNotifySettings } = await import("../lib/notify/settings.ts");
        const { allowHosts } = await notifySettings();
        const smtp = off ? null : { host: m![1], port: Number(m![2]), security: args[1] as "starttls" | "tls" | "none", from: args[2], user: args[3] ?? null, password: process.env.LEVHUB_SMTP_PASSWORD ?? null };
        const next = await setNotifySettings(null, { allowHosts, smtp });
        say(next.smtp ? `Notifications are mailed through ${next.smtp.host}:${next.smtp.port} (${next.smtp.security}) from ${next.smtp.from}${next.smtp.hasPassword ? ", with a password" : ""}.` : "No SMTP server: e-mail rules fail until one is set.");
      };
    }
    case "rotate-secrets-key":
      if (args.length) fail(`rotate-secrets-key takes no argument\n\n${USAGE}`);
      return async () => {
        const { rotateSecretsKey } = await import("../lib/secrets/rotate.ts");
        const r = await rotateSecretsKey();
        say(`Re-encrypted ${r.secrets} secret(s) with key ${r.to}${r.from.length ? ` (was ${r.from.join(", ")})` : ""}.`);
        if (r.source === "environment") say("Now set LEVHUB_SECRETS_KEY to the value of LEVHUB_SECRETS_KEY_NEW and restart the hub: until then it cannot read them.");
        else say(`The key file ${path.join(dataDir(), "secrets.key")} holds the new key; a running hub picks it up by itself.`);
      };
    default:
      fail(USAGE);
  }
}

async function main() {
  const [command, ...args] = process.argv.slice(2);
  if (!command || command === "help" || command === "--help" || command === "-h") {
    say(USAGE);
    return;
  }
  const task = plan(command, args);
  const pg = await connect();
  try {
    await task();
  } finally {
    const { disconnectDb } = await import("../lib/platform/db.ts");
    await disconnectDb().catch(() => undefined);
    await pg?.stop();
  }
}

main().catch((err: unknown) => {
  const e = err as { code?: string; message?: string; fieldErrors?: Record<string, string> };
  console.error(e.code ? `${e.message} (${e.code})` : err);
  for (const [field, problem] of Object.entries(e.fieldErrors ?? {})) console.error(`  ${field}: ${problem}`);
  process.exit(1);
});
