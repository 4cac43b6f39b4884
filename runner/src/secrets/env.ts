/**
 * How a secret reaches a container: only as a whole `env` value of a tool or service Cr, written by
 * the package as the secret's handle (`Cr(env={"KEY": secret})` or `["KEY=" + secret]`), which
 * `levrt` sends as a placeholder token. The runner puts the value in place of the token when it
 * creates that container, and nowhere else: the workflow container only ever holds the handle.
 * A secret anywhere else in a Cr (inside a longer env value, in `cmd`, in a file's content) is
 * refused with `InvalidRequest`, since the value would not be there and the package meant it to be.
 * Only a secret of this run (`RunSpec.refs`, bound by the user who started it) is ever put in:
 * package code cannot pull a secret by naming it. Pure.
 */
import type { CrSpec } from "../channel/spec.ts";
import { ChannelReplyError } from "../channel/channel.ts";
import { REF_KEY, runSecrets, type RunRefs } from "../refs.ts";

/** The placeholder `levrt.Secret` turns into (`str(secret)`), recognised only as a whole env value. */
export function secretToken(id: string): string {
  return `{"${REF_KEY}":"secret","id":"${id}"}`;
}

const TOKEN = /^\{"\$lev":"secret","id":"([A-Za-z0-9_-]{16,64})"\}$/;
/** a secret reference written any way (the token, or a handle's JSON with spaces) */
const MARKER = /"\$lev"\s*:\s*"secret"/;

/** The secret id an env value's token names, or null. */
export function tokenSecretId(value: string): string | null {
  return TOKEN.exec(value)?.[1] ?? null;
}

/** The env variable that tells `levrt.Secret.value()` in a tool container which variable holds which secret. */
export const SECRETS_ENV = "LEV_SECRETS";

export interface ForwardedEnv {
  /** the Cr's env with each secret token replaced by the value */
  env: string[];
  /** secret id → the env variable holding it (SECRETS_ENV: ids and names only, never values) */
  forwarded: Record<string, string>;
}

function refuse(message: string): never {
  throw new ChannelReplyError("InvalidRequest", message);
}

const HOW = `forward it as a whole env value: Cr(env={"KEY": secret}) or Cr(env=["KEY=" + secret])`;

/**
 * One container's env with its secrets put in, or the refusal: a token naming no secret of this
 * run, or a secret of this run (or a secret reference of any kind) anywhere but a whole env value.
 */
export function forwardSecrets(cr: Pick<CrSpec, "env" | "cmd" | "files">, refs: RunRefs): ForwardedEnv {
  const secrets = runSecrets(refs);
  const ids = [...secrets.keys()];
  const mentions = (text: string) => MARKER.test(text) || ids.some((id) => text.includes(id));
  for (const [i, arg] of cr.cmd.entries()) {
    if (mentions(arg)) refuse(`cmd[${i}]: a secret cannot go on a command line (every process on the host may read it there); ${HOW}`);
  }
  for (const [target, source] of Object.entries(cr.files)) {
    if ("b64" in source && mentions(Buffer.from(source.b64, "base64").toString("latin1"))) {
      refuse(`files['${target}']: a secret cannot be written into a file of the Cr; ${HOW}, and have the tool write it where it needs it`);
    }
  }
  const env: string[] = [];
  const forwarded: Record<string, string> = {};
  for (const entry of cr.env) {
    const eq = entry.indexOf("=");
    const key = entry.slice(0, eq);
    const value = entry.slice(eq + 1);
    const id = tokenSecretId(value);
    if (id === null) {
      if (mentions(value)) refuse(`env ${key}: a secret can only be a whole env value, not part of one; ${HOW}`);
      env.push(entry);
      continue;
    }
    const secret = secrets.get(id);
    if (!secret) refuse(`env ${key}: secret '${id}' is not one of this run's secrets`);
    env.push(`${key}=${secret.value}`);
    forwarded[id] = key;
  }
  return { env, forwarded };
}
