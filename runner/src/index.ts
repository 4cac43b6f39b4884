export { AsyncQueue, subscribeIterator } from "./async-queue.ts";
export { ChannelReplyError, ChannelServer } from "./channel.ts";
export { grantedCaps, mayPull, registryOf, resolveImage, toolContainerConfig, workflowContainerConfig } from "./container-config.ts";
export { checkDependencies, DEPS_IN_CONTAINER } from "./dependencies.ts";
export { DockerodeEngine, EngineError } from "./engine.ts";
export type { ContainerEngine, ContainerSpec, ContainerState, EngineResource, ImageInfo } from "./engine.ts";
export {
  findFunction,
  functionRetries,
  introspect,
  IntrospectionError,
  listFunctions,
  manifestProblemSchema,
  manifestWarnings,
  MAX_FUNCTION_RETRIES,
  PROBLEM_SEVERITIES,
  readProblems,
} from "./introspect.ts";
export type { Manifest, ManifestCat, ManifestFunction, ManifestKeys, ManifestParam, ManifestProblem, ManifestTool } from "./introspect.ts";
export { createLabels, LABEL } from "./labels.ts";
export { defaultImageResolver, locatePackage, PackageLayoutError } from "./package.ts";
export type { PackageLocation } from "./package.ts";
export { coerce, ParamValidationError, validateArgs } from "./params.ts";
export {
  checkArgRefs,
  collectRefs,
  fileRefSchema,
  hasReservedKey,
  isTypedRef,
  newRefId,
  REF_KEY,
  refIdSchema,
  runFileSchema,
  runRefsSchema,
  TYPED_REF_KINDS,
  typedRefSchema,
  workflowArgs,
} from "./refs.ts";
export type { FileRef, RunFile, RunRefs, TypedRef, TypedRefKind } from "./refs.ts";
export { reap } from "./reaper.ts";
export { Run } from "./run.ts";
export { DEFAULT_BASE_IMAGES, DEFAULT_RUN_TIMEOUT_MS, DEFAULT_TASK_TIMEOUT_MS, DEFAULT_WORKFLOW_IMAGE, instanceAlive, Runner, RunnerError, RUNTIME_DIR } from "./runner.ts";
export type { RunnerOptions } from "./runner.ts";
export { collectionName } from "./spec.ts";
export { ferretdbSocket, levhubHome, mongoUri } from "./config.ts";
export { MongoResultStore, StoreError } from "./store.ts";
export type { ResultStore, StoredMeta } from "./store.ts";
export type * from "./types.ts";
export { RUN_ERROR_TYPES } from "./types.ts";
export { defaultRunLimits, GRANTABLE_CAPS, localPolicy, restrictedPolicy, runPolicySchema } from "./policy.ts";
export type { GrantableCap, ImagePolicy, PackageGrant, RunLimits, RunPolicy } from "./policy.ts";
