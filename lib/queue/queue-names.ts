/** The run queues (pg-boss queue names). */
export const RUN_QUEUE = "levhub-run";
/** Runs whose policy grants the host's network or a LAN segment: only workers labelled `hostNetwork` take them. */
export const HOSTNET_QUEUE = "levhub-run-hostnet";
/** Runs of a project that requires its scope enforced by the network: only workers whose engine enforces (probed) take them. */
export const ENFORCED_QUEUE = "levhub-run-enforced";
export const RUN_QUEUES = [RUN_QUEUE, HOSTNET_QUEUE, ENFORCED_QUEUE] as const;
export type RunQueue = (typeof RUN_QUEUES)[number];
