/**
 * The workflow channel's ops (PROTOCOL.md): everything a workflow container may ask of the
 * runner. Every request is parsed here; the run does the work.
 */
import type { z } from "zod";
import { ChannelReplyError, type RequestHandler } from "./channel.ts";
import type { PackageLocation } from "../package/package.ts";
import {
  collectionName,
  findOneRequest,
  findRequest,
  formatZodError,
  setRequest,
  signalRequest,
  startRequest,
  taskRequest,
  type CrSpec,
} from "./spec.ts";
import type { ResultStore, StoredMeta } from "../store/store.ts";
import { outputTooLarge } from "./task-channel.ts";

export interface WorkflowHost {
  readonly job: number;
  readonly pkg: PackageLocation;
  readonly function: string;
  readonly docBytes: number;
  readonly store: ResultStore;
  startTask(cr: CrSpec, ns: string[]): Promise<Record<string, unknown>>;
  waitTask(task: number): Promise<Record<string, unknown>>;
  signalTask(task: number, signal: string): Promise<void>;
  /** the workflow is dying of task `task`'s error (the run verifies it against its own record) */
  failedBy(task: number): void;
  /** a collection this run wrote (only those may be read back) */
  ownsCollection(coll: string): boolean;
  /** the workflow's own document (task 0) was stored in `coll` */
  workflowStored(coll: string): void;
  meta(task: number): StoredMeta;
}

export function workflowRequestHandler(host: WorkflowHost): RequestHandler {
  return async (op, body) => {
    const parse = <T extends z.ZodType>(schema: T): z.infer<T> => {
      const r = schema.safeParse(body);
      if (!r.success) throw new ChannelReplyError("InvalidRequest", `${op}: ${formatZodError(r.error)}`);
      return r.data;
    };
    const own = (coll: string) => {
      if (!host.ownsCollection(coll)) throw new ChannelReplyError("InvalidRequest", `collection '${coll}' was not written by this run`);
    };
    switch (op) {
      case "hello":
        return { job: host.job, package: host.pkg.module, function: host.function };
      case "start": {
        const { cr, ns } = parse(startRequest);
        return host.startTask(cr, ns);
      }
      case "wait":
        return host.waitTask(parse(taskRequest).task);
      case "signal": {
        const { task, signal } = parse(signalRequest);
        await host.signalTask(task, signal.startsWith("SIG") ? signal : `SIG${signal}`);
        return {};
      }
      case "failed":
        host.failedBy(parse(taskRequest).task);
        return {};
      case "find_one": {
        const { coll, task, query, projection } = parse(findOneRequest);
        own(coll);
        return { doc: await host.store.findOne(coll, host.job, task, query, projection) };
      }
      case "find": {
        const { coll } = parse(findRequest);
        own(coll);
        return { docs: await host.store.findRun(coll, host.job) };
      }
      case "set": {
        const { ns, fields } = parse(setRequest);
        const size = Buffer.byteLength(JSON.stringify(fields));
        if (size > host.docBytes) {
          const e = outputTooLarge(size, host.docBytes);
          throw new ChannelReplyError(e.type, e.message, null, 0);
        }
        const coll = collectionName(ns, `${host.pkg.namespace}/${host.pkg.name}.${host.function}`);
        try {
          await host.store.merge(coll, host.job, 0, fields, host.meta(0));
        } catch (err) {
          throw new ChannelReplyError("InvalidRequest", err instanceof Error ? err.message : String(err));
        }
        host.workflowStored(coll);
        return { coll };
      }
      default:
        throw new ChannelReplyError("InvalidRequest", `unknown op '${op}'`);
    }
  };
}
