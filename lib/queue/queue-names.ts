/** The run queues (pg-boss queue names). */
export const RUN_QUEUE = "levhub-run";
/** Runs whose policy grants the host's network or a LAN segment: only workers labelled `hostNetwork` take them. */
export const HOSTNET_QUEUE = "levhub-run-hostnet";
/** Runs of a project that requires its scope enforced by the network: only workers whose engine enforces (probed) take them. */
export const ENFORCED_QUEUE = "levhub-run-enforced";
/** Such runs whose scope or targets name IPv6: only workers whose engine enforces IPv6 as well take them. */
export const ENFORCED6_QUEUE = "levhub-run-enforced6";
export const RUN_QUEUES = [RUN_QUEUE, HOSTNET_QUEUE, ENFORCED_QUEUE, ENFORCED6_QUEUE] as const;
export type RunQueue = (typeof RUN_QUEUES)[number];
