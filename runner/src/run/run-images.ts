/**
 * The images of one run's tasks: an image the policy allows must also exist on the engine (both
 * failures read the same); a reference from a listed pull registry is pulled when missing and
 * pinned (by digest) for the rest of the run, so every task of the run runs the same bytes.
 */
import { ChannelReplyError } from "../channel/channel.ts";
import { imageNotAvailable, mayPull, pinnedRef } from "../policy/container-config.ts";
import type { LogSink } from "../channel/log-sink.ts";
import type { RunContext } from "./context.ts";
import type { ImagePolicy } from "../policy/policy.ts";

/** a pull that takes longer fails the task (the image is then "not available") */
export const PULL_TIMEOUT_MS = 120_000;

export class RunImages {
  /** image → what it is pinned to for this run (pull-listed references) */
  private readonly pinned = new Map<string, Promise<string>>();

  constructor(
    private readonly ctx: RunContext,
    private readonly images: ImagePolicy,
    private readonly sink: LogSink,
  ) {}

  /** The image to run for `ref` (already resolved to `image` by the policy). */
  async ensure(ref: string, image: string, task: number): Promise<string> {
    if (mayPull(image, this.images)) {
      let pin = this.pinned.get(image);
      if (!pin) {
        pin = this.pin(ref, image, task);
        this.pinned.set(image, pin);
      }
      return pin;
    }
    if (this.ctx.imageCache.get(image)) return image;
    if (!(await this.ctx.engine.imageExists(image))) throw new ChannelReplyError("ImageNotFound", imageNotAvailable(ref).message);
    this.ctx.imageCache.set(image, true);
    return image;
  }

  private async pin(ref: string, image: string, task: number): Promise<string> {
    const { engine } = this.ctx;
    let info = await engine.inspectImage(image);
    if (!info) {
      this.sink.system(task, `pulling ${image}`);
      try {
        await engine.pullImage(image, { timeoutMs: PULL_TIMEOUT_MS });
      } catch (err) {
        const why = err instanceof Error ? err.message : String(err);
        throw new ChannelReplyError("ImageNotFound", `${imageNotAvailable(ref).message} (${why})`);
      }
      info = await engine.inspectImage(image);
      if (!info) throw new ChannelReplyError("ImageNotFound", imageNotAvailable(ref).message);
    }
    const pinned = pinnedRef(image, info);
    this.sink.system(task, `${image} is ${pinned} for the rest of this run`);
    return pinned;
  }
}
