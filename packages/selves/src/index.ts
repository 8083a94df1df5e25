/**
 * @chimera/selves: the System of Selves. PEFT-compatible LoRA adapters ("Selves") in a versioned
 * library, a RAM cache and hot-swapping, composition, and the learning Meta-Cognitive Controller.
 */
export {
  COMPOSITION_METHODS,
  type ComposeOptions,
  type CompositionMethod,
  composeAdapters,
} from './compose/compose-adapters';
export { type ComposeSelvesRequest, composeSelves } from './compose/compose-selves';
export { type Matrix, multiply, productSvd, type Svd, svd, thinQr } from './compose/linear-algebra';
export {
  AdapterFormatError,
  type AdapterFormatErrorCode,
  CompositionError,
  SelfNotFoundError,
  SelvesError,
} from './errors/index';
export * from './export/index';
export { bytesChecksum, tensorsChecksum } from './format/checksum';
export {
  loraBytes,
  nanoBaseModelId,
  nanoExpectation,
  nanoToPeft,
  peftToNano,
  transpose,
} from './format/nano-peft';
export {
  type AdapterDtype,
  type AdapterModuleInput,
  adapterBytes,
  clonePeftAdapter,
  createPeftAdapter,
  deltaWeight,
  type LoraModule,
  PEFT_PREFIX,
  type PeftAdapter,
  type SavedTensor,
} from './format/peft-adapter';
export {
  isTargetModule,
  moduleScaling,
  type PeftLoraConfig,
  PeftLoraConfigSchema,
  parsePeftConfig,
} from './format/peft-config';
export {
  ADAPTER_CONFIG_FILE,
  ADAPTER_WEIGHTS_FILE,
  type AdapterExpectation,
  type AdapterFileInfo,
  adapterTensors,
  readPeftAdapter,
  writePeftAdapter,
} from './format/peft-directory';
export { DEFAULT_ROSTER, META_COGNITIVE_CONTROLLER } from './library/roster';
export {
  type HistoryEvent,
  SelfLibrary,
  type SelfLibraryOptions,
  type SelfRecord,
  type VersionRecord,
} from './library/self-library';
export {
  type Lineage,
  type SelfMetadata,
  type SelfMetadataInput,
  SelfMetadataSchema,
  selfDescription,
} from './library/self-metadata';
export {
  ControllerAdapter,
  type ControllerExample,
  type ControllerTrainingReport,
} from './mcc/controller-adapter';
export {
  type ControllerChoice,
  type ControllerState,
  MetaCognitiveController,
  type MetaCognitiveControllerOptions,
  type ObservedEpisode,
  type PosteriorRow,
} from './mcc/meta-cognitive-controller';
export { SeededRandom } from './mcc/seeded-random';
export { type AssessmentRow, assessSelves } from './mcc/self-assessment';
export { type BetaPrior, type PriorOptions, type SelfProfile, skillPrior } from './mcc/skill-prior';
export {
  advanceSubtask,
  FORM_CONTROLS,
  ModelDrivenPlanner,
  type PlannerBackend,
  type SubTask,
  skillTags,
  type TaskPlan,
  type TaskPlanner,
  TemplatePlanner,
} from './mcc/task-planner';
export { createNanoSelves, NanoSelves, type NanoSelvesOptions } from './nano-selves';
export { AdapterCache, type AdapterCacheStats } from './residency/adapter-cache';
export { type AdapterDevice, HostDevice, StagingDevice } from './residency/adapter-device';
export {
  HotSwapper,
  type HotSwapperOptions,
  type SwapRecord,
  type SwapSource,
  type SwapStats,
} from './residency/hot-swap';
