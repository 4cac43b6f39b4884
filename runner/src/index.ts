export { AsyncQueue, subscribeIterator } from "./run/async-queue.ts";
export { ChannelReplyError, ChannelServer } from "./channel/channel.ts";
export { grantedCaps, mayPull, registryOf, resolveImage, toolContainerConfig, workflowContainerConfig } from "./policy/container-config.ts";
export { checkDependencies, DEPS_IN_CONTAINER } from "./package/dependencies.ts";
export { DockerodeEngine, EngineError } from "./engine/engine.ts";
export type { ContainerEngine, ContainerSpec, ContainerState, EngineResource, ImageInfo } from "./engine/engine.ts";
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
} from "./manifest/introspect.ts";
export type { Manifest, ManifestCat, ManifestFunction, ManifestKeys, ManifestParam, ManifestProblem, ManifestTool } from "./manifest/introspect.ts";
export { createLabels, LABEL } from "./engine/labels.ts";
export { defaultImageResolver, locatePackage, PackageLayoutError } from "./package/package.ts";
export type { PackageLocation } from "./package/package.ts";
export { coerce, ParamValidationError, refKindOf, validateArgs } from "./manifest/params.ts";
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
  runSecrets,
  runSecretSchema,
  TYPED_REF_KINDS,
  typedRefSchema,
  workflowArgs,
} from "./refs.ts";
export type { FileRef, RunFile, RunRefs, RunSecret, TypedRef, TypedRefKind } from "./refs.ts";
export { maskLabel, SecretMasker, secretForms } from "./secrets/mask.ts";
export type { MaskedSecret } from "./secrets/mask.ts";
export { SECRET_LIMITS, SECRET_NAME_PATTERN, secretNameSchema } from "./secrets/limits.ts";
export { secretToken } from "./secrets/env.ts";
export { reap } from "./engine/reaper.ts";
export { Run } from "./run/run.ts";
export { NftScopeEnforcer } from "./scope/enforcer.ts";
export type { EnforceCapability, ScopeEnforcement } from "./scope/enforcer.ts";
export { DEFAULT_BASE_IMAGES, DEFAULT_RUN_TIMEOUT_MS, DEFAULT_TASK_TIMEOUT_MS, DEFAULT_WORKFLOW_IMAGE, instanceAlive, Runner, RunnerError, RUNTIME_DIR } from "./run/runner.ts";
export type { RunnerOptions, RunSpec } from "./run/runner.ts";
export { collectionName } from "./channel/spec.ts";
export { ferretdbSocket, levhubHome, mongoUri } from "./config.ts";
export { MongoResultStore, StoreError, storeFailureIsTransient } from "./store/store.ts";
export { ArchiveError, archiveKind, extractArchive, FETCHED_PACKAGE_LIMITS, safeEntryPath } from "./package/extract.ts";
export type { ArchiveKind, ExtractLimits } from "./package/extract.ts";
export type { ResultStore, StoredDocument, StoredMeta } from "./store/store.ts";
export type * from "./types.ts";
export {
  HELD_RUN_STATUSES,
  HUB_ERROR_TYPES,
  isHeld,
  isRunnerErrorType,
  isTerminal,
  reportedErrorTypeSchema,
  RUN_ERROR_TYPES,
  RUN_STATUSES,
  RUNNER_ERROR_TYPES,
  runErrorTypeSchema,
  runStatusSchema,
  TASK_STATUSES,
  taskStatusSchema,
  TERMINAL_RUN_STATUSES,
  terminalRunStatusSchema,
  UNKNOWN_ERROR_TYPE,
} from "./status.ts";
export type { HeldRunStatus, HubErrorType, RunErrorType } from "./status.ts";
export {
  defaultRunLimits,
  GRANT_NETWORKS,
  GRANTABLE_CAPS,
  grantsAnything,
  INTERFACE_NAME,
  localPolicy,
  macvlanSegmentSchema,
  restrictedPolicy,
  runPolicySchema,
} from "./policy/policy.ts";
export type { GrantableCap, GrantNetwork, ImagePolicy, MacvlanSegment, ModeGrant, PackageGrant, RunLimits, RunPolicy } from "./policy/policy.ts";
export { definedIn, isRawCommandLine, modeBuilder } from "./manifest/modes.ts";
