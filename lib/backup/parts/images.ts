import { createReadStream, createWriteStream, readFileSync, writeFileSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import path from "node:path";
import { pipeline } from "node:stream/promises";
import pg from "pg";
import type { BackupPart } from "../part.ts";

/**
 * The images package versions pin, `docker save`d by id: rebuilding from the Dockerfile would
 * make a new id, and versions and their runs' policies point at the old one. A version's tag is
 * saved with it when it still names that image, so `docker load` brings both back. Deleted
 * versions' images are gone already; base images come from setup.
 */
interface SavedImage {
  id: string;
  refs: string[];
  file: string;
}

const hex = (id: string) => id.replace(/^sha256:/, "");

export const imagesPart: BackupPart = {
  name: "images",

  async dump(hub, dir) {
    const client = new pg.Client({ connectionString: hub.databaseUrl });
    await client.connect();
    let rows: { id: string; ref: string | null }[];
    try {
      rows = (await client.query<{ id: string; ref: string | null }>(`SELECT "imageDigest" AS id, "imageRef" AS ref FROM "PackageVersion" WHERE "imageDigest" IS NOT NULL AND "deletedAt" IS NULL ORDER BY "imageDigest"`)).rows;
    } finally {
      await client.end();
    }
    const byId = new Map<string, Set<string>>();
    for (const r of rows) {
      const refs = byId.get(r.id) ?? new Set<string>();
      if (r.ref) refs.add(r.ref);
      byId.set(r.id, refs);
    }
    await mkdir(path.join(dir, "images"), { recursive: true });
    const saved: SavedImage[] = [];
    for (const [id, refs] of byId) {
      const info = await hub.docker.getImage(id).inspect();
      const tags = [...refs].filter((r) => (info.RepoTags ?? []).includes(r));
      const file = `images/${hex(id)}.tar`;
      // saved by a tag when it has one (the tag comes back with it; restore adds any others), else by id
      const stream = await hub.docker.getImage(tags[0] ?? id).get();
      await pipeline(stream, createWriteStream(path.join(dir, file)));
      saved.push({ id, refs: tags, file });
    }
    writeFileSync(path.join(dir, "images.json"), JSON.stringify(saved));
    return { images: saved.length };
  },

  async restore(hub, dir) {
    const saved = JSON.parse(readFileSync(path.join(dir, "images.json"), "utf8")) as SavedImage[];
    for (const img of saved) {
      const res = await hub.docker.loadImage(createReadStream(path.join(dir, img.file)));
      // the engine reports a failed load in its progress stream, not its status
      await new Promise<void>((resolve, reject) => hub.docker.modem.followProgress(res, (err) => (err ? reject(err) : resolve())));
      const info = await hub.docker.getImage(img.id).inspect().catch(() => null);
      if (!info || info.Id !== img.id) throw new Error(`image ${img.id} did not load with its id (got ${info?.Id ?? "nothing"})`);
      for (const ref of img.refs) {
        let tagged = await hub.docker.getImage(ref).inspect().catch(() => null);
        if (!tagged) {
          const at = ref.lastIndexOf(":");
          await hub.docker.getImage(img.id).tag(at > ref.lastIndexOf("/") ? { repo: ref.slice(0, at), tag: ref.slice(at + 1) } : { repo: ref });
          tagged = await hub.docker.getImage(ref).inspect().catch(() => null);
        }
        if (tagged?.Id !== img.id) throw new Error(`image ${img.id} loaded without its tag ${ref}`);
      }
    }
    return { images: saved.length };
  },
};
